import assert from "node:assert/strict";
import { test } from "node:test";
import type { Health } from "../api/types.js";
import { countProblems, flattenHealth } from "./health-tree.js";

const node = (healthy: boolean, lastError = "", children: Record<string, Health> = {}): Health => ({
  healthy,
  startTimeUnixNano: "1764061200000000000",
  lastError,
  status: healthy ? "ok" : "down",
  statusTimeUnixNano: "0",
  attributes: {},
  componentHealthMap: children,
});

test("C-24 health tree: flattened depth first with paths, children sorted by name", () => {
  const rows = flattenHealth(
    node(true, "", {
      pipelines: node(true, "", { "traces/b": node(true), "metrics/a": node(true) }),
      extensions: node(true),
    }),
  );
  assert.deepEqual(
    rows.map((r) => [r.path, r.depth]),
    [
      ["", 0],
      ["extensions", 1],
      ["pipelines", 1],
      ["pipelines/metrics/a", 2],
      ["pipelines/traces/b", 2],
    ],
  );
  assert.equal(rows[0]?.startTime, 1764061200000);
  assert.equal(rows[0]?.statusTime, undefined);
});

test("C-24 health tree: unhealthy components and components with an error are problems", () => {
  const rows = flattenHealth(
    node(true, "", {
      a: node(false),
      b: node(true, "export failed: connection refused"),
      c: node(true),
    }),
  );
  assert.deepEqual(
    rows.filter((r) => r.problem).map((r) => r.name),
    ["a", "b"],
  );
  assert.equal(countProblems(rows), 2);
});
