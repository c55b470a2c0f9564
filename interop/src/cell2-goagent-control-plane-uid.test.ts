// Interop matrix, cell 2 (identity): an opamp-go agent that asks for its
// instance uid (RequestInstanceUid) gets one from our control plane, adopts it,
// and the inventory follows it to the new id.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { requirePeers } from "./support/build.js";
import { ControlPlane } from "./support/control-plane.js";
import { GoAgent } from "./support/goagent.js";
import { poll } from "./support/wait.js";

const peers = await requirePeers();

interface AgentRow {
  id: string;
  connected: boolean;
  lastSeenAt: string;
  description: { identifyingAttributes: Record<string, unknown> };
  effectiveConfig: unknown;
}

for (const transport of ["websocket", "http"] as const) {
  describe(`cell 2 identity: opamp-go agent asks our control plane for a uid over ${transport}`, {
    skip: peers.skip,
  }, () => {
    let cp: ControlPlane;
    let agent: GoAgent;

    before(async () => {
      cp = await ControlPlane.start();
      agent = await GoAgent.start(peers.binaries!.goagent, {
        url: transport === "websocket" ? cp.handle.opampUrl : cp.handle.opampHttpUrl,
        identifying: { "service.name": "uid-requester" },
        heartbeatSeconds: 0.5,
        requestInstanceUid: true,
      });
    });

    after(async () => {
      await agent?.stop();
      await cp?.close();
    });

    test("C-2 C-3 S-17 the assigned uid is adopted and the API lists the agent under it only", async () => {
      const identified = await agent.waitFor("agent-identification");
      const assigned = Buffer.from(
        (identified.identification as { newInstanceUid: string }).newInstanceUid,
        "base64",
      ).toString("hex");
      assert.equal(assigned.length, 32);
      const newId = `${assigned.slice(0, 8)}-${assigned.slice(8, 12)}-${assigned.slice(12, 16)}-${assigned.slice(16, 20)}-${assigned.slice(20)}`;
      assert.notEqual(newId, agent.instanceUid);
      const rows = await poll("the agent under its new id", async () => {
        const res = await cp.api("GET", "/agents");
        const all = res.body.agents as AgentRow[];
        const row = all.find((a) => a.id === newId);
        return row?.connected && row.effectiveConfig !== null ? all : undefined;
      });
      const row = rows.find((a) => a.id === newId)!;
      assert.deepEqual(row.description.identifyingAttributes, { "service.name": "uid-requester" });
      assert.equal(
        rows.find((a) => a.id === agent.instanceUid),
        undefined,
        "the temporary uid must not stay in the inventory",
      );
      // opamp-go keeps using the new uid: later messages land under it, never the old one.
      const later = await poll("a later message under the new id", async () => {
        const res = await cp.api("GET", "/agents");
        const all = res.body.agents as AgentRow[];
        const again = all.find((a) => a.id === newId);
        return again !== undefined && again.lastSeenAt > row.lastSeenAt ? all : undefined;
      });
      assert.equal(later.filter((a) => a.id === agent.instanceUid).length, 0);
    });
  });
}
