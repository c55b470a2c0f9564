import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  type AvailableComponentsInput,
  FileStateStore,
  type Logger,
  OpampClient,
  type RemoteConfigOutcome,
} from "@opamp-ts/client";
import {
  type AgentRemoteConfig,
  AgentRemoteConfigSchema,
  CommandType,
  type ComponentHealthSchema,
  formatInstanceUid,
  fromBinary,
  type MessageInitShape,
  newInstanceUid,
  parseInstanceUid,
  toBinary,
} from "@opamp-ts/protocol";
import { stringify } from "yaml";
import { bootstrap, NO_PIPELINES_GATE } from "./bootstrap.js";
import { capabilityMask, clientTls, packageVerifier } from "./capabilities.js";
import {
  hasPipelines,
  idleConfig,
  type OwnTelemetry,
  ownTelemetrySection,
  supervisorOwnedSection,
} from "./collector-config.js";
import { CollectorRunner, type LaunchResult, type LaunchSpec } from "./collector-runner.js";
import type { SupervisorConfig } from "./config.js";
import { mergeDescription } from "./description.js";
import { SupervisorError } from "./errors.js";
import { startHealthEndpoint } from "./health-endpoint.js";
import { LocalServer } from "./local-server.js";
import { jsonLogger } from "./logger.js";
import { type ComposeResult, type ConfigMap, composeConfig, mergeRemoteConfig } from "./merge.js";
import { Mutex } from "./mutex.js";
import { type StoragePaths, SupervisorStore, storagePaths, writeFileAtomic } from "./storage.js";
import { BinaryInstaller } from "./upgrade.js";

/** Options of {@link Supervisor.start} beyond the config file. */
export interface SupervisorOptions {
  /** Default: JSON lines on stderr at `telemetry.logs.level`. */
  readonly logger?: Logger;
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");
/** Custom messages kept while the upstream client is not started yet, like the Go supervisor's buffer. */
const PENDING_CUSTOM_MESSAGES = 10;
type CustomMessageInput = { capability: string; type: string; data: Uint8Array };

/**
 * The supervisor: runs one Collector and represents it to an OpAMP server
 * (spec §"Supervisor"; Go supervisor parity). It owns the Collector's config
 * (local files + remote config + own telemetry + its own opamp-extension
 * section), starts and watches the process, relays what the Collector's opamp
 * extension reports upstream, and installs new Collector binaries.
 */
export class Supervisor {
  readonly instanceUid: string;
  private readonly mutex = new Mutex();
  private readonly token = randomBytes(24).toString("hex");
  private readonly paths: StoragePaths;
  private readonly store: SupervisorStore;
  private readonly logger: Logger;
  private readonly localServer: LocalServer;
  private readonly runner: CollectorRunner;
  private client: OpampClient | undefined;
  private clientStarted = false;
  private owned: ConfigMap = {};
  /** The remote config map the running Collector uses (the last good one). */
  private runningRemote: ConfigMap = {};
  private runningConfig: ConfigMap | undefined;
  private health: { port: number; close(): Promise<void> } | undefined;
  private customCapabilities: readonly string[] = [];
  private pendingTelemetry: OwnTelemetry | undefined;
  private telemetryQueued = false;
  /** The last health to report, kept while the upstream client is not started yet. */
  private lastHealth: MessageInitShape<typeof ComponentHealthSchema> | undefined;
  /** Custom messages the Collector sent before the upstream client started (C-34). */
  private pendingUp: CustomMessageInput[] = [];
  private readonly onExit = () => this.runner.killNow();

  private constructor(
    private readonly config: SupervisorConfig,
    options: SupervisorOptions,
    instanceUid: string,
  ) {
    this.instanceUid = instanceUid;
    this.logger =
      options.logger ?? jsonLogger(config.telemetry.logs.level, config.telemetry.logs.outputPaths);
    this.paths = storagePaths(config.storage.directory);
    this.store = new SupervisorStore(this.paths);
    // The local link drops whenever the Collector restarts; those warnings are not actionable.
    const localLogger = { ...this.logger, warn: this.logger.debug };
    this.localServer = new LocalServer(this.token, this.relayHandlers(), localLogger);
    this.runner = new CollectorRunner({
      env: config.agent.env,
      tailBytes: config.agent.crashLogSnippetKib * 1024,
      output: config.agent.passthroughLogs
        ? { kind: "passthrough" }
        : { kind: "file", path: this.paths.agentLog },
      stopTimeoutMs: config.agent.stopTimeoutMs,
      backoff: config.agent.restartBackoff,
      crashLoopThreshold: config.agent.crashLoopThreshold,
      restartTimeoutMs: config.agent.configApplyTimeoutMs,
      localServer: this.localServer,
      mutex: this.mutex,
      logger: this.logger,
      reportHealth: (health) => this.reportHealth(health),
    });
  }

  /**
   * Open storage, start the local OpAMP server, bootstrap the Collector, run
   * the last good config, then connect upstream. The Collector runs even when
   * the OpAMP server cannot be reached.
   */
  static async start(
    config: SupervisorConfig,
    options: SupervisorOptions = {},
  ): Promise<Supervisor> {
    const clientStore = new FileStateStore(storagePaths(config.storage.directory).clientState);
    const persisted = await clientStore.load();
    const uid =
      config.agent.instanceId ?? persisted?.instanceUid ?? formatInstanceUid(newInstanceUid());
    const supervisor = new Supervisor(config, options, uid);
    try {
      await supervisor.run(clientStore);
    } catch (error) {
      await supervisor.close();
      throw error;
    }
    return supervisor;
  }

  /** The running Collector's pid, if any. */
  get collectorPid(): number | undefined {
    return this.runner.pid;
  }

  /** The Collector binary in use: `agent.executable`, or the one an upgrade installed. */
  get collectorExecutable(): string {
    return this.currentBinary();
  }

  /** The port of `healthcheck.endpoint`, when configured. */
  get healthCheckPort(): number | undefined {
    return this.health?.port;
  }

  /** Disconnect upstream (C-36), stop the Collector (SIGTERM, then SIGKILL) and the local server. */
  async close(): Promise<void> {
    process.off("exit", this.onExit);
    await this.client?.stop().catch(() => undefined);
    await this.runner.close();
    await this.localServer.close().catch(() => undefined);
    await this.health?.close();
  }

  private async run(clientStore: FileStateStore): Promise<void> {
    const { agent } = this.config;
    await this.store.open();
    process.on("exit", this.onExit);
    if (agent.useHupConfigReload) {
      this.logger.warn(
        "agent::use_hup_config_reload is ignored: the Collector is restarted to apply a config",
      );
    }
    const localEndpoint = await this.localServer.listen(agent.opampServerPort);
    this.owned = supervisorOwnedSection({
      localEndpoint,
      token: this.token,
      instanceUid: this.instanceUid,
      supervisorPid: process.pid,
      orphanDetectionIntervalMs: agent.orphanDetectionIntervalMs,
      healthCheckPort: agent.healthCheckPort,
    });
    const learned = await bootstrap({
      executable: this.currentBinary(),
      args: agent.args,
      env: agent.env,
      owned: this.owned,
      configPath: this.paths.bootstrapConfig,
      timeoutMs: agent.bootstrapTimeoutMs,
      localServer: this.localServer,
      output: this.runnerOutput(),
      logger: this.logger,
    });
    const lastGood = this.store.current.lastGoodRemoteConfig;
    if (lastGood !== undefined) {
      const remote = mergeRemoteConfig(
        fromBinary(AgentRemoteConfigSchema, Buffer.from(lastGood, "base64")).config,
      );
      if (remote.ok) this.runningRemote = remote.map;
    }
    const composed = this.compose(this.runningRemote);
    if (!composed.ok) throw new SupervisorError("INVALID_CONFIG", composed.reason);
    const initial = await this.mutex.run(() => this.launchComposed(composed.config));
    if (!initial.ok) {
      this.logger.error("the Collector did not start healthy", {
        reason: initial.reason,
        lines: initial.lines,
      });
      this.runner.recover(initial.lines, initial.reason);
    }
    this.client = this.createClient(clientStore, learned.components?.components);
    this.client.setAgentDescription(
      mergeDescription(learned.description, agent.description, this.instanceUid),
    );
    await this.client.start();
    this.clientStarted = true;
    if (this.customCapabilities.length > 0)
      this.client.setCustomCapabilities(this.customCapabilities);
    for (const message of this.pendingUp.splice(0)) this.relayUp(message);
    if (this.lastHealth !== undefined) this.reportHealth(this.lastHealth);
    if (this.config.healthcheck.endpoint !== undefined) {
      this.health = await startHealthEndpoint(
        this.config.healthcheck.endpoint,
        () => this.runner.running && this.localServer.lastHealth?.healthy === true,
      );
    }
  }

  private createClient(
    store: FileStateStore,
    components: AvailableComponentsInput | undefined,
  ): OpampClient {
    const { server, capabilities, agent } = this.config;
    const client = new OpampClient({
      endpoint: server.endpoint,
      headers: server.headers,
      tls: clientTls(server.tls),
      capabilities: capabilityMask(capabilities),
      agentDescription: mergeDescription(undefined, agent.description, this.instanceUid),
      instanceUid: parseInstanceUid(this.instanceUid),
      heartbeatIntervalSeconds: capabilities.reportsHeartbeat ? 30 : 0,
      stateStore: store,
      logger: this.logger,
      availableComponents: capabilities.reportsAvailableComponents ? components : undefined,
      effectiveConfig: () => this.effectiveConfig(),
      onRemoteConfig: capabilities.acceptsRemoteConfig
        ? (config) => this.mutex.run(() => this.apply(config))
        : undefined,
      packages: capabilities.acceptsPackages
        ? {
            installer: new BinaryInstaller({
              binariesDir: this.paths.binaries,
              mutex: this.mutex,
              logger: this.logger,
              currentBinary: () => this.currentBinary(),
              switchBinary: (current, previous) =>
                this.store.update({ agentBinary: { current, previous } }),
              relaunch: () => this.launchWith(this.runningRemote),
              recover: (result) => this.runner.recover(result.lines, result.reason),
            }),
            verifier: packageVerifier(agent.package),
            downloadDir: `${this.paths.binaries}/downloads`,
          }
        : undefined,
    });
    client.on("command", (command) => {
      if (command.type !== CommandType.CommandType_Restart) return;
      this.logger.info("restart command received");
      void this.mutex.run(async () => {
        const result = await this.launchWith(this.runningRemote);
        if (!result.ok) this.runner.recover(result.lines, result.reason);
      });
    });
    client.on("customMessage", (message) => {
      void this.localServer.sendCustomMessage(message).then((sent) => {
        if (!sent)
          this.logger.warn("custom message dropped: the Collector is not connected", {
            type: message.type,
          });
      });
    });
    client.on("ownTelemetrySettings", (kind, settings) => {
      const headers = Object.fromEntries(
        (settings.headers?.headers ?? []).map((h) => [h.key, h.value]),
      );
      this.pendingTelemetry = {
        ...(this.pendingTelemetry ?? this.store.current.ownTelemetry),
        [kind]: { endpoint: settings.destinationEndpoint, headers },
      };
      // One offer emits one event per signal; they are applied with one restart.
      if (this.telemetryQueued) return;
      this.telemetryQueued = true;
      void this.mutex.run(() => this.applyOwnTelemetry());
    });
    client.on("opampConnectionSettings", (event) => {
      this.logger.info("OpAMP connection settings offer", { status: event.status });
    });
    client.on("connectFailed", (error) =>
      this.logger.debug("OpAMP server not reachable", { error: error.message }),
    );
    return client;
  }

  /** Write accepted own-telemetry destinations into the Collector's config (C-28); inside the mutex. */
  private async applyOwnTelemetry(): Promise<void> {
    this.telemetryQueued = false;
    const ownTelemetry = this.pendingTelemetry;
    this.pendingTelemetry = undefined;
    if (ownTelemetry === undefined) return;
    if (JSON.stringify(ownTelemetry) === JSON.stringify(this.store.current.ownTelemetry ?? {}))
      return;
    await this.store.update({ ownTelemetry });
    const result = await this.launchWith(this.runningRemote);
    if (!result.ok) this.runner.recover(result.lines, result.reason);
  }

  /**
   * Apply a remote config (C-21): merge, write `effective.yaml` atomically,
   * restart, and report APPLIED only when the Collector reports healthy within
   * `agent.config_apply_timeout`. Otherwise FAILED with the Collector's own
   * error lines, and (by default) a rollback to the last good config.
   */
  private async apply(config: AgentRemoteConfig): Promise<RemoteConfigOutcome> {
    const remote = mergeRemoteConfig(config.config);
    if (!remote.ok) return { status: "failed", errorMessage: remote.reason };
    const composed = this.compose(remote.map);
    if (!composed.ok) return { status: "failed", errorMessage: composed.reason };
    const unchanged =
      this.runningConfig !== undefined &&
      stringify(this.runningConfig) === stringify(idleConfig(composed.config)) &&
      this.runner.running &&
      this.localServer.lastHealth?.healthy === true;
    const result: LaunchResult = unchanged
      ? { ok: true }
      : await this.launchComposed(composed.config);
    if (result.ok) {
      this.runningRemote = remote.map;
      await this.store.update({
        lastGoodRemoteConfig: b64(toBinary(AgentRemoteConfigSchema, config)),
      });
      return { status: "applied" };
    }
    const detail = result.lines.length > 0 ? `: ${result.lines.join("\n")}` : "";
    let message = `${result.reason}${detail}`;
    if (this.config.agent.automaticConfigRollback) {
      const back = await this.launchWith(this.runningRemote);
      message += back.ok
        ? "\nrolled back to the last good config"
        : `\nrollback failed too: ${back.reason}`;
      if (!back.ok) this.runner.recover(back.lines, back.reason);
    } else {
      this.runner.recover(result.lines, result.reason);
    }
    this.logger.warn("remote config failed", { reason: message });
    return { status: "failed", errorMessage: message };
  }

  private compose(remote: ConfigMap): ComposeResult {
    const result = composeConfig({
      configFiles: this.config.agent.configFiles,
      readFile: (path) => readFileSync(path, "utf8"),
      remote,
      ownTelemetry: ownTelemetrySection(this.store.current.ownTelemetry ?? {}),
      supervisorOwned: this.owned,
    });
    if (result.ok) for (const warning of result.warnings) this.logger.warn(warning);
    return result;
  }

  /** Compose with `remote`, write and start it; inside the mutex. */
  private async launchWith(remote: ConfigMap): Promise<LaunchResult> {
    const composed = this.compose(remote);
    if (!composed.ok) return { ok: false, reason: composed.reason, lines: [] };
    return this.launchComposed(composed.config);
  }

  private async launchComposed(composed: ConfigMap): Promise<LaunchResult> {
    const config = idleConfig(composed);
    await writeFileAtomic(this.paths.effectiveConfig, stringify(config));
    this.runningConfig = config;
    const result = await this.runner.launch(
      this.launchSpec(config),
      this.config.agent.configApplyTimeoutMs,
    );
    if (this.clientStarted) this.client?.updateEffectiveConfig();
    return result;
  }

  private launchSpec(config: ConfigMap): LaunchSpec {
    const args = ["--config", this.paths.effectiveConfig];
    // Nothing to run yet (no local pipelines, no remote config): idle with only the extensions.
    if (!hasPipelines(config)) args.push(`--feature-gates=${NO_PIPELINES_GATE}`);
    return { executable: this.currentBinary(), args: [...args, ...this.config.agent.args] };
  }

  private currentBinary(): string {
    return this.store.current.agentBinary?.current ?? this.config.agent.executable;
  }

  private runnerOutput() {
    return this.config.agent.passthroughLogs
      ? ({ kind: "passthrough" } as const)
      : ({ kind: "file", path: this.paths.agentLog } as const);
  }

  /** The Collector's own (redacted) effective config, else ours with the token redacted (C-23). */
  private effectiveConfig() {
    const reported = this.localServer.lastEffectiveConfig?.configMap;
    if (reported !== undefined && Object.keys(reported.configMap).length > 0) return reported;
    const text = stringify(this.runningConfig ?? {}).replaceAll(this.token, "[REDACTED]");
    return {
      configMap: { "": { body: new TextEncoder().encode(text), contentType: "text/yaml" } },
    };
  }

  private relayUp(message: CustomMessageInput): void {
    this.client?.sendCustomMessage(message).catch((error: Error) => {
      this.logger.warn("custom message from the Collector not relayed", { error: error.message });
    });
  }

  private reportHealth(health: MessageInitShape<typeof ComponentHealthSchema>): void {
    this.lastHealth = health;
    if (this.clientStarted && this.config.capabilities.reportsHealth)
      this.client?.setHealth(health);
  }

  private relayHandlers() {
    return {
      description: (description: Parameters<typeof mergeDescription>[0]) => {
        if (!this.clientStarted) return;
        this.client?.setAgentDescription(
          mergeDescription(description, this.config.agent.description, this.instanceUid),
        );
      },
      health: (health: MessageInitShape<typeof ComponentHealthSchema>) => this.reportHealth(health),
      effectiveConfig: () => {
        if (this.clientStarted) this.client?.updateEffectiveConfig();
      },
      availableComponents: (components: {
        components: Parameters<OpampClient["setAvailableComponents"]>[0];
      }) => {
        if (this.clientStarted && this.config.capabilities.reportsAvailableComponents) {
          this.client?.setAvailableComponents(components.components);
        }
      },
      customCapabilities: (capabilities: readonly string[]) => {
        this.customCapabilities = capabilities;
        if (this.clientStarted) this.client?.setCustomCapabilities(capabilities);
      },
      customMessage: (message: CustomMessageInput) => {
        if (this.clientStarted) {
          this.relayUp(message);
        } else if (this.pendingUp.length < PENDING_CUSTOM_MESSAGES) {
          this.pendingUp.push(message);
        } else {
          this.logger.warn("custom message from the Collector dropped: buffer full", {
            type: message.type,
          });
        }
      },
    };
  }
}
