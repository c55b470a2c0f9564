import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { helpText, parseAddress, parseCli, SETTINGS } from "./config.js";
import { ControlPlaneError } from "./errors.js";

function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const result = parseCli(argv, env);
  assert.equal(result.kind, "run");
  return (result as Extract<typeof result, { kind: "run" }>).config;
}

test("defaults match the documented ones", () => {
  const config = run([]);
  assert.equal(config.opampAddress, "0.0.0.0:4320");
  assert.equal(config.httpAddress, "127.0.0.1:4321");
  assert.equal(config.dataDir, "./data");
  assert.equal(config.databaseUrl, undefined);
  assert.deepEqual(config.enrollmentTokens, []);
  assert.equal(config.heartbeatIntervalSeconds, 30);
});

test("a flag beats the environment, which beats the config file", () => {
  const dir = mkdtempSync(join(tmpdir(), "opamp-config-"));
  try {
    const file = join(dir, "server.yaml");
    writeFileSync(
      file,
      "data-dir: /from/file\nhttp-address: 127.0.0.1:9\nenrollment-token: [a, b]\nheartbeat-interval: 10\n",
    );
    const config = run(["--config", file, "--data-dir", "/from/flag"], {
      OPAMP_DATA_DIR: "/from/env",
      OPAMP_HTTP_ADDRESS: "127.0.0.1:8",
    });
    assert.equal(config.dataDir, "/from/flag");
    assert.equal(config.httpAddress, "127.0.0.1:8");
    assert.deepEqual(config.enrollmentTokens, ["a", "b"]);
    assert.equal(config.heartbeatIntervalSeconds, 10);
    const viaEnv = run([], { OPAMP_CONFIG: file, OPAMP_ENROLLMENT_TOKENS: "x, y" });
    assert.deepEqual(viaEnv.enrollmentTokens, ["x", "y"]);
    assert.equal(viaEnv.dataDir, "/from/file");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("repeated and comma-separated --enrollment-token flags add up", () => {
  assert.deepEqual(run(["--enrollment-token", "a,b", "--enrollment-token", "c"]).enrollmentTokens, [
    "a",
    "b",
    "c",
  ]);
});

test("bad input is a CONFIG error naming the problem", () => {
  const fails = (argv: string[], env: NodeJS.ProcessEnv, pattern: RegExp) =>
    assert.throws(
      () => parseCli(argv, env),
      (e) => e instanceof ControlPlaneError && e.code === "CONFIG" && pattern.test(e.message),
    );
  fails(["--nope"], {}, /nope/);
  fails(["--heartbeat-interval", "soon"], {}, /heartbeat-interval/);
  fails(["--tls-cert", "c.pem"], {}, /tls-key/);
  fails(["--client-ca", "ca.pem"], {}, /client-ca/);
  fails(["--config", "/does/not/exist.yaml"], {}, /cannot read/);
  const dir = mkdtempSync(join(tmpdir(), "opamp-config-"));
  try {
    writeFileSync(join(dir, "bad.yaml"), "unknown-key: 1\n");
    fails(["--config", join(dir, "bad.yaml")], {}, /unknown key "unknown-key"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--help lists every flag with its environment variable", () => {
  const result = parseCli(["--help"], {});
  assert.equal(result.kind, "help");
  for (const s of SETTINGS) {
    assert.ok(helpText().includes(`--${s.flag}`), s.flag);
    assert.ok(helpText().includes(s.env), s.env);
    assert.match(s.env, /^OPAMP_/);
  }
});

test("addresses parse as host:port, including IPv6", () => {
  assert.deepEqual(parseAddress("0.0.0.0:4320"), { host: "0.0.0.0", port: 4320 });
  assert.deepEqual(parseAddress("[::1]:80"), { host: "::1", port: 80 });
  assert.deepEqual(parseAddress(":4320"), { host: "0.0.0.0", port: 4320 });
  assert.throws(() => parseAddress("localhost"), ControlPlaneError);
  assert.throws(() => parseAddress("h:99999"), ControlPlaneError);
});
