import {
  AgentCapabilities,
  type ConnectionSettingsOffers,
  hasBit,
  type OtherConnectionSettings,
  type TelemetryConnectionSettings,
} from "@opamp-ts/protocol";
import { candidateFromOffer, connectionSettingsStatus } from "./connection-settings.js";
import type { OpampSettingsEvent } from "./events.js";
import type { OpampConnectionSettings } from "./options.js";
import type { ReportBuilder } from "./report-builder.js";
import type { PersistedConfigStatus, PersistedConnectionSettings } from "./state-store.js";
import type { Transport } from "./transport/types.js";

type TrialResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");

/** What the connection-settings flow needs from the client. */
export interface SettingsFlowHost {
  readonly builder: ReportBuilder;
  readonly durableStorage: boolean;
  readonly baseHeaders: Readonly<Record<string, string>>;
  readonly allowInsecureTls: boolean;
  readonly verifyTimeoutMs: number;
  capabilities(): bigint;
  running(): boolean;
  csrKey(): string | undefined;
  stored(): PersistedConnectionSettings | undefined;
  store(state: PersistedConnectionSettings): Promise<void>;
  /** The settings in use (committed). */
  committed(): OpampConnectionSettings;
  commit(settings: OpampConnectionSettings): void;
  transport(): Transport | undefined;
  /** Create a transport for `settings`, make it the current one and start it. */
  connect(settings: OpampConnectionSettings): Transport;
  clearTransport(): void;
  ownTelemetry(kind: "metrics" | "traces" | "logs", settings: TelemetryConnectionSettings): void;
  otherConnection(name: string, settings: OtherConnectionSettings): void;
  opampSettings(event: OpampSettingsEvent): void;
  wake(): void;
}

/**
 * Connection-settings offers (spec §"Connection Settings Management"): the
 * classes the agent declared are passed on (C-26, P-19), a known hash is
 * skipped (C-27), `ConnectionSettingsStatus` follows every step (C-30), and
 * OpAMP settings go through the one owner of candidate → connect → commit or
 * revert (C-31, P-20): the candidate is stored durably first, APPLYING goes
 * out before the old connection is left with `agent_disconnect`, success is
 * the first clean reply on the new connection (P-33), anything else reverts.
 */
export class ConnectionSettingsFlow {
  private lastHash: string | undefined;
  private chain: Promise<void> = Promise.resolve();
  private waiter: ((result: TrialResult) => void) | undefined;

  constructor(private readonly host: SettingsFlowHost) {
    const stored = host.stored();
    this.lastHash = stored?.lastHash;
    if (stored?.lastHash !== undefined && stored.status !== undefined) {
      host.builder.setConnectionSettingsStatus(
        connectionSettingsStatus(
          Buffer.from(stored.lastHash, "base64"),
          stored.status,
          stored.errorMessage,
        ),
      );
    }
  }

  /** Resolves when no offer is being applied. */
  idle(): Promise<void> {
    return this.chain;
  }

  /** The current transport got its first clean reply. */
  transportConnected(): void {
    this.waiter?.({ ok: true });
  }

  /** The current transport failed to connect. */
  transportFailed(reason: string): void {
    this.waiter?.({ ok: false, reason });
  }

  /** Abandon a verification in progress (client stopping). */
  cancel(): void {
    this.waiter?.({ ok: false, reason: "client stopped" });
  }

  /** Resume a candidate left by a crash (C-31 step 1). Returns false when there is none. */
  resume(): boolean {
    const stored = this.host.stored();
    if (stored?.candidate === undefined) return false;
    const hash = new Uint8Array(Buffer.from(stored.lastHash ?? "", "base64"));
    const candidate = stored.candidate;
    this.chain = this.chain.then(() => this.verifyAndCommit(hash, candidate));
    return true;
  }

  /** Handle `ServerToAgent.connection_settings`. */
  offer(offers: ConnectionSettingsOffers): void {
    const hash = b64(offers.hash);
    if (hash === this.lastHash) return;
    this.lastHash = hash;
    const caps = this.host.capabilities();
    const telemetry = [
      ["metrics", offers.ownMetrics, AgentCapabilities.AgentCapabilities_ReportsOwnMetrics],
      ["traces", offers.ownTraces, AgentCapabilities.AgentCapabilities_ReportsOwnTraces],
      ["logs", offers.ownLogs, AgentCapabilities.AgentCapabilities_ReportsOwnLogs],
    ] as const;
    for (const [kind, settings, bit] of telemetry) {
      if (settings !== undefined && hasBit(caps, bit)) this.host.ownTelemetry(kind, settings);
    }
    if (hasBit(caps, AgentCapabilities.AgentCapabilities_AcceptsOtherConnectionSettings)) {
      for (const [name, settings] of Object.entries(offers.otherConnections)) {
        this.host.otherConnection(name, settings);
      }
    }
    const opamp = hasBit(caps, AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings)
      ? offers.opamp
      : undefined;
    if (opamp === undefined) {
      // Nothing left to verify: acknowledge the hash so the server stops
      // resending it (C-30; the same reasoning as P-12 for remote config).
      this.status(offers.hash, "applied");
      return;
    }
    const result = candidateFromOffer(this.host.committed(), opamp, {
      baseHeaders: this.host.baseHeaders,
      csrKey: this.host.csrKey(),
      allowInsecureTls: this.host.allowInsecureTls,
      durableStorage: this.host.durableStorage,
    });
    if (!result.ok) {
      this.status(offers.hash, "failed", result.reason);
      this.host.opampSettings({ status: "failed", reason: result.reason });
      return;
    }
    const candidate = result.settings;
    this.chain = this.chain.then(() => this.verifyAndCommit(offers.hash, candidate));
  }

  private status(hash: Uint8Array, status: PersistedConfigStatus, errorMessage = ""): void {
    this.host.builder.setConnectionSettingsStatus(
      connectionSettingsStatus(hash, status, errorMessage),
    );
    const { errorMessage: _old, ...rest } = this.host.stored() ?? {};
    void this.host.store({
      ...rest,
      lastHash: b64(hash),
      status,
      ...(errorMessage === "" ? {} : { errorMessage }),
    });
    this.host.wake();
  }

  private async verifyAndCommit(
    hash: Uint8Array,
    candidate: OpampConnectionSettings,
  ): Promise<void> {
    if (!this.host.running()) return;
    await this.host.store({ ...this.host.stored(), candidate });
    this.status(hash, "applying");
    const result = await this.trial(candidate);
    const { candidate: _dropped, ...rest } = this.host.stored() ?? {};
    if (result.ok) {
      this.host.commit(candidate);
      await this.host.store({ ...rest, committed: candidate });
      this.status(hash, "applied");
      this.host.opampSettings({ status: "applied", settings: candidate });
      return;
    }
    await this.host.store(rest);
    if (this.host.running()) this.status(hash, "failed", result.reason);
    this.host.opampSettings({ status: "failed", reason: result.reason });
  }

  private async trial(candidate: OpampConnectionSettings): Promise<TrialResult> {
    await this.host.transport()?.stop({ disconnect: true });
    if (!this.host.running()) return { ok: false, reason: "client stopped" };
    // A new endpoint may be a different server: tell it everything (C-6).
    this.host.builder.requestFullState();
    let timer: NodeJS.Timeout | undefined;
    let trial: Transport | undefined;
    const timeoutMs = this.host.verifyTimeoutMs;
    const result = await new Promise<TrialResult>((resolve) => {
      this.waiter = resolve;
      timer = setTimeout(
        () =>
          resolve({
            ok: false,
            reason: `no reply from ${candidate.endpoint} within ${timeoutMs} ms`,
          }),
        timeoutMs,
      );
      trial = this.host.connect(candidate);
    });
    clearTimeout(timer);
    this.waiter = undefined;
    if (!result.ok) {
      await trial?.stop({ disconnect: false });
      if (this.host.running()) {
        this.host.builder.requestFullState();
        this.host.connect(this.host.committed());
      } else {
        this.host.clearTransport();
      }
    }
    return result;
  }
}
