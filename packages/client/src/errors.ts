/**
 * Why the client refused something or why a background step failed. Callers
 * switch on `code`, never on message text.
 */
export type ClientErrorCode =
  /** The options given to the client are inconsistent or invalid. */
  | "INVALID_OPTIONS"
  /** The client is not in a state where the call makes sense (e.g. not started). */
  | "INVALID_STATE"
  /** A connection could not be opened or broke (network, TLS, HTTP status). */
  | "CONNECT_FAILED"
  /** The server rejected the credentials (HTTP 401, C-5). */
  | "UNAUTHORIZED"
  /** The server asked the client to back off (503/429 or UNAVAILABLE, P-26). */
  | "THROTTLED"
  /** A message was over a size limit (C-39, P-27). */
  | "MESSAGE_TOO_LARGE"
  /** A received message could not be decoded (text frame, bad header, bad protobuf). */
  | "MALFORMED_MESSAGE"
  /** The server answered with `error_response` or HTTP 400 (C-16, P-29). */
  | "SERVER_ERROR"
  /** The persistent state could not be read or written (C-22). */
  | "STATE_STORE"
  /** A package download, verification or installation failed (§6). */
  | "PACKAGE"
  /** A connection-settings offer could not be applied (C-31). */
  | "CONNECTION_SETTINGS"
  /** A certificate signing request could not be generated or sent (C-33). */
  | "CSR"
  /** An application callback threw. */
  | "HANDLER_FAILED";

/**
 * The one error class of `@opamp-ts/client`. Background loops never throw it
 * out: they report it through the `clientError` event and the logger.
 */
export class OpampClientError extends Error {
  override readonly name = "OpampClientError";
  readonly code: ClientErrorCode;
  /** For `THROTTLED`: the server's `Retry-After` / `retry_info` hint in ms, if it gave one. */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: ClientErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterMs?: number | undefined },
  ) {
    super(message, options);
    this.code = code;
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** True when `error` is an {@link OpampClientError}, optionally with the given code. */
export function isOpampClientError(
  error: unknown,
  code?: ClientErrorCode,
): error is OpampClientError {
  return error instanceof OpampClientError && (code === undefined || error.code === code);
}

/** Wrap anything thrown into an {@link OpampClientError} with the given code. */
export function toClientError(
  code: ClientErrorCode,
  error: unknown,
  context: string,
): OpampClientError {
  if (error instanceof OpampClientError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new OpampClientError(code, `${context}: ${reason}`, { cause: error });
}
