import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type DiffLine, diffLines, diffStats, filesToText, MAX_DIFF_CELLS } from "./diff.js";

function lcsLength(a: readonly string[], b: readonly string[]): number {
  const row = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    let diag = 0;
    for (let j = 1; j <= b.length; j += 1) {
      const up = row[j]!;
      row[j] = x === b[j - 1] ? diag + 1 : Math.max(row[j]!, row[j - 1]!);
      diag = up;
    }
  }
  return row[b.length]!;
}

function sides(lines: readonly DiffLine[]): { before: string[]; after: string[] } {
  return {
    before: lines.filter((l) => l.kind !== "added").map((l) => l.text),
    after: lines.filter((l) => l.kind !== "removed").map((l) => l.text),
  };
}

test("UI diff: identical texts are all 'same' with matching line numbers", () => {
  const lines = diffLines("a\nb\n", "a\nb\n");
  assert.deepEqual(lines, [
    { kind: "same", text: "a", oldLine: 1, newLine: 1 },
    { kind: "same", text: "b", oldLine: 2, newLine: 2 },
  ]);
});

test("UI diff: a changed value shows as one removed and one added line at the right numbers", () => {
  const lines = diffLines("a: 1\nb: 2\nc: 3\n", "a: 1\nb: 20\nc: 3\n");
  assert.deepEqual(
    lines.filter((l) => l.kind !== "same"),
    [
      { kind: "removed", text: "b: 2", oldLine: 2 },
      { kind: "added", text: "b: 20", newLine: 2 },
    ],
  );
  assert.deepEqual(diffStats(lines), { added: 1, removed: 1 });
});

test("UI diff: insertions in the middle keep the common lines as 'same'", () => {
  const lines = diffLines("x\ny\nz", "x\nnew1\ny\nnew2\nz");
  assert.deepEqual(
    lines.map((l) => `${l.kind[0]}${l.text}`),
    ["sx", "anew1", "sy", "anew2", "sz"],
  );
});

test("UI diff: empty sides diff to pure additions or removals", () => {
  assert.deepEqual(diffLines("", "a\nb"), [
    { kind: "added", text: "a", newLine: 1 },
    { kind: "added", text: "b", newLine: 2 },
  ]);
  assert.deepEqual(diffStats(diffLines("a\nb", "")), { added: 0, removed: 2 });
  assert.deepEqual(diffLines("", ""), []);
});

test("UI diff: CRLF and LF line ends compare equal", () => {
  assert.deepEqual(diffStats(diffLines("a\r\nb\r\n", "a\nb\n")), { added: 0, removed: 0 });
});

test("UI diff: both sides are recovered from any diff, and the common part is a longest one", () => {
  const line = fc.constantFrom("a", "b", "c", "d", "");
  fc.assert(
    fc.property(fc.array(line, { maxLength: 30 }), fc.array(line, { maxLength: 30 }), (a, b) => {
      const lines = diffLines(a.join("\n"), b.join("\n"));
      const back = sides(lines);
      const norm = (x: string[]) => (x.join("\n") === "" ? [] : x.join("\n").split("\n"));
      const trimmed = (x: string[]) => {
        const t = norm(x);
        if (t[t.length - 1] === "") t.pop();
        return t;
      };
      assert.deepEqual(back.before, trimmed(a));
      assert.deepEqual(back.after, trimmed(b));
      assert.equal(
        lines.filter((l) => l.kind === "same").length,
        lcsLength(trimmed(a), trimmed(b)),
      );
      for (const l of lines) {
        if (l.kind !== "added") assert.equal(trimmed(a)[l.oldLine! - 1], l.text);
        if (l.kind !== "removed") assert.equal(trimmed(b)[l.newLine! - 1], l.text);
      }
    }),
  );
});

test("UI diff: a diff too large for the table degrades to removed + added instead of hanging", () => {
  const n = Math.ceil(Math.sqrt(MAX_DIFF_CELLS)) + 10;
  const a = Array.from({ length: n }, (_, i) => `a${i}`).join("\n");
  const b = Array.from({ length: n }, (_, i) => `b${i}`).join("\n");
  const stats = diffStats(diffLines(a, b));
  assert.deepEqual(stats, { added: n, removed: n });
});

test("UI diff: several files join under '# file:' headers in name order, one file stays as is", () => {
  assert.equal(filesToText({ "a.yaml": { body: "x: 1\n" } }), "x: 1\n");
  assert.equal(
    filesToText({ "b.yaml": { body: "b: 1\n" }, "a.yaml": { body: "a: 1\n" } }),
    "# file: a.yaml\na: 1\n\n# file: b.yaml\nb: 1\n",
  );
  assert.equal(filesToText({}), "");
});
