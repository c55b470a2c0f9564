import assert from "node:assert/strict";
import { test } from "node:test";
import { makeAgent } from "../test-support/agents.js";
import { agentType } from "./agent-fields.js";
import { groupCounts, summarizeFleet } from "./fleet-summary.js";

test("S-8 overview: connected, unhealthy and config status totals", () => {
  const s = summarizeFleet([
    makeAgent({ remoteConfigStatus: { status: "APPLIED", configHash: "a", errorMessage: "" } }),
    makeAgent({
      connected: false,
      remoteConfigStatus: { status: "FAILED", configHash: "a", errorMessage: "x" },
    }),
    makeAgent({
      remoteConfigStatus: { status: "APPLYING", configHash: "a", errorMessage: "" },
      health: {
        healthy: false,
        startTimeUnixNano: "0",
        lastError: "down",
        status: "",
        statusTimeUnixNano: "0",
        attributes: {},
        componentHealthMap: {},
      },
    }),
    makeAgent(),
  ]);
  assert.deepEqual(
    [s.total, s.connected, s.unhealthy, s.applied, s.applying, s.failed, s.unset],
    [4, 3, 1, 1, 1, 1, 1],
  );
  assert.deepEqual(s.byOs, [["linux", 4]]);
});

test("UI overview: groups are sorted by count then name, the tail folded into 'other'", () => {
  const names = ["a", "b", "b", "c", "c", "c", "d", "e"];
  const agents = names.map((type) => makeAgent({ type }));
  assert.deepEqual(groupCounts(agents, agentType, 3), [
    ["c", 3],
    ["b", 2],
    ["other", 3],
  ]);
  assert.deepEqual(groupCounts(agents, agentType, 10).length, 5);
  assert.deepEqual(groupCounts([], agentType), []);
});
