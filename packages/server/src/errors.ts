/**
 * Why the server library refused or failed something. Callers switch on
 * `code`, never on message text (DESIGN §3: one error class per library).
 */
export type ServerErrorCode =
  /** An option passed to `new OpampServer()` or `listen()` is invalid. */
  | "INVALID_OPTIONS"
  /** `listen()` was called on a server that already listens or is closed. */
  | "INVALID_STATE"
  /** A message to an agent was larger than the send limit and was dropped (S-3, spec "Message size limits"). */
  | "MESSAGE_TOO_LARGE"
  /** A message could not be sent because the connection is closed. */
  | "CONNECTION_CLOSED"
  /** A message offered something the agent has no capability for and nothing was left to send (S-11). */
  | "NOT_SUPPORTED_BY_AGENT"
  /** A message to an agent had no valid 16-byte instance uid to address it (S-5). */
  | "NO_INSTANCE_UID";

/**
 * The one error class of `@opamp-ts/server`. Everything this package throws
 * or rejects with is an `OpampServerError` carrying a {@link ServerErrorCode}
 * and, when another failure caused it, that failure as `cause`.
 */
export class OpampServerError extends Error {
  override readonly name = "OpampServerError";
  readonly code: ServerErrorCode;

  constructor(code: ServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** True when `error` is an {@link OpampServerError}, optionally with the given code. */
export function isOpampServerError(
  error: unknown,
  code?: ServerErrorCode,
): error is OpampServerError {
  return error instanceof OpampServerError && (code === undefined || error.code === code);
}
