import { OpampProtocolError } from "./errors.js";

/**
 * The WebSocket header this protocol version uses: the varint 0, one byte 0x00
 * (spec "WebSocket Message Format"; digest §2.2, rule C-9/S-3).
 */
export const WS_HEADER_BYTE = 0x00;

/** A varint is at most 10 bytes long (64 bits in 7-bit groups). */
const MAX_VARINT_BYTES = 10;

/**
 * How to treat a WebSocket message whose first byte is not 0x00 (P-3).
 *
 * - `"reject"` (default): the message is malformed, as the spec says: its first
 *   byte reads as a non-zero header and decoding throws `UNSUPPORTED_HEADER`.
 * - `"accept"`: treat the whole message as a header-less protobuf payload, as
 *   peers from before spec v0.7.0 sent. This is unambiguous because valid
 *   protobuf never starts with 0x00 (field number 0 does not exist), and it is
 *   what opamp-go's decoder does.
 */
export type LegacyHeaderMode = "reject" | "accept";

/** Prefix a protobuf payload with the WebSocket header. Never used on plain HTTP. */
export function encodeWsFrame(payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(payload.length + 1);
  frame[0] = WS_HEADER_BYTE;
  frame.set(payload, 1);
  return frame;
}

/**
 * Strip and check the varint header of a received WebSocket message and return
 * the protobuf payload (a view, not a copy). An empty payload is valid.
 *
 * Throws `TRUNCATED_HEADER` when the message is empty, ends inside the varint
 * or the varint runs past 10 bytes, and `UNSUPPORTED_HEADER` when the header
 * is not 0. With `legacy` set to `"accept"`, a message whose first byte is not
 * 0x00 is returned whole as a header-less payload instead.
 */
export function decodeWsFrame(frame: Uint8Array, legacy: LegacyHeaderMode = "reject"): Uint8Array {
  if (frame.length === 0) {
    throw new OpampProtocolError("TRUNCATED_HEADER", "empty WebSocket message: no header");
  }
  if (frame[0] === WS_HEADER_BYTE) {
    return frame.subarray(1);
  }
  if (legacy === "accept") {
    return frame;
  }
  const { value, length } = readVarint(frame);
  if (value !== 0n) {
    throw new OpampProtocolError(
      "UNSUPPORTED_HEADER",
      `WebSocket header is ${value}, only 0 is defined (a peer from before spec v0.7 sends no header)`,
    );
  }
  // A non-canonical encoding of zero (0x80 0x00 ...) is still the header 0.
  return frame.subarray(length);
}

function readVarint(bytes: Uint8Array): { value: bigint; length: number } {
  let value = 0n;
  for (let i = 0; i < Math.min(bytes.length, MAX_VARINT_BYTES); i++) {
    const byte = bytes[i]!;
    value |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if ((byte & 0x80) === 0) {
      return { value, length: i + 1 };
    }
  }
  throw new OpampProtocolError(
    "TRUNCATED_HEADER",
    bytes.length < MAX_VARINT_BYTES
      ? "WebSocket message ends inside its varint header"
      : "WebSocket varint header is longer than 10 bytes",
  );
}
