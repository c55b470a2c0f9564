/**
 * The columns people look for, read from an agent's attributes with the
 * OpenTelemetry semantic-convention names (service.*, host.*, os.*), and the
 * summary states the overview and the table filter on.
 */
import type { Agent, Health, JsonValue } from "../api/types.js";

function text(value: JsonValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** An attribute from the identifying attributes, else the non-identifying ones. */
export function attribute(agent: Agent, key: string): string | undefined {
  return (
    text(agent.description.identifyingAttributes[key]) ??
    text(agent.description.nonIdentifyingAttributes[key])
  );
}

/**
 * A readable name: host.name (what tells two collectors of the same type
 * apart), else service.name, else the start of the instance uid.
 */
export function agentName(agent: Agent): string {
  return attribute(agent, "host.name") ?? attribute(agent, "service.name") ?? agent.id.slice(0, 8);
}

/** The agent type (service.name). */
export function agentType(agent: Agent): string {
  return attribute(agent, "service.name") ?? "unknown";
}

/** The agent version (service.version). */
export function agentVersion(agent: Agent): string {
  return attribute(agent, "service.version") ?? "unknown";
}

/** The host (host.name). */
export function agentHost(agent: Agent): string {
  return attribute(agent, "host.name") ?? "";
}

/** The operating system (os.type, else os.description). */
export function agentOs(agent: Agent): string {
  return attribute(agent, "os.type") ?? attribute(agent, "os.description") ?? "unknown";
}

/** Health as one word: unknown when not reported (C-24). */
export type HealthState = "healthy" | "unhealthy" | "unknown";

/** True when any component of the tree is unhealthy or reports an error. */
export function treeHasError(health: Health): boolean {
  if (!health.healthy || health.lastError !== "") return true;
  return Object.values(health.componentHealthMap).some(treeHasError);
}

/** The agent's health state. */
export function healthState(agent: Agent): HealthState {
  if (agent.health === null) return "unknown";
  return treeHasError(agent.health) ? "unhealthy" : "healthy";
}

/** Status filter values of the agents table. */
export type StatusFilter =
  | "all"
  | "connected"
  | "disconnected"
  | "unhealthy"
  | "config-failed"
  | "config-applying";

/** Whether `agent` passes the status filter. */
export function matchesStatus(agent: Agent, filter: StatusFilter): boolean {
  switch (filter) {
    case "all":
      return true;
    case "connected":
      return agent.connected;
    case "disconnected":
      return !agent.connected;
    case "unhealthy":
      return healthState(agent) === "unhealthy";
    case "config-failed":
      return agent.remoteConfigStatus.status === "FAILED";
    case "config-applying":
      return agent.remoteConfigStatus.status === "APPLYING";
  }
}

/** Whether the free-text search matches the agent (id, name, host, type, version, labels). */
export function matchesSearch(agent: Agent, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (q === "") return true;
  const haystack = [
    agent.id,
    agentName(agent),
    agentHost(agent),
    agentVersion(agent),
    agentOs(agent),
    ...Object.entries(agent.labels).map(([k, v]) => `${k}=${v}`),
  ];
  return haystack.some((s) => s.toLowerCase().includes(q));
}

/** Sortable columns of the agents table. */
export type SortKey = "name" | "type" | "version" | "host" | "health" | "config" | "lastSeen";

const HEALTH_ORDER: Record<HealthState, number> = { unhealthy: 0, unknown: 1, healthy: 2 };
const CONFIG_ORDER: Record<string, number> = { FAILED: 0, APPLYING: 1, UNSET: 2, APPLIED: 3 };

function sortValue(agent: Agent, key: SortKey): string | number {
  switch (key) {
    case "name":
      return agentName(agent).toLowerCase();
    case "type":
      return agentType(agent).toLowerCase();
    case "version":
      return agentVersion(agent);
    case "host":
      return agentHost(agent).toLowerCase();
    case "health":
      return HEALTH_ORDER[healthState(agent)];
    case "config":
      return CONFIG_ORDER[agent.remoteConfigStatus.status] ?? 9;
    case "lastSeen":
      return Date.parse(agent.lastSeenAt) || 0;
  }
}

/** Sorts a copy by `key`, ties broken by id so the order is stable. */
export function sortAgents(agents: readonly Agent[], key: SortKey, descending: boolean): Agent[] {
  const keyed = agents.map((a) => ({ a, v: sortValue(a, key) }));
  keyed.sort((x, y) => {
    const c = x.v < y.v ? -1 : x.v > y.v ? 1 : x.a.id < y.a.id ? -1 : x.a.id > y.a.id ? 1 : 0;
    return descending ? -c : c;
  });
  return keyed.map((k) => k.a);
}
