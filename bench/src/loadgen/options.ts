/**
 * Settings of one load-generator process and the messages it exchanges with
 * the orchestrator over the IPC channel.
 */

/** How the simulated agents behave. */
export interface LoadOptions {
  /** `ws://…/v1/opamp` (WebSocket) or `http://…/v1/opamp` (plain HTTP). Loopback only. */
  readonly url: string;
  readonly transport: "ws" | "http";
  /** Agents in this process. */
  readonly agents: number;
  /** Index of the first agent, so several processes simulate distinct agents. */
  readonly firstIndex: number;
  /** Source addresses (`127.0.0.x`) the sockets bind to, round-robin. */
  readonly sourceAddresses: readonly string[];
  /** New connections per second while ramping up. */
  readonly connectRate: number;
  /** Heartbeat interval (S-9 compressed report); 0 disables heartbeats. */
  readonly heartbeatMs: number;
  /** `idle`: heartbeats only. `saturate`: each agent sends its next status report as soon as the previous one is answered. */
  readonly mode: "idle" | "saturate";
  /** Delay before reporting APPLIED for a new remote config; 0 applies at once. */
  readonly applyDelayMs: number;
  /** Reconnect with full-jitter exponential backoff after a lost connection. */
  readonly reconnect: boolean;
  readonly reconnectBaseMs: number;
  readonly reconnectMaxMs: number;
  /** Bearer token sent on every connection, when the target needs one. */
  readonly bearer?: string;
  /** The process exits on its own after this long, whatever happens. */
  readonly deadlineMs: number;
}

/** Counters a load generator reports. */
export interface LoadStats {
  readonly agents: number;
  /** Agents with an open transport that got at least one reply since (re)connecting. */
  readonly ready: number;
  readonly open: number;
  readonly sent: number;
  readonly received: number;
  /** Replies counted while `mode` is `saturate`. */
  readonly replies: number;
  readonly connects: number;
  readonly reconnects: number;
  /** Errors by kind (`ECONNREFUSED`, `ECONNRESET`, `http-503`, `decode`, …). */
  readonly errors: Readonly<Record<string, number>>;
  /** Time the last agent became ready (ms since epoch), 0 before. */
  readonly lastReadyAt: number;
}

/** Push-latency samples: absolute times (ms since epoch) per agent index. */
export interface PushSamples {
  /** When each agent's socket delivered the new config. */
  readonly received: number[];
  /** When the server's answer to each agent's APPLIED report arrived. */
  readonly appliedAcked: number[];
  readonly hashes: string[];
}

/** Orchestrator → load generator. */
export type LoadCommand =
  | { readonly type: "start"; readonly options: LoadOptions }
  | { readonly type: "stats" }
  | { readonly type: "arm" }
  | { readonly type: "collect" }
  | { readonly type: "resetErrors" }
  | { readonly type: "stop" };

/** Load generator → orchestrator. */
export type LoadEvent =
  | { readonly type: "started" }
  | { readonly type: "stats"; readonly stats: LoadStats }
  | { readonly type: "armed" }
  | { readonly type: "samples"; readonly samples: PushSamples }
  | { readonly type: "stopped"; readonly stats: LoadStats };
