import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  formatSelector,
  matchesSelector,
  parseSelector,
  type Requirement,
  type Selector,
} from "./selector.js";

function parse(text: string): Selector {
  const result = parseSelector(text);
  if (!result.ok) assert.fail(`${text}: ${result.error.message} at ${result.error.position}`);
  return result.selector;
}

function errorOf(text: string) {
  const result = parseSelector(text);
  assert.equal(result.ok, false, `${text} should not parse`);
  return (result as { ok: false; error: { message: string; position: number } }).error;
}

const labels = { env: "prod", region: "eu", "service.name": "otelcol" };

describe("label selectors", () => {
  test("every operator of the Kubernetes syntax parses and matches", () => {
    const cases: [string, boolean][] = [
      ["", true],
      ["env=prod", true],
      ["env==prod", true],
      ["env=dev", false],
      ["env!=dev", true],
      ["missing!=x", true],
      ["env in (prod,staging)", true],
      ["env in (dev, staging)", false],
      ["env notin (dev)", true],
      ["missing notin (dev)", true],
      ["env", true],
      ["missing", false],
      ["!missing", true],
      ["!env", false],
      ["env=prod, region=eu", true],
      ["env=prod,region=us", false],
      ["service.name=otelcol", true],
    ];
    for (const [text, expected] of cases) {
      assert.equal(matchesSelector(parse(text), labels), expected, text);
    }
  });

  test("errors carry the position of the offending character", () => {
    assert.deepEqual(errorOf("env=prod,"), {
      message: "expected a label key, found end of selector",
      position: 9,
    });
    assert.equal(errorOf("env in prod").position, 7);
    assert.equal(errorOf("env in (a,").position, 10);
    assert.equal(errorOf("env=prod region=eu").position, 9);
    assert.equal(errorOf("=prod").position, 0);
    assert.equal(errorOf("env in ()").position, 8);
  });

  const key = fc
    .stringMatching(/^[a-z][a-z0-9._\-/]{0,8}$/)
    .filter((k) => k !== "in" && k !== "notin");
  const value = fc.stringMatching(/^[a-z0-9._\-:]{1,6}$/);
  const requirement: fc.Arbitrary<Requirement> = fc.oneof(
    fc.record({ op: fc.constantFrom("exists" as const, "absent" as const), key }),
    fc.record({ op: fc.constantFrom("eq" as const, "neq" as const), key, value }),
    fc.record({
      op: fc.constantFrom("in" as const, "notin" as const),
      key,
      values: fc.array(value, { minLength: 1, maxLength: 3 }),
    }),
  );
  const selector = fc.record({ requirements: fc.array(requirement, { maxLength: 4 }) });
  const labelSet = fc.dictionary(key, value, { maxKeys: 4 });

  test("property: format then parse gives the same selector", () => {
    fc.assert(
      fc.property(selector, (s) => {
        assert.deepEqual(parse(formatSelector(s)), JSON.parse(JSON.stringify(s)));
      }),
    );
  });

  test("property: = and !=, in and notin, exists and absent are complements", () => {
    fc.assert(
      fc.property(requirement, labelSet, (r, l) => {
        const negated: Requirement =
          r.op === "eq"
            ? { ...r, op: "neq" }
            : r.op === "neq"
              ? { ...r, op: "eq" }
              : r.op === "in"
                ? { ...r, op: "notin" }
                : r.op === "notin"
                  ? { ...r, op: "in" }
                  : r.op === "exists"
                    ? { ...r, op: "absent" }
                    : { ...r, op: "exists" };
        const a = matchesSelector({ requirements: [r] }, l);
        const b = matchesSelector({ requirements: [negated] }, l);
        assert.equal(a, !b);
      }),
    );
  });

  test("property: a comma is AND", () => {
    fc.assert(
      fc.property(selector, labelSet, (s, l) => {
        const each = s.requirements.every((r) => matchesSelector({ requirements: [r] }, l));
        assert.equal(matchesSelector(s, l), each);
      }),
    );
  });

  test("property: any text either parses or gives an error inside the text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (text) => {
        const result = parseSelector(text);
        if (!result.ok) {
          assert.ok(result.error.position >= 0 && result.error.position <= text.length);
          assert.ok(result.error.message.length > 0);
        }
      }),
    );
  });
});
