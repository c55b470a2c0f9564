import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { parseSelector, type Selector } from "../selector/selector.js";
import type { Assignment, ConfigurationVersion } from "../storage/types.js";
import {
  type ResolvedAssignment,
  resolveDesiredConfig,
  shouldOfferConfig,
} from "./desired-config.js";

function selector(text: string): Selector {
  const parsed = parseSelector(text);
  assert.ok(parsed.ok);
  return parsed.selector;
}

function assignment(i: number, priority: number, sel: string): ResolvedAssignment {
  const a: Assignment = {
    id: `a${i}`,
    configurationId: `c${i}`,
    version: null,
    selector: sel,
    priority,
    createdAt: `2026-01-01T00:00:${String(i).padStart(2, "0")}.000Z`,
  };
  const version: ConfigurationVersion = {
    configurationId: `c${i}`,
    version: 1,
    files: { f: { body: String(i), contentType: "" } },
    hash: `h${i}`,
    createdAt: a.createdAt,
    createdBy: "t",
  };
  return { assignment: a, selector: selector(sel), version };
}

describe("desired config", () => {
  test("property: the override wins, else the highest-priority matching assignment, older first on ties", () => {
    const arb = fc.record({
      assignments: fc.array(
        fc.record({
          priority: fc.integer({ min: -3, max: 3 }),
          sel: fc.constantFrom("", "env=prod", "env!=prod", "!env", "team"),
        }),
        { maxLength: 8 },
      ),
      labels: fc.constantFrom<Record<string, string>>(
        {},
        { env: "prod" },
        { env: "dev", team: "a" },
      ),
      override: fc.boolean(),
    });
    fc.assert(
      fc.property(arb, ({ assignments, labels, override }) => {
        const resolved = assignments.map((a, i) => assignment(i, a.priority, a.sel));
        const result = resolveDesiredConfig(
          override ? { agentId: "x", files: {}, hash: "override", updatedAt: "" } : undefined,
          resolved,
          labels,
        );
        if (override) {
          assert.equal(result?.source, "override");
          return;
        }
        const matching = resolved.filter((r) => matches(r, labels));
        if (matching.length === 0) {
          assert.equal(result, undefined);
          return;
        }
        const best = Math.max(...matching.map((m) => m.assignment.priority));
        const first = matching.find((m) => m.assignment.priority === best)!;
        assert.equal(result?.assignmentId, first.assignment.id);
        assert.equal(result?.hash, first.version.hash);
      }),
    );
  });

  const base = {
    acceptsRemoteConfig: true,
    reportedHash: "",
    failedHashes: [],
    offeredHash: undefined,
    force: false,
  };
  const desired = {
    source: "override" as const,
    files: {},
    hash: "h1",
    assignmentId: null,
    configurationId: null,
    version: null,
  };

  test("S-12 a config is offered when the agent reports another hash, not when it reports this one", () => {
    assert.equal(shouldOfferConfig(desired, base), true);
    assert.equal(shouldOfferConfig(desired, { ...base, reportedHash: "h0" }), true);
    assert.equal(shouldOfferConfig(desired, { ...base, reportedHash: "h1" }), false);
    assert.equal(shouldOfferConfig(undefined, base), false);
  });

  test("S-11 never to an agent without AcceptsRemoteConfig, even when forced", () => {
    assert.equal(
      shouldOfferConfig(desired, { ...base, acceptsRemoteConfig: false, force: true }),
      false,
    );
  });

  test("P-11 not twice on one connection while the offer is unanswered", () => {
    assert.equal(shouldOfferConfig(desired, { ...base, offeredHash: "h1" }), false);
    assert.equal(shouldOfferConfig(desired, { ...base, offeredHash: "h0" }), true);
  });

  test("P-12 a FAILED hash is not offered again unless a user forces it", () => {
    assert.equal(
      shouldOfferConfig(desired, { ...base, reportedHash: "h0", failedHashes: ["h1"] }),
      false,
    );
    assert.equal(
      shouldOfferConfig(desired, {
        ...base,
        reportedHash: "h1",
        failedHashes: ["h1"],
        force: true,
      }),
      true,
    );
  });
});

function matches(r: ResolvedAssignment, labels: Record<string, string>): boolean {
  switch (r.assignment.selector) {
    case "":
      return true;
    case "env=prod":
      return labels.env === "prod";
    case "env!=prod":
      return labels.env !== "prod";
    case "!env":
      return labels.env === undefined;
    case "team":
      return labels.team !== undefined;
    default:
      throw new Error(r.assignment.selector);
  }
}
