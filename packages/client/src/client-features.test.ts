import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  AgentCapabilities,
  CommandType,
  ServerCapabilities,
  ServerToAgentFlags,
} from "@opamp-ts/protocol";
import { caps, makeClient, TRANSPORTS, until, withEffect } from "./test-support/fixtures.js";
import { ScriptedServer } from "./test-support/scripted-server.js";

const HEALTH = caps(AgentCapabilities.AgentCapabilities_ReportsHealth);

for (const transport of TRANSPORTS) {
  describe(`client features over ${transport}`, () => {
    test(`C-19 P-21 a restart command is delivered alone; other fields of that message are ignored (${transport})`, async () => {
      let sent = false;
      const server = await new ScriptedServer({
        reply: () =>
          sent
            ? undefined
            : withEffect(
                () => {
                  sent = true;
                },
                {
                  command: { type: CommandType.CommandType_Restart },
                  remoteConfig: { configHash: new Uint8Array([1]) },
                },
              ),
      }).listen();
      let applied = 0;
      const client = makeClient(server, transport, {
        capabilities: caps(
          AgentCapabilities.AgentCapabilities_AcceptsRestartCommand,
          AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig,
          AgentCapabilities.AgentCapabilities_ReportsRemoteConfig,
        ),
        onRemoteConfig: () => {
          applied++;
          return { status: "applied" };
        },
      });
      const command = client.once("command");
      await client.start();
      const [received] = await command;
      assert.equal(received.type, CommandType.CommandType_Restart);
      await client.idle();
      assert.equal(applied, 0);
      await client.stop();
      await server.close();
    });

    test(`C-19 a command is ignored without AcceptsRestartCommand (${transport})`, async () => {
      let sent = false;
      const server = await new ScriptedServer({
        reply: () =>
          sent
            ? undefined
            : withEffect(
                () => {
                  sent = true;
                },
                { command: {} },
              ),
      }).listen();
      const client = makeClient(server, transport, { capabilities: HEALTH });
      let commands = 0;
      client.on("command", () => commands++);
      const connected = client.once("connected");
      await client.start();
      await connected;
      client.setHealth({ healthy: true, status: "m" });
      await server.waitFor((m) => m.health?.status === "m");
      assert.equal(commands, 0);
      await client.stop();
      await server.close();
    });

    test(`C-34 custom capabilities are reported and custom messages flow both ways (${transport})`, async () => {
      const server = await new ScriptedServer({
        reply: (m) =>
          m.customMessage?.type === "ping"
            ? {
                customMessage: {
                  capability: "io.example.chat",
                  type: "pong",
                  data: m.customMessage.data,
                },
              }
            : m.customMessage === undefined && m.sequenceNum === 0n
              ? { customCapabilities: { capabilities: ["io.example.chat"] } }
              : undefined,
      }).listen();
      const client = makeClient(server, transport, { customCapabilities: ["io.example.chat"] });
      const received = client.once("customMessage");
      const connected = client.once("connected");
      await client.start();
      await connected;
      assert.deepEqual(server.received[0]!.message.customCapabilities?.capabilities, [
        "io.example.chat",
      ]);
      await client.sendCustomMessage({
        capability: "io.example.chat",
        type: "ping",
        data: new Uint8Array([42]),
      });
      const [pong] = await received;
      assert.equal(pong.type, "pong");
      assert.deepEqual([...pong.data], [42]);
      await assert.rejects(
        client.sendCustomMessage({
          capability: "io.example.other",
          type: "x",
          data: new Uint8Array(),
        }),
        { code: "INVALID_STATE" },
      );
      await client.stop();
      await server.close();
    });

    test(`C-34 a custom message for an undeclared capability is ignored (${transport})`, async () => {
      let sent = false;
      const server = await new ScriptedServer({
        reply: () =>
          sent
            ? undefined
            : withEffect(
                () => {
                  sent = true;
                },
                { customMessage: { capability: "io.example.unknown", type: "t" } },
              ),
      }).listen();
      const client = makeClient(server, transport, {
        capabilities: HEALTH,
        customCapabilities: ["io.example.chat"],
      });
      let messages = 0;
      client.on("customMessage", () => messages++);
      await client.start();
      client.setHealth({ healthy: true, status: "m" });
      await server.waitFor((m) => m.health?.status === "m");
      assert.equal(messages, 0);
      await client.stop();
      await server.close();
    });

    test(`C-35 C-12 available components: hash only first, the full map when the server asks (${transport})`, async () => {
      let ask = true;
      const server = await new ScriptedServer({
        reply: () =>
          ask
            ? withEffect(
                () => {
                  ask = false;
                },
                { flags: BigInt(ServerToAgentFlags.ServerToAgentFlags_ReportAvailableComponents) },
              )
            : undefined,
      }).listen();
      const client = makeClient(server, transport, {
        capabilities: caps(AgentCapabilities.AgentCapabilities_ReportsAvailableComponents),
        availableComponents: {
          receivers: {
            metadata: [],
            subComponentMap: { otlp: { metadata: [], subComponentMap: {} } },
          } as never,
        },
      });
      await client.start();
      const full = await server.waitFor(
        (m) => Object.keys(m.availableComponents?.components ?? {}).length > 0,
      );
      const first = server.received[0]!.message;
      assert.equal(
        Object.keys(first.availableComponents!.components).length,
        0,
        "first report: hash only",
      );
      assert.equal(first.availableComponents!.hash.length, 32);
      assert.deepEqual(full.availableComponents!.hash, first.availableComponents!.hash);
      assert.ok(full.availableComponents!.components.receivers?.subComponentMap.otlp);
      await client.stop();
      await server.close();
    });

    test(`C-20 heartbeats go out at the interval while nothing changes (${transport})`, async () => {
      const server = await new ScriptedServer().listen();
      const client = makeClient(server, transport, {
        capabilities: caps(AgentCapabilities.AgentCapabilities_ReportsHeartbeat),
        heartbeatIntervalSeconds: 0.02,
      });
      await client.start();
      await until(() => server.count >= 4, 10_000, "heartbeats");
      const heartbeat = server.received[3]!.message;
      assert.equal(heartbeat.agentDescription, undefined, "heartbeats carry no unchanged status");
      assert.equal(heartbeat.instanceUid.length, 16);
      await client.stop();
      await server.close();
    });

    test(`C-17 P-22 P-30 server capabilities: read once, 0 later means unchanged, unsupported reports are dropped (${transport})`, async () => {
      const server = await new ScriptedServer({
        capabilities: BigInt(ServerCapabilities.ServerCapabilities_AcceptsStatus),
        reply: (_m, ctx) => (ctx.index > 0 ? { capabilities: 0n } : undefined),
      }).listen();
      let config = "one";
      const client = makeClient(server, transport, {
        capabilities: caps(
          AgentCapabilities.AgentCapabilities_ReportsEffectiveConfig,
          AgentCapabilities.AgentCapabilities_ReportsHealth,
        ),
        effectiveConfig: () => ({ configMap: { "": { body: new TextEncoder().encode(config) } } }),
      });
      const connected = client.once("connected");
      await client.start();
      await connected;
      assert.ok(
        server.received[0]!.message.effectiveConfig,
        "unknown server capabilities: sent (P-30)",
      );
      assert.equal(
        client.serverCapabilities,
        BigInt(ServerCapabilities.ServerCapabilities_AcceptsStatus),
      );
      config = "two";
      client.updateEffectiveConfig();
      client.setHealth({ healthy: true, status: "m" });
      const later = await server.waitFor((m) => m.health?.status === "m");
      assert.equal(later.effectiveConfig, undefined, "server lacks AcceptsEffectiveConfig");
      client.setHealth({ healthy: true, status: "m2" });
      await server.waitFor((m) => m.health?.status === "m2");
      assert.equal(
        client.serverCapabilities,
        BigInt(ServerCapabilities.ServerCapabilities_AcceptsStatus),
        "0 = unchanged",
      );
      await assert.rejects(client.requestCertificate(), { code: "INVALID_STATE" });
      await client.stop();
      await server.close();
    });
  });
}

describe("transport details", () => {
  test("C-38 P-4 HTTP requests carry the exact content type, the instance uid header, gzip both ways", async () => {
    const server = await new ScriptedServer().listen();
    const client = makeClient(server, "http", { compressRequests: true });
    const connected = client.once("connected");
    await client.start();
    await connected;
    const { headers } = server.received[0]!;
    assert.equal(headers["content-type"], "application/x-protobuf");
    assert.equal(headers["content-encoding"], "gzip");
    assert.match(String(headers["accept-encoding"]), /gzip/);
    const { formatInstanceUid } = await import("@opamp-ts/protocol");
    assert.equal(headers["opamp-instance-uid"], formatInstanceUid(client.instanceUid));
    await client.stop();
    await server.close();
  });

  test("P-7 C-20 a server interval of 0 disables WebSocket heartbeats but HTTP keeps polling", async () => {
    const { heartbeatIntervalMs } = await import("./heartbeat.js");
    const beat = caps(AgentCapabilities.AgentCapabilities_ReportsHeartbeat);
    assert.equal(heartbeatIntervalMs("websocket", beat, 0, 30), 0);
    assert.equal(heartbeatIntervalMs("websocket", beat, 15, 30), 15_000);
    assert.equal(heartbeatIntervalMs("websocket", 1n, 15, 30), 0, "no capability, no heartbeats");
    assert.equal(
      heartbeatIntervalMs("http", beat, 0, 30),
      30_000,
      "HTTP polls at the local interval",
    );
    assert.equal(
      heartbeatIntervalMs("http", 1n, 15, 30),
      15_000,
      "HTTP polls regardless of the capability",
    );
    const server = await new ScriptedServer().listen();
    const client = makeClient(server, "http", {
      heartbeatIntervalSeconds: 0.02,
      capabilities: beat,
    });
    await client.start();
    await until(() => server.count >= 3, 10_000, "polls");
    await client.stop();
    await server.close();
  });
});
