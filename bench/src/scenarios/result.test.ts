import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mergeResults, type ScenarioResult } from "./result.js";

function result(command: string, runs: ScenarioResult["runs"], startedAt: string): ScenarioResult {
  return {
    scenario: "reconnect-storm",
    startedAt,
    finishedAt: startedAt,
    commit: "abc",
    command,
    machine: {
      cpuModel: "x",
      cores: 2,
      memoryGiB: 1,
      kernel: "k",
      node: "v20",
      go: undefined,
      fdHardLimit: 1,
    },
    notes: ["pinned"],
    runs,
  };
}

describe("merging results of separate runs", () => {
  it("replaces entries of the same target and parameters and keeps the others", () => {
    const older = result(
      "npm run bench -- reconnect-storm",
      [
        { target: "library", params: { agents: 10 }, metrics: { a: 1 }, load1: 1 },
        {
          target: "control-plane",
          params: { agents: 10 },
          metrics: {},
          load1: 1,
          error: "timeout",
        },
      ],
      "2026-01-01T10:00:00Z",
    );
    const newer = result(
      "npm run bench -- reconnect-storm --targets control-plane",
      [{ target: "control-plane", params: { agents: 10 }, metrics: { a: 2 }, load1: 2 }],
      "2026-01-01T11:00:00Z",
    );
    const merged = mergeResults(older, newer);
    assert.deepEqual(
      merged.runs.map((r) => [r.target, r.metrics.a, r.error]),
      [
        ["library", 1, undefined],
        ["control-plane", 2, undefined],
      ],
    );
    assert.equal(merged.startedAt, "2026-01-01T10:00:00Z");
    assert.equal(
      merged.command,
      "npm run bench -- reconnect-storm ; npm run bench -- reconnect-storm --targets control-plane",
    );
    assert.deepEqual(merged.notes, ["pinned"]);
  });

  it("refuses to merge different scenarios", () => {
    const a = result("x", [], "2026-01-01T10:00:00Z");
    assert.throws(() => mergeResults(a, { ...a, scenario: "capacity" }), /cannot merge/);
  });
});
