import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { isOpampProtocolError } from "./errors.js";
import {
  assertInstanceUid,
  formatInstanceUid,
  instanceUidEquals,
  isValidInstanceUid,
  newInstanceUid,
  parseInstanceUid,
} from "./instance-uid.js";

describe("instance uid", () => {
  it("C-1 new uids are 16-byte UUID v7 with the time in the first 48 bits", () => {
    const millis = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    const uid = newInstanceUid(millis);
    assert.equal(uid.length, 16);
    assert.equal(uid[6]! >> 4, 7, "version nibble");
    assert.equal(uid[8]! >> 6, 0b10, "RFC 9562 variant");
    assert.equal(Number(Buffer.from(uid.subarray(0, 6)).readUIntBE(0, 6)), millis);
    assert.match(
      formatInstanceUid(uid),
      /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it("C-1 two uids from the same millisecond differ", () => {
    const now = Date.now();
    const seen = new Set(
      Array.from({ length: 1000 }, () => formatInstanceUid(newInstanceUid(now))),
    );
    assert.equal(seen.size, 1000);
  });

  it("formats and parses canonical text both ways, in either case", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const text = formatInstanceUid(bytes);
        assert.deepEqual(parseInstanceUid(text), bytes);
        assert.deepEqual(parseInstanceUid(text.toUpperCase()), bytes);
      }),
    );
  });

  it("P-17 rejects ids that are not 16 bytes, such as a legacy 26-byte ULID", () => {
    const ulid = new TextEncoder().encode("01ARZ3NDEKTSV4RRFFQ69G5FAV");
    assert.equal(isValidInstanceUid(ulid), false);
    assert.throws(
      () => assertInstanceUid(ulid),
      (e) => isOpampProtocolError(e, "INVALID_INSTANCE_UID"),
    );
    assert.throws(
      () => formatInstanceUid(new Uint8Array(15)),
      (e) => isOpampProtocolError(e, "INVALID_INSTANCE_UID"),
    );
  });

  it("rejects text that is not a canonical UUID", () => {
    for (const text of [
      "",
      "0190b7f8bb8572b589428533325b988a",
      "0190b7f8-bb85-72b5-8942-8533325b988",
      "zz90b7f8-bb85-72b5-8942-8533325b988a",
    ]) {
      assert.throws(
        () => parseInstanceUid(text),
        (e) => isOpampProtocolError(e, "INVALID_INSTANCE_UID"),
        text,
      );
    }
  });

  it("compares uids byte by byte", () => {
    const a = newInstanceUid();
    assert.ok(instanceUidEquals(a, Uint8Array.from(a)));
    assert.ok(!instanceUidEquals(a, newInstanceUid()));
    assert.ok(!instanceUidEquals(a, undefined));
  });
});
