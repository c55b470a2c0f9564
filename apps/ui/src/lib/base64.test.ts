import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeBase64Text, encodeBase64Text } from "./base64.js";

test("S-22 custom message payloads: UTF-8 text round-trips through base64", () => {
  assert.equal(encodeBase64Text("hello"), "aGVsbG8=");
  assert.equal(decodeBase64Text(encodeBase64Text("grüße ✓")), "grüße ✓");
  assert.equal(encodeBase64Text(""), "");
});

test("S-22 custom message payloads: binary or broken payloads show as base64 instead of garbage", () => {
  assert.equal(decodeBase64Text("/w=="), "base64:/w==");
  assert.equal(decodeBase64Text("***"), "base64:***");
});
