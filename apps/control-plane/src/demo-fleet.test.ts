import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { seedDemoConfigurations, startDemoFleet } from "./demo-fleet.js";
import { BACKENDS } from "./test-support/backends.js";
import { startTestServer } from "./test-support/running-server.js";
import { waitFor } from "./test-support/wait.js";

test("the demo fleet connects with varied attributes and shows both APPLIED and FAILED configs (P-12)", async () => {
  const db = await BACKENDS[0]!.create();
  const server = await startTestServer(db);
  try {
    await seedDemoConfigurations(server.handle.apiUrl, server.handle.adminToken);
    await seedDemoConfigurations(server.handle.apiUrl, server.handle.adminToken);
    assert.equal(
      (await server.api("GET", "/configurations")).body.configurations.length,
      2,
      "seeding twice adds nothing",
    );
    const fleet = await startDemoFleet({
      count: 8,
      opampUrl: server.handle.opampUrl,
      opampHttpUrl: server.handle.opampHttpUrl,
      stateDir: join(db.dataDir, "demo-agents"),
    });
    try {
      const agents = await waitFor("8 agents with a final config status", async () => {
        const list = (await server.api("GET", "/agents")).body.agents as {
          connected: boolean;
          labels: Record<string, string>;
          remoteConfigStatus: { status: string };
        }[];
        const settled = list.filter(
          (a) => a.connected && ["APPLIED", "FAILED"].includes(a.remoteConfigStatus.status),
        );
        return settled.length === 8 ? list : undefined;
      });
      const statuses = new Set(agents.map((a) => a.remoteConfigStatus.status));
      assert.deepEqual([...statuses].sort(), ["APPLIED", "FAILED"]);
      assert.ok(new Set(agents.map((a) => a.labels.env)).size >= 3);
      const failed = agents.filter((a) => a.remoteConfigStatus.status === "FAILED");
      assert.ok(failed.every((a) => a.labels["agent.flavor"] === "legacy"));
    } finally {
      await fleet.stop();
    }
  } finally {
    await server.handle.close();
    db.cleanup();
  }
});
