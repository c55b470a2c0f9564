/**
 * What the server keeps in memory per agent between messages: the
 * connection it last spoke on, the last sequence number (S-9), what was
 * offered on that connection and not yet answered (P-11), and items queued
 * for plain-HTTP agents until their next poll (S-24).
 */
import type { MessageInitShape, ServerToAgentSchema } from "@opamp-ts/protocol";

/** A connection as the fleet uses it; `@opamp-ts/server`'s `AgentConnection` fits. */
export interface FleetConnection {
  readonly transport: "websocket" | "http";
  readonly remoteAddress: string;
  send(msg: MessageInitShape<typeof ServerToAgentSchema>): Promise<void>;
  close(): void;
}

/** Per-agent in-memory state. */
export interface Session {
  conn: FleetConnection;
  lastSeq: bigint | undefined;
  offeredConfig: { readonly hash: string; readonly atMs: number } | undefined;
  offeredSettingsHash: string | undefined;
  /** Set when a user asked to push the desired config even if it failed before (P-12). */
  forceConfig: boolean;
  /** S-24: latest pending restart for an HTTP agent. */
  pendingRestart: boolean;
  /** Custom messages waiting for an HTTP agent's next poll, oldest first. */
  pendingCustom: { capability: string; type: string; data: Uint8Array }[];
  /** When the agent's last message arrived on this node (ms). */
  lastMessageMs: number | undefined;
  /** The latest gaps between an HTTP agent's messages (ms), to learn its own interval (P-7). */
  pollGapsMs: number[];
}

/** A fresh session on `conn`. */
export function newSession(conn: FleetConnection): Session {
  return {
    conn,
    lastSeq: undefined,
    offeredConfig: undefined,
    offeredSettingsHash: undefined,
    forceConfig: false,
    pendingRestart: false,
    pendingCustom: [],
    lastMessageMs: undefined,
    pollGapsMs: [],
  };
}

/** Moves a session to a new connection: what was offered on the old one may be lost. */
export function rebindSession(session: Session, conn: FleetConnection): void {
  if (session.conn === conn) return;
  session.conn = conn;
  session.offeredConfig = undefined;
  session.offeredSettingsHash = undefined;
}

/**
 * S-9: a gap in `sequence_num` (anything but previous + 1) means the server
 * missed a report and must ask for full state.
 */
export function hasSequenceGap(session: Session | undefined, sequenceNum: bigint): boolean {
  return session?.lastSeq !== undefined && sequenceNum !== session.lastSeq + 1n;
}

/** Gaps kept per agent. */
const POLL_GAPS_KEPT = 5;
/** The interval counts as known once this many gaps were seen. */
const POLL_GAPS_NEEDED = 3;

/** Notes a message's arrival, keeping the gap since the previous one on the same node. */
export function notePoll(session: Session, nowMs: number): void {
  if (session.lastMessageMs !== undefined && nowMs > session.lastMessageMs) {
    session.pollGapsMs.push(nowMs - session.lastMessageMs);
    if (session.pollGapsMs.length > POLL_GAPS_KEPT) session.pollGapsMs.shift();
  }
  session.lastMessageMs = nowMs;
}

/**
 * The agent's own polling interval in seconds, once known: the longest of its
 * last few gaps (extra messages between polls only shorten gaps). The agent
 * chooses it, and the server never sends `OpAMPConnectionSettings` to change
 * it (P-7), so it can differ from the server's setting.
 */
export function knownPollSeconds(session: Session | undefined): number | undefined {
  if (session === undefined || session.pollGapsMs.length < POLL_GAPS_NEEDED) return undefined;
  return Math.max(...session.pollGapsMs) / 1000;
}

/** Silence shorter than this never counts, whatever the interval: it absorbs scheduling delays. */
const MIN_SILENCE_MS = 5_000;

/**
 * HTTP agents count as disconnected after two heartbeat intervals of silence
 * (S-20): the agent's own interval when known, else the server's setting.
 */
export function isHttpAgentStale(
  lastSeenMs: number,
  nowMs: number,
  heartbeatSeconds: number,
): boolean {
  return nowMs - lastSeenMs > Math.max(MIN_SILENCE_MS, 2 * heartbeatSeconds * 1000);
}
