// Interop matrix, cell 2 (failover): opamp-go's client sends its full state
// only on its very first connection. A control plane that comes up on the same
// address without the old state (a new node behind the same name, a wiped
// database) must ask for it with ReportFullState, and opamp-go must answer.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { requirePeers } from "./support/build.js";
import { ControlPlane } from "./support/control-plane.js";
import { GoAgent } from "./support/goagent.js";
import { poll } from "./support/wait.js";

const peers = await requirePeers();

interface AgentRow {
  id: string;
  connected: boolean;
  description: { identifyingAttributes: Record<string, unknown> };
  health: { healthy: boolean } | null;
  effectiveConfig: { files: Record<string, { body: string }> } | null;
}

async function findAgent(cp: ControlPlane, id: string): Promise<AgentRow | undefined> {
  const res = await cp.api("GET", "/agents");
  return (res.body.agents as AgentRow[]).find((a) => a.id === id);
}

for (const transport of ["websocket", "http"] as const) {
  describe(`cell 2 failover: opamp-go agent -> a fresh control plane over ${transport}`, {
    skip: peers.skip,
  }, () => {
    let first: ControlPlane;
    let second: ControlPlane | undefined;
    let agent: GoAgent;

    before(async () => {
      first = await ControlPlane.start();
      agent = await GoAgent.start(peers.binaries!.goagent, {
        url: transport === "websocket" ? first.handle.opampUrl : first.handle.opampHttpUrl,
        identifying: { "service.name": "failover" },
        heartbeatSeconds: 0.5,
      });
      await poll("the agent on the first control plane", async () => {
        const row = await findAgent(first, agent.instanceUid);
        return row?.connected && row.effectiveConfig !== null ? row : undefined;
      });
    });

    after(async () => {
      await agent?.stop();
      await second?.close();
      await first?.close();
    });

    test("S-23 S-9 C-11 shutdown closes with 1001; a control plane without the agent's state asks for it and opamp-go sends it all", async () => {
      const { opampPort, httpPort } = first.reuse;
      const from = agent.mark();
      await first.stop();
      if (transport === "websocket") {
        // S-23: a shutdown closes the WebSocket with a Close frame, 1001 Going Away.
        await agent.waitFor("library-error", (e) => /close 1001/.test(String(e.message)), {
          after: from,
        });
      }
      const freshDir = mkdtempSync(join(tmpdir(), "opamp-interop-cp-"));
      second = await ControlPlane.start({ dataDir: freshDir, opampPort, httpPort });
      const row = await poll("the agent's full state on the new control plane", async () => {
        const r = await findAgent(second!, agent.instanceUid);
        return r?.connected && r.health !== null && r.effectiveConfig !== null ? r : undefined;
      });
      assert.deepEqual(row.description.identifyingAttributes, { "service.name": "failover" });
      assert.equal(row.health?.healthy, true);
      assert.equal(row.effectiveConfig?.files[""]?.body, "receivers: {}\n");
    });
  });
}
