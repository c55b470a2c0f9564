import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import {
  decodeAgentToServerFrame,
  encodeServerToAgentFrame,
  isOpampProtocolError,
  type ServerToAgent,
  WS_CLOSE_MESSAGE_TOO_BIG,
} from "@opamp-ts/protocol";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import type { AgentTracker } from "./agent-tracker.js";
import { ConnectionBase } from "./connection.js";
import { OpampServerError } from "./errors.js";
import { describeError } from "./logger.js";
import type { ServerMetrics } from "./metrics.js";
import type { ResolvedServerOptions, ServerToAgentInit } from "./options.js";
import type { Pipeline } from "./pipeline.js";
import { badRequest } from "./reply-rules.js";

/** RFC 6455 close code for a data type the endpoint cannot accept (a text frame, P-5). */
export const WS_CLOSE_UNSUPPORTED_DATA = 1003;
/** Messages awaiting their reply before the socket is paused, and the level it resumes at. */
const PAUSE_AT_PENDING = 16;
const RESUME_AT_PENDING = 4;
/** RFC 6455 close code when the server goes away (shutdown, idle timeout). */
const WS_CLOSE_GOING_AWAY = 1001;

/**
 * One WebSocket. Messages are processed one at a time in arrival order and
 * every write goes through `ws`'s single send queue, so replies and pushes
 * never interleave (P-24).
 */
export class WebSocketConnection extends ConnectionBase {
  readonly transport = "websocket" as const;
  private chain: Promise<void> = Promise.resolve();
  private alive = true;
  private pending = 0;
  private pingTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ws: WebSocket,
    request: IncomingMessage,
    context: unknown,
    private readonly transportHost: WebSocketTransport,
  ) {
    super(request, context);
  }

  get isOpen(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  async send(message: ServerToAgentInit): Promise<void> {
    if (!this.isOpen) {
      throw new OpampServerError("CONNECTION_CLOSED", "the WebSocket is closed");
    }
    await this.deliver(this.transportHost.pipeline.shapePush(this, message));
  }

  close(code = 1000, reason = ""): void {
    this.ws.close(code, reason);
  }

  /** Drop the socket without a closing handshake (dead peer). */
  terminate(): void {
    this.ws.terminate();
  }

  /** Encode within the send limit (S-3: never send an oversized message; drop and record it). */
  async deliver(messages: ServerToAgent[]): Promise<void> {
    const { metrics, options } = this.transportHost;
    for (const message of messages) {
      let frame: Uint8Array;
      try {
        frame = encodeServerToAgentFrame(message, { maxBytes: options.limits.maxSendBytes });
      } catch (cause) {
        metrics.error("send_too_large");
        options.logger.error("dropped a ServerToAgent over the send limit (S-3)", {
          connection: this.id,
          error: describeError(cause),
        });
        throw new OpampServerError("MESSAGE_TOO_LARGE", "message over the send limit, dropped", {
          cause,
        });
      }
      await new Promise<void>((resolve, reject) => {
        this.ws.send(frame, { binary: true }, (error) => {
          if (error) {
            reject(
              new OpampServerError("CONNECTION_CLOSED", "WebSocket send failed", { cause: error }),
            );
          } else {
            metrics.sent("websocket", frame.length);
            resolve();
          }
        });
      });
    }
  }

  /** Wire the socket's events; called once after the upgrade. */
  start(): void {
    const { options } = this.transportHost;
    this.ws.on("message", (data, isBinary) => {
      this.alive = true;
      this.resetIdleTimer();
      // Backpressure: a peer that sends faster than the hooks answer is paused, not buffered.
      if (++this.pending >= PAUSE_AT_PENDING) this.ws.pause();
      this.chain = this.chain
        .then(() => this.receive(data, isBinary))
        .finally(() => {
          if (--this.pending <= RESUME_AT_PENDING && this.ws.isPaused) this.ws.resume();
        });
    });
    this.ws.on("pong", () => {
      this.alive = true;
    });
    this.ws.on("error", (error) => {
      this.transportHost.metrics.error(
        (error as { code?: string }).code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH"
          ? "message_too_large"
          : "transport",
      );
      options.logger.debug("WebSocket error", { connection: this.id, error: describeError(error) });
    });
    this.ws.on("close", () => this.stop());
    if (options.websocket.pingIntervalMs > 0) {
      this.pingTimer = setInterval(() => this.heartbeat(), options.websocket.pingIntervalMs);
      this.pingTimer.unref();
    }
    this.resetIdleTimer();
  }

  /** P-25: a socket that did not answer the previous ping is dead and is terminated. */
  private heartbeat(): void {
    if (!this.alive) {
      this.transportHost.metrics.error("timeout");
      this.transportHost.options.logger.info("terminating a WebSocket that missed its pong", {
        connection: this.id,
      });
      this.ws.terminate();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }

  private resetIdleTimer(): void {
    const idle = this.transportHost.options.websocket.idleTimeoutMs;
    if (idle <= 0) {
      return;
    }
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.transportHost.metrics.error("timeout");
      this.close(WS_CLOSE_GOING_AWAY, "idle timeout");
      // A peer that never answers the close handshake is cut off.
      setTimeout(() => this.ws.terminate(), 5000).unref();
    }, idle);
    this.idleTimer.unref();
  }

  private stop(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.idleTimer);
    this.transportHost.closed(this);
  }

  /** Never throws: bad input is answered and counted, and the socket keeps serving (S-7). */
  private async receive(data: RawData, isBinary: boolean): Promise<void> {
    const { metrics, options, pipeline, tracker } = this.transportHost;
    if (!isBinary) {
      // P-5: only binary messages carry OpAMP; text is closed with 1003 (RFC 6455 "unsupported data").
      metrics.error("text_frame");
      this.close(WS_CLOSE_UNSUPPORTED_DATA, "OpAMP accepts binary messages only");
      return;
    }
    const buffer = Array.isArray(data) ? Buffer.concat(data) : data;
    // A plain Uint8Array view, so decoded bytes fields are not Buffers.
    const frame =
      buffer instanceof ArrayBuffer
        ? new Uint8Array(buffer)
        : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    metrics.received("websocket", frame.length);
    try {
      let message: ReturnType<typeof decodeAgentToServerFrame>;
      try {
        message = decodeAgentToServerFrame(frame, {
          maxBytes: options.limits.maxReceiveBytes,
          legacyHeader: options.websocket.legacyHeader,
        });
      } catch (error) {
        if (isOpampProtocolError(error, "MESSAGE_TOO_LARGE")) {
          metrics.error("message_too_large");
          this.close(WS_CLOSE_MESSAGE_TOO_BIG, "message too big");
          return;
        }
        const header =
          isOpampProtocolError(error, "UNSUPPORTED_HEADER") ||
          isOpampProtocolError(error, "TRUNCATED_HEADER");
        metrics.error(header ? "bad_header" : "bad_request");
        const detail = error instanceof Error ? error.message : String(error);
        await this.deliver([badRequest(new Uint8Array(0), `malformed AgentToServer: ${detail}`)]);
        return;
      }
      const reply = await pipeline.reply(this, message);
      await this.deliver(pipeline.shape(this, reply, false));
      if (message.agentDisconnect !== undefined) {
        // S-23: the agent is leaving this stream; its socket close follows.
        tracker.markDisconnected(message.instanceUid, this);
      }
    } catch (error) {
      // A peer that closes right after its last message (agent_disconnect,
      // a crash) makes the reply fail; that is routine, not a server problem.
      const log = this.isOpen ? options.logger.warn : options.logger.debug;
      log.call(options.logger, "failed to answer a WebSocket message", {
        connection: this.id,
        error: describeError(error),
      });
    }
  }
}

/** Accepts upgrades for the OpAMP path and owns every live WebSocket. */
export class WebSocketTransport {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<WebSocketConnection>();

  constructor(
    readonly options: ResolvedServerOptions,
    readonly pipeline: Pipeline,
    readonly tracker: AgentTracker,
    readonly metrics: ServerMetrics,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      // S-3: the receive limit, checked by ws after permessage-deflate; over it → close 1009.
      maxPayload: options.limits.maxReceiveBytes,
      perMessageDeflate: options.websocket.perMessageDeflate,
      clientTracking: false,
    });
  }

  /** Number of open sockets. */
  get size(): number {
    return this.connections.size;
  }

  /** Finish an admitted upgrade. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, context: unknown): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const conn = new WebSocketConnection(ws, request, context, this);
      this.connections.add(conn);
      this.metrics.connectionOpened("websocket");
      conn.start();
      try {
        this.options.onConnected(conn);
      } catch (error) {
        this.metrics.error("hook_failed");
        this.options.logger.error("onConnected failed", { error: describeError(error) });
      }
    });
  }

  /** A socket closed: forget every agent that used it (S-23) and tell the application. */
  closed(conn: WebSocketConnection): void {
    if (!this.connections.delete(conn)) {
      return;
    }
    this.metrics.connectionClosed("websocket");
    this.tracker.forgetConnection(conn);
    try {
      this.options.onDisconnected(conn);
    } catch (error) {
      this.metrics.error("hook_failed");
      this.options.logger.error("onDisconnected failed", { error: describeError(error) });
    }
  }

  /** Close every socket with 1001 and wait (bounded) until they are gone. */
  async close(graceMs = 2000): Promise<void> {
    const all = [...this.connections];
    for (const conn of all) {
      conn.close(WS_CLOSE_GOING_AWAY, "server shutting down");
    }
    if (all.length > 0) {
      await new Promise<void>((resolve) => {
        const deadline = setTimeout(() => {
          clearInterval(check);
          for (const conn of this.connections) conn.terminate();
          resolve();
        }, graceMs);
        const check = setInterval(() => {
          if (this.connections.size === 0) {
            clearTimeout(deadline);
            clearInterval(check);
            resolve();
          }
        }, 10);
        deadline.unref();
      });
    }
    this.wss.close();
  }
}
