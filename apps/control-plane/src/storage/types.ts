/**
 * The records the control plane keeps, as plain JSON-friendly values, and the
 * `Storage` interface both database backends implement. Everything here is
 * what the REST API shows, so byte fields are hex (hashes) or UTF-8 text
 * (config bodies).
 */

/** One file of an `AgentConfigMap` (spec §5.4 AgentConfigFile), body as text. */
export interface ConfigFile {
  readonly body: string;
  readonly contentType: string;
}

/** File name → file; the REST and storage form of an `AgentConfigMap`. */
export type ConfigFiles = Readonly<Record<string, ConfigFile>>;

/** JSON view of attribute values (bytes as base64, 64-bit ints beyond 2^53 as strings). */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** Remote config status names as in the proto enum `RemoteConfigStatuses`. */
export type RemoteConfigStatusName = "UNSET" | "APPLYING" | "APPLIED" | "FAILED";

/** The agent's last `RemoteConfigStatus` (S-8), hash as hex. */
export interface RemoteConfigStatusView {
  readonly status: RemoteConfigStatusName;
  readonly configHash: string;
  readonly errorMessage: string;
}

/** A `ComponentHealth` tree (spec §4.6), timestamps as decimal strings of Unix nanoseconds (P-2). */
export interface HealthView {
  readonly healthy: boolean;
  readonly startTimeUnixNano: string;
  readonly lastError: string;
  readonly status: string;
  readonly statusTimeUnixNano: string;
  readonly attributes: Readonly<Record<string, JsonValue>>;
  readonly componentHealthMap: Readonly<Record<string, HealthView>>;
}

/** Everything the server knows about one agent (S-8), keyed by its instance uid as a UUID string. */
export interface AgentRecord {
  readonly id: string;
  readonly connected: boolean;
  readonly transport: "websocket" | "http" | null;
  readonly remoteAddress: string | null;
  readonly connectedSince: string | null;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
  readonly description: {
    readonly identifyingAttributes: Readonly<Record<string, JsonValue>>;
    readonly nonIdentifyingAttributes: Readonly<Record<string, JsonValue>>;
  };
  /** `AgentCapabilities` bit mask as a decimal string (P-2) and as names. */
  readonly capabilitiesMask: string;
  readonly capabilities: readonly string[];
  readonly health: HealthView | null;
  readonly effectiveConfig: { readonly files: ConfigFiles } | null;
  readonly remoteConfigStatus: RemoteConfigStatusView;
  readonly packageStatuses: JsonValue;
  readonly availableComponents: JsonValue;
  readonly customCapabilities: readonly string[];
  /** Config hashes (hex) the agent reported FAILED and which are not offered again (P-12). */
  readonly failedConfigHashes: readonly string[];
  /** The control-plane node holding (or last holding) the agent's session; absent in old records. */
  readonly nodeId?: string | null;
}

/** One entry of an agent's remote config status history. */
export interface ConfigStatusEntry {
  readonly agentId: string;
  readonly configHash: string;
  readonly status: RemoteConfigStatusName;
  readonly errorMessage: string;
  readonly at: string;
}

/** A named configuration; its content lives in immutable versions. */
export interface Configuration {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly createdAt: string;
  /** Highest version number, 0 before the first version. */
  readonly latestVersion: number;
}

/** An immutable version of a configuration with its content hash (S-12, hex). */
export interface ConfigurationVersion {
  readonly configurationId: string;
  readonly version: number;
  readonly files: ConfigFiles;
  readonly hash: string;
  readonly createdAt: string;
  readonly createdBy: string;
}

/** Binds a configuration (a fixed version, or the latest when `version` is null) to agents by label selector. */
export interface Assignment {
  readonly id: string;
  readonly configurationId: string;
  readonly version: number | null;
  readonly selector: string;
  readonly priority: number;
  readonly createdAt: string;
}

/** A per-agent config that wins over every assignment. */
export interface ConfigOverride {
  readonly agentId: string;
  readonly files: ConfigFiles;
  readonly hash: string;
  readonly updatedAt: string;
}

/** Where agents send one kind of their own telemetry (spec §5.5 TelemetryConnectionSettings). */
export interface TelemetryEndpoint {
  readonly endpoint: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Own-telemetry destinations offered to the agents a selector matches (S-13). */
export interface TelemetryDestination {
  readonly id: string;
  readonly name: string;
  readonly selector: string;
  readonly priority: number;
  readonly metrics: TelemetryEndpoint | null;
  readonly logs: TelemetryEndpoint | null;
  readonly traces: TelemetryEndpoint | null;
  readonly createdAt: string;
}

/** One change made through the API: who, what, when. */
export interface AuditEntry {
  readonly id: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly details: JsonValue;
}

/** One control-plane process sharing the database, with its last heartbeat. */
export interface ClusterNode {
  readonly id: string;
  readonly startedAt: string;
  readonly heartbeatAt: string;
}

/** Input of `createTelemetryDestination`. */
export type NewTelemetryDestination = Omit<TelemetryDestination, "id" | "createdAt">;

/**
 * The persistence the control plane needs. Every method resolves only once
 * the change is durable (committed), so a caller may acknowledge it to a user.
 */
export interface Storage {
  readonly dialect: "sqlite" | "postgres";
  putAgent(agent: AgentRecord): Promise<void>;
  /**
   * Writes the record only while node `owner` still holds the agent, so a
   * late disconnect on one node cannot undo a reconnect on another. True
   * when written.
   */
  putAgentIfOwner(agent: AgentRecord, owner: string): Promise<boolean>;
  /** Distinct owners (`null`: none recorded) of the agents stored as connected. */
  listConnectedOwners(): Promise<(string | null)[]>;
  /** Marks every agent held by `owner` (`null`: no owner recorded) disconnected; returns their ids. */
  disconnectAgentsOf(owner: string | null): Promise<string[]>;
  /** Records that node `id` is alive now (inserting it with `startedAt` when new). */
  heartbeatNode(node: ClusterNode): Promise<void>;
  listNodes(): Promise<ClusterNode[]>;
  deleteNode(id: string): Promise<void>;
  getAgent(id: string): Promise<AgentRecord | undefined>;
  listAgents(): Promise<AgentRecord[]>;
  /** Re-keys every record of an agent after a new instance uid (S-17, P-16). */
  renameAgent(oldId: string, newId: string): Promise<void>;
  appendConfigStatus(entry: ConfigStatusEntry): Promise<void>;
  listConfigStatusHistory(agentId: string, limit: number): Promise<ConfigStatusEntry[]>;

  setLabels(agentId: string, labels: Readonly<Record<string, string>>): Promise<void>;
  getLabels(agentId: string): Promise<Record<string, string>>;
  listAllLabels(): Promise<Map<string, Record<string, string>>>;

  createConfiguration(input: { name: string; description: string }): Promise<Configuration>;
  getConfiguration(id: string): Promise<Configuration | undefined>;
  listConfigurations(): Promise<Configuration[]>;
  addConfigurationVersion(
    configurationId: string,
    files: ConfigFiles,
    createdBy: string,
  ): Promise<ConfigurationVersion>;
  getConfigurationVersion(
    configurationId: string,
    version: number,
  ): Promise<ConfigurationVersion | undefined>;
  listConfigurationVersions(configurationId: string): Promise<ConfigurationVersion[]>;

  createAssignment(input: Omit<Assignment, "id" | "createdAt">): Promise<Assignment>;
  listAssignments(): Promise<Assignment[]>;
  deleteAssignment(id: string): Promise<boolean>;

  setOverride(agentId: string, files: ConfigFiles): Promise<ConfigOverride>;
  getOverride(agentId: string): Promise<ConfigOverride | undefined>;
  listOverrides(): Promise<ConfigOverride[]>;
  deleteOverride(agentId: string): Promise<boolean>;

  createTelemetryDestination(input: NewTelemetryDestination): Promise<TelemetryDestination>;
  listTelemetryDestinations(): Promise<TelemetryDestination[]>;
  deleteTelemetryDestination(id: string): Promise<boolean>;

  appendAudit(entry: Omit<AuditEntry, "id" | "at">): Promise<AuditEntry>;
  /** Newest first; `before` pages by id. */
  listAudit(options: { limit: number; before?: number }): Promise<AuditEntry[]>;

  close(): Promise<void>;
}
