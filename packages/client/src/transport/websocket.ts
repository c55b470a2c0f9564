import type { IncomingMessage } from "node:http";
import {
  decodeServerToAgentFrame,
  encodeAgentToServerFrame,
  isOpampProtocolError,
  WS_CLOSE_MESSAGE_TOO_BIG,
} from "@opamp-ts/protocol";
import WebSocket from "ws";
import { Backoff, parseRetryAfter, throttleDelay } from "../backoff.js";
import { OpampClientError, toClientError } from "../errors.js";
import { HeartbeatTimer } from "../heartbeat.js";
import type { BuiltMessage } from "../report-builder.js";
import { toNodeTlsOptions } from "../tls.js";
import { createProxyAgent } from "./proxy.js";
import type { Transport, TransportConfig, TransportHost } from "./types.js";

type State = "idle" | "connecting" | "open" | "waiting" | "stopping" | "stopped";

const CLOSE_TIMEOUT_MS = 2_000;

/**
 * The WebSocket transport (spec §"WebSocket Transport"): binary frames with
 * the 0x00 header (C-9), the client speaks first (C-6), one writer (P-24),
 * receive limit with close 1009 (C-39), RFC 6455 pings for dead peers (P-25),
 * immediate reconnect after a break then exponential backoff with jitter
 * (C-37), `agent_disconnect` then a Close frame on stop (C-36).
 */
export class WebSocketTransport implements Transport {
  readonly kind = "websocket" as const;
  private state: State = "idle";
  private ws: WebSocket | undefined;
  private readonly backoff: Backoff;
  private readonly heartbeat: HeartbeatTimer;
  private retryTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private alive = true;
  private replied = false;
  private immediateUsed = false;
  private throttleHintMs: number | undefined;
  private writing = false;
  private writeAgain = false;
  private forceNext = false;
  private fullStateNext = false;
  private opened = false;
  private inbound: Promise<void> = Promise.resolve();
  private closed: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: TransportConfig,
    private readonly host: TransportHost,
  ) {
    this.backoff = new Backoff(config.backoff);
    this.heartbeat = new HeartbeatTimer(
      () => host.heartbeatIntervalMs("websocket"),
      () => this.pump(true),
    );
  }

  start(): void {
    if (this.state !== "idle") return;
    this.connect();
  }

  wake(): void {
    if (this.state === "open") this.pump(false);
  }

  refreshHeartbeat(): void {
    if (this.state === "open") this.heartbeat.restart();
  }

  async stop(options: { disconnect: boolean }): Promise<void> {
    if (this.state === "stopped" || this.state === "stopping") return this.closed;
    const wasOpen = this.state === "open";
    this.state = "stopping";
    this.clearTimers();
    const ws = this.ws;
    if (ws === undefined) {
      this.state = "stopped";
      return;
    }
    if (wasOpen && options.disconnect) {
      await this.waitForWriter();
      const built = await this.buildSafely({ disconnect: true });
      if (built !== undefined) await this.write(ws, built);
    }
    if (ws.readyState === WebSocket.OPEN) ws.close(1000);
    else ws.terminate();
    const timer = setTimeout(() => ws.terminate(), CLOSE_TIMEOUT_MS);
    await this.closed;
    clearTimeout(timer);
    this.state = "stopped";
  }

  private connect(): void {
    this.state = "connecting";
    this.replied = false;
    this.alive = true;
    const { settings } = this.config;
    // A bad proxy address is refused when the settings are built (C-31), so this cannot throw.
    const agent =
      settings.proxy === undefined
        ? undefined
        : createProxyAgent(
            settings.proxy,
            new URL(settings.endpoint).protocol === "wss:",
            settings.tls,
            {
              keepAlive: false,
              timeoutMs: this.config.requestTimeoutMs,
            },
          );
    const ws = new WebSocket(settings.endpoint, {
      ...(agent === undefined ? {} : { agent }),
      headers: { ...settings.headers },
      maxPayload: this.config.maxReceiveBytes,
      perMessageDeflate: false,
      handshakeTimeout: this.config.requestTimeoutMs,
      followRedirects: false,
      ...toNodeTlsOptions(settings.tls),
    });
    ws.binaryType = "nodebuffer";
    this.ws = ws;
    let failure: OpampClientError | undefined;
    let resolveClosed!: () => void;
    this.closed = new Promise((resolve) => {
      resolveClosed = resolve;
    });

    ws.on("unexpected-response", (_req, res: IncomingMessage) => {
      failure = upgradeFailure(res);
      res.resume();
      ws.terminate();
    });
    ws.on("error", (error) => {
      failure ??= errorFromSocket(error);
    });
    ws.on("open", () => {
      if (this.ws !== ws || this.state !== "connecting") return;
      this.state = "open";
      this.startPing(ws);
      // A reconnect reports the full state: what was written just before the
      // break may never have reached the server (C-6 allows omitting, not requires it).
      this.fullStateNext = this.opened;
      this.opened = true;
      this.pump(true);
    });
    ws.on("pong", () => {
      this.alive = true;
    });
    ws.on("message", (data, isBinary) => this.onMessage(ws, data as Buffer, isBinary));
    ws.on("close", (code) => {
      resolveClosed();
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.clearTimers();
      if (this.state === "stopping" || this.state === "stopped") return;
      const error =
        failure ??
        new OpampClientError("CONNECT_FAILED", `WebSocket closed by the server (code ${code})`);
      if (error.code === "THROTTLED") this.throttleHintMs = error.retryAfterMs ?? 0;
      this.host.connectFailed(error);
      this.scheduleReconnect(this.replied);
    });
  }

  private onMessage(ws: WebSocket, data: Buffer, isBinary: boolean): void {
    if (!isBinary) {
      // P-5: only binary messages carry OpAMP; a text frame is malformed.
      this.host.reportError(
        new OpampClientError("MALFORMED_MESSAGE", "server sent a text WebSocket frame; ignored"),
      );
      return;
    }
    let message: ReturnType<typeof decodeServerToAgentFrame>;
    try {
      message = decodeServerToAgentFrame(data, { maxBytes: this.config.maxReceiveBytes });
    } catch (error) {
      if (isOpampProtocolError(error, "MESSAGE_TOO_LARGE")) {
        this.host.reportError(toClientError("MESSAGE_TOO_LARGE", error, "received message"));
        ws.close(WS_CLOSE_MESSAGE_TOO_BIG);
        return;
      }
      this.host.reportError(toClientError("MALFORMED_MESSAGE", error, "received message"));
      return;
    }
    this.inbound = this.inbound.then(async () => {
      if (this.ws !== ws || this.state !== "open") return;
      const outcome = await this.host.receive(message);
      if (outcome.kind === "unavailable") {
        this.throttleHintMs = outcome.retryAfterMs;
        await this.restartAfterThrottle(ws);
        return;
      }
      if (outcome.kind === "ok" && !this.replied) {
        this.replied = true;
        this.immediateUsed = false;
        this.backoff.reset();
        this.host.connected();
      }
    });
    this.inbound = this.inbound.catch((error: unknown) => {
      this.host.reportError(toClientError("HANDLER_FAILED", error, "processing a server message"));
    });
  }

  /** UNAVAILABLE (C-16): disconnect properly, wait, reconnect. */
  private async restartAfterThrottle(ws: WebSocket): Promise<void> {
    this.state = "waiting";
    this.clearTimers();
    await this.waitForWriter();
    const built = await this.buildSafely({ disconnect: true });
    if (built !== undefined) await this.write(ws, built);
    this.ws = undefined;
    ws.close(1000);
    this.scheduleReconnect(false);
  }

  private scheduleReconnect(wasEstablished: boolean): void {
    let delay: number;
    if (this.throttleHintMs !== undefined) {
      delay = throttleDelay(this.backoff, this.throttleHintMs);
      this.throttleHintMs = undefined;
    } else if (wasEstablished && !this.immediateUsed) {
      this.immediateUsed = true;
      delay = 0;
    } else {
      delay = this.backoff.next();
    }
    this.state = "waiting";
    this.host.logger.debug("WebSocket reconnect scheduled", { delayMs: delay });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.state === "waiting") this.connect();
    }, delay);
  }

  private startPing(ws: WebSocket): void {
    const interval = this.config.pingIntervalMs;
    if (interval <= 0) return;
    this.pingTimer = setInterval(() => {
      if (!this.alive) {
        this.host.logger.warn("WebSocket peer did not answer a ping; terminating");
        ws.terminate();
        return;
      }
      this.alive = false;
      ws.ping();
    }, interval);
  }

  /** The single writer: builds and writes messages one at a time (P-24). */
  private pump(force: boolean): void {
    this.forceNext ||= force;
    if (this.writing) {
      this.writeAgain = true;
      return;
    }
    this.writing = true;
    void (async () => {
      try {
        do {
          this.writeAgain = false;
          const ws = this.ws;
          if (ws === undefined || this.state !== "open") break;
          const force = this.forceNext;
          const fullState = this.fullStateNext;
          this.forceNext = false;
          this.fullStateNext = false;
          const built = await this.buildSafely({ force, fullState });
          if (built === undefined) break;
          await this.write(ws, built);
        } while (this.writeAgain || this.host.hasPending());
      } finally {
        this.writing = false;
      }
    })();
  }

  private async waitForWriter(): Promise<void> {
    while (this.writing) await new Promise((resolve) => setImmediate(resolve));
  }

  private async buildSafely(options: {
    force?: boolean;
    disconnect?: boolean;
    fullState?: boolean;
  }) {
    try {
      return await this.host.build(options);
    } catch (error) {
      this.host.reportError(toClientError("HANDLER_FAILED", error, "building a status report"));
      return undefined;
    }
  }

  private write(ws: WebSocket, built: BuiltMessage): Promise<void> {
    let frame: Uint8Array;
    try {
      frame = encodeAgentToServerFrame(built.message, { maxBytes: this.config.maxSendBytes });
    } catch (error) {
      // C-39: never send an oversize message; record it and do not retry it.
      built.sent();
      this.host.reportError(toClientError("MESSAGE_TOO_LARGE", error, "outgoing message not sent"));
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      if (ws.readyState !== WebSocket.OPEN) {
        built.failed();
        resolve();
        return;
      }
      ws.send(frame, { binary: true }, (error) => {
        if (error) built.failed();
        else built.sent();
        if (this.state === "open") this.heartbeat.restart();
        resolve();
      });
    });
  }

  private clearTimers(): void {
    this.heartbeat.stop();
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    if (this.pingTimer !== undefined) clearInterval(this.pingTimer);
    this.retryTimer = undefined;
    this.pingTimer = undefined;
  }
}

function upgradeFailure(res: IncomingMessage): OpampClientError {
  const status = res.statusCode ?? 0;
  if (status === 401) {
    return new OpampClientError("UNAUTHORIZED", "server rejected the credentials (HTTP 401)");
  }
  if (status === 503 || status === 429) {
    const retryAfter = res.headers["retry-after"];
    return new OpampClientError("THROTTLED", `server is throttling (HTTP ${status})`, {
      retryAfterMs: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter),
    });
  }
  return new OpampClientError("CONNECT_FAILED", `WebSocket upgrade refused (HTTP ${status})`);
}

function errorFromSocket(error: Error): OpampClientError {
  if (/max payload/i.test(error.message)) {
    return new OpampClientError(
      "MESSAGE_TOO_LARGE",
      "received message over the limit; closed with 1009",
      {
        cause: error,
      },
    );
  }
  return toClientError("CONNECT_FAILED", error, "WebSocket connection");
}
