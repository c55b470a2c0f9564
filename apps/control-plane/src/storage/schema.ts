/**
 * Table shapes as Kysely sees them. JSON values are stored as text and
 * timestamps as ISO-8601 text so one schema serves SQLite and PostgreSQL.
 */
import type { Generated } from "kysely";

/** Row of the `agents` table. */
export interface AgentsTable {
  id: string;
  connected: number;
  last_seen_at: string;
  data: string;
  /** Node holding the agent's live session (or that held the last one). */
  node_id: string | null;
}

/** Row of the `agent_labels` table. */
export interface AgentLabelsTable {
  agent_id: string;
  labels: string;
}

/** Row of the `config_status_history` table. */
export interface ConfigStatusHistoryTable {
  id: Generated<number>;
  agent_id: string;
  config_hash: string;
  status: string;
  error_message: string;
  at: string;
}

/** Row of the `configurations` table. */
export interface ConfigurationsTable {
  id: string;
  name: string;
  description: string;
  created_at: string;
}

/** Row of the `configuration_versions` table. */
export interface ConfigurationVersionsTable {
  configuration_id: string;
  version: number;
  files: string;
  hash: string;
  created_at: string;
  created_by: string;
}

/** Row of the `assignments` table. */
export interface AssignmentsTable {
  id: string;
  configuration_id: string;
  version: number | null;
  selector: string;
  priority: number;
  created_at: string;
}

/** Row of the `overrides` table. */
export interface OverridesTable {
  agent_id: string;
  files: string;
  hash: string;
  updated_at: string;
}

/** Row of the `telemetry_destinations` table. */
export interface TelemetryDestinationsTable {
  id: string;
  name: string;
  selector: string;
  priority: number;
  settings: string;
  created_at: string;
}

/** Row of the `audit_log` table. */
export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor: string;
  action: string;
  target: string;
  details: string;
}

/** Row of the `nodes` table: one control-plane process and its last heartbeat. */
export interface NodesTable {
  id: string;
  started_at: string;
  heartbeat_at: string;
}

/** Row of the `pubsub_payloads` table: a pub/sub message too large for NOTIFY. */
export interface PubsubPayloadsTable {
  id: Generated<number>;
  body: string;
  created_at: string;
}

/** The whole database, for `Kysely<Database>`. */
export interface Database {
  agents: AgentsTable;
  agent_labels: AgentLabelsTable;
  config_status_history: ConfigStatusHistoryTable;
  configurations: ConfigurationsTable;
  configuration_versions: ConfigurationVersionsTable;
  assignments: AssignmentsTable;
  overrides: OverridesTable;
  telemetry_destinations: TelemetryDestinationsTable;
  audit_log: AuditLogTable;
  nodes: NodesTable;
  pubsub_payloads: PubsubPayloadsTable;
}
