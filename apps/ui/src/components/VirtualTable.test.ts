import assert from "node:assert/strict";
import { test } from "node:test";
import { visibleRange } from "./VirtualTable.js";

test("UI virtual table: only the rows in view plus the overscan are rendered", () => {
  assert.deepEqual(visibleRange(0, 400, 40, 10_000, 5), { first: 0, last: 15 });
  assert.deepEqual(visibleRange(4000, 400, 40, 10_000, 5), { first: 95, last: 115 });
});

test("UI virtual table: the range is clamped at the end and for short lists", () => {
  assert.deepEqual(visibleRange(399_600, 400, 40, 10_000, 5), { first: 9985, last: 10_000 });
  assert.deepEqual(visibleRange(0, 400, 40, 3, 5), { first: 0, last: 3 });
  assert.deepEqual(visibleRange(0, 400, 40, 0, 5), { first: 0, last: 0 });
});
