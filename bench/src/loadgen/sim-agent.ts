/**
 * The transport-independent behaviour of one simulated agent: which report
 * to send next, how a `ServerToAgent` changes its state (ReportFullState,
 * remote config offers, the answer to APPLIED), and its sequence numbers.
 */
import {
  type AgentConfigMap,
  type AgentToServer,
  AgentToServerSchema,
  hasBit,
  newInstanceUid,
  type ServerToAgent,
  ServerToAgentFlags,
  toBinary,
} from "@opamp-ts/protocol";
import {
  type AgentIdentity,
  appliedReport,
  effectiveConfigMap,
  fullReport,
  heartbeat,
  statusReport,
  withSequenceNum,
} from "./messages.js";
import type { Recorder } from "./recorder.js";

/** What the transport should do after a message was handled. */
export type Reaction =
  | { readonly kind: "none" }
  | { readonly kind: "send"; readonly message: AgentToServer }
  | { readonly kind: "apply-later"; readonly delayMs: number };

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** One simulated agent's protocol state. */
export class SimAgent implements AgentIdentity {
  readonly uid = newInstanceUid();
  readonly startNanos = BigInt(Date.now()) * 1_000_000n;
  private seq = 0n;
  private applied: { hash: Uint8Array; configMap: AgentConfigMap } | undefined;
  private pendingConfig: { hash: Uint8Array; configMap: AgentConfigMap | undefined } | undefined;
  private awaitingAppliedAck = false;
  private healthy = true;
  /** Got a reply since the transport (re)connected. */
  ready = false;
  nextHeartbeatAt = 0;

  constructor(
    readonly index: number,
    readonly slot: number,
    private readonly recorder: Recorder,
    private readonly applyDelayMs: number,
  ) {}

  private next(): bigint {
    const s = this.seq;
    this.seq += 1n;
    return s;
  }

  /** The first report on a new connection: full state (S-9). */
  firstReport(): AgentToServer {
    this.ready = false;
    return fullReport(this, this.next(), this.applied);
  }

  heartbeatReport(): AgentToServer {
    return heartbeat(this, this.next());
  }

  private statusBodies: [Uint8Array, Uint8Array] | undefined;

  /**
   * A health flip, the status report used to saturate a server, encoded: two reports (healthy, unhealthy) are
   * encoded once and re-sent with the next sequence number appended.
   */
  nextStatusBytes(wsHeader: boolean): Uint8Array {
    this.statusBodies ??= [
      toBinary(AgentToServerSchema, statusReport(this, 0n, true)),
      toBinary(AgentToServerSchema, statusReport(this, 0n, false)),
    ];
    this.healthy = !this.healthy;
    return withSequenceNum(this.statusBodies[this.healthy ? 0 : 1], this.next(), wsHeader);
  }

  /** The APPLIED report for the config received last (after any apply delay). */
  applyPending(): AgentToServer | undefined {
    const pending = this.pendingConfig;
    if (pending === undefined) return undefined;
    this.pendingConfig = undefined;
    this.applied = {
      hash: pending.hash,
      configMap: pending.configMap ?? this.applied?.configMap ?? effectiveConfigMap(this.index),
    };
    this.awaitingAppliedAck = true;
    return appliedReport(this, this.next(), pending.hash, pending.configMap);
  }

  /** Handle one `ServerToAgent`; `at` is when its bytes arrived. */
  onServerToAgent(msg: ServerToAgent, at: number): Reaction {
    this.recorder.received++;
    if (!this.ready) {
      this.ready = true;
      this.recorder.ready++;
      this.recorder.lastReadyAt = at;
    }
    if (this.awaitingAppliedAck && msg.remoteConfig === undefined) {
      this.awaitingAppliedAck = false;
      this.recorder.appliedAcked(this.slot, at);
    }
    const offered = msg.remoteConfig;
    if (offered !== undefined && offered.configHash.length > 0) {
      const same = this.applied !== undefined && hex(this.applied.hash) === hex(offered.configHash);
      if (
        !same &&
        (this.pendingConfig === undefined ||
          hex(this.pendingConfig.hash) !== hex(offered.configHash))
      ) {
        this.recorder.configReceived(this.slot, at, hex(offered.configHash));
        this.pendingConfig = { hash: offered.configHash, configMap: offered.config };
        if (this.applyDelayMs > 0) return { kind: "apply-later", delayMs: this.applyDelayMs };
        const report = this.applyPending();
        return report === undefined ? { kind: "none" } : { kind: "send", message: report };
      }
    }
    if (hasBit(msg.flags, ServerToAgentFlags.ServerToAgentFlags_ReportFullState)) {
      return { kind: "send", message: fullReport(this, this.next(), this.applied) };
    }
    return { kind: "none" };
  }

  /** The transport closed: the next reply makes the agent ready again. */
  onDisconnected(): void {
    if (this.ready) this.recorder.ready--;
    this.ready = false;
    this.awaitingAppliedAck = false;
  }
}
