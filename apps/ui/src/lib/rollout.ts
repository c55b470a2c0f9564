/**
 * Per-version rollout status of a configuration: of the agents whose desired
 * config is this configuration at this version (same content hash, S-12),
 * how many report it APPLIED, APPLYING or FAILED, and how many have not
 * answered yet (pending). A hash the agent reported FAILED is not pushed
 * again (P-12), so failed agents stay failed until someone retries.
 */
import type { Agent, ConfigurationVersion } from "../api/types.js";

/** Rollout state of one agent for one version. */
export type RolloutState = "applied" | "applying" | "failed" | "pending";

/** Totals of one version. */
export interface RolloutTotals {
  readonly applied: number;
  readonly applying: number;
  readonly failed: number;
  readonly pending: number;
  readonly total: number;
}

/** The state of `agent` for the config with `hash`. */
export function rolloutState(agent: Agent, hash: string): RolloutState {
  const s = agent.remoteConfigStatus;
  if (s.configHash === hash) {
    if (s.status === "APPLIED") return "applied";
    if (s.status === "APPLYING") return "applying";
    if (s.status === "FAILED") return "failed";
  }
  if (agent.failedConfigHashes.includes(hash)) return "failed";
  return "pending";
}

/** Agents whose desired config is `version` of its configuration. */
export function targetedAgents(
  agents: Iterable<Agent>,
  version: Pick<ConfigurationVersion, "configurationId" | "hash">,
): Agent[] {
  const out: Agent[] = [];
  for (const agent of agents) {
    const d = agent.desiredConfig;
    if (d !== null && d.configurationId === version.configurationId && d.hash === version.hash) {
      out.push(agent);
    }
  }
  return out;
}

/** Totals per state for `version`. */
export function rolloutTotals(
  agents: Iterable<Agent>,
  version: Pick<ConfigurationVersion, "configurationId" | "hash">,
): RolloutTotals {
  const totals = { applied: 0, applying: 0, failed: 0, pending: 0, total: 0 };
  for (const agent of targetedAgents(agents, version)) {
    totals[rolloutState(agent, version.hash)] += 1;
    totals.total += 1;
  }
  return totals;
}
