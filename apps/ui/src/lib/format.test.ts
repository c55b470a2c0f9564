import assert from "node:assert/strict";
import { test } from "node:test";
import {
  formatBytes,
  formatCount,
  formatDateTime,
  formatRelative,
  nanosToMillis,
  percent,
  plural,
  shortHash,
} from "./format.js";

const NOW = Date.parse("2026-11-25T09:00:00.000Z");

test("UI format: counts get thousands separators and plurals", () => {
  assert.equal(formatCount(10240), "10,240");
  assert.equal(plural(1, "agent"), "1 agent");
  assert.equal(plural(12000, "agent"), "12,000 agents");
  assert.equal(percent(1, 3), "33%");
  assert.equal(percent(0, 0), "—");
});

test("UI format: relative times read like people say them", () => {
  assert.equal(formatRelative(NOW - 2_000, NOW), "just now");
  assert.equal(formatRelative(NOW - 42_000, NOW), "42 s ago");
  assert.equal(formatRelative(NOW - 3 * 60_000, NOW), "3 min ago");
  assert.equal(formatRelative(NOW - 5 * 3_600_000, NOW), "5 h ago");
  assert.equal(formatRelative(NOW - 3 * 86_400_000, NOW), "3 d ago");
  assert.equal(formatRelative(NOW + 2 * 3_600_000, NOW), "in 2 h");
  assert.equal(formatRelative("2026-11-25T08:59:00.000Z", NOW), "1 min ago");
  assert.equal(formatRelative("not a date", NOW), "");
});

test("UI format: date-times are YYYY-MM-DD HH:MM:SS, empty for garbage", () => {
  assert.match(formatDateTime(NOW), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  assert.equal(formatDateTime("nope"), "");
});

test("P-2 UI format: Unix-nanosecond strings beyond 2^53 convert to the right millisecond", () => {
  assert.equal(nanosToMillis("1764061200123456789"), 1764061200123);
  assert.equal(nanosToMillis("0"), undefined);
  assert.equal(nanosToMillis(""), undefined);
  assert.equal(nanosToMillis("-5"), undefined);
});

test("S-12 UI format: hashes are shortened to 8 hex digits, 'none' when empty", () => {
  assert.equal(shortHash("8dea509d0123456789"), "8dea509d");
  assert.equal(shortHash(""), "none");
});

test("UI format: bytes use binary units", () => {
  assert.equal(formatBytes(512), "512 B");
  assert.equal(formatBytes(1536), "1.5 KiB");
  assert.equal(formatBytes(64 * 1024 * 1024), "64 MiB");
});
