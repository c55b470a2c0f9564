import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { percentileOfSorted, ratio, summarize } from "./stats.js";

describe("latency statistics", () => {
  it("nearest-rank percentiles are observed samples", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentileOfSorted(sorted, 50), 50);
    assert.equal(percentileOfSorted(sorted, 95), 95);
    assert.equal(percentileOfSorted(sorted, 99), 99);
    assert.equal(percentileOfSorted(sorted, 100), 100);
  });

  it("a single sample is every percentile", () => {
    assert.equal(percentileOfSorted([7], 1), 7);
    assert.equal(percentileOfSorted([7], 99), 7);
  });

  it("rounds the rank up on small samples (p99 of 10 samples is the largest)", () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    assert.equal(percentileOfSorted(sorted, 99), 10);
    assert.equal(percentileOfSorted(sorted, 50), 5);
    assert.equal(percentileOfSorted(sorted, 51), 6);
  });

  it("refuses an empty sample and percentiles outside (0, 100]", () => {
    assert.throws(() => percentileOfSorted([], 50), RangeError);
    assert.throws(() => percentileOfSorted([1], 0), RangeError);
    assert.throws(() => percentileOfSorted([1], 101), RangeError);
  });

  it("summarize sorts unordered samples and computes min, max and mean", () => {
    const s = summarize([30, 10, 20, 40]);
    assert.deepEqual(s, { count: 4, min: 10, p50: 20, p95: 40, p99: 40, max: 40, mean: 25 });
    assert.equal(summarize([]), undefined);
  });

  it("ratio is ours over theirs and undefined without a usable denominator", () => {
    assert.equal(ratio(30, 10), 3);
    assert.equal(ratio(1, 0), undefined);
    assert.equal(ratio(undefined, 3), undefined);
    assert.equal(ratio(3, undefined), undefined);
    assert.equal(ratio(Number.NaN, 3), undefined);
  });
});
