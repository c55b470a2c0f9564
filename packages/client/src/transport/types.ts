import type { ServerToAgent } from "@opamp-ts/protocol";
import type { BackoffOptions } from "../backoff.js";
import type { OpampClientError } from "../errors.js";
import type { TransportKind } from "../heartbeat.js";
import type { Logger } from "../logger.js";
import type { OpampConnectionSettings } from "../options.js";
import type { BuiltMessage } from "../report-builder.js";

/** What processing a `ServerToAgent` means for the transport (C-16). */
export type ReceiveOutcome =
  /** Processed normally. */
  | { readonly kind: "ok" }
  /** The server is overloaded: back off, honouring its hint (P-26). */
  | { readonly kind: "unavailable"; readonly retryAfterMs?: number }
  /** BadRequest/Unknown error: the message is not resent, the connection stays. */
  | { readonly kind: "rejected" }
  /** Addressed to another instance or otherwise not for us (C-4). */
  | { readonly kind: "ignored" };

/** What a transport needs from the client; one host per transport instance. */
export interface TransportHost {
  readonly logger: Logger;
  /** Assemble the next message (C-14); `undefined` when nothing is due. */
  build(options: {
    force?: boolean;
    disconnect?: boolean;
    /** Report everything: used on a WebSocket reconnect, where the last messages may be lost (C-6). */
    fullState?: boolean;
  }): Promise<BuiltMessage | undefined>;
  /** True when a status change waits to be sent. */
  hasPending(): boolean;
  /** Process one message from the server (C-15). */
  receive(message: ServerToAgent): Promise<ReceiveOutcome>;
  /** The first clean reply on a new connection arrived (P-33). */
  connected(): void;
  /** A connection attempt or an established connection failed. */
  connectFailed(error: OpampClientError): void;
  /** A non-fatal problem (malformed or oversize message, rejected request). */
  reportError(error: OpampClientError): void;
  /** Current heartbeat / polling interval in ms; 0 = none (C-20). */
  heartbeatIntervalMs(kind: TransportKind): number;
}

/** Limits and timing shared by both transports. */
export interface TransportConfig {
  readonly settings: OpampConnectionSettings;
  readonly maxReceiveBytes: number;
  readonly maxSendBytes: number;
  readonly backoff: BackoffOptions;
  readonly pingIntervalMs: number;
  readonly requestTimeoutMs: number;
  readonly compressRequests: boolean;
  /** Instance uid text for the `OpAMP-Instance-UID` header (C-38). */
  readonly instanceUidText: () => string;
}

/**
 * One OpAMP connection strategy. The transport owns connecting, retrying,
 * heartbeats and the single writer; the client owns the content.
 */
export interface Transport {
  readonly kind: TransportKind;
  /** Begin connecting; retries in the background until stopped. */
  start(): void;
  /** A status change is pending: send it at the first opportunity (C-14). */
  wake(): void;
  /** The heartbeat interval changed: re-arm the timer. */
  refreshHeartbeat(): void;
  /** Stop; with `disconnect`, the last message carries `agent_disconnect` (C-36). */
  stop(options: { disconnect: boolean }): Promise<void>;
}
