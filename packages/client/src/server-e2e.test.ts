import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  AgentCapabilities,
  AgentConfigMapSchema,
  type AgentToServer,
  CommandType,
  create,
  hashConfigMap,
  type MessageInitShape,
  RemoteConfigStatuses,
  ServerCapabilities,
  type ServerToAgentSchema,
} from "@opamp-ts/protocol";
import { OpampClient } from "./client.js";
import { caps, FAST_TIMING, TRANSPORTS, until } from "./test-support/fixtures.js";

/**
 * End to end against our own server library, `@opamp-ts/server`, on both
 * transports. The server package depends on this one, so it is loaded at run
 * time and typed here by the part of its agreed contract the tests use.
 */
type Reply = MessageInitShape<typeof ServerToAgentSchema>;
interface AgentConnectionLike {
  readonly transport: "websocket" | "http";
  send(message: Reply): Promise<void>;
}
interface OpampServerLike {
  listen(options: { host: string; port: number }): Promise<{ url: string; httpUrl: string }>;
  close(): Promise<void>;
}
type ServerModule = {
  OpampServer: new (options: {
    capabilities?: bigint;
    onConnected?: (conn: AgentConnectionLike) => void;
    onMessage?: (conn: AgentConnectionLike, message: AgentToServer) => Reply | undefined;
  }) => OpampServerLike;
};
const serverPackage = "@opamp-ts/server";
const { OpampServer } = (await import(serverPackage)) as ServerModule;

const AGENT_CAPS = caps(
  AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig,
  AgentCapabilities.AgentCapabilities_ReportsRemoteConfig,
  AgentCapabilities.AgentCapabilities_ReportsHealth,
  AgentCapabilities.AgentCapabilities_AcceptsRestartCommand,
);
const SERVER_CAPS =
  BigInt(ServerCapabilities.ServerCapabilities_OffersRemoteConfig) |
  BigInt(ServerCapabilities.ServerCapabilities_AcceptsEffectiveConfig);

for (const transport of TRANSPORTS) {
  describe(`against @opamp-ts/server over ${transport}`, () => {
    test(`C-6 C-21 C-11 C-34 C-19 C-36 main flows with our server (${transport})`, async () => {
      const received: AgentToServer[] = [];
      let connection: AgentConnectionLike | undefined;
      let askFullState = false;
      const server = new OpampServer({
        capabilities: SERVER_CAPS,
        onConnected: (conn) => {
          connection = conn;
        },
        onMessage: (conn, message) => {
          connection = conn;
          received.push(message);
          if (message.customMessage?.type === "ping") {
            return {
              customMessage: {
                capability: "io.example.chat",
                type: "pong",
                data: message.customMessage.data,
              },
            };
          }
          if (askFullState) {
            askFullState = false;
            return { flags: 1n };
          }
          return undefined;
        },
      });
      const { url, httpUrl } = await server.listen({ host: "127.0.0.1", port: 0 });
      const configMap = create(AgentConfigMapSchema, {
        configMap: {
          "agent.yaml": {
            body: new TextEncoder().encode("level: info\n"),
            contentType: "text/yaml",
          },
        },
      });
      const hash = hashConfigMap(configMap);
      const applied: string[] = [];
      const client = new OpampClient({
        endpoint: transport === "websocket" ? url : httpUrl,
        capabilities: AGENT_CAPS,
        agentDescription: { identifyingAttributes: { "service.name": `client-e2e-${transport}` } },
        heartbeatIntervalSeconds: transport === "http" ? 0.05 : 3_600,
        timing: FAST_TIMING,
        customCapabilities: ["io.example.chat"],
        onRemoteConfig: (config) => {
          applied.push(new TextDecoder().decode(config.config!.configMap["agent.yaml"]!.body));
          return { status: "applied" };
        },
      });
      const wait = (predicate: (m: AgentToServer) => boolean, what: string) =>
        until(() => received.some(predicate), 10_000, what).then(() => received.find(predicate)!);
      try {
        const connected = client.once("connected");
        await client.start();
        await connected;
        assert.ok(received[0]?.agentDescription, "C-6 the description arrives first");

        await connection!.send({ remoteConfig: { config: configMap, configHash: hash } });
        const status = await wait(
          (m) => m.remoteConfigStatus?.status === RemoteConfigStatuses.RemoteConfigStatuses_APPLIED,
          "APPLIED",
        );
        assert.ok(
          Buffer.from(status.remoteConfigStatus!.lastRemoteConfigHash).equals(hash),
          "P-12 hash echoed",
        );
        assert.deepEqual(applied, ["level: info\n"]);

        askFullState = true;
        client.setHealth({ healthy: true, status: "full-please" });
        const asked = received.length;
        await until(
          () =>
            received
              .slice(asked)
              .some((m) => m.agentDescription !== undefined && m.health?.status === "full-please"),
          10_000,
          "full state",
        );

        const pong = client.once("customMessage");
        await client.sendCustomMessage({
          capability: "io.example.chat",
          type: "ping",
          data: new Uint8Array([1, 2]),
        });
        const [message] = await pong;
        assert.equal(message.type, "pong");
        assert.deepEqual([...message.data], [1, 2]);

        const command = client.once("command");
        await connection!.send({ command: { type: CommandType.CommandType_Restart } });
        if (transport === "http") client.setHealth({ healthy: true, status: "poll" });
        const [restart] = await command;
        assert.equal(restart.type, CommandType.CommandType_Restart);

        await client.stop();
        assert.ok(
          received.at(-1)?.agentDisconnect !== undefined,
          "C-36 the last message carries agent_disconnect",
        );
      } finally {
        await client.stop();
        await server.close();
      }
    });
  });
}
