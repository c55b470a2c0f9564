import type { IncomingMessage } from "node:http";
import {
  type AgentToServer,
  DEFAULT_OPAMP_PATH,
  KNOWN_SERVER_CAPABILITIES,
  type MessageInitShape,
  type MessageSizeLimits,
  resolveMessageSizeLimits,
  ServerCapabilities,
  type ServerToAgentSchema,
} from "@opamp-ts/protocol";
import type { PerMessageDeflateOptions } from "ws";
import type { AgentConnection } from "./connection.js";
import { OpampServerError } from "./errors.js";
import { type Logger, silentLogger } from "./logger.js";

/** What a hook may return as a `ServerToAgent`: any partial init shape. */
export type ServerToAgentInit = MessageInitShape<typeof ServerToAgentSchema>;

/**
 * The outcome of admission (`onConnecting`), decided before any WebSocket
 * upgrade and before an HTTP body is read (spec "Authentication"; S-2, S-7).
 * Reject with 401 for failed authentication, 429/503 plus `Retry-After` for
 * throttling.
 */
export type ConnectingDecision =
  | { accept: true; context?: unknown }
  | { accept: false; status: number; headers?: Record<string, string>; message?: string };

/** What the server does when one instance uid is live on two connections at once (S-17). */
export type DuplicateInstanceUidPolicy =
  /**
   * Answer the newcomer with `agent_identification.new_instance_uid` (default;
   * S-17 SHOULD). `onMessage` already sees the newcomer's message under the
   * new uid, so an application keyed by uid never mixes the two agents.
   */
  | "assign-new"
  /** Close the older connection; the newcomer keeps the uid (e.g. a reconnect behind a half-open socket). */
  | "close-previous"
  /** Only count and log it. */
  | "ignore";

/** WebSocket transport settings (spec "WebSocket Transport"). */
export interface WebSocketOptions {
  /** RFC 7692 per-message deflate; off by default (cheaper CPU, no compression bombs). */
  readonly perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** Interval between RFC 6455 pings; a socket that missed the previous pong is closed (P-25). Default 30 s; 0 disables. */
  readonly pingIntervalMs?: number;
  /** Close a socket that sent no message for this long (P-25). Default 0 (off): agents may heartbeat rarely. */
  readonly idleTimeoutMs?: number;
  /** Accept messages without the 0x00 header as pre-v0.7 peers send them (P-3). Default `"reject"`. */
  readonly legacyHeader?: "reject" | "accept";
}

/** Plain-HTTP transport settings (spec "Plain HTTP Transport"). */
export interface HttpOptions {
  /** A request body must arrive completely within this time, else 408 and the socket is closed. Default 30 s. */
  readonly bodyTimeoutMs?: number;
  /** Applied to a server created by `listen()`: time allowed for the request headers. Default 30 s. */
  readonly headersTimeoutMs?: number;
  /** An HTTP agent that has not polled for this long is reported disconnected. Default 5 min. */
  readonly agentTimeoutMs?: number;
  /** Gzip responses when the request's `Accept-Encoding` allows it (S-4). Default true. */
  readonly compressResponses?: boolean;
  /** Responses smaller than this are sent uncompressed. Default 1 KiB. */
  readonly compressMinBytes?: number;
}

/** Options of `new OpampServer()`; every field is optional. */
export interface OpampServerOptions {
  /** URL path of the endpoint, both transports (S-1). Default `/v1/opamp`. */
  readonly path?: string;
  /** `ServerCapabilities` mask; `AcceptsStatus` is always added, undefined bits are refused (S-6). */
  readonly capabilities?: bigint;
  /** Size limits, 64 MiB each by default; receive measured after decompression (S-3, S-4). */
  readonly limits?: Partial<MessageSizeLimits>;
  /** Admission, before any upgrade or body read (S-2). Default: accept everything. */
  readonly onConnecting?: (
    request: IncomingMessage,
  ) => ConnectingDecision | Promise<ConnectingDecision>;
  /** A WebSocket was upgraded, or an HTTP agent polled for the first time (or after going offline). */
  readonly onConnected?: (conn: AgentConnection) => void;
  /**
   * Every `AgentToServer`; the returned value is the reply (S-5). `instance_uid`,
   * `capabilities` (S-6), `ReportFullState` (S-9) and new instance uids (S-17)
   * are filled in by the server; offers the agent has no capability for are
   * removed (S-11); a command is sent alone (S-19).
   */
  readonly onMessage?: (
    conn: AgentConnection,
    message: AgentToServer,
  ) => ServerToAgentInit | undefined | Promise<ServerToAgentInit | undefined>;
  /** A WebSocket closed, or an HTTP agent sent `agent_disconnect` or stopped polling (S-23, P-28). */
  readonly onDisconnected?: (conn: AgentConnection) => void;
  readonly logger?: Logger;
  readonly websocket?: WebSocketOptions;
  readonly http?: HttpOptions;
  /** See {@link DuplicateInstanceUidPolicy}. Default `"assign-new"`. */
  readonly duplicateInstanceUid?: DuplicateInstanceUidPolicy;
}

/** Options with every default filled in. */
export interface ResolvedServerOptions {
  readonly path: string;
  readonly capabilities: bigint;
  readonly limits: MessageSizeLimits;
  readonly onConnecting: NonNullable<OpampServerOptions["onConnecting"]>;
  readonly onConnected: NonNullable<OpampServerOptions["onConnected"]>;
  readonly onMessage: NonNullable<OpampServerOptions["onMessage"]>;
  readonly onDisconnected: NonNullable<OpampServerOptions["onDisconnected"]>;
  readonly logger: Logger;
  readonly websocket: Required<Omit<WebSocketOptions, "perMessageDeflate">> & {
    readonly perMessageDeflate: boolean | PerMessageDeflateOptions;
  };
  readonly http: Required<HttpOptions>;
  readonly duplicateInstanceUid: DuplicateInstanceUidPolicy;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0) {
    throw new OpampServerError(
      "INVALID_OPTIONS",
      `${name} must be a non-negative number, got ${v}`,
    );
  }
  return v;
}

/** Check the options and fill in the defaults; invalid values throw `INVALID_OPTIONS`. */
export function resolveServerOptions(options: OpampServerOptions = {}): ResolvedServerOptions {
  const path = options.path ?? DEFAULT_OPAMP_PATH;
  if (!path.startsWith("/")) {
    throw new OpampServerError("INVALID_OPTIONS", `path must start with "/", got "${path}"`);
  }
  const requested = options.capabilities ?? 0n;
  if ((requested & ~KNOWN_SERVER_CAPABILITIES) !== 0n) {
    throw new OpampServerError(
      "INVALID_OPTIONS",
      `capabilities has bits the schema does not define (S-6): 0x${requested.toString(16)}`,
    );
  }
  let limits: MessageSizeLimits;
  try {
    limits = resolveMessageSizeLimits(options.limits);
  } catch (cause) {
    throw new OpampServerError("INVALID_OPTIONS", "invalid size limits", { cause });
  }
  const ws = options.websocket ?? {};
  const http = options.http ?? {};
  return {
    path,
    capabilities: requested | BigInt(ServerCapabilities.ServerCapabilities_AcceptsStatus),
    limits,
    onConnecting: options.onConnecting ?? (() => ({ accept: true })),
    onConnected: options.onConnected ?? (() => {}),
    onMessage: options.onMessage ?? (() => undefined),
    onDisconnected: options.onDisconnected ?? (() => {}),
    logger: options.logger ?? silentLogger,
    websocket: {
      perMessageDeflate: ws.perMessageDeflate ?? false,
      pingIntervalMs: nonNegative("websocket.pingIntervalMs", ws.pingIntervalMs, 30_000),
      idleTimeoutMs: nonNegative("websocket.idleTimeoutMs", ws.idleTimeoutMs, 0),
      legacyHeader: ws.legacyHeader ?? "reject",
    },
    http: {
      bodyTimeoutMs: nonNegative("http.bodyTimeoutMs", http.bodyTimeoutMs, 30_000),
      headersTimeoutMs: nonNegative("http.headersTimeoutMs", http.headersTimeoutMs, 30_000),
      agentTimeoutMs: nonNegative("http.agentTimeoutMs", http.agentTimeoutMs, 300_000),
      compressResponses: http.compressResponses ?? true,
      compressMinBytes: nonNegative("http.compressMinBytes", http.compressMinBytes, 1024),
    },
    duplicateInstanceUid: options.duplicateInstanceUid ?? "assign-new",
  };
}
