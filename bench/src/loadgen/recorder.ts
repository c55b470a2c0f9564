/**
 * Shared counters of one load-generator process: what every simulated agent
 * sent, received and failed at, and the push-latency stamps while armed.
 */
import type { LoadStats, PushSamples } from "./options.js";

/** Counts and latency stamps for all agents of a process. */
export class Recorder {
  ready = 0;
  open = 0;
  sent = 0;
  received = 0;
  replies = 0;
  connects = 0;
  reconnects = 0;
  lastReadyAt = 0;
  private errors = new Map<string, number>();
  private armed = false;
  private received_: number[] = [];
  private acked: number[] = [];
  private hashes = new Set<string>();

  constructor(private readonly agents: number) {}

  /** Count one error of a kind (a Node error code, `http-<status>`, `decode`, …). */
  error(kind: string): void {
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
  }

  resetErrors(): void {
    this.errors.clear();
  }

  /** Start recording push stamps for the next config each agent receives. */
  arm(): void {
    this.armed = true;
    this.received_ = new Array<number>(this.agents).fill(0);
    this.acked = new Array<number>(this.agents).fill(0);
    this.hashes.clear();
  }

  /** Agent `slot` got a new config at `at`. */
  configReceived(slot: number, at: number, hashHex: string): void {
    if (!this.armed || this.received_[slot] !== 0) return;
    this.received_[slot] = at;
    this.hashes.add(hashHex);
  }

  /** The server answered agent `slot`'s APPLIED report at `at`. */
  appliedAcked(slot: number, at: number): void {
    if (!this.armed || this.acked[slot] !== 0 || this.received_[slot] === 0) return;
    this.acked[slot] = at;
  }

  /** How many agents have both stamps. */
  completed(): number {
    let n = 0;
    for (const t of this.acked) if (t !== 0) n++;
    return n;
  }

  samples(): PushSamples {
    return {
      received: this.received_.filter((t) => t !== 0),
      appliedAcked: this.acked.filter((t) => t !== 0),
      hashes: [...this.hashes],
    };
  }

  stats(): LoadStats {
    return {
      agents: this.agents,
      ready: this.ready,
      open: this.open,
      sent: this.sent,
      received: this.received,
      replies: this.replies,
      connects: this.connects,
      reconnects: this.reconnects,
      errors: Object.fromEntries(this.errors),
      lastReadyAt: this.lastReadyAt,
    };
  }
}
