/**
 * The overview's numbers: connected / disconnected / unhealthy counts, config
 * status totals, and agents grouped by type, version and OS.
 */
import type { Agent } from "../api/types.js";
import { agentOs, agentType, agentVersion, healthState } from "./agent-fields.js";

/** Top `limit` values of `key` with counts, the rest folded into "other". */
export function groupCounts(
  agents: Iterable<Agent>,
  key: (a: Agent) => string,
  limit = 6,
): [string, number][] {
  const counts = new Map<string, number>();
  for (const a of agents) {
    const k = key(a);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const sorted = [...counts.entries()].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]));
  if (sorted.length <= limit) return sorted;
  const rest = sorted.slice(limit - 1).reduce((sum, [, n]) => sum + n, 0);
  return [...sorted.slice(0, limit - 1), ["other", rest]];
}

/** Everything the overview shows. */
export interface FleetSummary {
  readonly total: number;
  readonly connected: number;
  readonly unhealthy: number;
  readonly applied: number;
  readonly applying: number;
  readonly failed: number;
  readonly unset: number;
  readonly byType: [string, number][];
  readonly byVersion: [string, number][];
  readonly byOs: [string, number][];
}

/** Summarises the fleet. */
export function summarizeFleet(agents: Iterable<Agent>): FleetSummary {
  const list = [...agents];
  const s = {
    total: list.length,
    connected: 0,
    unhealthy: 0,
    applied: 0,
    applying: 0,
    failed: 0,
    unset: 0,
  };
  for (const a of list) {
    if (a.connected) s.connected += 1;
    if (healthState(a) === "unhealthy") s.unhealthy += 1;
    const st = a.remoteConfigStatus.status;
    if (st === "APPLIED") s.applied += 1;
    else if (st === "APPLYING") s.applying += 1;
    else if (st === "FAILED") s.failed += 1;
    else s.unset += 1;
  }
  return {
    ...s,
    byType: groupCounts(list, agentType),
    byVersion: groupCounts(list, (a) => `${agentType(a)} ${agentVersion(a)}`),
    byOs: groupCounts(list, agentOs),
  };
}
