import assert from "node:assert/strict";
import { test } from "node:test";
import { parseArgs } from "./cli.js";

test("the command line takes --config in the Go supervisor's forms and refuses anything else", () => {
  assert.deepEqual(parseArgs(["--config", "s.yaml"]), { kind: "run", configPath: "s.yaml" });
  assert.deepEqual(parseArgs(["--config=s.yaml"]), { kind: "run", configPath: "s.yaml" });
  assert.deepEqual(parseArgs(["-config", "s.yaml"]), { kind: "run", configPath: "s.yaml" });
  assert.equal(parseArgs(["--help"]).kind, "help");
  assert.throws(() => parseArgs([]), /--config <supervisor.yaml> is required/);
  assert.throws(() => parseArgs(["--config"]), /--config needs a file path/);
  assert.throws(() => parseArgs(["--config", "s.yaml", "--verbose"]), /unknown argument --verbose/);
});
