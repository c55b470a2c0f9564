import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { configHash } from "../config-files.js";
import { ControlPlaneError } from "../errors.js";
import { BACKENDS, type TestDatabase } from "../test-support/backends.js";
import { waitFor } from "../test-support/wait.js";
import type { AgentRecord, Storage } from "./types.js";

function agent(id: string, patch: Partial<AgentRecord> = {}): AgentRecord {
  return {
    id,
    connected: true,
    transport: "websocket",
    remoteAddress: "127.0.0.1",
    connectedSince: "2026-01-01T00:00:00.000Z",
    firstSeenAt: "2026-01-01T00:00:00.000Z",
    lastSeenAt: "2026-01-01T00:00:01.000Z",
    description: {
      identifyingAttributes: { "service.name": "otelcol" },
      nonIdentifyingAttributes: {},
    },
    capabilitiesMask: "1",
    capabilities: ["ReportsStatus"],
    health: null,
    effectiveConfig: null,
    remoteConfigStatus: { status: "UNSET", configHash: "", errorMessage: "" },
    packageStatuses: null,
    availableComponents: null,
    customCapabilities: [],
    failedConfigHashes: [],
    ...patch,
  };
}

const FILES = { "collector.yaml": { body: "receivers: {}\n", contentType: "text/yaml" } };

for (const backend of BACKENDS) {
  describe(`storage on ${backend.name}`, () => {
    let db: TestDatabase;
    let storage: Storage;
    before(async () => {
      db = await backend.create();
      storage = await db.open();
    });
    after(async () => {
      await storage.close();
      db.cleanup();
    });

    test("S-8 agent records round-trip and update in place", async () => {
      const id = "0190f1a2-0000-7000-8000-000000000001";
      await storage.putAgent(agent(id));
      await storage.putAgent(
        agent(id, { connected: false, capabilities: ["ReportsStatus", "ReportsHealth"] }),
      );
      const stored = await storage.getAgent(id);
      assert.equal(stored?.connected, false);
      assert.deepEqual(stored?.capabilities, ["ReportsStatus", "ReportsHealth"]);
      assert.ok((await storage.listAgents()).some((a) => a.id === id));
      assert.equal(await storage.getAgent("0190f1a2-0000-7000-8000-0000000000ff"), undefined);
    });

    test("connection ownership: a conditional write loses to another owner, and a node's agents are disconnected by owner", async () => {
      const onA = "0190f1a2-0000-7000-8000-0000000000a1";
      const onB = "0190f1a2-0000-7000-8000-0000000000b1";
      const legacy = "0190f1a2-0000-7000-8000-0000000000c1";
      await storage.putAgent(agent(onA, { nodeId: "own-a" }));
      await storage.putAgent(agent(onB, { nodeId: "own-b" }));
      await storage.putAgent(agent(legacy));
      const owners = await storage.listConnectedOwners();
      for (const o of ["own-a", "own-b", null]) assert.ok(owners.includes(o), String(o));

      const late = agent(onA, { nodeId: "own-a", connected: false });
      await storage.putAgent(agent(onA, { nodeId: "own-b" }));
      assert.equal(await storage.putAgentIfOwner(late, "own-a"), false);
      assert.equal((await storage.getAgent(onA))?.connected, true, "the new owner's record stands");
      assert.equal(await storage.putAgentIfOwner(agent(onA, { nodeId: "own-b" }), "own-b"), true);

      assert.deepEqual((await storage.disconnectAgentsOf("own-b")).sort(), [onA, onB].sort());
      assert.equal((await storage.getAgent(onB))?.connected, false);
      assert.equal((await storage.getAgent(onB))?.nodeId, "own-b");
      assert.deepEqual(await storage.disconnectAgentsOf("own-b"), [], "nothing left to mark");
      assert.deepEqual(await storage.disconnectAgentsOf(null), [legacy]);
    });

    test("node heartbeats are upserted, listed and removed", async () => {
      await storage.heartbeatNode({
        id: "hb-1",
        startedAt: "2026-01-01T00:00:00.000Z",
        heartbeatAt: "2026-01-01T00:00:05.000Z",
      });
      await storage.heartbeatNode({
        id: "hb-1",
        startedAt: "2026-01-01T00:00:00.000Z",
        heartbeatAt: "2026-01-01T00:00:10.000Z",
      });
      const node = (await storage.listNodes()).find((n) => n.id === "hb-1");
      assert.equal(node?.heartbeatAt, "2026-01-01T00:00:10.000Z");
      await storage.deleteNode("hb-1");
      assert.equal(
        (await storage.listNodes()).find((n) => n.id === "hb-1"),
        undefined,
      );
    });

    test("S-17 renaming an agent moves its labels, override and status history to the new uid", async () => {
      const oldId = "0190f1a2-0000-7000-8000-000000000010";
      const newId = "0190f1a2-0000-7000-8000-000000000011";
      await storage.putAgent(agent(oldId));
      await storage.setLabels(oldId, { env: "prod" });
      await storage.setOverride(oldId, FILES);
      await storage.appendConfigStatus({
        agentId: oldId,
        configHash: "aa",
        status: "APPLIED",
        errorMessage: "",
        at: "2026-01-01T00:00:02.000Z",
      });
      await storage.renameAgent(oldId, newId);
      assert.equal(await storage.getAgent(oldId), undefined);
      assert.equal((await storage.getAgent(newId))?.id, newId);
      assert.deepEqual(await storage.getLabels(newId), { env: "prod" });
      assert.equal((await storage.getOverride(newId))?.hash, configHash(FILES));
      assert.equal((await storage.listConfigStatusHistory(newId, 10)).length, 1);
    });

    test("config status history is newest first and limited", async () => {
      const id = "0190f1a2-0000-7000-8000-000000000020";
      for (const status of ["APPLYING", "FAILED", "APPLIED"] as const) {
        await storage.appendConfigStatus({
          agentId: id,
          configHash: "bb",
          status,
          errorMessage: "",
          at: new Date().toISOString(),
        });
      }
      const history = await storage.listConfigStatusHistory(id, 2);
      assert.deepEqual(
        history.map((h) => h.status),
        ["APPLIED", "FAILED"],
      );
    });

    test("S-12 configuration versions are numbered, immutable and carry the content hash", async () => {
      const config = await storage.createConfiguration({ name: "base", description: "d" });
      assert.equal(config.latestVersion, 0);
      const v1 = await storage.addConfigurationVersion(config.id, FILES, "admin");
      const files2 = {
        "collector.yaml": { body: "receivers: {otlp: {}}\n", contentType: "text/yaml" },
      };
      const v2 = await storage.addConfigurationVersion(config.id, files2, "admin");
      assert.equal(v1.version, 1);
      assert.equal(v2.version, 2);
      assert.equal(v1.hash, configHash(FILES));
      assert.notEqual(v1.hash, v2.hash);
      assert.deepEqual((await storage.getConfigurationVersion(config.id, 1))?.files, FILES);
      assert.equal((await storage.getConfiguration(config.id))?.latestVersion, 2);
      assert.equal((await storage.listConfigurationVersions(config.id)).length, 2);
      assert.ok((await storage.listConfigurations()).some((c) => c.name === "base"));
    });

    test("concurrent new versions get distinct numbers", async () => {
      const config = await storage.createConfiguration({ name: "concurrent", description: "" });
      const versions = await Promise.all(
        [1, 2, 3, 4].map((i) =>
          storage.addConfigurationVersion(
            config.id,
            { f: { body: `${i}`, contentType: "" } },
            "admin",
          ),
        ),
      );
      assert.deepEqual(versions.map((v) => v.version).sort(), [1, 2, 3, 4]);
    });

    test("a duplicate configuration name is a CONFLICT and a version of an unknown configuration NOT_FOUND", async () => {
      await storage.createConfiguration({ name: "dup", description: "" });
      await assert.rejects(
        storage.createConfiguration({ name: "dup", description: "" }),
        (e) => e instanceof ControlPlaneError && e.code === "CONFLICT",
      );
      await assert.rejects(
        storage.addConfigurationVersion("nope", FILES, "admin"),
        (e) => e instanceof ControlPlaneError && e.code === "NOT_FOUND",
      );
    });

    test("assignments, overrides and telemetry destinations are created, listed and deleted", async () => {
      const config = await storage.createConfiguration({ name: "assigned", description: "" });
      const a = await storage.createAssignment({
        configurationId: config.id,
        version: null,
        selector: "env=prod",
        priority: 5,
      });
      assert.ok(
        (await storage.listAssignments()).some(
          (x) => x.id === a.id && x.priority === 5 && x.version === null,
        ),
      );
      assert.equal(await storage.deleteAssignment(a.id), true);
      assert.equal(await storage.deleteAssignment(a.id), false);

      await storage.setOverride("agent-x", FILES);
      assert.equal((await storage.listOverrides()).length >= 1, true);
      assert.equal(await storage.deleteOverride("agent-x"), true);
      assert.equal(await storage.getOverride("agent-x"), undefined);

      const d = await storage.createTelemetryDestination({
        name: "otlp",
        selector: "",
        priority: 0,
        metrics: { endpoint: "http://collector:4318/v1/metrics", headers: { a: "b" } },
        logs: null,
        traces: null,
      });
      const listed = await storage.listTelemetryDestinations();
      assert.deepEqual(listed.find((x) => x.id === d.id)?.metrics?.headers, { a: "b" });
      assert.equal(await storage.deleteTelemetryDestination(d.id), true);
    });

    test("the audit log pages newest first", async () => {
      const first = await storage.appendAudit({
        actor: "admin",
        action: "a.one",
        target: "t",
        details: { n: 1 },
      });
      const second = await storage.appendAudit({
        actor: "admin",
        action: "a.two",
        target: "t",
        details: null,
      });
      const page = await storage.listAudit({ limit: 1 });
      assert.equal(page[0]?.id, second.id);
      const next = await storage.listAudit({ limit: 1, before: second.id });
      assert.equal(next[0]?.id, first.id);
      assert.deepEqual(next[0]?.details, { n: 1 });
    });

    if (backend.name === "postgres") {
      test("lost PostgreSQL connections are replaced without ending the process", async () => {
        await storage.setLabels("before-loss", { a: "1" });
        const admin = new pg.Client({ connectionString: db.databaseUrl });
        await admin.connect();
        try {
          const killed = await admin.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
          );
          assert.ok((killed.rowCount ?? 0) > 0, "the pool had connections to cut");
        } finally {
          await admin.end();
        }
        const labels = await waitFor("storage to answer again", () =>
          storage.getLabels("before-loss"),
        );
        assert.deepEqual(labels, { a: "1" });
      });
    }

    test("data written before closing is there after reopening", async () => {
      await storage.setLabels("persisted", { team: "a" });
      await storage.close();
      storage = await db.open();
      assert.deepEqual(await storage.getLabels("persisted"), { team: "a" });
    });
  });
}
