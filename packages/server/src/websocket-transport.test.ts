import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  AgentToServerSchema,
  encodeAgentToServerFrame,
  formatInstanceUid,
  ServerErrorResponseType,
  toBinary,
  WS_CLOSE_MESSAGE_TOO_BIG,
} from "@opamp-ts/protocol";
import WebSocket from "ws";
import type { AgentConnection } from "./connection.js";
import {
  agentMessage,
  RawWsAgent,
  type Running,
  startServer,
  waitFor,
} from "./test-support/harness.js";
import { WS_CLOSE_UNSUPPORTED_DATA } from "./websocket-transport.js";

/** Proves the server still serves a fresh agent after some bad input. */
async function servesNextAgent(running: Running): Promise<void> {
  const agent = await RawWsAgent.connect(running.url);
  const message = agentMessage();
  const reply = await agent.exchange(message);
  assert.deepEqual(reply.instanceUid, message.instanceUid);
  assert.equal(reply.errorResponse, undefined);
  agent.close();
  await agent.closed;
}

describe("WebSocket transport", () => {
  let running: Running;
  const connections: AgentConnection[] = [];
  before(async () => {
    running = await startServer({
      limits: { maxSendBytes: 64 * 1024 },
      onConnected: (conn) => connections.push(conn),
    });
  });
  after(() => running.close());

  test("S-3 a binary message with the 0x00 header gets a ServerToAgent echoing instance_uid", async () => {
    const agent = await RawWsAgent.connect(running.url);
    const message = agentMessage();
    const reply = await agent.exchange(message);
    assert.deepEqual(reply.instanceUid, message.instanceUid);
    assert.equal(reply.errorResponse, undefined);
    agent.close();
  });

  test("S-3 a header-only message (empty data) is decoded, not rejected as a bad header", async () => {
    const agent = await RawWsAgent.connect(running.url);
    agent.ws.send(Buffer.from([0x00]));
    const reply = await agent.nth(1);
    assert.equal(
      reply.errorResponse?.type,
      ServerErrorResponseType.ServerErrorResponseType_BadRequest,
    );
    assert.match(reply.errorResponse?.errorMessage ?? "", /instance_uid must be 16 bytes/);
    agent.close();
  });

  test("P-3 S-3 a non-zero header gets a BadRequest error and the same socket and the next agent are served", async () => {
    const before = running.server.metrics().errors.bad_header;
    const agent = await RawWsAgent.connect(running.url);
    const payload = toBinary(AgentToServerSchema, agentMessage());
    agent.ws.send(Buffer.concat([Buffer.from([0x01]), payload]));
    const error = await agent.nth(1);
    assert.equal(
      error.errorResponse?.type,
      ServerErrorResponseType.ServerErrorResponseType_BadRequest,
    );
    assert.match(error.errorResponse?.errorMessage ?? "", /header/);
    assert.equal(running.server.metrics().errors.bad_header, before + 1);
    const message = agentMessage();
    const ok = await agent.exchange(message);
    assert.deepEqual(ok.instanceUid, message.instanceUid);
    agent.close();
    await servesNextAgent(running);
  });

  test("S-7 a truncated protobuf gets a BadRequest error and the server keeps serving", async () => {
    const agent = await RawWsAgent.connect(running.url);
    const frame = encodeAgentToServerFrame(agentMessage());
    agent.ws.send(frame.subarray(0, frame.length - 5));
    const error = await agent.nth(1);
    assert.equal(
      error.errorResponse?.type,
      ServerErrorResponseType.ServerErrorResponseType_BadRequest,
    );
    assert.match(error.errorResponse?.errorMessage ?? "", /malformed/);
    assert.equal(error.remoteConfig, undefined);
    agent.close();
    await servesNextAgent(running);
  });

  test("P-5 a text frame closes the socket with 1003 and the next agent is served", async () => {
    const agent = await RawWsAgent.connect(running.url);
    agent.ws.send("hello", { binary: false });
    const closed = await agent.closed;
    assert.equal(closed.code, WS_CLOSE_UNSUPPORTED_DATA);
    assert.ok(running.server.metrics().errors.text_frame >= 1);
    await servesNextAgent(running);
  });

  test("S-3 a 70 MiB message streamed in fragments is refused with close 1009 and the next agent is served", async () => {
    const agent = await RawWsAgent.connect(running.url);
    const chunk = Buffer.alloc(1024 * 1024, 0x41);
    chunk[0] = 0x00;
    let closed = false;
    void agent.closed.then(() => {
      closed = true;
    });
    // Fragments of one message, produced one at a time: never 70 MiB in memory.
    for (let i = 0; i < 70 && !closed; i++) {
      await new Promise<void>((resolve) =>
        agent.ws.send(i === 0 ? chunk : chunk.subarray(1), { binary: true, fin: i === 69 }, () =>
          resolve(),
        ),
      );
    }
    const result = await agent.closed;
    assert.equal(result.code, WS_CLOSE_MESSAGE_TOO_BIG);
    await waitFor(() => running.server.metrics().errors.message_too_large >= 1, "the error count");
    await servesNextAgent(running);
  });

  test("S-3 a push over the send limit is dropped, counted and rejected; the socket keeps working", async () => {
    const agent = await RawWsAgent.connect(running.url);
    const message = agentMessage({ capabilities: 0x3n });
    await agent.exchange(message);
    const conn = connections.at(-1)!;
    await assert.rejects(
      conn.send({
        remoteConfig: {
          config: { configMap: { big: { body: new Uint8Array(100 * 1024) } } },
          configHash: new Uint8Array([1]),
        },
      }),
      (error: Error & { code?: string }) => error.code === "MESSAGE_TOO_LARGE",
    );
    assert.ok(running.server.metrics().errors.send_too_large >= 1);
    await conn.send({
      remoteConfig: { config: { configMap: {} }, configHash: new Uint8Array([2]) },
    });
    const pushed = await agent.nth(2);
    assert.deepEqual(pushed.remoteConfig?.configHash, new Uint8Array([2]));
    agent.close();
  });

  test("S-26 several instance uids on one socket (a multiplexing proxy) each get replies keyed by their uid", async () => {
    const agent = await RawWsAgent.connect(running.url);
    const a = agentMessage();
    const b = agentMessage();
    const replyA = await agent.exchange(a);
    const replyB = await agent.exchange(b);
    assert.deepEqual(replyA.instanceUid, a.instanceUid);
    assert.deepEqual(replyB.instanceUid, b.instanceUid);
    // S-6: capabilities go to each agent on the stream, not only to the first.
    assert.notEqual(replyA.capabilities, 0n);
    assert.notEqual(replyB.capabilities, 0n);
    const stateA = running.server.agents.get(a.instanceUid)!;
    const stateB = running.server.agents.get(b.instanceUid)!;
    assert.equal(stateA.connection, stateB.connection);
    assert.ok(stateA.connected && stateB.connected);
    agent.close();
    await agent.closed;
    // S-23: a closed stream disconnects every agent that used it.
    await waitFor(() => !stateA.connected && !stateB.connected, "both agents to be disconnected");
    assert.equal(
      running.server.agents.get(formatInstanceUid(a.instanceUid))?.connection,
      undefined,
    );
  });

  test("S-23 AgentConnection.close() sends a Close frame the client sees", async () => {
    const agent = await RawWsAgent.connect(running.url);
    await agent.exchange(agentMessage());
    connections.at(-1)!.close();
    const closed = await agent.closed;
    assert.equal(closed.code, 1000);
  });

  test("S-23 agent_disconnect marks the agent disconnected before the socket closes", async () => {
    const agent = await RawWsAgent.connect(running.url);
    const hello = agentMessage();
    await agent.exchange(hello);
    const bye = agentMessage({
      instanceUid: hello.instanceUid,
      sequenceNum: 2n,
      agentDescription: undefined,
      agentDisconnect: {},
    });
    const reply = await agent.exchange(bye);
    assert.deepEqual(reply.instanceUid, hello.instanceUid);
    assert.equal(running.server.agents.get(hello.instanceUid)?.connected, false);
    agent.close();
  });
});

describe("WebSocket legacy peers", () => {
  test("P-3 with legacyHeader accept, a header-less message from a pre-v0.7 peer is decoded", async () => {
    const running = await startServer({ websocket: { legacyHeader: "accept" } });
    try {
      const agent = await RawWsAgent.connect(running.url);
      const message = agentMessage();
      agent.ws.send(toBinary(AgentToServerSchema, message));
      const reply = await agent.nth(1);
      assert.equal(reply.errorResponse, undefined);
      assert.deepEqual(reply.instanceUid, message.instanceUid);
      agent.close();
    } finally {
      await running.close();
    }
  });
});

describe("WebSocket ordering and backpressure", () => {
  test("P-24 S-5 a flood of messages with a slow hook gets every reply, in order", async () => {
    const running = await startServer({
      onMessage: async () => {
        await new Promise((resolve) => setImmediate(resolve));
        return undefined;
      },
    });
    try {
      const agent = await RawWsAgent.connect(running.url);
      const message = agentMessage();
      for (let seq = 1n; seq <= 100n; seq++) {
        agent.send(agentMessage({ instanceUid: message.instanceUid, sequenceNum: seq }));
      }
      await agent.nth(100);
      assert.equal(agent.received.length, 100);
      assert.equal(running.server.agents.get(message.instanceUid)?.sequenceNum, 100n);
      agent.close();
    } finally {
      await running.close();
    }
  });
});

describe("WebSocket keep-alive and compression", () => {
  test("P-25 a socket that stops answering pings is terminated", async () => {
    const running = await startServer({ websocket: { pingIntervalMs: 100 } });
    try {
      const ws = new WebSocket(running.url, { autoPong: false });
      ws.on("error", () => {});
      await new Promise((resolve) => ws.once("open", resolve));
      const code = await new Promise<number>((resolve) =>
        ws.once("close", (c: number) => resolve(c)),
      );
      assert.equal(code, 1006);
      await waitFor(() => running.server.metrics().errors.timeout >= 1, "the timeout count");
      await waitFor(
        () => running.server.metrics().transports.websocket.connectionsCurrent === 0,
        "cleanup",
      );
    } finally {
      await running.close();
    }
  });

  test("P-25 a socket that answers pings stays open", async () => {
    const running = await startServer({ websocket: { pingIntervalMs: 250 } });
    try {
      const agent = await RawWsAgent.connect(running.url);
      let pings = 0;
      agent.ws.on("ping", () => pings++);
      await waitFor(() => pings >= 3, "three pings");
      assert.equal(agent.ws.readyState, WebSocket.OPEN);
      await agent.exchange(agentMessage());
      agent.close();
    } finally {
      await running.close();
    }
  });

  test("P-25 an idle socket is closed with 1001 after the idle timeout", async () => {
    const running = await startServer({ websocket: { idleTimeoutMs: 100 } });
    try {
      const agent = await RawWsAgent.connect(running.url);
      const closed = await agent.closed;
      assert.equal(closed.code, 1001);
      assert.equal(closed.reason, "idle timeout");
    } finally {
      await running.close();
    }
  });

  test("per-message deflate is off by default and negotiated when enabled", async () => {
    const off = await startServer();
    const on = await startServer({ websocket: { perMessageDeflate: true } });
    try {
      const a = await RawWsAgent.connect(off.url);
      const b = await RawWsAgent.connect(on.url);
      assert.equal(a.ws.extensions, "");
      assert.match(b.ws.extensions, /permessage-deflate/);
      const message = agentMessage();
      const reply = await b.exchange(message);
      assert.deepEqual(reply.instanceUid, message.instanceUid);
      a.close();
      b.close();
    } finally {
      await off.close();
      await on.close();
    }
  });

  test("S-23 closing the server sends 1001 to every open socket", async () => {
    const running = await startServer();
    const agent = await RawWsAgent.connect(running.url);
    await agent.exchange(agentMessage());
    await running.close();
    const closed = await agent.closed;
    assert.equal(closed.code, 1001);
  });
});
