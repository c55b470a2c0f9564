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

/** HTTP agents count as disconnected after two heartbeat intervals of silence (S-20). */
export function isHttpAgentStale(
  lastSeenMs: number,
  nowMs: number,
  heartbeatSeconds: number,
): boolean {
  return nowMs - lastSeenMs > 2 * heartbeatSeconds * 1000;
}
