import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { OpampClient } from "@opamp-ts/client";
import {
  AgentCapabilities,
  type AgentToServer,
  combineBits,
  fromAnyValue,
  RemoteConfigStatuses,
  ServerCapabilities,
} from "@opamp-ts/protocol";
import type { AgentConnection } from "./connection.js";
import { createRemoteConfig, remoteConfigNeeded } from "./offers.js";
import { OpampServer } from "./server.js";
import { waitFor } from "./test-support/harness.js";

/** End to end with `@opamp-ts/client` on both transports. */

const CAPS = combineBits(
  AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig,
  AgentCapabilities.AgentCapabilities_ReportsRemoteConfig,
  AgentCapabilities.AgentCapabilities_ReportsHealth,
  AgentCapabilities.AgentCapabilities_ReportsHeartbeat,
);

for (const transport of ["websocket", "http"] as const) {
  describe(`with @opamp-ts/client over ${transport}`, () => {
    test(`S-1 S-12 S-9 S-23 ${transport}: connects, describes itself, applies a pushed config, reports full state after a gap, disconnects`, async () => {
      const config = createRemoteConfig({
        configMap: {
          "agent.yaml": {
            body: new TextEncoder().encode("level: debug\n"),
            contentType: "text/yaml",
          },
        },
      });
      const messages: AgentToServer[] = [];
      const disconnected: AgentConnection[] = [];
      let offerConfig = false;
      const server = new OpampServer({
        capabilities: combineBits(ServerCapabilities.ServerCapabilities_OffersRemoteConfig),
        onMessage: (_conn, msg) => {
          messages.push(msg);
          const state = server.agents.get(msg.instanceUid);
          if (offerConfig && state && remoteConfigNeeded(state.remoteConfigStatus, config)) {
            return { remoteConfig: config };
          }
          return undefined;
        },
        onDisconnected: (conn) => disconnected.push(conn),
      });
      const { url, httpUrl } = await server.listen({ host: "127.0.0.1", port: 0 });
      const applied: Uint8Array[] = [];
      const client = new OpampClient({
        endpoint: transport === "websocket" ? url : httpUrl,
        capabilities: CAPS,
        heartbeatIntervalSeconds: 1,
        agentDescription: { identifyingAttributes: { "service.name": `e2e-${transport}` } },
        onRemoteConfig: (remote) => {
          applied.push(remote.configHash);
          return { status: "applied" };
        },
      });
      try {
        await client.start();
        const uid = client.instanceUid;
        await waitFor(
          () => server.agents.get(uid)?.agentDescription !== undefined,
          "the description",
        );
        const state = server.agents.get(uid)!;
        const name = state.agentDescription!.identifyingAttributes.find(
          (kv) => kv.key === "service.name",
        );
        assert.equal(name && fromAnyValue(name.value), `e2e-${transport}`);
        assert.equal(state.connection?.transport, transport);

        // A config pushed through the connection (HTTP: delivered with the next poll) is APPLIED.
        offerConfig = true;
        await state.connection!.send({ remoteConfig: config });
        await waitFor(
          () =>
            state.remoteConfigStatus?.status === RemoteConfigStatuses.RemoteConfigStatuses_APPLIED,
          "APPLIED",
        );
        assert.deepEqual(state.remoteConfigStatus?.lastRemoteConfigHash, config.configHash);
        assert.ok(Buffer.from(applied.at(-1)!).equals(Buffer.from(config.configHash)));

        // S-9: pretend messages were lost; the next report gets ReportFullState and the
        // client answers with its full state (description included).
        const before = messages.length;
        state.sequenceNum += 10n;
        state.agentDescription = undefined;
        client.setHealth({ healthy: true, status: "ok" });
        await waitFor(() => state.agentDescription !== undefined, "the full state report");
        const afterGap = messages.slice(before);
        assert.ok(afterGap.some((m) => m.agentDescription !== undefined));

        // C-36 / S-23 / P-28: stop() sends agent_disconnect; the server marks the agent offline.
        await client.stop();
        await waitFor(
          () => messages.some((m) => m.agentDisconnect !== undefined),
          "agent_disconnect",
        );
        await waitFor(() => state.connected === false, "the agent to be offline");
        await waitFor(() => disconnected.length >= 1, "onDisconnected");
      } finally {
        await client.stop();
        await server.close();
      }
    });

    test(`S-17 ${transport}: a client asking for an instance uid adopts the one the server assigns`, async () => {
      const server = new OpampServer();
      const { url, httpUrl } = await server.listen({ host: "127.0.0.1", port: 0 });
      const client = new OpampClient({
        endpoint: transport === "websocket" ? url : httpUrl,
        capabilities: BigInt(AgentCapabilities.AgentCapabilities_ReportsHeartbeat),
        requestInstanceUid: true,
        heartbeatIntervalSeconds: 1,
        agentDescription: { identifyingAttributes: { "service.name": "uid-requester" } },
      });
      try {
        const assigned = client.once("newInstanceUid");
        await client.start();
        const [uid] = await assigned;
        const state = server.agents.get(uid);
        assert.ok(state, "state re-keyed to the assigned uid");
        await waitFor(
          () => Buffer.from(client.instanceUid).equals(Buffer.from(uid)),
          "the client to adopt it",
        );
        // The agent keeps talking under its new uid (heartbeat/poll) and stays known.
        const seq = state.sequenceNum;
        await waitFor(
          () => server.agents.get(uid)!.sequenceNum > seq,
          "a message under the new uid",
        );
      } finally {
        await client.stop();
        await server.close();
      }
    });
  });
}
