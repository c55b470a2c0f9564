/**
 * The agents table's server-side query: search, status filter, label
 * selector and sort go to `GET /api/v1/agents`, so the browser never filters
 * or sorts the whole fleet. Typing is debounced; fleet changes from the event
 * stream re-ask the server at most once per refresh interval (rows in view
 * are patched with the live copies meanwhile), and an answer that arrives
 * after a newer question was asked is dropped.
 */
import type { ApiClient } from "./client.js";
import { describeError } from "./errors.js";
import type { Agent, AgentListParams, AgentPage, AgentStatus } from "./types.js";

/** Status filter choices of the table, with the server's `?status=` values they stand for. */
export const STATUS_FILTERS: readonly {
  readonly value: string;
  readonly label: string;
  readonly statuses: readonly AgentStatus[];
}[] = [
  { value: "all", label: "All", statuses: [] },
  { value: "connected", label: "Connected", statuses: ["connected"] },
  { value: "disconnected", label: "Disconnected", statuses: ["disconnected"] },
  { value: "unhealthy", label: "Unhealthy", statuses: ["unhealthy"] },
  { value: "config-failed", label: "Config failed", statuses: ["failed"] },
  { value: "config-applying", label: "Config applying", statuses: ["applying"] },
  { value: "config-applied", label: "Config applied", statuses: ["applied"] },
];

/** What the table shows: the server's answer, or why there is none. */
export interface AgentQueryState {
  readonly page: AgentPage | undefined;
  readonly error: string | undefined;
}

/** Timing of `AgentQuery`. */
export interface AgentQueryOptions {
  /** Wait after the last parameter change before asking. Default 300 ms. */
  readonly debounceMs?: number;
  /** Least time between re-asks caused by fleet changes. Default 2 s. */
  readonly refreshMs?: number;
}

/** Runs the table's query against the server; `onState` gets every usable answer. */
export class AgentQuery {
  private readonly api: Pick<ApiClient, "queryAgents">;
  private readonly onState: (state: AgentQueryState) => void;
  private readonly debounceMs: number;
  private readonly refreshMs: number;
  private params: AgentListParams = {};
  private asked = 0;
  private debounceTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(
    api: Pick<ApiClient, "queryAgents">,
    onState: (state: AgentQueryState) => void,
    options: AgentQueryOptions = {},
  ) {
    this.api = api;
    this.onState = onState;
    this.debounceMs = options.debounceMs ?? 300;
    this.refreshMs = options.refreshMs ?? 2_000;
  }

  /** New parameters: asks the server once typing pauses. */
  setParams(params: AgentListParams): void {
    this.params = params;
    if (this.debounceTimer !== undefined) clearTimeout(this.debounceTimer);
    if (this.disposed) return;
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = undefined;
      void this.ask();
    }, this.debounceMs);
  }

  /** The fleet changed: asks again, at most once per refresh interval. */
  fleetChanged(): void {
    if (this.refreshTimer !== undefined || this.disposed) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.ask();
    }, this.refreshMs);
  }

  /** Stops asking; later answers are ignored. */
  dispose(): void {
    this.disposed = true;
    if (this.debounceTimer !== undefined) clearTimeout(this.debounceTimer);
    if (this.refreshTimer !== undefined) clearTimeout(this.refreshTimer);
  }

  private async ask(): Promise<void> {
    if (this.disposed) return;
    this.asked += 1;
    const mine = this.asked;
    let state: AgentQueryState;
    try {
      state = { page: await this.api.queryAgents(this.params), error: undefined };
    } catch (error) {
      state = { page: undefined, error: describeError(error) };
    }
    if (!this.disposed && mine === this.asked) this.onState(state);
  }
}

/** The server's rows, each replaced by the live copy the event stream keeps current. */
export function patchRows(
  rows: readonly Agent[],
  live: ReadonlyMap<string, Agent>,
): readonly Agent[] {
  return rows.map((row) => live.get(row.id) ?? row);
}
