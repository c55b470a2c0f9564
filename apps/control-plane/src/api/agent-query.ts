/**
 * Search, status filter, sort and paging of `GET /api/v1/agents`, done by the
 * server so a UI over 10,000+ agents asks only for what it shows. The
 * query parameters are parsed into a typed query first; a bad value becomes
 * a refusal naming the parameter, so the route can answer 400.
 */
import type { AgentView } from "../fleet/agent-view.js";
import type { HealthView, JsonValue } from "../storage/types.js";

/** Values of `?status=`; several values match an agent in any of those states. */
export const AGENT_STATUSES = [
  "connected",
  "disconnected",
  "unhealthy",
  "applied",
  "applying",
  "failed",
] as const;
/** One `?status=` value. */
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/** Keys of `?sort=`; a leading `-` sorts descending. */
export const AGENT_SORT_KEYS = [
  "id",
  "name",
  "type",
  "version",
  "host",
  "health",
  "connected",
  "configStatus",
  "lastSeen",
] as const;
/** One `?sort=` key. */
export type AgentSortKey = (typeof AGENT_SORT_KEYS)[number];

/** Largest `?limit=`. */
export const MAX_AGENT_PAGE = 1000;

/** A parsed list query. */
export interface AgentQuery {
  readonly q: string | undefined;
  readonly statuses: readonly AgentStatus[];
  readonly sort: { readonly key: AgentSortKey; readonly descending: boolean };
  readonly limit: number | undefined;
  readonly offset: number;
}

/** The raw query string values, as Fastify hands them over. */
export interface RawAgentQuery {
  readonly q?: string | undefined;
  readonly status?: string | undefined;
  readonly sort?: string | undefined;
  readonly limit?: number | undefined;
  readonly offset?: number | undefined;
}

/** A parsed query, or the parameter that was wrong and why. */
export type AgentQueryResult =
  | { readonly ok: true; readonly query: AgentQuery }
  | { readonly ok: false; readonly parameter: string; readonly message: string };

function isStatus(value: string): value is AgentStatus {
  return (AGENT_STATUSES as readonly string[]).includes(value);
}

function isSortKey(value: string): value is AgentSortKey {
  return (AGENT_SORT_KEYS as readonly string[]).includes(value);
}

/** Checks the values the schema cannot: status names and the sort key. */
export function parseAgentQuery(raw: RawAgentQuery): AgentQueryResult {
  const statuses: AgentStatus[] = [];
  if (raw.status !== undefined) {
    for (const part of raw.status.split(",")) {
      const value = part.trim();
      if (!isStatus(value)) {
        return {
          ok: false,
          parameter: "status",
          message: `invalid status "${value}": expected one or more of ${AGENT_STATUSES.join(", ")}, comma-separated`,
        };
      }
      if (!statuses.includes(value)) statuses.push(value);
    }
  }
  const sortText = raw.sort?.trim() ?? "id";
  const descending = sortText.startsWith("-");
  const key = descending ? sortText.slice(1) : sortText;
  if (!isSortKey(key)) {
    return {
      ok: false,
      parameter: "sort",
      message: `invalid sort "${sortText}": expected one of ${AGENT_SORT_KEYS.join(", ")}, with a leading "-" for descending`,
    };
  }
  const q = raw.q?.trim().toLowerCase();
  return {
    ok: true,
    query: {
      q: q === undefined || q === "" ? undefined : q,
      statuses,
      sort: { key, descending },
      limit: raw.limit,
      offset: raw.offset ?? 0,
    },
  };
}

function text(value: JsonValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}

function attribute(agent: AgentView, key: string): string | undefined {
  return (
    text(agent.description.identifyingAttributes[key]) ??
    text(agent.description.nonIdentifyingAttributes[key])
  );
}

/** The name people know an agent by: host.name, else service.name, else the start of its id. */
function agentName(agent: AgentView): string {
  return attribute(agent, "host.name") ?? attribute(agent, "service.name") ?? agent.id.slice(0, 8);
}

/** Attributes the free-text search looks at besides the id and the labels. */
const SEARCHED_ATTRIBUTES = [
  "service.name",
  "service.version",
  "service.instance.id",
  "host.name",
  "os.type",
  "os.description",
];

function matchesText(agent: AgentView, q: string): boolean {
  const haystack = [
    agent.id,
    ...SEARCHED_ATTRIBUTES.map((key) => attribute(agent, key) ?? ""),
    ...Object.entries(agent.labels).map(([k, v]) => `${k}=${v}`),
  ];
  return haystack.some((s) => s.toLowerCase().includes(q));
}

/** True when any component of the health tree is unhealthy or reports an error (C-24). */
function treeHasError(health: HealthView): boolean {
  if (!health.healthy || health.lastError !== "") return true;
  return Object.values(health.componentHealthMap).some(treeHasError);
}

function hasStatus(agent: AgentView, status: AgentStatus): boolean {
  switch (status) {
    case "connected":
      return agent.connected;
    case "disconnected":
      return !agent.connected;
    case "unhealthy":
      return agent.health !== null && treeHasError(agent.health);
    case "applied":
      return agent.remoteConfigStatus.status === "APPLIED";
    case "applying":
      return agent.remoteConfigStatus.status === "APPLYING";
    case "failed":
      return agent.remoteConfigStatus.status === "FAILED";
  }
}

const CONFIG_ORDER: Record<string, number> = { FAILED: 0, APPLYING: 1, UNSET: 2, APPLIED: 3 };

function sortValue(agent: AgentView, key: AgentSortKey): string | number {
  switch (key) {
    case "id":
      return agent.id;
    case "name":
      return agentName(agent).toLowerCase();
    case "type":
      return (attribute(agent, "service.name") ?? "").toLowerCase();
    case "version":
      return attribute(agent, "service.version") ?? "";
    case "host":
      return (attribute(agent, "host.name") ?? "").toLowerCase();
    case "health":
      return agent.health === null ? 1 : treeHasError(agent.health) ? 0 : 2;
    case "connected":
      return agent.connected ? 1 : 0;
    case "configStatus":
      return CONFIG_ORDER[agent.remoteConfigStatus.status] ?? 9;
    case "lastSeen":
      return Date.parse(agent.lastSeenAt) || 0;
  }
}

/**
 * Filters (search AND any of the statuses), sorts (ties by id, so pages are
 * stable) and pages the agents; `total` counts the matches before paging.
 */
export function applyAgentQuery(
  agents: readonly AgentView[],
  query: AgentQuery,
): { agents: AgentView[]; total: number } {
  const { q, statuses, sort } = query;
  const matching = agents.filter(
    (a) =>
      (q === undefined || matchesText(a, q)) &&
      (statuses.length === 0 || statuses.some((s) => hasStatus(a, s))),
  );
  const keyed = matching.map((a) => ({ a, v: sortValue(a, sort.key) }));
  keyed.sort((x, y) => {
    const c = x.v < y.v ? -1 : x.v > y.v ? 1 : x.a.id < y.a.id ? -1 : x.a.id > y.a.id ? 1 : 0;
    return sort.descending ? -c : c;
  });
  const end = query.limit === undefined ? undefined : query.offset + query.limit;
  return { agents: keyed.slice(query.offset, end).map((k) => k.a), total: matching.length };
}
