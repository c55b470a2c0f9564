import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { highlightLine, highlightYaml } from "./yaml-highlight.js";

const kinds = (line: string) => highlightLine(line).map((t) => `${t.kind}:${t.text}`);

test("UI highlight: keys, punctuation and scalar kinds are told apart", () => {
  assert.deepEqual(kinds("port: 4320"), ["key:port", "punct::", "text: ", "number:4320"]);
  assert.deepEqual(kinds("  enabled: true"), [
    "text:  ",
    "key:enabled",
    "punct::",
    "text: ",
    "literal:true",
  ]);
  assert.deepEqual(kinds('name: "otlp"'), ["key:name", "punct::", "text: ", 'string:"otlp"']);
  assert.deepEqual(kinds("- item"), ["punct:- ", "string:item"]);
  assert.deepEqual(kinds("ref: *base"), ["key:ref", "punct::", "text: ", "anchor:*base"]);
});

test("UI highlight: comments are split off, but not a # inside quotes or a URL fragment", () => {
  assert.deepEqual(kinds("a: 1 # note"), [
    "key:a",
    "punct::",
    "text: ",
    "number:1 ",
    "comment:# note",
  ]);
  assert.deepEqual(kinds('a: "x # y"'), ["key:a", "punct::", "text: ", 'string:"x # y"']);
  assert.deepEqual(kinds("url: http://h/p#frag"), [
    "key:url",
    "punct::",
    "text: ",
    "string:http://h/p#frag",
  ]);
  assert.deepEqual(kinds("# only"), ["comment:# only"]);
});

test("UI highlight: a key with a URL value keeps the colon inside the value", () => {
  assert.deepEqual(kinds("endpoint: http://localhost:4318"), [
    "key:endpoint",
    "punct::",
    "text: ",
    "string:http://localhost:4318",
  ]);
});

test("UI highlight: tokens always join back to the exact line, whatever the input", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 80 }), (line) => {
      const oneLine = line.replace(/\r?\n/g, " ");
      assert.equal(
        highlightLine(oneLine)
          .map((t) => t.text)
          .join(""),
        oneLine,
      );
    }),
  );
});

test("UI highlight: a document gives one token list per line", () => {
  assert.equal(highlightYaml("a: 1\nb: 2\n").length, 3);
});
