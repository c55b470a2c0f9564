import assert from "node:assert/strict";
import { connect } from "node:net";
import { Readable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import {
  AgentCapabilities,
  encodeAgentToServer,
  instanceUidEquals,
  PROTOBUF_CONTENT_TYPE,
  ServerCapabilities,
  ServerErrorResponseType,
  ServerToAgentFlags,
} from "@opamp-ts/protocol";
import type { AgentConnection } from "./connection.js";
import { acceptsGzip, isProtobufContentType } from "./http-transport.js";
import {
  agentMessage,
  decodeReply,
  lazyBytes,
  post,
  postMessage,
  type Running,
  startServer,
  waitFor,
} from "./test-support/harness.js";

const ACCEPTS_REMOTE_CONFIG = BigInt(
  AgentCapabilities.AgentCapabilities_ReportsStatus |
    AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig,
);
const MIB = 1024 * 1024;

async function servesNextAgent(running: Running): Promise<void> {
  const message = agentMessage();
  const { status, reply } = await postMessage(running.httpUrl, message);
  assert.equal(status, 200);
  assert.deepEqual(reply.instanceUid, message.instanceUid);
  assert.equal(reply.errorResponse, undefined);
}

/** Write raw bytes on a TCP socket and collect everything until the server closes it. */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    socket.on("data", (d) => {
      text += d.toString("latin1");
    });
    socket.on("close", () => resolve(text));
    socket.on("error", reject);
    socket.write(bytes);
  });
}

describe("plain HTTP transport", () => {
  let running: Running;
  const connected: AgentConnection[] = [];
  const disconnected: AgentConnection[] = [];
  before(async () => {
    running = await startServer({
      capabilities: BigInt(ServerCapabilities.ServerCapabilities_OffersRemoteConfig),
      onConnected: (c) => connected.push(c),
      onDisconnected: (c) => disconnected.push(c),
    });
  });
  after(() => running.close());

  test("S-4 S-5 a POST gets a ServerToAgent body with the request's instance_uid and the protobuf content type", async () => {
    const message = agentMessage();
    const { status, reply, result } = await postMessage(running.httpUrl, message);
    assert.equal(status, 200);
    assert.equal(result.headers["content-type"], PROTOBUF_CONTENT_TYPE);
    assert.deepEqual(reply.instanceUid, message.instanceUid);
  });

  test("P-4 the content type is parsed as a media type, ignoring case and parameters", async () => {
    assert.equal(isProtobufContentType("Application/X-Protobuf; charset=binary"), true);
    assert.equal(isProtobufContentType("application/json"), false);
    const message = agentMessage();
    const { status, reply } = await postMessage(running.httpUrl, message, {
      "Content-Type": "Application/X-PROTOBUF; proto=opamp",
    });
    assert.equal(status, 200);
    assert.deepEqual(reply.instanceUid, message.instanceUid);
  });

  test("S-6 P-30 every HTTP reply carries the server capabilities with AcceptsStatus", async () => {
    const message = agentMessage();
    const first = await postMessage(running.httpUrl, message);
    const again = await postMessage(
      running.httpUrl,
      agentMessage({ instanceUid: message.instanceUid, sequenceNum: 2n }),
    );
    for (const { reply } of [first, again]) {
      assert.equal(reply.capabilities, 0x3n);
    }
  });

  test("S-4 a gzip request body is accepted and a large reply is gzipped when Accept-Encoding allows", async () => {
    const message = agentMessage({ capabilities: ACCEPTS_REMOTE_CONFIG });
    const server = running.server;
    const conn = await (async () => {
      await postMessage(running.httpUrl, message);
      return server.agents.get(message.instanceUid)!.connection!;
    })();
    await conn.send({
      remoteConfig: {
        config: { configMap: { "a.yaml": { body: new Uint8Array(4096).fill(0x61) } } },
        configHash: new Uint8Array([9]),
      },
    });
    const body = gzipSync(
      encodeAgentToServer(
        agentMessage({
          instanceUid: message.instanceUid,
          sequenceNum: 2n,
          capabilities: ACCEPTS_REMOTE_CONFIG,
        }),
      ),
    );
    const result = await post(running.httpUrl, body, {
      "Content-Type": PROTOBUF_CONTENT_TYPE,
      "Content-Encoding": "gzip",
      "Accept-Encoding": "br, gzip;q=0.8",
    });
    assert.equal(result.status, 200);
    assert.equal(result.headers["content-encoding"], "gzip");
    assert.ok(result.body.length < 4096);
    assert.deepEqual(decodeReply(result).remoteConfig?.configHash, new Uint8Array([9]));
  });

  test("S-4 replies stay uncompressed without Accept-Encoding gzip", async () => {
    assert.equal(acceptsGzip("gzip;q=0"), false);
    assert.equal(acceptsGzip("*"), true);
    assert.equal(acceptsGzip(undefined), false);
    const result = await post(running.httpUrl, encodeAgentToServer(agentMessage()));
    assert.equal(result.headers["content-encoding"], undefined);
  });

  test("S-4 an unsupported Content-Encoding is refused with 415", async () => {
    const result = await post(running.httpUrl, encodeAgentToServer(agentMessage()), {
      "Content-Type": PROTOBUF_CONTENT_TYPE,
      "Content-Encoding": "br",
    });
    assert.equal(result.status, 415);
    await servesNextAgent(running);
  });

  test("P-4 a POST with another content type gets 415 and the next agent is served", async () => {
    const result = await post(running.httpUrl, Buffer.from("{}"), {
      "Content-Type": "application/json",
    });
    assert.equal(result.status, 415);
    assert.match(result.body.toString(), /application\/x-protobuf/);
    await servesNextAgent(running);
  });

  test("P-4 a GET without an upgrade gets 426 and other methods 405", async () => {
    const get = await post(running.httpUrl, undefined, {}, "GET");
    assert.equal(get.status, 426);
    assert.equal(get.headers.upgrade, "websocket");
    const put = await post(running.httpUrl, undefined, {}, "PUT");
    assert.equal(put.status, 405);
    await servesNextAgent(running);
  });

  test("P-29 a POST without a body gets 400 with a BadRequest ServerToAgent and the next agent is served", async () => {
    const result = await post(running.httpUrl, undefined);
    assert.equal(result.status, 400);
    const reply = decodeReply(result);
    assert.equal(
      reply.errorResponse?.type,
      ServerErrorResponseType.ServerErrorResponseType_BadRequest,
    );
    assert.match(reply.errorResponse?.errorMessage ?? "", /instance_uid/);
    await servesNextAgent(running);
  });

  test("P-29 S-7 a truncated protobuf gets 400 with a BadRequest body and nothing else in it", async () => {
    const bytes = encodeAgentToServer(agentMessage());
    const result = await post(running.httpUrl, bytes.subarray(0, bytes.length - 3));
    assert.equal(result.status, 400);
    const reply = decodeReply(result);
    assert.equal(
      reply.errorResponse?.type,
      ServerErrorResponseType.ServerErrorResponseType_BadRequest,
    );
    assert.equal(reply.capabilities, 0n);
    assert.equal(reply.flags, 0n);
    await servesNextAgent(running);
  });

  test("P-29 corrupt gzip data gets 400 with a BadRequest body", async () => {
    const result = await post(running.httpUrl, Buffer.from("not gzip at all"), {
      "Content-Type": PROTOBUF_CONTENT_TYPE,
      "Content-Encoding": "gzip",
    });
    assert.equal(result.status, 400);
    assert.equal(
      decodeReply(result).errorResponse?.type,
      ServerErrorResponseType.ServerErrorResponseType_BadRequest,
    );
    await servesNextAgent(running);
  });

  test("S-24 pushes wait in the outbox, only the latest of each kind, until the next poll", async () => {
    const message = agentMessage({ capabilities: ACCEPTS_REMOTE_CONFIG });
    await postMessage(running.httpUrl, message);
    const conn = running.server.agents.get(message.instanceUid)!.connection!;
    assert.equal(conn.transport, "http");
    await conn.send({
      remoteConfig: { config: { configMap: {} }, configHash: new Uint8Array([1]) },
    });
    await conn.send({
      remoteConfig: { config: { configMap: {} }, configHash: new Uint8Array([2]) },
    });
    await conn.send({ flags: BigInt(ServerToAgentFlags.ServerToAgentFlags_ReportFullState) });
    const poll = await postMessage(
      running.httpUrl,
      agentMessage({
        instanceUid: message.instanceUid,
        sequenceNum: 2n,
        capabilities: ACCEPTS_REMOTE_CONFIG,
      }),
    );
    assert.deepEqual(poll.reply.remoteConfig?.configHash, new Uint8Array([2]));
    assert.equal(poll.reply.flags, BigInt(ServerToAgentFlags.ServerToAgentFlags_ReportFullState));
    const next = await postMessage(
      running.httpUrl,
      agentMessage({
        instanceUid: message.instanceUid,
        sequenceNum: 3n,
        capabilities: ACCEPTS_REMOTE_CONFIG,
      }),
    );
    assert.equal(next.reply.remoteConfig, undefined);
    assert.equal(next.reply.flags, 0n);
  });

  test("P-28 S-23 agent_disconnect over HTTP marks the agent disconnected at once", async () => {
    const message = agentMessage();
    await postMessage(running.httpUrl, message);
    const conn = running.server.agents.get(message.instanceUid)!.connection!;
    assert.ok(connected.includes(conn));
    const bye = agentMessage({
      instanceUid: message.instanceUid,
      sequenceNum: 2n,
      agentDisconnect: {},
    });
    const { status, reply } = await postMessage(running.httpUrl, bye);
    assert.equal(status, 200);
    assert.deepEqual(reply.instanceUid, message.instanceUid);
    assert.ok(disconnected.includes(conn));
    assert.equal(conn.isOpen, false);
    assert.equal(running.server.agents.get(message.instanceUid)?.connected, false);
    await assert.rejects(
      conn.send({ flags: 1n }),
      (e: Error & { code?: string }) => e.code === "CONNECTION_CLOSED",
    );
  });

  test("P-28 agent_disconnect as the first message of an unknown agent is acknowledged without ReportFullState", async () => {
    const bye = agentMessage({ agentDescription: undefined, agentDisconnect: {} });
    const { status, reply } = await postMessage(running.httpUrl, bye);
    assert.equal(status, 200);
    assert.equal(reply.flags, 0n);
    assert.equal(reply.errorResponse, undefined);
  });

  test("S-4 a 70 MiB chunked body is refused with 413 without buffering it, and the next agent is served", async () => {
    const result = await post(running.httpUrl, lazyBytes(70 * MIB), {
      "Content-Type": PROTOBUF_CONTENT_TYPE,
    });
    assert.equal(result.status, 413);
    await servesNextAgent(running);
  });

  test("S-4 a body declaring 70 MiB in Content-Length is refused with 413 before it is read", async () => {
    const result = await post(running.httpUrl, lazyBytes(70 * MIB), {
      "Content-Type": PROTOBUF_CONTENT_TYPE,
      "Content-Length": String(70 * MIB),
    });
    assert.equal(result.status, 413);
    await servesNextAgent(running);
  });

  test("S-4 a gzip body inflating past the limit (compression bomb) is refused with 413", async () => {
    // 70 gzip members of 1 MiB of zeros each: a gunzip stream inflates them to 70 MiB.
    const member = gzipSync(Buffer.alloc(MIB));
    let left = 70;
    const bomb = new Readable({
      read() {
        this.push(left-- > 0 ? member : null);
      },
    });
    const result = await post(running.httpUrl, bomb, {
      "Content-Type": PROTOBUF_CONTENT_TYPE,
      "Content-Encoding": "gzip",
    });
    assert.equal(result.status, 413);
    assert.ok(running.server.metrics().errors.message_too_large >= 1);
    await servesNextAgent(running);
  });
});

describe("slow clients", () => {
  let running: Running;
  before(async () => {
    running = await startServer({ http: { bodyTimeoutMs: 300, headersTimeoutMs: 300 } });
  });
  after(() => running.close());

  test("slow client: a request whose body stalls is answered 408 and closed; the next agent is served", async () => {
    const text = await rawExchange(
      running.port,
      `POST /v1/opamp HTTP/1.1\r\nHost: x\r\nContent-Type: ${PROTOBUF_CONTENT_TYPE}\r\nContent-Length: 100\r\n\r\nabc`,
    );
    assert.match(text, /^HTTP\/1\.1 408/);
    await servesNextAgent(running);
  });

  test("slow client: a request whose headers stall is cut off by the headers timeout", async () => {
    const text = await rawExchange(running.port, "POST /v1/opamp HTTP/1.1\r\nHost: x\r\n");
    assert.match(text, /^HTTP\/1\.1 408|^$/);
    await servesNextAgent(running);
  });
});

describe("plain HTTP agent liveness", () => {
  test("S-20 an HTTP agent that stops polling is reported disconnected after the agent timeout", async () => {
    const gone: AgentConnection[] = [];
    const running = await startServer({
      http: { agentTimeoutMs: 1000 },
      onDisconnected: (c) => gone.push(c),
    });
    try {
      const message = agentMessage();
      await postMessage(running.httpUrl, message);
      assert.equal(running.server.metrics().transports.http.connectionsCurrent, 1);
      await waitFor(() => gone.length === 1, "the poll timeout");
      assert.ok(instanceUidEquals(gone[0]!.instanceUid, message.instanceUid));
      assert.equal(running.server.metrics().transports.http.connectionsCurrent, 0);
      // It comes back as a new session on its next poll.
      await postMessage(
        running.httpUrl,
        agentMessage({ instanceUid: message.instanceUid, sequenceNum: 2n }),
      );
      assert.equal(running.server.metrics().transports.http.connectionsCurrent, 1);
    } finally {
      await running.close();
    }
  });
});
