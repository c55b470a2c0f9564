/**
 * Counters an operator needs to watch an OpAMP endpoint: connections,
 * messages and bytes per transport, and errors by kind. The library only
 * counts; `snapshot()` returns a plain object the application exports in its
 * own format (Prometheus in the control plane).
 */

/** The two OpAMP transports (spec "Transports"; S-1). */
export type TransportKind = "websocket" | "http";

/** Every kind of error or rejection the server counts. */
export type ServerErrorKind =
  /** A malformed `AgentToServer` answered with `error_response` BadRequest (S-7). */
  | "bad_request"
  /** A WebSocket message with a non-zero or truncated varint header (P-3, S-3). */
  | "bad_header"
  /** A WebSocket text frame; only binary messages are valid (P-5). */
  | "text_frame"
  /** A received message over the receive limit: close 1009 or HTTP 413 (S-3, S-4). */
  | "message_too_large"
  /** An outgoing message over the send limit, dropped and not sent (S-3). */
  | "send_too_large"
  /** A request refused by `onConnecting` (S-2, S-7 throttling). */
  | "rejected"
  /** An HTTP request that was not an OpAMP POST (wrong method or content type, P-4). */
  | "not_opamp"
  /** A slow client or a dead WebSocket closed by a timeout (P-25). */
  | "timeout"
  /** An application hook threw or rejected. */
  | "hook_failed"
  /** An instance uid seen on two live connections at once (S-17). */
  | "duplicate_instance_uid"
  /** Part of a message dropped because the agent lacks the capability (S-11). */
  | "capability_filtered"
  /** A socket or stream error (reset, bad gzip data, ...). */
  | "transport";

const ERROR_KINDS: readonly ServerErrorKind[] = [
  "bad_request",
  "bad_header",
  "text_frame",
  "message_too_large",
  "send_too_large",
  "rejected",
  "not_opamp",
  "timeout",
  "hook_failed",
  "duplicate_instance_uid",
  "capability_filtered",
  "transport",
];

/** Per-transport counters. */
export interface TransportCounters {
  /** WebSocket: upgraded sockets. HTTP: agents seen polling after being offline (logical sessions). */
  connectionsOpened: number;
  connectionsClosed: number;
  /** opened − closed. */
  connectionsCurrent: number;
  /** HTTP requests received on the OpAMP path (always 0 for WebSocket). */
  requests: number;
  messagesReceived: number;
  messagesSent: number;
  /** Bytes as received (WebSocket: message size; HTTP: body after decompression). */
  bytesReceived: number;
  /** Bytes encoded (before any compression). */
  bytesSent: number;
}

/** A point-in-time copy of every counter; safe to keep and serialise. */
export interface ServerMetricsSnapshot {
  readonly transports: Readonly<Record<TransportKind, Readonly<TransportCounters>>>;
  readonly errors: Readonly<Record<ServerErrorKind, number>>;
  /** Agents the server currently holds state for. */
  readonly agentsTracked: number;
}

function emptyCounters(): TransportCounters {
  return {
    connectionsOpened: 0,
    connectionsClosed: 0,
    connectionsCurrent: 0,
    requests: 0,
    messagesReceived: 0,
    messagesSent: 0,
    bytesReceived: 0,
    bytesSent: 0,
  };
}

/** Mutable counters owned by one `OpampServer`. */
export class ServerMetrics {
  private readonly transports: Record<TransportKind, TransportCounters> = {
    websocket: emptyCounters(),
    http: emptyCounters(),
  };
  private readonly errors = Object.fromEntries(ERROR_KINDS.map((k) => [k, 0])) as Record<
    ServerErrorKind,
    number
  >;

  connectionOpened(transport: TransportKind): void {
    const c = this.transports[transport];
    c.connectionsOpened++;
    c.connectionsCurrent++;
  }

  connectionClosed(transport: TransportKind): void {
    const c = this.transports[transport];
    c.connectionsClosed++;
    c.connectionsCurrent--;
  }

  request(transport: TransportKind): void {
    this.transports[transport].requests++;
  }

  received(transport: TransportKind, bytes: number): void {
    const c = this.transports[transport];
    c.messagesReceived++;
    c.bytesReceived += bytes;
  }

  sent(transport: TransportKind, bytes: number): void {
    const c = this.transports[transport];
    c.messagesSent++;
    c.bytesSent += bytes;
  }

  error(kind: ServerErrorKind): void {
    this.errors[kind]++;
  }

  snapshot(agentsTracked: number): ServerMetricsSnapshot {
    return {
      transports: {
        websocket: { ...this.transports.websocket },
        http: { ...this.transports.http },
      },
      errors: { ...this.errors },
      agentsTracked,
    };
  }
}
