/**
 * Why the protocol package refused some input. Callers switch on `code`
 * rather than on message text.
 */
export type ProtocolErrorCode =
  /** A WebSocket message ended inside the varint header. */
  | "TRUNCATED_HEADER"
  /** The varint header decoded to a value other than 0 (reserved for future use). */
  | "UNSUPPORTED_HEADER"
  /** The protobuf payload could not be decoded. */
  | "MALFORMED_MESSAGE"
  /** A message was larger than the configured limit. */
  | "MESSAGE_TOO_LARGE"
  /** An instance uid was not 16 bytes, or its text form was not a canonical UUID. */
  | "INVALID_INSTANCE_UID"
  /** A value cannot be represented as an OpAMP AnyValue (or the reverse). */
  | "INVALID_ATTRIBUTE"
  /** A capability name is not defined by the schema. */
  | "UNKNOWN_CAPABILITY";

/**
 * The one error class of `@opamp-ts/protocol`. Every rejection of input by
 * this package is an `OpampProtocolError` with a {@link ProtocolErrorCode}.
 */
export class OpampProtocolError extends Error {
  override readonly name = "OpampProtocolError";
  readonly code: ProtocolErrorCode;

  constructor(code: ProtocolErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** True when `error` is an {@link OpampProtocolError}, optionally with the given code. */
export function isOpampProtocolError(
  error: unknown,
  code?: ProtocolErrorCode,
): error is OpampProtocolError {
  return error instanceof OpampProtocolError && (code === undefined || error.code === code);
}
