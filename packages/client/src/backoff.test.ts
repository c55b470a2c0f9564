import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { Backoff, parseRetryAfter, retryInfoToMs, throttleDelay } from "./backoff.js";

describe("backoff and throttling hints", () => {
  test("C-37 exponential backoff grows, is capped, is jittered within bounds and resets", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 0.999, noNaN: true }), (r) => {
        const backoff = new Backoff(
          { initialMs: 100, maxMs: 1_000, multiplier: 2, jitter: 0.5 },
          () => r,
        );
        const delays = Array.from({ length: 6 }, () => backoff.next());
        const bases = [100, 200, 400, 800, 1_000, 1_000];
        delays.forEach((d, i) => {
          assert.ok(d <= bases[i]! && d >= bases[i]! * 0.5 - 1, `delay ${d} for base ${bases[i]}`);
        });
        backoff.reset();
        assert.ok(backoff.next() <= 100);
      }),
    );
  });

  test("P-26 Retry-After delta-seconds and HTTP-date both parse; garbage does not", () => {
    const now = Date.parse("2026-11-25T08:00:00Z");
    assert.equal(parseRetryAfter("120", now), 120_000);
    assert.equal(parseRetryAfter(" 0 ", now), 0);
    assert.equal(parseRetryAfter("Wed, 25 Nov 2026 08:00:30 GMT", now), 30_000);
    assert.equal(parseRetryAfter("Wed, 25 Nov 2026 07:00:00 GMT", now), 0, "a past date means now");
    assert.equal(parseRetryAfter("soon", now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
    assert.equal(parseRetryAfter("", now), undefined);
  });

  test("C-16 P-26 retry_info nanoseconds become milliseconds, rounded up, and never below our own backoff", () => {
    assert.equal(retryInfoToMs(30_000_000_000n), 30_000);
    assert.equal(retryInfoToMs(1n), 1);
    assert.equal(retryInfoToMs(0n), 0);
    assert.equal(retryInfoToMs(2n ** 64n - 1n), 18_446_744_073_710, "uint64 maximum stays exact");
    const backoff = new Backoff({ initialMs: 500, jitter: 0 });
    assert.equal(throttleDelay(backoff, 100), 500, "max(backoff, hint)");
    assert.equal(throttleDelay(backoff, 5_000), 5_000);
    assert.equal(throttleDelay(backoff, undefined), 2_000);
  });
});
