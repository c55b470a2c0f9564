import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  createOpAMPClient,
  RemoteConfigStatuses as ElasticStatuses,
} from "@elastic/opamp-client-node";
import {
  AgentCapabilities,
  combineBits,
  fromAnyValue,
  hasBit,
  RemoteConfigStatuses,
  ServerCapabilities,
  ServerToAgentFlags,
} from "@opamp-ts/protocol";
import type { AgentConnection } from "./connection.js";
import { createRemoteConfig, remoteConfigNeeded } from "./offers.js";
import { OpampServer } from "./server.js";
import { waitFor } from "./test-support/harness.js";

/** `@elastic/opamp-client-node` (plain HTTP only) as a real peer nobody here wrote. */

const quiet = {
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
  fatal() {},
  child() {
    return quiet;
  },
};

describe("interop with @elastic/opamp-client-node over plain HTTP", () => {
  test("S-1 S-4 S-12 it connects, reports its description, receives a remote config and reports APPLIED", async () => {
    const config = createRemoteConfig({
      configMap: {
        elastic: {
          body: new TextEncoder().encode('{"log_level":"debug"}'),
          contentType: "application/json",
        },
      },
    });
    const offers: number[] = [];
    const connections: AgentConnection[] = [];
    const server = new OpampServer({
      capabilities: combineBits(ServerCapabilities.ServerCapabilities_OffersRemoteConfig),
      onConnected: (c) => connections.push(c),
      onMessage: (conn) => {
        const state = server.agents.get(conn.instanceUid!);
        if (state && remoteConfigNeeded(state.remoteConfigStatus, config)) {
          offers.push(Date.now());
          return { remoteConfig: config };
        }
        return undefined;
      },
    });
    const { httpUrl } = await server.listen({ host: "127.0.0.1", port: 0 });
    const received: Uint8Array[] = [];
    const client = createOpAMPClient({
      endpoint: httpUrl,
      log: quiet,
      heartbeatIntervalSeconds: 0.2,
      capabilities: combineBits(
        AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig,
        AgentCapabilities.AgentCapabilities_ReportsRemoteConfig,
      ),
      onMessage: ({ remoteConfig }) => {
        if (remoteConfig) {
          received.push(remoteConfig.config?.configMap.elastic?.body ?? new Uint8Array());
          client.setRemoteConfigStatus({
            status: ElasticStatuses.RemoteConfigStatuses_APPLIED,
            lastRemoteConfigHash: remoteConfig.configHash,
          } as Parameters<typeof client.setRemoteConfigStatus>[0]);
        }
      },
    });
    client.setAgentDescription({
      identifyingAttributes: { "service.name": "elastic-peer" },
      nonIdentifyingAttributes: { "os.type": "linux" },
    });
    try {
      client.start();
      const uid = client.getInstanceUid();
      await waitFor(
        () => server.agents.get(uid)?.agentDescription !== undefined,
        "the description",
      );
      const state = server.agents.get(uid)!;
      const name = state.agentDescription!.identifyingAttributes.find(
        (kv) => kv.key === "service.name",
      );
      assert.equal(name && fromAnyValue(name.value), "elastic-peer");
      assert.ok(
        hasBit(state.capabilities, AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig),
      );
      await waitFor(
        () =>
          state.remoteConfigStatus?.status === RemoteConfigStatuses.RemoteConfigStatuses_APPLIED,
        "the APPLIED status",
      );
      assert.deepEqual(state.remoteConfigStatus?.lastRemoteConfigHash, config.configHash);
      assert.equal(new TextDecoder().decode(received[0]), '{"log_level":"debug"}');
      // Heartbeats keep flowing; the acknowledged config is never offered again (S-25).
      const seq = state.sequenceNum;
      await waitFor(() => state.sequenceNum >= seq + 2n, "two more heartbeats");
      assert.equal(received.length, 1);
      assert.equal(offers.length, 1);
      // S-9 / S-24: a ReportFullState pushed into the outbox makes it resend its description.
      state.agentDescription = undefined;
      await connections[0]!.send({
        flags: BigInt(ServerToAgentFlags.ServerToAgentFlags_ReportFullState),
      });
      await waitFor(() => state.agentDescription !== undefined, "the full state report");
    } finally {
      await client.shutdown();
      await server.close();
    }
  });
});
