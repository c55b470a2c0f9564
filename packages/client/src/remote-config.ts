import {
  type AgentRemoteConfig,
  AgentRemoteConfigSchema,
  create,
  fromBinary,
  type RemoteConfigStatus,
  RemoteConfigStatuses,
  RemoteConfigStatusSchema,
  toBinary,
} from "@opamp-ts/protocol";
import { OpampClientError } from "./errors.js";
import type { Logger } from "./logger.js";
import type {
  RemoteConfigOutcome,
  RemoteConfigPolicyResult,
  RemoteConfigResult,
} from "./options.js";
import type { PersistedConfigStatus, PersistedState } from "./state-store.js";

/** What the remote-config flow needs from the client. */
export interface RemoteConfigHost {
  readonly logger: Logger;
  readonly reportApplying: boolean;
  readonly handler: (
    config: AgentRemoteConfig,
  ) => RemoteConfigOutcome | Promise<RemoteConfigOutcome>;
  readonly policy: ((config: AgentRemoteConfig) => RemoteConfigPolicyResult) | undefined;
  /** Put the status in the next report and send it. */
  report(status: RemoteConfigStatus): void;
  /** The effective config may have changed (C-21 step 5). */
  effectiveConfigChanged(): void;
  persist(entry: PersistedState["remoteConfig"]): Promise<void>;
  reportError(error: OpampClientError): void;
}

const STATUS: Record<PersistedConfigStatus, RemoteConfigStatuses> = {
  applying: RemoteConfigStatuses.RemoteConfigStatuses_APPLYING,
  applied: RemoteConfigStatuses.RemoteConfigStatuses_APPLIED,
  failed: RemoteConfigStatuses.RemoteConfigStatuses_FAILED,
};

const sameBytes = (a: Uint8Array | undefined, b: Uint8Array): boolean =>
  a !== undefined && Buffer.from(a).equals(Buffer.from(b));

/**
 * The remote-config flow (C-21, C-22): same hash as last time → nothing (no
 * echo, C-13); local policy first (C-40); APPLYING (optional), then APPLIED
 * or FAILED, always with `last_remote_config_hash` = the received hash
 * (P-12); the config, hash and outcome are persisted so a restarted agent
 * reports them in its first message. Offers are applied one at a time.
 */
export class RemoteConfigFlow {
  private lastHash: Uint8Array | undefined;
  private lastConfig: AgentRemoteConfig | undefined;
  private chain: Promise<void> = Promise.resolve();
  private finished: AgentRemoteConfig | undefined;

  constructor(private readonly host: RemoteConfigHost) {}

  /** The last remote config received (persisted across restarts), if any. */
  get current(): AgentRemoteConfig | undefined {
    return this.lastConfig;
  }

  /** Restore from the state store; returns the status to report first (C-22). */
  restore(entry: PersistedState["remoteConfig"]): RemoteConfigStatus | undefined {
    if (entry === undefined) return undefined;
    try {
      const config = fromBinary(AgentRemoteConfigSchema, Buffer.from(entry.config, "base64"));
      this.lastConfig = config;
      this.lastHash = config.configHash;
      if (entry.status === "applying") {
        return this.status(
          config.configHash,
          "failed",
          "agent restarted while applying this config",
        );
      }
      return this.status(config.configHash, entry.status, entry.errorMessage ?? "");
    } catch (error) {
      this.host.reportError(
        new OpampClientError("STATE_STORE", "stored remote config cannot be decoded; ignored", {
          cause: error,
        }),
      );
      return undefined;
    }
  }

  /** Handle a received `remote_config` in the background. */
  offer(config: AgentRemoteConfig): void {
    if (sameBytes(this.lastHash, config.configHash)) return;
    this.lastHash = config.configHash;
    this.chain = this.chain.then(() => this.apply(config));
  }

  /** Resolves when every offer received so far has been applied. */
  idle(): Promise<void> {
    return this.chain;
  }

  private async apply(config: AgentRemoteConfig): Promise<void> {
    const hash = config.configHash;
    this.lastConfig = config;
    const verdict = this.host.policy?.(config) ?? { allowed: true };
    let outcome: RemoteConfigOutcome;
    if (!verdict.allowed) {
      outcome = { status: "failed", errorMessage: `refused by local policy: ${verdict.reason}` };
    } else {
      if (this.host.reportApplying) {
        this.host.report(this.status(hash, "applying"));
        await this.persist(config, "applying");
      }
      try {
        outcome = await this.host.handler(config);
      } catch (error) {
        outcome = {
          status: "failed",
          errorMessage: error instanceof Error ? error.message : String(error),
        };
      }
    }
    if (outcome.status === "pending") {
      // The agent may already have reported the result from inside the handler.
      if (this.finished === config) return;
      await this.persist(config, "applying");
      this.host.report(this.status(hash, "applying"));
      return;
    }
    await this.finish(config, outcome);
  }

  /**
   * The agent's own final result for the last config received, after a
   * `pending` outcome or to correct one (C-21 step 5; always with its hash, P-12).
   */
  async complete(result: RemoteConfigResult): Promise<void> {
    const config = this.lastConfig;
    if (config === undefined) {
      throw new OpampClientError("INVALID_STATE", "no remote config has been received");
    }
    await this.finish(config, result);
  }

  private async finish(config: AgentRemoteConfig, result: RemoteConfigResult): Promise<void> {
    this.finished = config;
    const errorMessage = result.status === "failed" ? result.errorMessage : "";
    await this.persist(config, result.status, errorMessage);
    this.host.report(this.status(config.configHash, result.status, errorMessage));
    if (result.status === "applied") this.host.effectiveConfigChanged();
  }

  private async persist(
    config: AgentRemoteConfig,
    status: PersistedConfigStatus,
    errorMessage = "",
  ) {
    try {
      await this.host.persist({
        config: Buffer.from(toBinary(AgentRemoteConfigSchema, config)).toString("base64"),
        status,
        ...(errorMessage === "" ? {} : { errorMessage }),
      });
    } catch (error) {
      this.host.reportError(
        new OpampClientError("STATE_STORE", "cannot persist the remote config", { cause: error }),
      );
    }
  }

  private status(
    hash: Uint8Array,
    status: PersistedConfigStatus,
    errorMessage = "",
  ): RemoteConfigStatus {
    return create(RemoteConfigStatusSchema, {
      lastRemoteConfigHash: hash,
      status: STATUS[status],
      errorMessage,
    });
  }
}
