import type { IncomingMessage } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { PeerCertificate, TLSSocket } from "node:tls";
import { describeError, type Logger } from "./logger.js";
import type { ConnectingDecision } from "./options.js";

/**
 * Admission: the application's `onConnecting` runs before a WebSocket is
 * upgraded and before a plain-HTTP body is read, so unauthenticated or
 * throttled agents cost nothing (spec "Authentication", "Throttling"; S-2, S-7).
 */

/** A rejection with every field present. */
export interface Rejection {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly message: string;
}

/** The TLS client certificate of a request, for mTLS and trust-on-first-use (S-14). */
export interface PeerCertificateInfo {
  /** The certificate as Node parsed it (subject, issuer, fingerprint256, raw DER...). */
  readonly certificate: PeerCertificate;
  /** True when the certificate chains to a CA the server trusts. */
  readonly authorized: boolean;
  /** Why it is not authorized, when it is not. */
  readonly authorizationError: string | undefined;
}

/**
 * The client certificate presented on the request's TLS connection, or
 * `undefined` on plain TCP or when the client sent none. With
 * `requestCert: true, rejectUnauthorized: false` an application can admit
 * unknown certificates and decide in `onConnecting` (S-14).
 */
export function peerCertificateOf(request: IncomingMessage): PeerCertificateInfo | undefined {
  const socket = request.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== "function") {
    return undefined;
  }
  const certificate = socket.getPeerCertificate(false);
  if (certificate === null || certificate === undefined || Object.keys(certificate).length === 0) {
    return undefined;
  }
  const error = socket.authorizationError as Error | string | null | undefined;
  return {
    certificate,
    authorized: socket.authorized === true,
    authorizationError: error === null || error === undefined ? undefined : String(error),
  };
}

/**
 * Run the hook and turn anything odd into a decision: a throwing hook or an
 * invalid status refuses the request with 500 instead of crashing the server.
 */
export async function admit(
  request: IncomingMessage,
  hook: (request: IncomingMessage) => ConnectingDecision | Promise<ConnectingDecision>,
  logger: Logger,
): Promise<{ accept: true; context: unknown } | ({ accept: false } & Rejection)> {
  let decision: ConnectingDecision;
  try {
    decision = await hook(request);
  } catch (error) {
    logger.error("onConnecting failed; refusing the request", { error: describeError(error) });
    return { accept: false, status: 500, headers: {}, message: "admission failed" };
  }
  if (decision.accept) {
    return { accept: true, context: decision.context };
  }
  const status =
    Number.isInteger(decision.status) && decision.status >= 400 && decision.status <= 599
      ? decision.status
      : 500;
  return {
    accept: false,
    status,
    headers: decision.headers ?? {},
    message: decision.message ?? STATUS_CODES[status] ?? "refused",
  };
}

/**
 * Answer a refused upgrade on the raw socket (there is no `ServerResponse`
 * for an upgrade request) and close it.
 */
export function writeUpgradeRejection(socket: Duplex, rejection: Rejection): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = `${rejection.message}\n`;
  const headers: Record<string, string | number> = {
    ...safeHeaders(rejection.headers),
    Connection: "close",
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
  };
  const head = [`HTTP/1.1 ${rejection.status} ${STATUS_CODES[rejection.status] ?? "Error"}`];
  for (const [name, value] of Object.entries(headers)) {
    head.push(`${name}: ${value}`);
  }
  socket.end(`${head.join("\r\n")}\r\n\r\n${body}`);
}

/**
 * The headers whose names are valid tokens and whose values hold no CR/LF:
 * anything else from an application hook could split the response.
 */
export function safeHeaders(headers: Record<string, string>): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) && !/[\r\n]/.test(String(value))) {
      clean[name] = String(value);
    }
  }
  return clean;
}
