import type { AgentRemoteConfig, ConnectionSettingsOffers } from "@opamp-ts/protocol";
import { formatInstanceUid } from "@opamp-ts/protocol";
import type { CertificateRenewal } from "./certificate-renewal.js";
import { ConnectionSettingsFlow } from "./connection-settings-flow.js";
import type { OpampClientError } from "./errors.js";
import { toClientError } from "./errors.js";
import type { OpampClientEvents } from "./events.js";
import { heartbeatIntervalMs } from "./heartbeat.js";
import type { Logger } from "./logger.js";
import type { OpampClientOptions, OpampConnectionSettings } from "./options.js";
import { PackageSyncer } from "./packages/syncer.js";
import type { ProcessorHost, ReceivedProcessor } from "./received-processor.js";
import { RemoteConfigFlow } from "./remote-config.js";
import type { ReportBuilder } from "./report-builder.js";
import type { StateKeeper } from "./state-keeper.js";
import { createTransport, transportConfig } from "./transport/factory.js";
import type { Transport, TransportHost } from "./transport/types.js";

/**
 * The mutable inside of one {@link OpampClient}: the pieces that exist once
 * the client has started and the hooks they share. The client is the facade;
 * the functions below wire the flows to it, one per concept of spec §4.
 */
export interface ClientRuntime {
  readonly options: OpampClientOptions;
  readonly log: Logger;
  readonly state: StateKeeper;
  /** Exists from construction so setters work before `start()` (C-6). */
  readonly builder: ReportBuilder;
  readonly localHeartbeatSeconds: number;
  /** The committed OpAMP connection settings (C-31). */
  settings: OpampConnectionSettings;
  transport: Transport | undefined;
  remoteConfigFlow: RemoteConfigFlow | undefined;
  settingsFlow: ConnectionSettingsFlow | undefined;
  syncer: PackageSyncer | undefined;
  processor: ReceivedProcessor | undefined;
  certificates: CertificateRenewal | undefined;
  /** The uid replaced by the last `new_instance_uid`, still a valid address (C-4). */
  previousUid: Uint8Array | undefined;
  capabilities(): bigint;
  running(): boolean;
  emit<K extends keyof OpampClientEvents>(event: K, ...args: OpampClientEvents[K]): void;
  reportError(error: OpampClientError): void;
  wake(): void;
  adoptInstanceUid(uid: Uint8Array): void;
}

/** Remote config (C-21, C-22): restored from the state store, reported first after a restart. */
export function startRemoteConfig(rt: ClientRuntime): void {
  const { onRemoteConfig } = rt.options;
  if (onRemoteConfig === undefined) return;
  const builder = rt.builder;
  rt.remoteConfigFlow = new RemoteConfigFlow({
    logger: rt.log,
    reportApplying: rt.options.reportApplying ?? true,
    handler: onRemoteConfig,
    policy: rt.options.remoteConfigPolicy,
    report: (status) => {
      builder.setRemoteConfigStatus(status);
      rt.wake();
    },
    effectiveConfigChanged: () => {
      builder.markEffectiveConfigDue();
      rt.wake();
    },
    persist: (entry) => rt.state.update({ remoteConfig: entry }),
    reportError: (error) => rt.reportError(error),
  });
  const status = rt.remoteConfigFlow.restore(rt.state.state.remoteConfig);
  if (status !== undefined) builder.setRemoteConfigStatus(status);
}

/** Connection settings (C-26…C-32): the committed set is restored, offers verified before commit. */
export function startConnectionSettings(rt: ClientRuntime): void {
  const committed = rt.state.state.connectionSettings?.committed;
  if (committed !== undefined) rt.settings = committed;
  rt.settingsFlow = new ConnectionSettingsFlow({
    builder: rt.builder,
    durableStorage: rt.state.store.durable,
    baseHeaders: rt.options.headers ?? {},
    allowInsecureTls: rt.options.allowInsecureTlsFromServer ?? false,
    verifyTimeoutMs: rt.options.timing?.connectionSettingsVerifyTimeoutMs ?? 30_000,
    capabilities: () => rt.capabilities(),
    running: () => rt.running(),
    csrKey: () => rt.state.state.csrKey,
    stored: () => rt.state.state.connectionSettings,
    store: (state) => rt.state.update({ connectionSettings: state }),
    committed: () => rt.settings,
    commit: (settings) => {
      rt.settings = settings;
    },
    transport: () => rt.transport,
    connect: (settings) => {
      const transport = createClientTransport(rt, settings);
      rt.transport = transport;
      transport.start();
      return transport;
    },
    clearTransport: () => {
      rt.transport = undefined;
    },
    ownTelemetry: (kind, settings) => rt.emit("ownTelemetrySettings", kind, settings),
    otherConnection: (name, settings) => rt.emit("otherConnectionSettings", name, settings),
    opampSettings: (event) => rt.emit("opampConnectionSettings", event),
    wake: () => rt.wake(),
  });
}

/** Packages (§6): the syncer, with the installed packages reported in the first message (C-6). */
export function startPackages(rt: ClientRuntime): void {
  const packages = rt.options.packages;
  if (packages === undefined) return;
  const builder = rt.builder;
  rt.syncer = new PackageSyncer(
    packages,
    {
      logger: rt.log,
      tls: () => rt.settings.tls,
      load: () => rt.state.state.packages,
      save: (state) => rt.state.update({ packages: state }),
      report: (statuses) => {
        builder.setPackageStatuses(statuses);
        rt.wake();
      },
      reportError: (error) => rt.reportError(error),
    },
    {
      progressIntervalMs: rt.options.timing?.downloadProgressIntervalMs ?? 1_000,
      timeoutMs: rt.options.timing?.requestTimeoutMs ?? 60_000,
    },
  );
  const statuses = rt.syncer.initialStatuses();
  if (
    Object.keys(statuses.packages).length > 0 ||
    statuses.serverProvidedAllPackagesHash.length > 0
  ) {
    builder.setPackageStatuses(statuses);
  }
}

/** What the `ServerToAgent` processor may do to the client (C-15). */
export function processorHost(rt: ClientRuntime): ProcessorHost {
  return {
    logger: rt.log,
    builder: rt.builder,
    capabilities: () => rt.capabilities(),
    instanceUid: () => rt.builder.instanceUid,
    previousInstanceUid: () => rt.previousUid,
    adoptInstanceUid: (uid) => rt.adoptInstanceUid(uid),
    serverError: (error) => rt.emit("serverError", error),
    command: (command) => rt.emit("command", command),
    remoteConfig: (config: AgentRemoteConfig) => rt.remoteConfigFlow?.offer(config),
    connectionSettings: (offers: ConnectionSettingsOffers) => rt.settingsFlow?.offer(offers),
    packagesAvailable: (offer) => {
      rt.emit("packagesAvailable", offer);
      rt.syncer?.offer(offer);
    },
    customMessage: (message) => rt.emit("customMessage", message),
    reportError: (error) => rt.reportError(error),
    wake: () => rt.wake(),
  };
}

/**
 * A transport for `settings` whose events count only while it is the
 * current one: a transport being replaced (C-31 trial, revert) stays silent.
 */
export function createClientTransport(
  rt: ClientRuntime,
  settings: OpampConnectionSettings,
): Transport {
  const config = transportConfig(rt.options, settings, () =>
    formatInstanceUid(rt.builder.instanceUid),
  );
  let transport: Transport | undefined;
  const isCurrent = () => transport !== undefined && transport === rt.transport;
  const host: TransportHost = {
    logger: rt.log,
    build: (options) => rt.builder.build(options),
    hasPending: () => rt.builder.hasPending,
    receive: async (message) =>
      rt.processor === undefined ? { kind: "ignored" } : rt.processor.process(message),
    connected: () => {
      if (!isCurrent()) return;
      rt.settingsFlow?.transportConnected();
      rt.emit("connected");
    },
    connectFailed: (error) => {
      if (!isCurrent()) return;
      rt.settingsFlow?.transportFailed(error.message);
      rt.log.debug("connection failed", { code: error.code, message: error.message });
      rt.emit("connectFailed", error);
    },
    reportError: (error) => rt.reportError(error),
    heartbeatIntervalMs: (kind) =>
      heartbeatIntervalMs(
        kind,
        rt.capabilities(),
        settings.heartbeatIntervalSeconds,
        rt.localHeartbeatSeconds,
      ),
  };
  transport = createTransport(config, host);
  return transport;
}

/** Report an effective-config provider failure without stopping the report (C-23). */
export function providerError(rt: Pick<ClientRuntime, "reportError">) {
  return (error: unknown) =>
    rt.reportError(toClientError("HANDLER_FAILED", error, "effective config provider"));
}
