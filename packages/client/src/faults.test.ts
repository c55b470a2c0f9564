import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { AgentCapabilities, ServerErrorResponseType } from "@opamp-ts/protocol";
import { isOpampClientError, type OpampClientError } from "./errors.js";
import { caps, collectErrors, makeClient, TRANSPORTS, until } from "./test-support/fixtures.js";
import { ScriptedServer } from "./test-support/scripted-server.js";

const HEALTH = caps(AgentCapabilities.AgentCapabilities_ReportsHealth);

for (const transport of TRANSPORTS) {
  describe(`faults over ${transport}`, () => {
    const servers: ScriptedServer[] = [];
    const serve = async (
      options: ConstructorParameters<typeof ScriptedServer>[0] = {},
      port = 0,
    ) => {
      const server = await new ScriptedServer(options).listen(port);
      servers.push(server);
      return server;
    };
    after(async () => {
      for (const server of servers) await server.close().catch(() => {});
    });

    test(`C-37 server down at start: the client retries with backoff and connects once it is up (${transport})`, async () => {
      const probe = await serve();
      const port = probe.port;
      await probe.close();
      const client = makeClient(probe, transport);
      const errors = collectErrors(client);
      await client.start();
      await until(() => errors.length >= 2, 10_000, "failed attempts");
      assert.ok(errors.every((e) => e.code === "CONNECT_FAILED"));
      const server = await serve({}, port);
      const connected = client.once("connected");
      await connected;
      assert.ok(server.received.length >= 1);
      await client.stop();
    });

    test(`C-37 P-15 server restart mid-stream: reconnects and keeps counting sequence numbers (${transport})`, async () => {
      const first = await serve();
      const port = first.port;
      const client = makeClient(first, transport, { capabilities: HEALTH });
      await client.start();
      client.setHealth({ healthy: true, status: "before" });
      const before = await first.waitFor((m) => m.health?.status === "before");
      await first.close();
      const second = await serve({}, port);
      client.setHealth({ healthy: true, status: "after" });
      const afterRestart = await second.waitFor((m) => m.health?.status === "after", 15_000);
      assert.ok(
        afterRestart.sequenceNum > before.sequenceNum,
        "sequence numbers survive reconnects",
      );
      await client.stop();
    });

    test(`P-26 C-37 503 with Retry-After in seconds is honoured (${transport})`, async () => {
      let refusals = 1;
      const refuse = () =>
        refusals-- > 0 ? { status: 503, headers: { "Retry-After": "1" } } : undefined;
      const server = await serve({
        upgrade: transport === "websocket" ? refuse : undefined,
        reply:
          transport === "http"
            ? () => {
                const r = refuse();
                return r === undefined
                  ? undefined
                  : { kind: "status", status: r.status, headers: r.headers };
              }
            : undefined,
      });
      const client = makeClient(server, transport);
      const throttled = client.once("connectFailed");
      const connected = client.once("connected");
      await client.start();
      const [error] = await throttled;
      assert.equal(error.code, "THROTTLED");
      assert.equal(error.retryAfterMs, 1_000);
      await connected;
      await client.stop();
    });

    test(`P-26 429 with Retry-After as an HTTP-date is honoured (${transport})`, async () => {
      let refusals = 1;
      const date = () => new Date(Date.now() + 1_000).toUTCString();
      const server = await serve({
        upgrade:
          transport === "websocket"
            ? () =>
                refusals-- > 0 ? { status: 429, headers: { "Retry-After": date() } } : undefined
            : undefined,
        reply:
          transport === "http"
            ? () =>
                refusals-- > 0
                  ? { kind: "status", status: 429, headers: { "Retry-After": date() } }
                  : undefined
            : undefined,
      });
      const client = makeClient(server, transport);
      const throttled = client.once("connectFailed");
      const connected = client.once("connected");
      await client.start();
      const [error] = await throttled;
      assert.equal(error.code, "THROTTLED");
      assert.equal(typeof error.retryAfterMs, "number", "HTTP-date parsed");
      assert.ok(error.retryAfterMs! <= 2_000);
      await connected;
      await client.stop();
    });

    test(`C-16 P-26 UNAVAILABLE with retry_info: back off, then resume (${transport})`, async () => {
      let unavailable = 1;
      const server = await serve({
        reply: () =>
          unavailable-- > 0
            ? {
                errorResponse: {
                  type: ServerErrorResponseType.ServerErrorResponseType_Unavailable,
                  errorMessage: "busy",
                  Details: { case: "retryInfo", value: { retryAfterNanoseconds: 50_000_000n } },
                },
              }
            : undefined,
      });
      const client = makeClient(server, transport, { capabilities: HEALTH });
      const serverError = client.once("serverError");
      const connected = client.once("connected");
      await client.start();
      const [error] = await serverError;
      assert.equal(error.errorMessage, "busy");
      await connected;
      if (transport === "websocket") {
        assert.ok(
          server.received[1]?.message.agentDisconnect !== undefined,
          "C-37 disconnect before reconnecting",
        );
        assert.equal(server.wsConnections, 2, "a new connection after the wait");
      }
      client.setHealth({ healthy: true, status: "resumed" });
      await server.waitFor((m) => m.health?.status === "resumed");
      await client.stop();
    });

    test(`C-16 P-29 BadRequest is reported and the message is not resent (${transport})`, async () => {
      let bad = 1;
      const server = await serve({
        reply: (m) =>
          m.health?.status === "bad" && bad-- > 0
            ? {
                errorResponse: {
                  type: ServerErrorResponseType.ServerErrorResponseType_BadRequest,
                  errorMessage: "nope",
                },
              }
            : undefined,
      });
      const client = makeClient(server, transport, { capabilities: HEALTH });
      await client.start();
      const serverError = client.once("serverError");
      client.setHealth({ healthy: false, status: "bad" });
      await serverError;
      client.setHealth({ healthy: true, status: "good" });
      await server.waitFor((m) => m.health?.status === "good");
      assert.equal(server.received.filter((r) => r.message.health?.status === "bad").length, 1);
      await client.stop();
    });

    test(`C-39 an oversize reply is refused (${transport === "websocket" ? "close 1009" : "discarded"}) and the client recovers (${transport})`, async () => {
      let big = 1;
      const server = await serve({
        reply: () =>
          big-- > 0
            ? { customMessage: { capability: "x", type: "y", data: new Uint8Array(4_096) } }
            : undefined,
      });
      const client = makeClient(server, transport, {
        maxReceiveBytes: 1_024,
        capabilities: HEALTH,
      });
      const errors = collectErrors(client);
      const connected = client.once("connected");
      await client.start();
      await connected;
      assert.ok(
        errors.some((e) => e.code === "MESSAGE_TOO_LARGE"),
        "recorded as too large",
      );
      if (transport === "websocket") {
        await until(() => server.closeCodes.includes(1009), 5_000, "close 1009");
      }
      client.setHealth({ healthy: true, status: "after-big" });
      await server.waitFor((m) => m.health?.status === "after-big");
      await client.stop();
    });

    test(`C-39 an outgoing message over the send limit is not sent (${transport})`, async () => {
      const server = await serve();
      const client = makeClient(server, transport, { capabilities: HEALTH, maxSendBytes: 512 });
      const errors = collectErrors(client);
      const connected = client.once("connected");
      await client.start();
      await connected;
      client.setHealth({ healthy: true, status: "x".repeat(2_000) });
      await until(
        () => errors.some((e) => e.code === "MESSAGE_TOO_LARGE"),
        5_000,
        "send limit error",
      );
      client.setHealth({ healthy: true, status: "small" });
      await server.waitFor((m) => m.health?.status === "small");
      assert.equal(
        server.received.some((r) => (r.message.health?.status.length ?? 0) > 1_000),
        false,
      );
      await client.stop();
    });

    test(`C-9 C-15 a malformed reply is reported and does not stop the client (${transport})`, async () => {
      let garbage = 1;
      const server = await serve({
        reply: () =>
          garbage-- > 0
            ? {
                kind: "raw",
                data:
                  transport === "websocket"
                    ? new Uint8Array([0, 0xff, 0xff, 0xff])
                    : new Uint8Array([0xff, 0xff, 0xff]),
              }
            : undefined,
      });
      const client = makeClient(server, transport, { capabilities: HEALTH });
      const errors = collectErrors(client);
      await client.start();
      await until(
        () => errors.some((e) => e.code === "MALFORMED_MESSAGE"),
        5_000,
        "malformed error",
      );
      client.setHealth({ healthy: true, status: "still-alive" });
      await server.waitFor((m) => m.health?.status === "still-alive");
      await client.stop();
    });

    test(`C-5 C-38 HTTP 401 is a connection failure retried with backoff (${transport})`, async () => {
      let denials = 2;
      const server = await serve({
        upgrade:
          transport === "websocket"
            ? (req) =>
                req.headers.authorization !== "Bearer ok" || denials-- > 0
                  ? { status: 401 }
                  : undefined
            : undefined,
        reply:
          transport === "http"
            ? () => (denials-- > 0 ? { kind: "status", status: 401 } : undefined)
            : undefined,
      });
      const client = makeClient(server, transport, { headers: { Authorization: "Bearer ok" } });
      const errors: OpampClientError[] = [];
      client.on("connectFailed", (e) => errors.push(e));
      const connected = client.once("connected");
      await client.start();
      await connected;
      assert.ok(errors.length >= 2 && errors.every((e) => isOpampClientError(e, "UNAUTHORIZED")));
      if (transport === "http")
        assert.equal(server.received.at(-1)?.headers.authorization, "Bearer ok");
      await client.stop();
    });
  });
}

describe("faults specific to one transport", () => {
  test("P-5 C-9 a text frame from the server is malformed and ignored; binary frames carry the 0x00 header", async () => {
    const server = await new ScriptedServer().listen();
    const client = makeClient(server, "websocket", { capabilities: HEALTH });
    const errors = collectErrors(client);
    const connected = client.once("connected");
    await client.start();
    await connected;
    server.pushRaw("hello", false);
    await until(
      () => errors.some((e) => e.code === "MALFORMED_MESSAGE"),
      5_000,
      "text frame error",
    );
    client.setHealth({ healthy: true, status: "ok" });
    await server.waitFor((m) => m.health?.status === "ok");
    await client.stop();
    assert.ok(server.frames.length >= 3);
    for (const frame of server.frames) {
      assert.equal(frame.binary, true);
      assert.equal(frame.firstByte, 0);
    }
    await server.close();
  });

  test("P-25 C-37 a peer that stops answering pings is dropped and the client reconnects", async () => {
    const server = await new ScriptedServer().listen();
    const client = makeClient(server, "websocket", {
      timing: { backoff: { initialMs: 10, maxMs: 50 }, pingIntervalMs: 30 },
    });
    const connected = client.once("connected");
    await client.start();
    await connected;
    // Pause the server-side socket so pongs stop coming back.
    const [ws] = (server as unknown as { clients: Set<import("ws").WebSocket> }).clients;
    (ws as unknown as { _socket: import("node:net").Socket })._socket.pause();
    const again = client.once("connected");
    await again;
    assert.ok(server.wsConnections >= 2);
    await client.stop();
    await server.close();
  });

  test("P-27 C-38 HTTP 413: the same request is not retried", async () => {
    let tooLarge = 1;
    const server = await new ScriptedServer({
      reply: (m) =>
        m.health?.status === "huge" && tooLarge-- > 0 ? { kind: "status", status: 413 } : undefined,
    }).listen();
    const client = makeClient(server, "http", { capabilities: HEALTH });
    const errors = collectErrors(client);
    await client.start();
    client.setHealth({ healthy: true, status: "huge" });
    await until(() => errors.some((e) => e.code === "MESSAGE_TOO_LARGE"), 5_000, "413 error");
    client.setHealth({ healthy: true, status: "next" });
    await server.waitFor((m) => m.health?.status === "next");
    assert.equal(server.received.filter((r) => r.message.health?.status === "huge").length, 1);
    await client.stop();
    await server.close();
  });
});

describe("HTTP status answers", () => {
  test("P-29 C-16 a bare HTTP 400 is reported and the message is not resent", async () => {
    let bad = 1;
    const server = await new ScriptedServer({
      reply: (m) =>
        m.health?.status === "bad" && bad-- > 0 ? { kind: "status", status: 400 } : undefined,
    }).listen();
    const client = makeClient(server, "http", { capabilities: HEALTH });
    const errors = collectErrors(client);
    await client.start();
    client.setHealth({ healthy: true, status: "bad" });
    await until(() => errors.some((e) => e.code === "SERVER_ERROR"), 5_000, "400 error");
    client.setHealth({ healthy: true, status: "good" });
    await server.waitFor((m) => m.health?.status === "good");
    assert.equal(server.received.filter((r) => r.message.health?.status === "bad").length, 1);
    await client.stop();
    await server.close();
  });

  test("C-34 a custom message still waiting when the client stops is rejected, not left hanging", async () => {
    const probe = await new ScriptedServer().listen();
    await probe.close();
    const client = makeClient(probe, "websocket", { customCapabilities: ["io.example.chat"] });
    await client.start();
    const pending = client.sendCustomMessage({
      capability: "io.example.chat",
      type: "t",
      data: new Uint8Array(),
    });
    await client.stop();
    await assert.rejects(pending, { code: "INVALID_STATE" });
  });
});
