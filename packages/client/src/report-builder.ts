import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import {
  AgentCapabilities,
  type AgentDescription,
  AgentDescriptionSchema,
  type AgentToServer,
  AgentToServerFlags,
  AgentToServerSchema,
  type AvailableComponents,
  AvailableComponentsSchema,
  type ComponentHealth,
  ComponentHealthSchema,
  type ConnectionSettingsRequest,
  type ConnectionSettingsStatus,
  ConnectionSettingsStatusSchema,
  type CustomCapabilities,
  CustomCapabilitiesSchema,
  type CustomMessage,
  clone,
  create,
  type EffectiveConfig,
  EffectiveConfigSchema,
  equals,
  hasBit,
  type PackageStatuses,
  PackageStatusesSchema,
  type RemoteConfigStatus,
  RemoteConfigStatusSchema,
  ServerCapabilities,
} from "@opamp-ts/protocol";
import type { EffectiveConfigInput } from "./options.js";

/** The status sub-messages subject to compression (C-10). */
type StatusField =
  | "agentDescription"
  | "health"
  | "effectiveConfig"
  | "remoteConfigStatus"
  | "packageStatuses"
  | "customCapabilities"
  | "availableComponents"
  | "connectionSettingsStatus";

interface FieldSpec {
  readonly schema: DescMessage;
  /** Agent capability needed to report the field, if any. */
  readonly capability?: AgentCapabilities;
  /** Server capability that must not be known-missing, if any (C-17). */
  readonly serverCapability?: ServerCapabilities;
}

const FIELDS: Record<StatusField, FieldSpec> = {
  agentDescription: { schema: AgentDescriptionSchema },
  health: {
    schema: ComponentHealthSchema,
    capability: AgentCapabilities.AgentCapabilities_ReportsHealth,
  },
  effectiveConfig: {
    schema: EffectiveConfigSchema,
    capability: AgentCapabilities.AgentCapabilities_ReportsEffectiveConfig,
    serverCapability: ServerCapabilities.ServerCapabilities_AcceptsEffectiveConfig,
  },
  remoteConfigStatus: {
    schema: RemoteConfigStatusSchema,
    capability: AgentCapabilities.AgentCapabilities_ReportsRemoteConfig,
  },
  packageStatuses: {
    schema: PackageStatusesSchema,
    capability: AgentCapabilities.AgentCapabilities_ReportsPackageStatuses,
  },
  customCapabilities: { schema: CustomCapabilitiesSchema },
  availableComponents: {
    schema: AvailableComponentsSchema,
    capability: AgentCapabilities.AgentCapabilities_ReportsAvailableComponents,
  },
  connectionSettingsStatus: {
    schema: ConnectionSettingsStatusSchema,
    capability: AgentCapabilities.AgentCapabilities_ReportsConnectionSettingsStatus,
  },
};

const FIELD_NAMES = Object.keys(FIELDS) as StatusField[];

/** A message ready to go out plus the hooks the transport calls once it knows its fate. */
export interface BuiltMessage {
  readonly message: AgentToServer;
  /** The message reached the transport (WS frame written, HTTP response received). */
  sent(): void;
  /** The message was lost (connection broke): what it carried is reported again. */
  failed(): void;
}

interface PendingCustom {
  readonly message: CustomMessage;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Builds every `AgentToServer` from the agent's current state: sequence
 * numbers (C-7, P-15), capabilities in every message (C-8, P-6), status
 * compression against a last-sent cache (C-10) that `ReportFullState` clears
 * (C-11, P-14), and one pending "next message" into which all changes merge
 * (C-14): the message is assembled only when the transport can send it.
 */
export class ReportBuilder {
  private sequenceNum = 0n;
  private readonly current: Partial<Record<StatusField, MessageShape<DescMessage>>> = {};
  private lastSent: Partial<Record<StatusField, MessageShape<DescMessage>>> = {};
  private effectiveConfigDue = true;
  private fullComponentsDue = false;
  private fullComponents: AvailableComponents | undefined;
  private readonly customQueue: PendingCustom[] = [];
  private connectionSettingsRequest: ConnectionSettingsRequest | undefined;
  private pending = true;
  /** Server capabilities once known; `undefined` = never received (P-30). */
  serverCapabilities: bigint | undefined;
  requestInstanceUid = false;

  constructor(
    public instanceUid: Uint8Array,
    public capabilities: bigint,
    private readonly effectiveConfigProvider:
      | (() => EffectiveConfigInput | Promise<EffectiveConfigInput>)
      | undefined,
    private readonly onProviderError: (error: unknown) => void,
  ) {}

  /** True when something changed since the last message was built. */
  get hasPending(): boolean {
    return (
      this.pending || this.customQueue.length > 0 || this.connectionSettingsRequest !== undefined
    );
  }

  /** The next sequence number to be used (for tests and diagnostics). */
  get nextSequenceNum(): bigint {
    return this.sequenceNum;
  }

  setAgentDescription(value: AgentDescription): void {
    this.set("agentDescription", value);
  }
  setHealth(value: ComponentHealth): void {
    this.set("health", value);
  }
  setRemoteConfigStatus(value: RemoteConfigStatus): void {
    this.set("remoteConfigStatus", value);
  }
  setPackageStatuses(value: PackageStatuses): void {
    this.set("packageStatuses", value);
  }
  setCustomCapabilities(value: CustomCapabilities): void {
    this.set("customCapabilities", value);
  }
  setConnectionSettingsStatus(value: ConnectionSettingsStatus): void {
    this.set("connectionSettingsStatus", value);
  }

  /** Set the components; only the hash is reported until the server asks (C-35). */
  setAvailableComponents(full: AvailableComponents): void {
    this.fullComponents = full;
    this.set("availableComponents", create(AvailableComponentsSchema, { hash: full.hash }));
  }

  /** The custom capabilities last set (C-34). */
  get customCapabilityList(): readonly string[] {
    return (this.current.customCapabilities as CustomCapabilities | undefined)?.capabilities ?? [];
  }

  get remoteConfigStatus(): RemoteConfigStatus | undefined {
    return this.current.remoteConfigStatus as RemoteConfigStatus | undefined;
  }

  /** The effective config changed: call the provider at the next report (C-23). */
  markEffectiveConfigDue(): void {
    this.effectiveConfigDue = true;
    this.pending = true;
  }

  /** `ReportFullState` (C-11, P-14): forget what was sent; the next message carries everything. */
  requestFullState(): void {
    this.lastSent = {};
    this.effectiveConfigDue = true;
    this.pending = true;
  }

  /** `ReportAvailableComponents` (C-12): the next message carries the full map. */
  requestFullComponents(): void {
    this.fullComponentsDue = true;
    delete this.lastSent.availableComponents;
    this.pending = true;
  }

  /** Queue a custom message (C-34); resolves once it has been sent. Events are not compressed. */
  queueCustomMessage(message: CustomMessage): Promise<void> {
    return new Promise((resolve, reject) => this.customQueue.push({ message, resolve, reject }));
  }

  /** Reject every custom message still waiting (the client stops). */
  dropCustomMessages(error: Error): void {
    for (const pending of this.customQueue.splice(0)) pending.reject(error);
  }

  /** Carry a `connection_settings_request` in the next message (C-33). */
  setConnectionSettingsRequest(request: ConnectionSettingsRequest): void {
    this.connectionSettingsRequest = request;
  }

  /** Mark that a message should be sent even if no status changed. */
  touch(): void {
    this.pending = true;
  }

  /**
   * Assemble the next message. Returns `undefined` when nothing changed and
   * neither `force` (first message, heartbeat, poll) nor `disconnect` is set.
   */
  async build(
    options: { force?: boolean; disconnect?: boolean; fullState?: boolean } = {},
  ): Promise<BuiltMessage | undefined> {
    if (options.fullState) this.requestFullState();
    await this.refreshEffectiveConfig();
    const message = create(AgentToServerSchema, {
      instanceUid: this.instanceUid,
      capabilities: this.capabilities,
    });
    const included: StatusField[] = [];
    const previous: Partial<Record<StatusField, MessageShape<DescMessage>>> = {};
    for (const field of FIELD_NAMES) {
      const value = this.valueToSend(field);
      if (value === undefined || !this.allowed(field)) continue;
      const last = this.lastSent[field];
      if (last !== undefined && equals(FIELDS[field].schema, last, value)) continue;
      (message as unknown as Record<string, unknown>)[field] = clone(FIELDS[field].schema, value);
      previous[field] = last;
      this.lastSent[field] = clone(FIELDS[field].schema, value);
      included.push(field);
    }
    if (included.includes("availableComponents")) this.fullComponentsDue = false;
    if (this.requestInstanceUid) {
      message.flags |= BigInt(AgentToServerFlags.AgentToServerFlags_RequestInstanceUid);
    }
    const custom = this.customQueue.shift();
    if (custom !== undefined) message.customMessage = custom.message;
    const csr = this.takeConnectionSettingsRequest();
    if (csr !== undefined) message.connectionSettingsRequest = csr;
    if (options.disconnect) message.agentDisconnect = {} as AgentToServer["agentDisconnect"];
    const changed = included.length > 0 || custom !== undefined || csr !== undefined;
    this.pending = false;
    if (!changed && !options.force && !options.disconnect) return undefined;
    message.sequenceNum = this.sequenceNum++;
    return {
      message,
      sent: () => custom?.resolve(),
      failed: () => {
        for (const field of included) {
          if (this.lastSent[field] !== undefined) this.lastSent[field] = previous[field];
        }
        if (custom !== undefined) this.customQueue.unshift(custom);
        if (csr !== undefined && this.connectionSettingsRequest === undefined) {
          this.connectionSettingsRequest = csr;
        }
        this.pending = true;
      },
    };
  }

  private takeConnectionSettingsRequest(): ConnectionSettingsRequest | undefined {
    const request = this.connectionSettingsRequest;
    this.connectionSettingsRequest = undefined;
    return request;
  }

  private set(field: StatusField, value: MessageShape<DescMessage>): void {
    this.current[field] = clone(FIELDS[field].schema, value);
    this.pending = true;
  }

  private valueToSend(field: StatusField): MessageShape<DescMessage> | undefined {
    if (field === "availableComponents" && this.fullComponentsDue) return this.fullComponents;
    return this.current[field];
  }

  private allowed(field: StatusField): boolean {
    const spec = FIELDS[field];
    if (spec.capability !== undefined && !hasBit(this.capabilities, spec.capability)) return false;
    if (spec.serverCapability !== undefined && this.serverCapabilities !== undefined) {
      return hasBit(this.serverCapabilities, spec.serverCapability);
    }
    return true;
  }

  private async refreshEffectiveConfig(): Promise<void> {
    if (!this.effectiveConfigDue || this.effectiveConfigProvider === undefined) return;
    if (!hasBit(this.capabilities, AgentCapabilities.AgentCapabilities_ReportsEffectiveConfig))
      return;
    this.effectiveConfigDue = false;
    let configMap: EffectiveConfigInput;
    try {
      configMap = await this.effectiveConfigProvider();
    } catch (error) {
      // Keep reporting the last known effective config; the error is surfaced.
      this.onProviderError(error);
      return;
    }
    const value: EffectiveConfig = create(EffectiveConfigSchema, { configMap });
    this.current.effectiveConfig = value;
  }
}
