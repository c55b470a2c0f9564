/**
 * JSON shapes of the control plane's REST API (`/api/v1`) and its event
 * stream, as the UI reads them. They mirror the server's TypeBox schemas;
 * the UI never imports server code, it only speaks the public API.
 */

/** Attribute values as JSON (bytes as base64, 64-bit integers beyond 2^53 as strings, P-2). */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** One file of an `AgentConfigMap` (spec §5.4), body as text. */
export interface ConfigFile {
  readonly body: string;
  readonly contentType: string;
}

/** File name → file. */
export type ConfigFiles = Readonly<Record<string, ConfigFile>>;

/** Remote config status names (proto `RemoteConfigStatuses`). */
export type RemoteConfigStatusName = "UNSET" | "APPLYING" | "APPLIED" | "FAILED";

/** The agent's last reported `RemoteConfigStatus`, hash as hex. */
export interface RemoteConfigStatus {
  readonly status: RemoteConfigStatusName;
  readonly configHash: string;
  readonly errorMessage: string;
}

/** A `ComponentHealth` tree (spec §4.6); times are decimal Unix nanoseconds. */
export interface Health {
  readonly healthy: boolean;
  readonly startTimeUnixNano: string;
  readonly lastError: string;
  readonly status: string;
  readonly statusTimeUnixNano: string;
  readonly attributes: Readonly<Record<string, JsonValue>>;
  readonly componentHealthMap: Readonly<Record<string, Health>>;
}

/** One package's status (spec §5.7). */
export interface PackageStatus {
  readonly agentHasVersion: string;
  readonly agentHasHash: string;
  readonly serverOfferedVersion: string;
  readonly serverOfferedHash: string;
  readonly status: string;
  readonly errorMessage: string;
}

/** The config the server wants the agent to run. */
export interface DesiredConfig {
  readonly source: "override" | "assignment";
  readonly hash: string;
  readonly configurationId: string | null;
  readonly version: number | null;
}

/** An agent as `GET /api/v1/agents` shows it (S-8 per-agent state). */
export interface Agent {
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
  readonly capabilities: readonly string[];
  readonly health: Health | null;
  readonly effectiveConfig: { readonly files: ConfigFiles } | null;
  readonly remoteConfigStatus: RemoteConfigStatus;
  readonly packageStatuses: JsonValue;
  readonly availableComponents: JsonValue;
  readonly customCapabilities: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly userLabels: Readonly<Record<string, string>>;
  readonly failedConfigHashes: readonly string[];
  readonly desiredConfig: DesiredConfig | null;
}

/** `?status=` values of `GET /api/v1/agents`; several match an agent in any of the states. */
export type AgentStatus =
  | "connected"
  | "disconnected"
  | "unhealthy"
  | "applied"
  | "applying"
  | "failed";

/** `?sort=` keys of `GET /api/v1/agents`. */
export type AgentSortKey =
  | "id"
  | "name"
  | "type"
  | "version"
  | "host"
  | "health"
  | "connected"
  | "configStatus"
  | "lastSeen";

/** What the server filters, sorts and pages agents by; everything optional. */
export interface AgentListParams {
  readonly selector?: string;
  readonly q?: string;
  readonly statuses?: readonly AgentStatus[];
  readonly sort?: { readonly key: AgentSortKey; readonly descending: boolean };
  readonly limit?: number;
  readonly offset?: number;
}

/** Answer of `GET /api/v1/agents`: one page and how many agents match in all. */
export interface AgentPage {
  readonly agents: readonly Agent[];
  readonly total: number;
}

/** An agent's config override (`GET /api/v1/agents/{id}/config`). */
export interface AgentOverride {
  readonly files: ConfigFiles;
  readonly hash: string;
  readonly updatedAt: string;
}

/** One entry of an agent's remote config status history. */
export interface ConfigStatusEntry {
  readonly agentId: string;
  readonly configHash: string;
  readonly status: RemoteConfigStatusName;
  readonly errorMessage: string;
  readonly at: string;
}

/** A named configuration. */
export interface Configuration {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly createdAt: string;
  /** 0 before the first version. */
  readonly latestVersion: number;
}

/** An immutable configuration version (S-12 hash as hex). */
export interface ConfigurationVersion {
  readonly configurationId: string;
  readonly version: number;
  readonly files: ConfigFiles;
  readonly hash: string;
  readonly createdAt: string;
  readonly createdBy: string;
}

/** A configuration bound to agents by label selector. */
export interface Assignment {
  readonly id: string;
  readonly configurationId: string;
  /** null = always the latest version. */
  readonly version: number | null;
  readonly selector: string;
  readonly priority: number;
  readonly createdAt: string;
}

/** One audit log entry. */
export interface AuditEntry {
  readonly id: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly details: JsonValue;
}

/** The body of every error response. */
export interface ErrorBody {
  readonly statusCode: number;
  readonly error: string;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly position?: number;
}

/** Events of `GET /api/v1/events`. */
export type FleetEvent =
  | { readonly type: "agent.connected"; readonly agentId: string; readonly agent: Agent }
  | { readonly type: "agent.changed"; readonly agentId: string; readonly agent: Agent }
  | { readonly type: "agent.disconnected"; readonly agentId: string }
  | { readonly type: "agent.renamed"; readonly agentId: string; readonly newAgentId: string }
  | {
      readonly type: "agent.configStatus";
      readonly agentId: string;
      readonly status: ConfigStatusEntry;
    }
  | {
      readonly type: "agent.customMessage";
      readonly agentId: string;
      readonly capability: string;
      readonly messageType: string;
      readonly data: string;
    };

/** Every event type name the stream sends. */
export const FLEET_EVENT_TYPES: readonly FleetEvent["type"][] = [
  "agent.connected",
  "agent.changed",
  "agent.disconnected",
  "agent.renamed",
  "agent.configStatus",
  "agent.customMessage",
];
