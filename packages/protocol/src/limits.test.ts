import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isOpampProtocolError } from "./errors.js";
import { checkMessageSize, DEFAULT_MAX_MESSAGE_BYTES, resolveMessageSizeLimits } from "./limits.js";

describe("size limits", () => {
  it("C-39 defaults every limit to 64 MiB", () => {
    assert.equal(DEFAULT_MAX_MESSAGE_BYTES, 67_108_864);
    assert.deepEqual(resolveMessageSizeLimits(), {
      maxReceiveBytes: 67_108_864,
      maxSendBytes: 67_108_864,
    });
    assert.deepEqual(resolveMessageSizeLimits({ maxSendBytes: 10 }), {
      maxReceiveBytes: 67_108_864,
      maxSendBytes: 10,
    });
  });

  it("refuses limits that are not positive integers", () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => resolveMessageSizeLimits({ maxReceiveBytes: bad }), RangeError);
    }
  });

  it("accepts a size equal to the limit and rejects one byte more", () => {
    checkMessageSize(100, 100);
    assert.throws(
      () => checkMessageSize(101, 100),
      (e) => isOpampProtocolError(e, "MESSAGE_TOO_LARGE"),
    );
  });
});
