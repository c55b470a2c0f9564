import assert from "node:assert/strict";
import { test } from "node:test";
import type { Agent } from "../api/types.js";
import { makeAgent } from "../test-support/agents.js";
import { rolloutState, rolloutTotals, targetedAgents } from "./rollout.js";

const version = { configurationId: "cfg", hash: "h2" };
const desired = { source: "assignment" as const, hash: "h2", configurationId: "cfg", version: 2 };
const status = (s: Agent["remoteConfigStatus"]["status"], hash = "h2", errorMessage = "") => ({
  status: s,
  configHash: hash,
  errorMessage,
});

test("S-12 rollout: an agent is applied, applying or failed only for the version's own hash", () => {
  assert.equal(rolloutState(makeAgent({ remoteConfigStatus: status("APPLIED") }), "h2"), "applied");
  assert.equal(
    rolloutState(makeAgent({ remoteConfigStatus: status("APPLYING") }), "h2"),
    "applying",
  );
  assert.equal(rolloutState(makeAgent({ remoteConfigStatus: status("FAILED") }), "h2"), "failed");
  assert.equal(
    rolloutState(makeAgent({ remoteConfigStatus: status("APPLIED", "h1") }), "h2"),
    "pending",
  );
  assert.equal(rolloutState(makeAgent(), "h2"), "pending");
});

test("P-12 rollout: a hash the agent reported FAILED stays failed after it reports something else", () => {
  const a = makeAgent({ remoteConfigStatus: status("APPLIED", "h1"), failedConfigHashes: ["h2"] });
  assert.equal(rolloutState(a, "h2"), "failed");
});

test("S-12 rollout: totals count only agents whose desired config is this version", () => {
  const agents = [
    makeAgent({ desiredConfig: desired, remoteConfigStatus: status("APPLIED") }),
    makeAgent({ desiredConfig: desired, remoteConfigStatus: status("APPLYING") }),
    makeAgent({ desiredConfig: desired, remoteConfigStatus: status("FAILED", "h2", "boom") }),
    makeAgent({ desiredConfig: desired }),
    makeAgent({
      desiredConfig: { ...desired, hash: "h1", version: 1 },
      remoteConfigStatus: status("APPLIED", "h1"),
    }),
    makeAgent({ desiredConfig: { ...desired, configurationId: "other" } }),
    makeAgent(),
  ];
  assert.equal(targetedAgents(agents, version).length, 4);
  assert.deepEqual(rolloutTotals(agents, version), {
    applied: 1,
    applying: 1,
    failed: 1,
    pending: 1,
    total: 4,
  });
});
