import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  AgentCapabilities,
  CommandType,
  combineBits,
  create,
  RemoteConfigStatuses,
  RemoteConfigStatusSchema,
} from "@opamp-ts/protocol";
import type { AgentConnection } from "./connection.js";
import { OpampServerError } from "./errors.js";
import { createRemoteConfig, remoteConfigNeeded } from "./offers.js";
import type { OpampServerOptions } from "./options.js";
import type { OpampServer } from "./server.js";
import { agentMessage, postMessage, RawWsAgent, startServer } from "./test-support/harness.js";

const A = AgentCapabilities;
const CONFIG_AGENT = combineBits(
  A.AgentCapabilities_ReportsStatus,
  A.AgentCapabilities_AcceptsRemoteConfig,
  A.AgentCapabilities_ReportsRemoteConfig,
);

async function withServer(
  options: OpampServerOptions,
  body: (url: string, httpUrl: string, server: OpampServer) => Promise<void>,
): Promise<void> {
  const running = await startServer(options);
  try {
    await body(running.url, running.httpUrl, running.server);
  } finally {
    await running.close();
  }
}

describe("offers and capabilities", () => {
  test("S-11 a remote config is removed for an agent without AcceptsRemoteConfig, and a push of only that is refused", async () => {
    const conns: AgentConnection[] = [];
    await withServer(
      {
        onConnected: (c) => conns.push(c),
        onMessage: () => ({ remoteConfig: createRemoteConfig({ configMap: {} }) }),
      },
      async (url, _http, server) => {
        const agent = await RawWsAgent.connect(url);
        const reply = await agent.exchange(agentMessage());
        assert.equal(reply.remoteConfig, undefined);
        assert.ok(server.metrics().errors.capability_filtered >= 1);
        await assert.rejects(
          conns[0]!.send({ remoteConfig: createRemoteConfig({ configMap: {} }) }),
          (e: unknown) => e instanceof OpampServerError && e.code === "NOT_SUPPORTED_BY_AGENT",
        );
        agent.close();
      },
    );
  });

  test("S-11 P-23 capability changes mid-session are followed: restart and packages only once declared", async () => {
    await withServer(
      {
        onMessage: () => ({
          packagesAvailable: { allPackagesHash: new Uint8Array([1]) },
          connectionSettings: {
            hash: new Uint8Array([2]),
            ownMetrics: { destinationEndpoint: "http://otlp" },
          },
        }),
      },
      async (_url, httpUrl) => {
        const message = agentMessage();
        const without = await postMessage(httpUrl, message);
        assert.equal(without.reply.packagesAvailable, undefined);
        assert.equal(without.reply.connectionSettings, undefined);
        const caps = combineBits(
          A.AgentCapabilities_ReportsStatus,
          A.AgentCapabilities_AcceptsPackages,
          A.AgentCapabilities_ReportsOwnMetrics,
        );
        const withCaps = await postMessage(
          httpUrl,
          agentMessage({ instanceUid: message.instanceUid, sequenceNum: 2n, capabilities: caps }),
        );
        assert.deepEqual(withCaps.reply.packagesAvailable?.allPackagesHash, new Uint8Array([1]));
        assert.equal(
          withCaps.reply.connectionSettings?.ownMetrics?.destinationEndpoint,
          "http://otlp",
        );
      },
    );
  });

  test("S-12 S-25 P-12 a config is offered until the agent reports its hash, then never again (also after FAILED)", async () => {
    const config = createRemoteConfig({
      configMap: { "c.yaml": { body: new TextEncoder().encode("a: 1") } },
    });
    assert.equal(config.configHash.length, 32);
    let server: OpampServer | undefined;
    await withServer(
      {
        onMessage: (conn) => {
          const state = conn.instanceUid && server!.agents.get(conn.instanceUid);
          if (state && remoteConfigNeeded(state.remoteConfigStatus, config))
            return { remoteConfig: config };
          return undefined;
        },
      },
      async (url, _http, s) => {
        server = s;
        const agent = await RawWsAgent.connect(url);
        const message = agentMessage({ capabilities: CONFIG_AGENT });
        const offer = await agent.exchange(message);
        assert.deepEqual(offer.remoteConfig?.configHash, config.configHash);
        const failed = create(RemoteConfigStatusSchema, {
          lastRemoteConfigHash: config.configHash,
          status: RemoteConfigStatuses.RemoteConfigStatuses_FAILED,
          errorMessage: "bad",
        });
        const ack = await agent.exchange(
          agentMessage({
            instanceUid: message.instanceUid,
            sequenceNum: 2n,
            capabilities: CONFIG_AGENT,
            remoteConfigStatus: failed,
          }),
        );
        assert.equal(ack.remoteConfig, undefined);
        const heartbeat = await agent.exchange(
          agentMessage({
            instanceUid: message.instanceUid,
            sequenceNum: 3n,
            capabilities: CONFIG_AGENT,
            agentDescription: undefined,
          }),
        );
        assert.equal(heartbeat.remoteConfig, undefined);
        assert.equal(heartbeat.flags, 0n);
        agent.close();
      },
    );
  });

  test("S-13 S-20 a connection-settings offer with a heartbeat interval reaches an agent that accepts OpAMP settings", async () => {
    const caps = combineBits(
      A.AgentCapabilities_ReportsStatus,
      A.AgentCapabilities_AcceptsOpAMPConnectionSettings,
      A.AgentCapabilities_ReportsHeartbeat,
    );
    await withServer(
      {
        onMessage: (_c, msg) =>
          msg.connectionSettingsStatus === undefined
            ? {
                connectionSettings: {
                  hash: new Uint8Array([5]),
                  opamp: { destinationEndpoint: "ws://x/v1/opamp", heartbeatIntervalSeconds: 15n },
                },
              }
            : undefined,
      },
      async (url) => {
        const agent = await RawWsAgent.connect(url);
        const reply = await agent.exchange(agentMessage({ capabilities: caps }));
        assert.equal(reply.connectionSettings?.opamp?.heartbeatIntervalSeconds, 15n);
        agent.close();
      },
    );
  });

  test("S-19 P-21 a command is sent alone, after the rest of the reply (WebSocket) or on the next poll (HTTP)", async () => {
    const caps = combineBits(CONFIG_AGENT, A.AgentCapabilities_AcceptsRestartCommand);
    const reply = () => ({
      remoteConfig: { configHash: new Uint8Array([1]) },
      command: { type: CommandType.CommandType_Restart },
    });
    let first = true;
    await withServer(
      {
        onMessage: () => {
          if (!first) return undefined;
          first = false;
          return reply();
        },
      },
      async (url) => {
        const agent = await RawWsAgent.connect(url);
        agent.send(agentMessage({ capabilities: caps }));
        const offer = await agent.nth(1);
        const command = await agent.nth(2);
        assert.ok(offer.remoteConfig);
        assert.equal(offer.command, undefined);
        assert.ok(command.command);
        assert.equal(command.remoteConfig, undefined);
        assert.equal(command.flags, 0n);
        agent.close();
      },
    );
    first = true;
    await withServer(
      {
        onMessage: () => {
          if (!first) return undefined;
          first = false;
          return reply();
        },
      },
      async (_url, httpUrl) => {
        const message = agentMessage({ capabilities: caps });
        const one = await postMessage(httpUrl, message);
        assert.ok(one.reply.remoteConfig);
        assert.equal(one.reply.command, undefined);
        const two = await postMessage(
          httpUrl,
          agentMessage({ instanceUid: message.instanceUid, sequenceNum: 2n, capabilities: caps }),
        );
        assert.ok(two.reply.command);
        assert.equal(two.reply.remoteConfig, undefined);
      },
    );
  });

  test("S-22 custom messages go only to agents that listed the capability; the server's list passes through", async () => {
    await withServer(
      {
        onMessage: () => ({
          customCapabilities: { capabilities: ["io.example.ping"] },
          customMessage: { capability: "io.example.ping", type: "ping", data: new Uint8Array([1]) },
        }),
      },
      async (_url, httpUrl) => {
        const plain = await postMessage(httpUrl, agentMessage());
        assert.equal(plain.reply.customMessage, undefined);
        assert.deepEqual(plain.reply.customCapabilities?.capabilities, ["io.example.ping"]);
        const listed = await postMessage(
          httpUrl,
          agentMessage({ customCapabilities: { capabilities: ["io.example.ping"] } }),
        );
        assert.equal(listed.reply.customMessage?.type, "ping");
      },
    );
  });
});
