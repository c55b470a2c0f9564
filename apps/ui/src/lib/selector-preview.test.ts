import assert from "node:assert/strict";
import { test } from "node:test";
import { makeAgent } from "../test-support/agents.js";
import { previewSummary, selectorInputProblem } from "./selector-preview.js";

test("UI selector preview: counts matches and connected ones, lists a few names sorted, folds the rest", () => {
  const agents = ["delta", "alpha", "charlie", "bravo"].map((name, i) =>
    makeAgent({ name, connected: i % 2 === 0 }),
  );
  const summary = previewSummary(agents, 2);
  assert.equal(summary.count, 4);
  assert.equal(summary.connected, 2);
  assert.deepEqual(
    summary.names.map((n) => n.name),
    ["alpha", "bravo"],
  );
  assert.equal(summary.more, 2);
  assert.deepEqual(previewSummary([]), { count: 0, connected: 0, names: [], more: 0 });
});

test("UI selector preview: an empty selector is called out as matching every agent", () => {
  assert.match(selectorInputProblem("") ?? "", /every agent/);
  assert.equal(selectorInputProblem("env=prod"), undefined);
  assert.match(selectorInputProblem("x".repeat(5000)) ?? "", /too long/);
});
