import { randomFillSync } from "node:crypto";
import { OpampProtocolError } from "./errors.js";

/** Length of `instance_uid` in bytes (spec: MUST be 16; rule C-1). */
export const INSTANCE_UID_BYTES = 16;

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Generate a new instance uid as a UUID v7 (RFC 9562): a 48-bit Unix time in
 * milliseconds, version 7, variant 0b10, the rest random from the system CSPRNG.
 * Time-ordered ids keep database indexes on the uid compact.
 */
export function newInstanceUid(unixMillis: number = Date.now()): Uint8Array {
  const uid = new Uint8Array(INSTANCE_UID_BYTES);
  randomFillSync(uid, 6);
  let time = BigInt(Math.max(0, Math.floor(unixMillis))) & 0xffff_ffff_ffffn;
  for (let i = 5; i >= 0; i--) {
    uid[i] = Number(time & 0xffn);
    time >>= 8n;
  }
  uid[6] = (uid[6]! & 0x0f) | 0x70;
  uid[8] = (uid[8]! & 0x3f) | 0x80;
  return uid;
}

/** True when `uid` has the 16 bytes the spec requires. */
export function isValidInstanceUid(uid: Uint8Array | undefined): uid is Uint8Array {
  return uid !== undefined && uid.length === INSTANCE_UID_BYTES;
}

/** Throw `INVALID_INSTANCE_UID` unless `uid` is 16 bytes. */
export function assertInstanceUid(uid: Uint8Array | undefined): asserts uid is Uint8Array {
  if (!isValidInstanceUid(uid)) {
    throw new OpampProtocolError(
      "INVALID_INSTANCE_UID",
      `instance_uid must be ${INSTANCE_UID_BYTES} bytes, got ${(uid as Uint8Array | undefined)?.length ?? 0}`,
    );
  }
}

/**
 * Canonical lower-case UUID text (8-4-4-4-12), the form of the
 * `OpAMP-Instance-UID` HTTP header and of ids in logs and APIs.
 */
export function formatInstanceUid(uid: Uint8Array): string {
  assertInstanceUid(uid);
  const hex = Buffer.from(uid.buffer, uid.byteOffset, uid.byteLength).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Parse canonical UUID text (either case) into 16 bytes; anything else throws `INVALID_INSTANCE_UID`. */
export function parseInstanceUid(text: string): Uint8Array {
  if (!CANONICAL_UUID.test(text)) {
    throw new OpampProtocolError(
      "INVALID_INSTANCE_UID",
      `"${text.slice(0, 64)}" is not a UUID in 8-4-4-4-12 hex form`,
    );
  }
  return new Uint8Array(Buffer.from(text.replaceAll("-", ""), "hex"));
}

/** Byte-wise equality of two uids (either may be missing). */
export function instanceUidEquals(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined || a.length !== b.length) {
    return false;
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      return false;
    }
  }
  return true;
}
