/**
 * Simulated agents over WebSocket: one `ws` socket each, bound to a
 * `127.0.0.x` source address, speaking OpAMP frames (0x00 header + protobuf)
 * built directly with the protocol package. A lost connection is retried with
 * full-jitter exponential backoff (C-3 style), and the first message after a
 * reconnect is a full report.
 */
import {
  type AgentToServer,
  decodeServerToAgentFrame,
  encodeAgentToServerFrame,
} from "@opamp-ts/protocol";
import WebSocket from "ws";
import { nowMs } from "../lib/clock.js";
import type { LoadOptions } from "./options.js";
import type { Recorder } from "./recorder.js";
import type { SimAgent } from "./sim-agent.js";

function errorKind(error: unknown): string {
  const e = error as { code?: string; message?: string };
  if (typeof e.code === "string") return e.code;
  const message = e.message ?? "";
  const status = /Unexpected server response: (\d+)/.exec(message);
  if (status) return `http-${status[1]}`;
  if (/handshake has timed out/i.test(message)) return "handshake-timeout";
  return message.slice(0, 40) || "other";
}

/** One WebSocket agent: the socket around a {@link SimAgent}. */
export class WsAgent {
  private ws: WebSocket | undefined;
  private attempts = 0;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly sim: SimAgent,
    private readonly options: LoadOptions,
    private readonly recorder: Recorder,
    private readonly localAddress: string,
  ) {}

  connect(): void {
    if (this.stopped) return;
    this.recorder.connects++;
    const headers: Record<string, string> = {};
    if (this.options.bearer !== undefined) headers.Authorization = `Bearer ${this.options.bearer}`;
    const ws = new WebSocket(this.options.url, {
      localAddress: this.localAddress,
      perMessageDeflate: false,
      handshakeTimeout: 30_000,
      headers,
    });
    this.ws = ws;
    let opened = false;
    ws.on("open", () => {
      opened = true;
      this.attempts = 0;
      this.recorder.open++;
      this.send(this.sim.firstReport());
    });
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      const at = nowMs();
      if (!isBinary) {
        this.recorder.error("text-frame");
        return;
      }
      if (this.options.mode === "saturate" && this.sim.ready) {
        // Saturation counts answers without decoding them, so the generator's
        // CPU goes into sending; the first answer was decoded (ready).
        this.recorder.received++;
        this.recorder.replies++;
        this.sendBytes(this.sim.nextStatusBytes(true));
        return;
      }
      let reaction: ReturnType<SimAgent["onServerToAgent"]>;
      try {
        reaction = this.sim.onServerToAgent(decodeServerToAgentFrame(data), at);
      } catch {
        this.recorder.error("decode");
        return;
      }
      if (this.options.mode === "saturate" && reaction.kind === "none") {
        this.recorder.replies++;
        this.sendBytes(this.sim.nextStatusBytes(true));
        return;
      }
      if (reaction.kind === "send") this.send(reaction.message);
      else if (reaction.kind === "apply-later") {
        setTimeout(() => {
          const report = this.sim.applyPending();
          if (report !== undefined) this.send(report);
        }, reaction.delayMs);
      }
    });
    ws.on("error", (error) => {
      this.recorder.error(errorKind(error));
    });
    ws.on("close", () => {
      if (opened) this.recorder.open--;
      this.sim.onDisconnected();
      this.ws = undefined;
      if (!this.stopped && this.options.reconnect) this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    this.recorder.reconnects++;
    const cap = Math.min(
      this.options.reconnectMaxMs,
      this.options.reconnectBaseMs * 2 ** this.attempts,
    );
    this.attempts++;
    this.retryTimer = setTimeout(() => this.connect(), Math.random() * cap);
  }

  /** Send a report if the socket is open. */
  send(message: AgentToServer): void {
    this.sendBytes(encodeAgentToServerFrame(message));
  }

  private sendBytes(frame: Uint8Array): void {
    const ws = this.ws;
    if (ws === undefined || ws.readyState !== WebSocket.OPEN) return;
    this.recorder.sent++;
    ws.send(frame);
  }

  /** The heartbeat tick: send a compressed report when due. */
  tick(now: number): void {
    if (this.options.heartbeatMs <= 0 || !this.sim.ready || now < this.sim.nextHeartbeatAt) return;
    this.sim.nextHeartbeatAt = now + this.options.heartbeatMs;
    this.send(this.sim.heartbeatReport());
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.ws?.terminate();
  }
}
