import {
  AgentCapabilities,
  type AgentRemoteConfig,
  ComponentHealthSchema,
  CustomCapabilitiesSchema,
  CustomMessageSchema,
  create,
  DEFAULT_HEARTBEAT_INTERVAL_SECONDS,
  formatInstanceUid,
  type MessageInitShape,
  PackageStatusesSchema,
} from "@opamp-ts/protocol";
import { toAgentDescription } from "./agent-description.js";
import { availableComponents } from "./available-components.js";
import { CertificateRenewal } from "./certificate-renewal.js";
import {
  type ClientRuntime,
  createClientTransport,
  processorHost,
  providerError,
  startConnectionSettings,
  startPackages,
  startRemoteConfig,
} from "./client-runtime.js";
import { OpampClientError } from "./errors.js";
import { type OpampClientEvents, TypedEmitter } from "./events.js";
import { noopLogger } from "./logger.js";
import type {
  AgentDescriptionInput,
  AvailableComponentsInput,
  OpampClientOptions,
  OpampConnectionSettings,
  RemoteConfigResult,
} from "./options.js";
import { validateOptions } from "./options-validation.js";
import { ReceivedProcessor } from "./received-processor.js";
import { ReportBuilder } from "./report-builder.js";
import { StateKeeper } from "./state-keeper.js";
import { MemoryStateStore } from "./state-store.js";

type Lifecycle = "new" | "running" | "stopping" | "stopped";

const REPORTS_STATUS = BigInt(AgentCapabilities.AgentCapabilities_ReportsStatus);

/**
 * An OpAMP client for a Node.js agent or supervisor: WebSocket or plain HTTP,
 * status reporting with compression, remote config, connection settings with
 * verify-then-commit, packages, CSR, custom messages and persistent state
 * (spec §4, rules C-1…C-40). Background work never throws: problems arrive as
 * `clientError` / `connectFailed` / `serverError` events and in the logger.
 *
 * The status setters work before {@link start} too: what they set goes into
 * the first message, which is a full status report (C-6).
 */
export class OpampClient extends TypedEmitter<OpampClientEvents> {
  private readonly rt: ClientRuntime;
  private capabilitiesMask: bigint;
  private description: AgentDescriptionInput;
  private lifecycle: Lifecycle = "new";
  private renewal: Promise<void> = Promise.resolve();

  constructor(options: OpampClientOptions) {
    const logger = options.logger ?? noopLogger;
    super(logger);
    validateOptions(options);
    this.capabilitiesMask = options.capabilities | REPORTS_STATUS;
    this.description = options.agentDescription;
    const localHeartbeatSeconds =
      options.heartbeatIntervalSeconds ?? DEFAULT_HEARTBEAT_INTERVAL_SECONDS;
    const reportError = (error: OpampClientError) => {
      logger.warn(error.message, { code: error.code });
      this.emit("clientError", error);
    };
    // The uid is settled by start() (configured, stored or new, C-1); until
    // then the builder holds a placeholder that is never sent.
    const builder = new ReportBuilder(
      options.instanceUid ?? new Uint8Array(16),
      this.capabilitiesMask,
      options.effectiveConfig,
      providerError({ reportError }),
    );
    builder.requestInstanceUid = options.requestInstanceUid ?? false;
    builder.setAgentDescription(toAgentDescription(this.description));
    if (options.customCapabilities !== undefined && options.customCapabilities.length > 0) {
      builder.setCustomCapabilities(
        create(CustomCapabilitiesSchema, { capabilities: [...options.customCapabilities] }),
      );
    }
    if (options.availableComponents !== undefined) {
      builder.setAvailableComponents(availableComponents(options.availableComponents));
    }
    this.rt = {
      options,
      log: logger,
      state: new StateKeeper(options.stateStore ?? new MemoryStateStore(), reportError),
      builder,
      localHeartbeatSeconds,
      settings: {
        endpoint: options.endpoint,
        headers: { ...(options.headers ?? {}) },
        tls: options.tls ?? {},
        heartbeatIntervalSeconds: localHeartbeatSeconds,
        ...(options.proxy === undefined ? {} : { proxy: options.proxy }),
      },
      transport: undefined,
      remoteConfigFlow: undefined,
      settingsFlow: undefined,
      syncer: undefined,
      processor: undefined,
      certificates: undefined,
      previousUid: undefined,
      capabilities: () => this.capabilitiesMask,
      running: () => this.lifecycle === "running",
      emit: (event, ...args) => this.emit(event, ...args),
      reportError,
      wake: () => this.rt.transport?.wake(),
      adoptInstanceUid: (uid) => this.adoptInstanceUid(uid),
    };
    this.rt.certificates = new CertificateRenewal(this.rt);
  }

  /** The current instance uid (16 bytes, C-1); available after {@link start}. */
  get instanceUid(): Uint8Array {
    if (this.lifecycle !== "new" || this.rt.options.instanceUid !== undefined) {
      return this.rt.builder.instanceUid;
    }
    throw new OpampClientError(
      "INVALID_STATE",
      "the instance uid is known once the client has started",
    );
  }

  /** The declared capabilities, `ReportsStatus` included (C-8). */
  get capabilities(): bigint {
    return this.capabilitiesMask;
  }

  /** The server's capabilities once received; `undefined` until then (P-30). */
  get serverCapabilities(): bigint | undefined {
    return this.rt.builder.serverCapabilities;
  }

  /** The last remote config received, restored from the state store after a restart (C-22). */
  get remoteConfig(): AgentRemoteConfig | undefined {
    return this.rt.remoteConfigFlow?.current;
  }

  /** The OpAMP connection settings in use (committed, C-31). */
  get connectionSettings(): OpampConnectionSettings {
    return this.rt.settings;
  }

  /**
   * Load the persisted state and connect. Rejects only for problems the caller
   * must fix (unreadable state store); connection problems are retried in the
   * background and reported as `connectFailed`.
   */
  async start(): Promise<void> {
    if (this.lifecycle !== "new")
      throw new OpampClientError("INVALID_STATE", "start() may be called once");
    const { rt } = this;
    await rt.state.load();
    const uid = rt.state.instanceUid(rt.options.instanceUid);
    rt.builder.instanceUid = uid;
    startRemoteConfig(rt);
    startConnectionSettings(rt);
    startPackages(rt);
    rt.processor = new ReceivedProcessor(processorHost(rt));
    this.lifecycle = "running";
    if (rt.state.state.instanceUid !== formatInstanceUid(uid)) {
      await rt.state.update({ instanceUid: formatInstanceUid(uid) });
    }
    // C-31 step 1: a candidate left by a crash is validated again at start-up.
    if (rt.settingsFlow?.resume()) return;
    rt.transport = createClientTransport(rt, rt.settings);
    rt.transport.start();
  }

  /**
   * Stop: the last message carries `agent_disconnect` and a WebSocket is
   * closed with a Close frame (C-36). Pending state writes are flushed.
   */
  async stop(): Promise<void> {
    if (this.lifecycle !== "running") return;
    const { rt } = this;
    this.lifecycle = "stopping";
    rt.settingsFlow?.cancel();
    await rt.settingsFlow?.idle();
    await rt.transport?.stop({ disconnect: true });
    rt.transport = undefined;
    rt.builder.dropCustomMessages(
      new OpampClientError(
        "INVALID_STATE",
        "the client stopped before the custom message was sent",
      ),
    );
    await rt.state.flushed();
    this.lifecycle = "stopped";
  }

  /** Replace the agent description; reported in the next message (C-10, C-14). Works before start. */
  setAgentDescription(description: AgentDescriptionInput): void {
    this.description = description;
    this.rt.builder.setAgentDescription(toAgentDescription(description));
    this.rt.wake();
  }

  /**
   * Report component health (C-24). Set `statusTimeUnixNano` when observed
   * (P-32). Works before start: the first report carries it (C-6).
   */
  setHealth(health: MessageInitShape<typeof ComponentHealthSchema>): void {
    this.rt.builder.setHealth(create(ComponentHealthSchema, health));
    this.rt.wake();
  }

  /** The effective config changed: the provider is called for the next report (C-23). */
  updateEffectiveConfig(): void {
    this.rt.builder.markEffectiveConfigDue();
    this.rt.wake();
  }

  /**
   * Report the final result for the last remote config received, e.g. after
   * the handler answered `pending` (C-21 step 5). The received hash goes with
   * it (P-12) and the outcome is persisted (C-22). Needs a started client.
   */
  async setRemoteConfigStatus(result: RemoteConfigResult): Promise<void> {
    this.requireStarted();
    if (this.rt.remoteConfigFlow === undefined) {
      throw new OpampClientError(
        "INVALID_STATE",
        "remote config is not enabled (no onRemoteConfig handler)",
      );
    }
    await this.rt.remoteConfigFlow.complete(result);
  }

  /**
   * Report package statuses for agents that install packages themselves from
   * the `packagesAvailable` event (§6.4). With `packages` configured the
   * syncer owns them and this throws `INVALID_STATE`. Works before start.
   */
  setPackageStatuses(statuses: MessageInitShape<typeof PackageStatusesSchema>): void {
    if (this.rt.options.packages !== undefined) {
      throw new OpampClientError(
        "INVALID_STATE",
        "package statuses are reported by the configured syncer",
      );
    }
    this.rt.builder.setPackageStatuses(create(PackageStatusesSchema, statuses));
    this.rt.wake();
  }

  /** Replace the custom capabilities list (C-34); each send replaces the previous list. Works before start. */
  setCustomCapabilities(capabilities: readonly string[]): void {
    this.rt.builder.setCustomCapabilities(
      create(CustomCapabilitiesSchema, { capabilities: [...capabilities] }),
    );
    this.rt.wake();
  }

  /** Replace the available components; only the new hash is reported until asked (C-35). Works before start. */
  setAvailableComponents(components: AvailableComponentsInput): void {
    this.rt.builder.setAvailableComponents(availableComponents(components));
    this.rt.wake();
  }

  /**
   * Change the capabilities (P-23): the next message carries the new mask and
   * the full state so the server can follow. Works before start.
   */
  setCapabilities(capabilities: bigint): void {
    this.capabilitiesMask = capabilities | REPORTS_STATUS;
    this.rt.builder.capabilities = this.capabilitiesMask;
    this.rt.builder.requestFullState();
    this.rt.wake();
  }

  /**
   * Send a custom message (C-34). Only for a capability this agent declared
   * and, once the server has listed its own, one the server declared too.
   * Resolves when the message has been handed to the connection. Needs a
   * running client.
   */
  sendCustomMessage(message: {
    capability: string;
    type: string;
    data: Uint8Array;
  }): Promise<void> {
    const builder = this.requireStarted();
    if (!builder.customCapabilityList.includes(message.capability)) {
      return Promise.reject(
        new OpampClientError(
          "INVALID_STATE",
          `custom capability ${message.capability} is not declared`,
        ),
      );
    }
    const serverList = this.rt.processor?.serverCustomCapabilities;
    if (serverList !== undefined && !serverList.includes(message.capability)) {
      return Promise.reject(
        new OpampClientError(
          "INVALID_STATE",
          `the server does not support custom capability ${message.capability}`,
        ),
      );
    }
    const sent = builder.queueCustomMessage(create(CustomMessageSchema, message));
    this.rt.wake();
    return sent;
  }

  /**
   * Start the agent-initiated CSR flow (C-33): generate a key pair and a CSR
   * with the instance uid, keep the key in the state store, send the request.
   * The certificate offer that answers it goes through verify-then-commit.
   */
  async requestCertificate(): Promise<void> {
    this.requireStarted();
    await this.rt.certificates?.request();
  }

  /** Resolves once queued remote configs, settings offers, package syncs and certificate renewals are done (for tests, shutdown). */
  async idle(): Promise<void> {
    await this.rt.remoteConfigFlow?.idle();
    await this.rt.settingsFlow?.idle();
    await this.rt.syncer?.idle();
    await this.renewal;
    await this.rt.state.flushed();
  }

  private requireStarted(): ReportBuilder {
    if (this.lifecycle === "new") {
      throw new OpampClientError("INVALID_STATE", "the client has not been started");
    }
    return this.rt.builder;
  }

  /** `service.instance.id` follows the instance uid it was set from (P-16). */
  private refreshServiceInstanceId(oldText: string, uid: Uint8Array): void {
    const attributes = this.description.identifyingAttributes;
    if (attributes["service.instance.id"] !== oldText) return;
    this.setAgentDescription({
      ...this.description,
      identifyingAttributes: { ...attributes, "service.instance.id": formatInstanceUid(uid) },
    });
  }

  /** C-3, P-16: adopt, persist, clear the request flag, refresh `service.instance.id`, renew a CSR certificate. */
  private adoptInstanceUid(uid: Uint8Array): void {
    const { rt } = this;
    const oldText = formatInstanceUid(rt.builder.instanceUid);
    rt.previousUid = rt.builder.instanceUid;
    rt.builder.instanceUid = new Uint8Array(uid);
    rt.builder.requestInstanceUid = false;
    this.refreshServiceInstanceId(oldText, uid);
    void rt.state.update({ instanceUid: formatInstanceUid(uid) });
    this.emit("newInstanceUid", new Uint8Array(uid));
    rt.builder.touch();
    const renewal = rt.certificates?.instanceUidChanged(oldText) ?? Promise.resolve();
    this.renewal = this.renewal.then(() => renewal);
  }
}
