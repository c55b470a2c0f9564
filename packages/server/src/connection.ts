import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { ServerToAgent } from "@opamp-ts/protocol";
import { type PeerCertificateInfo, peerCertificateOf } from "./admission.js";
import type { TransportKind } from "./metrics.js";
import type { ServerToAgentInit } from "./options.js";

/**
 * One agent's link to the server, as hooks see it. A WebSocket connection is
 * one socket (possibly carrying several agents behind a multiplexing proxy,
 * S-26); a plain-HTTP connection is one agent, identified by its instance
 * uid, from its first poll until it disconnects or stops polling.
 */
export interface AgentConnection {
  /** Unique id of this connection, for logs and maps. */
  readonly id: string;
  readonly transport: TransportKind;
  /** The instance uid of the last message on this connection (S-8). */
  readonly instanceUid: Uint8Array | undefined;
  /** What `onConnecting` returned as `context` (HTTP: for the latest request). */
  readonly context: unknown;
  readonly remoteAddress: string;
  /** The TLS client certificate, for mTLS (S-14, S-16). */
  readonly peerCertificate: PeerCertificateInfo | undefined;
  /** The upgrade request (WebSocket) or the latest poll (HTTP). */
  readonly request: IncomingMessage;
  /** False once the socket closed or the HTTP agent disconnected. */
  readonly isOpen: boolean;
  /**
   * Push a `ServerToAgent` at any time (S-24). WebSocket: written now, in
   * order with replies. HTTP: kept in the agent's outbox (latest item of each
   * kind) and delivered with the next poll; the promise resolves once queued.
   * `instance_uid` defaults to the connection's; the same rules as for
   * replies apply (S-6, S-7, S-11, S-19). Rejects with `OpampServerError`
   * (`MESSAGE_TOO_LARGE`, `CONNECTION_CLOSED`, `NO_INSTANCE_UID`,
   * `NOT_SUPPORTED_BY_AGENT`).
   */
  send(message: ServerToAgentInit): Promise<void>;
  /** WebSocket: close with a Close frame (S-23). HTTP: forget the agent's session and outbox. */
  close(): void;
}

/** State every transport's connection shares. */
export abstract class ConnectionBase implements AgentConnection {
  readonly id = randomUUID();
  abstract readonly transport: TransportKind;
  instanceUid: Uint8Array | undefined;
  context: unknown;
  request: IncomingMessage;
  /** Uid keys that already received `capabilities` on this connection (S-6). */
  readonly capabilitiesSent = new Set<string>();

  constructor(request: IncomingMessage, context: unknown) {
    this.request = request;
    this.context = context;
  }

  get remoteAddress(): string {
    return this.request.socket.remoteAddress ?? "";
  }

  get peerCertificate(): PeerCertificateInfo | undefined {
    return peerCertificateOf(this.request);
  }

  abstract get isOpen(): boolean;
  abstract send(message: ServerToAgentInit): Promise<void>;
  abstract close(): void;
  /** Deliver messages the pipeline already shaped. */
  abstract deliver(messages: ServerToAgent[]): Promise<void>;
}
