/**
 * JSON shapes of the control plane's REST API (`/api/v1`) and its event
 * stream, as the UI reads them. They are the control plane's own types,
 * imported type-only (erased from the bundle), so the UI and the server
 * cannot drift apart; the UI names them as its screens speak of them.
 */
import type {
  AgentSortKey,
  AgentStatus,
  AgentView,
  DesiredConfigView,
  FleetEvent,
  HealthView,
  RemoteConfigStatusView,
} from "@opamp-ts/control-plane";

export type {
  AgentOverride,
  AgentPage,
  AgentSortKey,
  AgentStatus,
  Assignment,
  AuditEntry,
  ConfigFile,
  ConfigFiles,
  ConfigStatusEntry,
  Configuration,
  ConfigurationVersion,
  ErrorBody,
  FleetEvent,
  JsonValue,
  RemoteConfigStatusName,
} from "@opamp-ts/control-plane";

/** The agent's last reported `RemoteConfigStatus`, hash as hex. */
export type RemoteConfigStatus = RemoteConfigStatusView;

/** A `ComponentHealth` tree (spec §4.6); times are decimal Unix nanoseconds. */
export type Health = HealthView;

/** The config the server wants the agent to run. */
export type DesiredConfig = DesiredConfigView;

/** An agent as `GET /api/v1/agents` shows it (S-8 per-agent state). */
export type Agent = AgentView;

/** One package's status (spec §5.7), as found in `Agent.packageStatuses`. */
export interface PackageStatus {
  readonly agentHasVersion: string;
  readonly agentHasHash: string;
  readonly serverOfferedVersion: string;
  readonly serverOfferedHash: string;
  readonly status: string;
  readonly errorMessage: string;
}

/** What the server filters, sorts and pages agents by; everything optional. */
export interface AgentListParams {
  readonly selector?: string;
  readonly q?: string;
  readonly statuses?: readonly AgentStatus[];
  readonly sort?: { readonly key: AgentSortKey; readonly descending: boolean };
  readonly limit?: number;
  readonly offset?: number;
}

/** Every event type name the stream sends. */
export const FLEET_EVENT_TYPES: readonly FleetEvent["type"][] = [
  "agent.connected",
  "agent.changed",
  "agent.disconnected",
  "agent.renamed",
  "agent.configStatus",
  "agent.customMessage",
];
