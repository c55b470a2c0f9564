import { OpampProtocolError } from "./errors.js";

/**
 * Recommended default for every OpAMP message size limit: 64 MiB
 * (spec "Message size limits"; digest §2.2, §2.3).
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/**
 * Size limits one side applies. `maxReceiveBytes` is measured after any
 * decompression (gzip body, permessage-deflate), `maxSendBytes` before any
 * compression, as the spec requires.
 */
export interface MessageSizeLimits {
  readonly maxReceiveBytes: number;
  readonly maxSendBytes: number;
}

/** Fill in the 64 MiB default for any limit not given, and reject nonsense values. */
export function resolveMessageSizeLimits(
  limits: Partial<MessageSizeLimits> = {},
): MessageSizeLimits {
  const resolved = {
    maxReceiveBytes: limits.maxReceiveBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    maxSendBytes: limits.maxSendBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new RangeError(`${name} must be a positive integer number of bytes, got ${value}`);
    }
  }
  return resolved;
}

/**
 * Throw `MESSAGE_TOO_LARGE` when `size` exceeds `limit`. Both sides call it:
 * a receiver answers with WebSocket close 1009 or HTTP 413, a sender drops
 * the message and records it.
 */
export function checkMessageSize(size: number, limit: number, what = "message"): void {
  if (size > limit) {
    throw new OpampProtocolError(
      "MESSAGE_TOO_LARGE",
      `${what} is ${size} bytes, over the ${limit}-byte limit`,
    );
  }
}
