import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiError } from "../api/errors.js";
import {
  checkYaml,
  formatProblem,
  isYamlFile,
  mergeProblems,
  problemFromApiError,
} from "./yaml-check.js";

test("REST 400 parity: valid YAML has no problems", () => {
  assert.deepEqual(checkYaml("receivers:\n  otlp: {}\nlist: [a, b]\n"), []);
  assert.deepEqual(checkYaml(""), []);
});

test("REST 400 parity: a mis-indented key is an error at its line and column", () => {
  const problems = checkYaml("receivers:\n  otlp: {}\n exporters: {}\n");
  assert.equal(problems[0]?.severity, "error");
  assert.equal(problems[0]?.line, 3);
  assert.equal(problems[0]?.column, 1);
  assert.match(problems[0]!.message, /same column/);
  assert.doesNotMatch(problems[0]!.message, /at line/);
});

test("REST 400 parity: an unclosed flow sequence is reported at the line the parser names", () => {
  const problems = checkYaml("a: 1\nb: [x, y\n");
  assert.ok(problems.length > 0);
  assert.ok(problems.every((p) => p.line >= 1 && p.column >= 1));
  assert.ok(problems.some((p) => p.severity === "error"));
});

test("REST 400 parity: problems are sorted by line", () => {
  const problems = checkYaml("a: 1\nb: : 2\nc:\n  d: 1\n e: 2\n");
  const lines = problems.map((p) => p.line);
  assert.deepEqual(
    lines,
    [...lines].sort((x, y) => x - y),
  );
});

test("REST 400 parity: YAML files are told apart by content type or name like the server does", () => {
  assert.equal(isYamlFile("collector.yaml", ""), true);
  assert.equal(isYamlFile("config", "text/yaml"), true);
  assert.equal(isYamlFile("x.yml", "application/octet-stream"), true);
  assert.equal(isYamlFile("config.json", "application/json"), false);
});

test("REST 400: the server's refusal becomes a problem at its line without repeating the location", () => {
  const error = ApiError.fromResponse("Saving the new version", 400, {
    statusCode: 400,
    error: "Bad Request",
    message:
      "collector.yaml: invalid YAML at line 3, column 1: All mapping items must start at the same column",
    file: "collector.yaml",
    line: 3,
    column: 1,
  });
  const problem = problemFromApiError(error);
  assert.deepEqual(problem, {
    line: 3,
    column: 1,
    message: "refused by the server: All mapping items must start at the same column",
    severity: "error",
  });
  assert.equal(
    formatProblem(problem!),
    "line 3, column 1: refused by the server: All mapping items must start at the same column",
  );
});

test("REST 400: an error without a line maps to no problem", () => {
  const error = ApiError.fromResponse("x", 409, { message: "conflict" });
  assert.equal(problemFromApiError(error), undefined);
});

test("REST 400: the server's problem is dropped when the local parser already marks that line", () => {
  const server = { line: 3, column: 1, message: "refused", severity: "error" as const };
  const local = [{ line: 3, column: 1, message: "same column", severity: "error" as const }];
  assert.deepEqual(mergeProblems(server, local), local);
  assert.deepEqual(mergeProblems(server, []), [server]);
  assert.deepEqual(mergeProblems(undefined, local), local);
});
