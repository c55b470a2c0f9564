import {
  AgentCapabilities,
  AgentDescriptionSchema,
  type AgentRemoteConfig,
  attributesToKeyValues,
  ComponentHealthSchema,
  type ConnectionSettingsOffers,
  ConnectionSettingsRequestSchema,
  CustomCapabilitiesSchema,
  CustomMessageSchema,
  create,
  DEFAULT_HEARTBEAT_INTERVAL_SECONDS,
  DEFAULT_MAX_MESSAGE_BYTES,
  formatInstanceUid,
  hasBit,
  type MessageInitShape,
  newInstanceUid,
  parseInstanceUid,
  ServerCapabilities,
} from "@opamp-ts/protocol";
import { availableComponents } from "./available-components.js";
import { ConnectionSettingsFlow } from "./connection-settings-flow.js";
import { createCertificateRequest } from "./csr.js";
import { OpampClientError, toClientError } from "./errors.js";
import { type OpampClientEvents, TypedEmitter } from "./events.js";
import { heartbeatIntervalMs } from "./heartbeat.js";
import { type Logger, noopLogger } from "./logger.js";
import type {
  AgentDescriptionInput,
  AvailableComponentsInput,
  OpampClientOptions,
  OpampConnectionSettings,
} from "./options.js";
import { validateOptions } from "./options-validation.js";
import { PackageSyncer } from "./packages/syncer.js";
import { ReceivedProcessor } from "./received-processor.js";
import { RemoteConfigFlow } from "./remote-config.js";
import { ReportBuilder } from "./report-builder.js";
import { StateKeeper } from "./state-keeper.js";
import { MemoryStateStore } from "./state-store.js";
import { createTransport } from "./transport/factory.js";
import type { Transport, TransportHost } from "./transport/types.js";

type Lifecycle = "new" | "running" | "stopping" | "stopped";

const REPORTS_STATUS = BigInt(AgentCapabilities.AgentCapabilities_ReportsStatus);

/**
 * An OpAMP client for a Node.js agent or supervisor: WebSocket or plain HTTP,
 * status reporting with compression, remote config, connection settings with
 * verify-then-commit, packages, CSR, custom messages and persistent state
 * (spec §4, rules C-1…C-40). Background work never throws: problems arrive as
 * `clientError` / `connectFailed` / `serverError` events and in the logger.
 */
export class OpampClient extends TypedEmitter<OpampClientEvents> {
  private readonly options: OpampClientOptions;
  private readonly log: Logger;
  private readonly localHeartbeatSeconds: number;
  private capabilitiesMask: bigint;
  private description: AgentDescriptionInput;
  private readonly state: StateKeeper;
  private lifecycle: Lifecycle = "new";
  private builder: ReportBuilder | undefined;
  private processor: ReceivedProcessor | undefined;
  private remoteConfigFlow: RemoteConfigFlow | undefined;
  private syncer: PackageSyncer | undefined;
  private transport: Transport | undefined;
  private settings: OpampConnectionSettings;
  private previousUid: Uint8Array | undefined;
  private settingsFlow: ConnectionSettingsFlow | undefined;

  constructor(options: OpampClientOptions) {
    const logger = options.logger ?? noopLogger;
    super(logger);
    this.log = logger;
    this.options = options;
    validateOptions(options);
    this.capabilitiesMask = options.capabilities | REPORTS_STATUS;
    this.description = options.agentDescription;
    this.state = new StateKeeper(options.stateStore ?? new MemoryStateStore(), (error) =>
      this.reportError(error),
    );
    this.localHeartbeatSeconds =
      options.heartbeatIntervalSeconds ?? DEFAULT_HEARTBEAT_INTERVAL_SECONDS;
    this.settings = {
      endpoint: options.endpoint,
      headers: { ...(options.headers ?? {}) },
      tls: options.tls ?? {},
      heartbeatIntervalSeconds: this.localHeartbeatSeconds,
    };
  }

  /** The current instance uid (16 bytes, C-1); available after {@link start}. */
  get instanceUid(): Uint8Array {
    if (this.builder !== undefined) return this.builder.instanceUid;
    if (this.options.instanceUid !== undefined) return this.options.instanceUid;
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
    return this.builder?.serverCapabilities;
  }

  /** The last remote config received, restored from the state store after a restart (C-22). */
  get remoteConfig(): AgentRemoteConfig | undefined {
    return this.remoteConfigFlow?.current;
  }

  /** The OpAMP connection settings in use (committed, C-31). */
  get connectionSettings(): OpampConnectionSettings {
    return this.settings;
  }

  /**
   * Load the persisted state and connect. Rejects only for problems the caller
   * must fix (unreadable state store); connection problems are retried in the
   * background and reported as `connectFailed`.
   */
  async start(): Promise<void> {
    if (this.lifecycle !== "new")
      throw new OpampClientError("INVALID_STATE", "start() may be called once");
    await this.state.load();
    const uid = this.initialInstanceUid();
    const builder = new ReportBuilder(
      uid,
      this.capabilitiesMask,
      this.options.effectiveConfig,
      (error) =>
        this.reportError(toClientError("HANDLER_FAILED", error, "effective config provider")),
    );
    this.builder = builder;
    builder.requestInstanceUid = this.options.requestInstanceUid ?? false;
    builder.setAgentDescription(this.describe(this.description));
    if (
      this.options.customCapabilities !== undefined &&
      this.options.customCapabilities.length > 0
    ) {
      builder.setCustomCapabilities(
        create(CustomCapabilitiesSchema, { capabilities: [...this.options.customCapabilities] }),
      );
    }
    if (this.options.availableComponents !== undefined) {
      builder.setAvailableComponents(availableComponents(this.options.availableComponents));
    }
    this.restoreRemoteConfig(builder);
    this.restoreConnectionSettings(builder);
    this.restorePackages(builder);
    this.processor = new ReceivedProcessor(this.processorHost(builder));
    this.lifecycle = "running";
    if (this.state.state.instanceUid !== formatInstanceUid(uid)) {
      await this.state.update({ instanceUid: formatInstanceUid(uid) });
    }
    // C-31 step 1: a candidate left by a crash is validated again at start-up.
    if (this.settingsFlow?.resume()) return;
    this.transport = this.createTransport(this.settings);
    this.transport.start();
  }

  /**
   * Stop: the last message carries `agent_disconnect` and a WebSocket is
   * closed with a Close frame (C-36). Pending state writes are flushed.
   */
  async stop(): Promise<void> {
    if (this.lifecycle !== "running") return;
    this.lifecycle = "stopping";
    this.settingsFlow?.cancel();
    await this.settingsFlow?.idle();
    await this.transport?.stop({ disconnect: true });
    this.transport = undefined;
    this.builder?.dropCustomMessages(
      new OpampClientError(
        "INVALID_STATE",
        "the client stopped before the custom message was sent",
      ),
    );
    await this.state.flushed();
    this.lifecycle = "stopped";
  }

  /** Replace the agent description; reported in the next message (C-10, C-14). */
  setAgentDescription(description: AgentDescriptionInput): void {
    this.description = description;
    this.builder?.setAgentDescription(this.describe(description));
    this.wake();
  }

  /** Report component health (C-24). Set `statusTimeUnixNano` when observed (P-32). */
  setHealth(health: MessageInitShape<typeof ComponentHealthSchema>): void {
    this.requireStarted().setHealth(create(ComponentHealthSchema, health));
    this.wake();
  }

  /** The effective config changed: the provider is called for the next report (C-23). */
  updateEffectiveConfig(): void {
    this.requireStarted().markEffectiveConfigDue();
    this.wake();
  }

  /** Replace the custom capabilities list (C-34); each send replaces the previous list. */
  setCustomCapabilities(capabilities: readonly string[]): void {
    this.requireStarted().setCustomCapabilities(
      create(CustomCapabilitiesSchema, { capabilities: [...capabilities] }),
    );
    this.wake();
  }

  /** Replace the available components; only the new hash is reported until asked (C-35). */
  setAvailableComponents(components: AvailableComponentsInput): void {
    this.requireStarted().setAvailableComponents(availableComponents(components));
    this.wake();
  }

  /**
   * Change the capabilities after start (P-23): the next message carries the
   * new mask and the full state so the server can follow.
   */
  setCapabilities(capabilities: bigint): void {
    const builder = this.requireStarted();
    this.capabilitiesMask = capabilities | REPORTS_STATUS;
    builder.capabilities = this.capabilitiesMask;
    builder.requestFullState();
    this.wake();
  }

  /**
   * Send a custom message (C-34). Only for a capability this agent declared
   * and, once the server has listed its own, one the server declared too.
   * Resolves when the message has been handed to the connection.
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
    const serverList = this.processor?.serverCustomCapabilities;
    if (serverList !== undefined && !serverList.includes(message.capability)) {
      return Promise.reject(
        new OpampClientError(
          "INVALID_STATE",
          `the server does not support custom capability ${message.capability}`,
        ),
      );
    }
    const sent = builder.queueCustomMessage(create(CustomMessageSchema, message));
    this.wake();
    return sent;
  }

  /**
   * Start the agent-initiated CSR flow (C-33): generate a key pair and a CSR
   * with the instance uid, keep the key in the state store, send the request.
   * The certificate offer that answers it goes through verify-then-commit.
   */
  async requestCertificate(): Promise<void> {
    const builder = this.requireStarted();
    if (
      !hasBit(
        this.capabilitiesMask,
        AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings,
      )
    ) {
      throw new OpampClientError(
        "INVALID_STATE",
        "the CSR flow needs AcceptsOpAMPConnectionSettings",
      );
    }
    const server = builder.serverCapabilities;
    if (
      server !== undefined &&
      !hasBit(server, ServerCapabilities.ServerCapabilities_AcceptsConnectionSettingsRequest)
    ) {
      throw new OpampClientError(
        "INVALID_STATE",
        "the server does not accept connection settings requests (C-17)",
      );
    }
    if (!this.state.store.durable) {
      throw new OpampClientError(
        "INVALID_STATE",
        "the CSR flow needs a durable state store (C-31)",
      );
    }
    const material = await createCertificateRequest(formatInstanceUid(builder.instanceUid));
    await this.state.update({ csrKey: material.keyPem });
    builder.setConnectionSettingsRequest(
      create(ConnectionSettingsRequestSchema, {
        opamp: { certificateRequest: { csr: new TextEncoder().encode(material.csrPem) } },
      }),
    );
    this.wake();
  }

  /** Resolves once queued remote configs, settings offers and package syncs are done (for tests, shutdown). */
  async idle(): Promise<void> {
    await this.remoteConfigFlow?.idle();
    await this.settingsFlow?.idle();
    await this.syncer?.idle();
    await this.state.flushed();
  }

  private requireStarted(): ReportBuilder {
    if (this.builder === undefined) {
      throw new OpampClientError("INVALID_STATE", "the client has not been started");
    }
    return this.builder;
  }

  private wake(): void {
    this.transport?.wake();
  }

  private reportError(error: OpampClientError): void {
    this.log.warn(error.message, { code: error.code });
    this.emit("clientError", error);
  }

  private initialInstanceUid(): Uint8Array {
    if (this.options.instanceUid !== undefined) return this.options.instanceUid;
    if (this.state.state.instanceUid !== undefined) {
      try {
        return parseInstanceUid(this.state.state.instanceUid);
      } catch (error) {
        this.reportError(
          toClientError("STATE_STORE", error, "stored instance uid is invalid; generating one"),
        );
      }
    }
    return newInstanceUid();
  }

  private describe(description: AgentDescriptionInput) {
    return create(AgentDescriptionSchema, {
      identifyingAttributes: attributesToKeyValues(description.identifyingAttributes),
      nonIdentifyingAttributes: attributesToKeyValues(description.nonIdentifyingAttributes ?? {}),
    });
  }

  private restoreRemoteConfig(builder: ReportBuilder): void {
    const { onRemoteConfig } = this.options;
    if (onRemoteConfig === undefined) return;
    this.remoteConfigFlow = new RemoteConfigFlow({
      logger: this.log,
      reportApplying: this.options.reportApplying ?? true,
      handler: onRemoteConfig,
      policy: this.options.remoteConfigPolicy,
      report: (status) => {
        builder.setRemoteConfigStatus(status);
        this.wake();
      },
      effectiveConfigChanged: () => {
        builder.markEffectiveConfigDue();
        this.wake();
      },
      persist: (entry) => this.state.update({ remoteConfig: entry }),
      reportError: (error) => this.reportError(error),
    });
    const status = this.remoteConfigFlow.restore(this.state.state.remoteConfig);
    if (status !== undefined) builder.setRemoteConfigStatus(status);
  }

  private restoreConnectionSettings(builder: ReportBuilder): void {
    const committed = this.state.state.connectionSettings?.committed;
    if (committed !== undefined) this.settings = committed;
    this.settingsFlow = new ConnectionSettingsFlow({
      builder,
      durableStorage: this.state.store.durable,
      baseHeaders: this.options.headers ?? {},
      allowInsecureTls: this.options.allowInsecureTlsFromServer ?? false,
      verifyTimeoutMs: this.options.timing?.connectionSettingsVerifyTimeoutMs ?? 30_000,
      capabilities: () => this.capabilitiesMask,
      running: () => this.lifecycle === "running",
      csrKey: () => this.state.state.csrKey,
      stored: () => this.state.state.connectionSettings,
      store: (state) => this.state.update({ connectionSettings: state }),
      committed: () => this.settings,
      commit: (settings) => {
        this.settings = settings;
      },
      transport: () => this.transport,
      connect: (settings) => {
        this.transport = this.createTransport(settings);
        this.transport.start();
        return this.transport;
      },
      clearTransport: () => {
        this.transport = undefined;
      },
      ownTelemetry: (kind, settings) => this.emit("ownTelemetrySettings", kind, settings),
      otherConnection: (name, settings) => this.emit("otherConnectionSettings", name, settings),
      opampSettings: (event) => this.emit("opampConnectionSettings", event),
      wake: () => this.wake(),
    });
  }

  private restorePackages(builder: ReportBuilder): void {
    const packages = this.options.packages;
    if (packages === undefined) return;
    this.syncer = new PackageSyncer(
      packages,
      {
        logger: this.log,
        tls: () => this.settings.tls,
        load: () => this.state.state.packages,
        save: (state) => this.state.update({ packages: state }),
        report: (statuses) => {
          builder.setPackageStatuses(statuses);
          this.wake();
        },
        reportError: (error) => this.reportError(error),
      },
      {
        progressIntervalMs: this.options.timing?.downloadProgressIntervalMs ?? 1_000,
        timeoutMs: this.options.timing?.requestTimeoutMs ?? 60_000,
      },
    );
    const statuses = this.syncer.initialStatuses();
    if (
      Object.keys(statuses.packages).length > 0 ||
      statuses.serverProvidedAllPackagesHash.length > 0
    ) {
      builder.setPackageStatuses(statuses);
    }
  }

  private processorHost(builder: ReportBuilder) {
    return {
      logger: this.log,
      builder,
      capabilities: () => this.capabilitiesMask,
      instanceUid: () => builder.instanceUid,
      previousInstanceUid: () => this.previousUid,
      adoptInstanceUid: (uid: Uint8Array) => this.adoptInstanceUid(builder, uid),
      serverError: (error: OpampClientEvents["serverError"][0]) => this.emit("serverError", error),
      command: (command: OpampClientEvents["command"][0]) => this.emit("command", command),
      remoteConfig: (config: AgentRemoteConfig) => this.remoteConfigFlow?.offer(config),
      connectionSettings: (offers: ConnectionSettingsOffers) => this.settingsFlow?.offer(offers),
      packagesAvailable: (offer: OpampClientEvents["packagesAvailable"][0]) => {
        this.emit("packagesAvailable", offer);
        this.syncer?.offer(offer);
      },
      customMessage: (message: OpampClientEvents["customMessage"][0]) =>
        this.emit("customMessage", message),
      reportError: (error: OpampClientError) => this.reportError(error),
      wake: () => this.wake(),
    };
  }

  /** C-3, P-16: adopt, persist, clear the request flag, refresh `service.instance.id`. */
  private adoptInstanceUid(builder: ReportBuilder, uid: Uint8Array): void {
    const oldText = formatInstanceUid(builder.instanceUid);
    this.previousUid = builder.instanceUid;
    builder.instanceUid = new Uint8Array(uid);
    builder.requestInstanceUid = false;
    const attributes = this.description.identifyingAttributes;
    if (attributes["service.instance.id"] === oldText) {
      this.setAgentDescription({
        ...this.description,
        identifyingAttributes: { ...attributes, "service.instance.id": formatInstanceUid(uid) },
      });
    }
    void this.state.update({ instanceUid: formatInstanceUid(uid) });
    this.emit("newInstanceUid", new Uint8Array(uid));
    builder.touch();
  }

  private createTransport(settings: OpampConnectionSettings): Transport {
    const timing = this.options.timing ?? {};
    const config = {
      settings,
      maxReceiveBytes: this.options.maxReceiveBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      maxSendBytes: this.options.maxSendBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      backoff: timing.backoff ?? {},
      pingIntervalMs: timing.pingIntervalMs ?? 30_000,
      requestTimeoutMs: timing.requestTimeoutMs ?? 60_000,
      compressRequests: this.options.compressRequests ?? false,
      instanceUidText: () => formatInstanceUid(this.requireStarted().instanceUid),
    };
    let transport: Transport | undefined;
    const isCurrent = () => transport !== undefined && transport === this.transport;
    const host: TransportHost = {
      logger: this.log,
      build: (options) => this.requireStarted().build(options),
      hasPending: () => this.requireStarted().hasPending,
      receive: async (message) => {
        if (this.processor === undefined) return { kind: "ignored" };
        return this.processor.process(message);
      },
      connected: () => {
        if (!isCurrent()) return;
        this.settingsFlow?.transportConnected();
        this.emit("connected");
      },
      connectFailed: (error) => {
        if (!isCurrent()) return;
        this.settingsFlow?.transportFailed(error.message);
        this.log.debug("connection failed", { code: error.code, message: error.message });
        this.emit("connectFailed", error);
      },
      reportError: (error) => this.reportError(error),
      heartbeatIntervalMs: (kind) =>
        heartbeatIntervalMs(
          kind,
          this.capabilitiesMask,
          settings.heartbeatIntervalSeconds,
          this.localHeartbeatSeconds,
        ),
    };
    transport = createTransport(config, host);
    return transport;
  }
}
