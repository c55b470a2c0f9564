import type { IncomingMessage, ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";
import {
  type AgentToServer,
  create,
  decodeAgentToServer,
  encodeServerToAgent,
  formatInstanceUid,
  instanceUidEquals,
  isValidInstanceUid,
  PROTOBUF_CONTENT_TYPE,
  type ServerToAgent,
  ServerToAgentSchema,
} from "@opamp-ts/protocol";
import { admit, safeHeaders } from "./admission.js";
import type { AgentTracker } from "./agent-tracker.js";
import { readBody } from "./body-reader.js";
import { ConnectionBase } from "./connection.js";
import { OpampServerError } from "./errors.js";
import { describeError } from "./logger.js";
import type { ServerMetrics } from "./metrics.js";
import type { ResolvedServerOptions, ServerToAgentInit } from "./options.js";
import { Outbox } from "./outbox.js";
import type { Pipeline } from "./pipeline.js";
import { badRequest } from "./reply-rules.js";

/** A refused upload is read and dropped for at least this long before the socket is cut. */
const MIN_DISCARD_GRACE_MS = 10_000;

/**
 * P-4: the media type decides the transport, compared without parameters
 * and case, so `application/x-protobuf; charset=binary` is plain HTTP too.
 */
export function isProtobufContentType(value: string | undefined): boolean {
  return (value ?? "").split(";")[0]!.trim().toLowerCase() === PROTOBUF_CONTENT_TYPE;
}

/** S-4: gzip the response when the request's `Accept-Encoding` allows it (q > 0). */
export function acceptsGzip(value: string | undefined): boolean {
  let star = false;
  for (const part of (value ?? "").split(",")) {
    const [token = "", ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (token === "gzip" || token === "x-gzip") {
      return weight > 0;
    }
    if (token === "*") {
      star = weight > 0;
    }
  }
  return star;
}

/** One plain-HTTP agent, from its first poll until it disconnects or stops polling. */
export class HttpAgentConnection extends ConnectionBase {
  readonly transport = "http" as const;
  readonly outbox = new Outbox();
  lastPollMs = Date.now();
  private open = true;

  constructor(
    request: IncomingMessage,
    context: unknown,
    private readonly host: HttpTransport,
  ) {
    super(request, context);
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** S-24: queued for the next poll; resolves once queued. */
  async send(message: ServerToAgentInit): Promise<void> {
    if (!this.open) {
      throw new OpampServerError("CONNECTION_CLOSED", "the HTTP agent is disconnected");
    }
    await this.deliver(this.host.pipeline.shapePush(this, message));
  }

  async deliver(messages: ServerToAgent[]): Promise<void> {
    for (const message of messages) {
      this.outbox.put(message);
    }
  }

  close(): void {
    this.host.disconnect(this, "closed by the server");
  }

  markClosed(): void {
    this.open = false;
  }
}

/** Serves plain-HTTP OpAMP requests (spec "Plain HTTP Transport"; S-4). */
export class HttpTransport {
  private readonly agents = new Map<string, HttpAgentConnection>();
  private closing = false;

  constructor(
    readonly options: ResolvedServerOptions,
    readonly pipeline: Pipeline,
    readonly tracker: AgentTracker,
    readonly metrics: ServerMetrics,
  ) {}

  /** Agents currently considered connected over HTTP. */
  get size(): number {
    return this.agents.size;
  }

  /** Handle one request on the OpAMP path; never throws. */
  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.metrics.request("http");
    try {
      await this.serve(request, response);
    } catch (error) {
      this.metrics.error("transport");
      this.options.logger.error("failed to serve an HTTP request", { error: describeError(error) });
      if (!response.headersSent) {
        this.refuse(request, response, 500, "internal server error");
      } else {
        response.destroy();
      }
    }
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { options, metrics } = this;
    if (request.method !== "POST") {
      metrics.error("not_opamp");
      // P-4: a non-protobuf request is a WebSocket attempt; without `Upgrade` it cannot succeed.
      if (request.method === "GET") {
        this.refuse(
          request,
          response,
          426,
          "OpAMP: upgrade to WebSocket, or POST application/x-protobuf",
          {
            Upgrade: "websocket",
          },
        );
      } else {
        this.refuse(
          request,
          response,
          405,
          "OpAMP accepts POST (plain HTTP) or a WebSocket upgrade",
          {
            Allow: "GET, POST",
          },
        );
      }
      return;
    }
    if (!isProtobufContentType(request.headers["content-type"])) {
      metrics.error("not_opamp");
      this.refuse(
        request,
        response,
        415,
        `OpAMP over plain HTTP needs Content-Type: ${PROTOBUF_CONTENT_TYPE}`,
      );
      return;
    }
    const decision = await admit(request, options.onConnecting, options.logger);
    if (!decision.accept) {
      metrics.error("rejected");
      this.refuse(request, response, decision.status, decision.message, decision.headers);
      return;
    }
    const body = await readBody(request, {
      maxBytes: options.limits.maxReceiveBytes,
      timeoutMs: options.http.bodyTimeoutMs,
    });
    if (!body.ok) {
      this.refuseBody(request, response, body.reason, body.detail);
      return;
    }
    metrics.received("http", body.body.length);
    let message: AgentToServer;
    try {
      message = decodeAgentToServer(body.body, { maxBytes: options.limits.maxReceiveBytes });
    } catch (error) {
      metrics.error("bad_request");
      const detail = error instanceof Error ? error.message : String(error);
      this.respond(
        request,
        response,
        [badRequest(new Uint8Array(0), `malformed AgentToServer: ${detail}`)],
        400,
      );
      return;
    }
    if (!isValidInstanceUid(message.instanceUid)) {
      const reply = await this.pipeline.reply(
        new DetachedHttpConnection(request, decision.context),
        message,
      );
      this.respond(request, response, [reply], 400);
      return;
    }
    if (this.closing) {
      this.refuse(request, response, 503, "server shutting down");
      return;
    }
    const conn = this.session(message.instanceUid, request, decision.context);
    const reply = await this.pipeline.reply(conn, message);
    conn.outbox.drainInto(reply);
    const [first = reply, ...rest] = this.pipeline.shape(conn, reply, false);
    // S-19: a command split off from the reply waits for the next poll.
    for (const later of rest) conn.outbox.put(later);
    if (
      conn.instanceUid !== undefined &&
      !instanceUidEquals(conn.instanceUid, message.instanceUid)
    ) {
      // S-17: the session follows the agent to the uid the server just assigned.
      this.agents.delete(formatInstanceUid(message.instanceUid));
      this.agents.set(formatInstanceUid(conn.instanceUid), conn);
    }
    this.respond(request, response, [first], 200);
    if (message.agentDisconnect !== undefined) {
      // P-28: agent_disconnect over HTTP marks the agent offline at once.
      this.disconnect(conn, "agent_disconnect");
    }
  }

  /** The agent's session, created (and announced) on the first poll or after it went offline. */
  private session(
    uid: Uint8Array,
    request: IncomingMessage,
    context: unknown,
  ): HttpAgentConnection {
    const key = formatInstanceUid(uid);
    let conn = this.agents.get(key);
    if (conn === undefined) {
      conn = new HttpAgentConnection(request, context, this);
      this.agents.set(key, conn);
      this.metrics.connectionOpened("http");
      try {
        this.options.onConnected(conn);
      } catch (error) {
        this.metrics.error("hook_failed");
        this.options.logger.error("onConnected failed", { error: describeError(error) });
      }
    }
    conn.request = request;
    conn.context = context;
    conn.lastPollMs = Date.now();
    conn.instanceUid = uid;
    return conn;
  }

  /** End an agent's session: agent_disconnect (P-28), a poll timeout, or `close()`. */
  disconnect(conn: HttpAgentConnection, why: string): void {
    for (const [key, value] of this.agents) {
      if (value === conn) this.agents.delete(key);
    }
    if (!conn.isOpen) {
      return;
    }
    conn.markClosed();
    this.metrics.connectionClosed("http");
    this.tracker.forgetConnection(conn);
    this.options.logger.debug("HTTP agent disconnected", { connection: conn.id, why });
    try {
      this.options.onDisconnected(conn);
    } catch (error) {
      this.metrics.error("hook_failed");
      this.options.logger.error("onDisconnected failed", { error: describeError(error) });
    }
  }

  /** Disconnect agents that have not polled within the agent timeout. */
  sweep(nowMs = Date.now()): void {
    const timeout = this.options.http.agentTimeoutMs;
    if (timeout <= 0) return;
    for (const conn of [...this.agents.values()]) {
      if (nowMs - conn.lastPollMs > timeout) {
        this.disconnect(conn, "no poll within the agent timeout");
      }
    }
  }

  /** Disconnect every agent and refuse new sessions (server shutdown). */
  closeAll(): void {
    this.closing = true;
    for (const conn of [...this.agents.values()]) {
      this.disconnect(conn, "server shutting down");
    }
  }

  private refuseBody(
    request: IncomingMessage,
    response: ServerResponse,
    reason: "too_large" | "timeout" | "unsupported_encoding" | "corrupt" | "aborted",
    detail: string,
  ): void {
    const { metrics } = this;
    switch (reason) {
      case "too_large":
        // S-4: 413 measured after decompression; the rest of the upload is discarded, not buffered.
        metrics.error("message_too_large");
        this.refuse(request, response, 413, detail);
        return;
      case "timeout":
        metrics.error("timeout");
        // The client stalled: nothing more is read from it; the socket is closed once answered.
        this.refuse(request, response, 408, detail, { Connection: "close" }, false);
        response.once("finish", () => request.socket.destroy());
        return;
      case "unsupported_encoding":
        metrics.error("bad_request");
        this.refuse(request, response, 415, detail);
        return;
      case "corrupt":
        metrics.error("bad_request");
        this.respond(
          request,
          response,
          [badRequest(new Uint8Array(0), `cannot decompress body: ${detail}`)],
          400,
        );
        return;
      case "aborted":
        metrics.error("transport");
        request.socket.destroy();
        return;
    }
  }

  /**
   * Answer with a short text at once but keep reading (and dropping) the
   * rest of the request before ending the response: closing a socket with
   * unread data makes the kernel send a reset, and a client still writing
   * its body would lose the answer. Nothing is buffered; a client that keeps
   * sending past the grace period is cut off.
   */
  private refuse(
    request: IncomingMessage,
    response: ServerResponse,
    status: number,
    text: string,
    headers: Record<string, string> = {},
    drain = true,
  ): void {
    if (response.headersSent) {
      response.destroy();
      return;
    }
    const body = `${text}\n`;
    response.writeHead(status, {
      ...safeHeaders(headers),
      "Content-Type": "text/plain; charset=utf-8",
      "Content-Length": Buffer.byteLength(body),
    });
    if (!drain || request.complete) {
      response.end(body);
      return;
    }
    response.write(body);
    const grace = Math.max(this.options.http.bodyTimeoutMs, MIN_DISCARD_GRACE_MS);
    const timer = setTimeout(() => {
      response.end();
      request.socket.destroy();
    }, grace);
    timer.unref();
    const done = (): void => {
      clearTimeout(timer);
      response.end();
    };
    request.once("end", done);
    request.once("error", done);
    request.resume();
  }

  /** Write a `ServerToAgent` body, gzipped when allowed (S-4), within the send limit (S-3). */
  private respond(
    request: IncomingMessage,
    response: ServerResponse,
    [message]: ServerToAgent[],
    status: number,
  ): void {
    const { options, metrics } = this;
    let body: Uint8Array;
    try {
      body = encodeServerToAgent(message!, { maxBytes: options.limits.maxSendBytes });
    } catch (error) {
      metrics.error("send_too_large");
      options.logger.error("dropped a ServerToAgent over the send limit (S-3)", {
        error: describeError(error),
      });
      body = encodeServerToAgent(
        create(ServerToAgentSchema, {
          instanceUid: message!.instanceUid,
          capabilities: options.capabilities,
        }),
      );
    }
    metrics.sent("http", body.length);
    const headers: Record<string, string | number> = { "Content-Type": PROTOBUF_CONTENT_TYPE };
    if (
      options.http.compressResponses &&
      body.length >= options.http.compressMinBytes &&
      acceptsGzip(request.headers["accept-encoding"])
    ) {
      body = gzipSync(body);
      headers["Content-Encoding"] = "gzip";
    }
    headers["Content-Length"] = body.length;
    response.writeHead(status, headers);
    response.end(body);
  }
}

/** A connection for a request that cannot be tied to an agent (invalid uid): used only to answer it. */
class DetachedHttpConnection extends ConnectionBase {
  readonly transport = "http" as const;
  get isOpen(): boolean {
    return false;
  }
  async send(): Promise<void> {
    throw new OpampServerError("CONNECTION_CLOSED", "no agent session for this request");
  }
  async deliver(): Promise<void> {}
  close(): void {}
}
