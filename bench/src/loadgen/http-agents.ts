/**
 * Simulated agents over plain HTTP: each POSTs its report (protobuf body,
 * spec "Plain HTTP Transport") on a keep-alive connection from a
 * `127.0.0.x` source address, decodes the `ServerToAgent` answer and polls
 * again after the heartbeat interval, or at once while saturating or when the
 * answer asks for something (a full report, an APPLIED status).
 */
import { Agent, request } from "node:http";
import {
  type AgentToServer,
  decodeServerToAgent,
  encodeAgentToServer,
  PROTOBUF_CONTENT_TYPE,
} from "@opamp-ts/protocol";
import { nowMs } from "../lib/clock.js";
import type { LoadOptions } from "./options.js";
import type { Recorder } from "./recorder.js";
import type { SimAgent } from "./sim-agent.js";

/** One keep-alive connection pool per source address. */
export function httpPools(addresses: readonly string[]): Map<string, Agent> {
  return new Map(
    addresses.map((a) => [
      a,
      new Agent({ keepAlive: true, localAddress: a, maxSockets: Infinity, noDelay: true }),
    ]),
  );
}

/** One plain-HTTP agent: a poll loop around a {@link SimAgent}. */
export class HttpAgent {
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private attempts = 0;
  private next: AgentToServer | Uint8Array;

  constructor(
    readonly sim: SimAgent,
    private readonly options: LoadOptions,
    private readonly recorder: Recorder,
    private readonly pool: Agent,
  ) {
    this.next = sim.firstReport();
  }

  connect(): void {
    this.recorder.connects++;
    this.recorder.open++;
    this.post();
  }

  private post(): void {
    if (this.stopped) return;
    const body = this.next instanceof Uint8Array ? this.next : encodeAgentToServer(this.next);
    const headers: Record<string, string | number> = {
      "Content-Type": PROTOBUF_CONTENT_TYPE,
      "Content-Length": body.byteLength,
    };
    if (this.options.bearer !== undefined) headers.Authorization = `Bearer ${this.options.bearer}`;
    this.recorder.sent++;
    const req = request(this.options.url, { method: "POST", agent: this.pool, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const at = nowMs();
        if (res.statusCode !== 200) {
          this.fail(`http-${res.statusCode}`);
          return;
        }
        this.attempts = 0;
        let reaction: ReturnType<SimAgent["onServerToAgent"]>;
        try {
          reaction = this.sim.onServerToAgent(decodeServerToAgent(Buffer.concat(chunks)), at);
        } catch {
          this.fail("decode");
          return;
        }
        if (this.options.mode === "saturate") this.recorder.replies++;
        if (reaction.kind === "send") {
          this.next = reaction.message;
          this.post();
        } else if (reaction.kind === "apply-later") {
          this.schedule(
            reaction.delayMs,
            () => this.sim.applyPending() ?? this.sim.heartbeatReport(),
          );
        } else if (this.options.mode === "saturate") {
          this.next = this.sim.nextStatusBytes(false);
          this.post();
        } else if (this.options.heartbeatMs > 0) {
          this.schedule(this.options.heartbeatMs, () => this.sim.heartbeatReport());
        }
      });
      res.on("error", () => this.fail("response"));
    });
    req.on("error", (error: NodeJS.ErrnoException) => this.fail(error.code ?? "other"));
    req.end(body);
  }

  private schedule(delayMs: number, build: () => AgentToServer): void {
    this.timer = setTimeout(() => {
      this.next = build();
      this.post();
    }, delayMs);
  }

  private fail(kind: string): void {
    this.recorder.error(kind);
    this.sim.onDisconnected();
    if (this.stopped || !this.options.reconnect) return;
    const cap = Math.min(
      this.options.reconnectMaxMs,
      this.options.reconnectBaseMs * 2 ** this.attempts,
    );
    this.attempts++;
    this.recorder.reconnects++;
    this.schedule(Math.random() * cap, () => this.sim.firstReport());
  }

  /** Heartbeats are driven by the poll loop itself. */
  tick(): void {}

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
