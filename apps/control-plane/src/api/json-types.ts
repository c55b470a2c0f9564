/**
 * JSON shapes of the REST API (`/api/v1`) that exist only on the wire, for
 * the server that sends them and the clients (the UI) that read them. The
 * records themselves (agents, configurations, audit entries, fleet events)
 * are the storage and fleet types; this module adds the envelopes around
 * them. Type-only, so a client importing it pulls in no server code.
 */
import type { ErrorLocation } from "../errors.js";
import type { AgentView } from "../fleet/agent-view.js";
import type { ConfigOverride } from "../storage/types.js";

export type { AgentSortKey, AgentStatus } from "./agent-query.js";

/** Answer of `GET /api/v1/agents`: one page and how many agents match in all. */
export interface AgentPage {
  readonly agents: readonly AgentView[];
  readonly total: number;
}

/** An agent's config override as `GET /api/v1/agents/{id}/config` shows it. */
export type AgentOverride = Omit<ConfigOverride, "agentId">;

/** The body of every error response; validation errors say where the input was wrong. */
export interface ErrorBody extends ErrorLocation {
  readonly statusCode: number;
  readonly error: string;
  readonly message: string;
}
