/**
 * The live preview under the assignment form: how many agents a selector
 * matches (answered by the server's own selector engine through
 * `GET /api/v1/agents?selector=`), a few of their names, and where a
 * selector error is.
 */
import type { Agent } from "../api/types.js";
import { agentName } from "./agent-fields.js";

/** What the preview shows. */
export interface PreviewSummary {
  readonly count: number;
  readonly connected: number;
  /** Up to `limit` names, sorted. */
  readonly names: readonly { readonly id: string; readonly name: string }[];
  readonly more: number;
}

/** Summarises the matching agents. */
export function previewSummary(agents: readonly Agent[], limit = 8): PreviewSummary {
  const sorted = [...agents]
    .map((a) => ({ id: a.id, name: agentName(a) }))
    .sort((x, y) => x.name.localeCompare(y.name) || x.id.localeCompare(y.id));
  return {
    count: agents.length,
    connected: agents.filter((a) => a.connected).length,
    names: sorted.slice(0, limit),
    more: Math.max(0, sorted.length - limit),
  };
}

/** Why the preview is not shown, or undefined when the selector should be sent. */
export function selectorInputProblem(text: string): string | undefined {
  if (text.trim() === "") return "An empty selector matches every agent.";
  if (text.length > 4096) return "The selector is too long.";
  return undefined;
}
