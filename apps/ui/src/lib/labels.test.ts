import assert from "node:assert/strict";
import { test } from "node:test";
import { formatLabels, parseLabels, selectorFromLabels } from "./labels.js";

test("UI labels: key=value lines parse, blank lines and comments are skipped", () => {
  assert.deepEqual(parseLabels("env=prod\n\n# team\nteam = payments\nempty=\n"), {
    ok: true,
    labels: { env: "prod", team: "payments", empty: "" },
  });
});

test("UI labels: bad lines are refused with their line number before anything is sent", () => {
  assert.deepEqual(parseLabels("env=prod\nnot a label"), {
    ok: false,
    line: 2,
    message: 'expected key=value, got "not a label"',
  });
  const badKey = parseLabels("bad key=1");
  assert.equal(badKey.ok, false);
  assert.equal(!badKey.ok && badKey.line, 1);
  const badValue = parseLabels("k=has space");
  assert.equal(badValue.ok, false);
  const twice = parseLabels("k=1\nk=2");
  assert.equal(!twice.ok && twice.message, 'label "k" appears twice');
});

test("UI labels: formatting and parsing round-trip; selectors from labels are sorted equalities", () => {
  const labels = { z: "1", a: "b/c", "app.kubernetes.io/name": "x" };
  assert.deepEqual(parseLabels(formatLabels(labels)), { ok: true, labels });
  assert.equal(selectorFromLabels({ region: "eu", env: "prod" }), "env=prod,region=eu");
});
