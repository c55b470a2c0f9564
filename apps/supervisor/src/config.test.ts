import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadConfig, parseConfig } from "./config.js";
import { parseDuration } from "./duration.js";
import { SupervisorError } from "./errors.js";

const exe = process.execPath;
const minimal = () => ({
  server: { endpoint: "ws://127.0.0.1:4320/v1/opamp" },
  agent: { executable: exe },
});

function rejects(document: unknown, path: RegExp, env: Record<string, string> = {}): void {
  assert.throws(
    () => parseConfig(document, env),
    (error: unknown) =>
      error instanceof SupervisorError &&
      error.code === "INVALID_CONFIG" &&
      path.test(error.message),
  );
}

test("defaults match the Go supervisor's (capabilities, timeouts, storage) plus rollback on by default", () => {
  const config = parseConfig(minimal(), {});
  assert.deepEqual(config.capabilities, {
    acceptsRemoteConfig: false,
    reportsRemoteConfig: false,
    acceptsRestartCommand: false,
    acceptsOpampConnectionSettings: false,
    reportsEffectiveConfig: true,
    reportsHealth: true,
    reportsHeartbeat: true,
    reportsOwnMetrics: true,
    reportsOwnLogs: false,
    reportsOwnTraces: false,
    reportsAvailableComponents: false,
    acceptsPackages: false,
    reportsPackageStatuses: false,
  });
  assert.equal(config.agent.bootstrapTimeoutMs, 3000);
  assert.equal(config.agent.configApplyTimeoutMs, 5000);
  assert.equal(config.agent.orphanDetectionIntervalMs, 5000);
  assert.equal(config.agent.opampServerPort, 0);
  assert.equal(config.agent.passthroughLogs, false);
  assert.equal(config.agent.automaticConfigRollback, true);
  assert.equal(config.storage.directory, "/var/lib/otelcol/supervisor");
  assert.equal(config.telemetry.logs.level, "info");
});

test("an unknown key stops parsing with a message naming its full path", () => {
  rejects(
    { ...minimal(), agent: { executable: exe, config_apply_timout: "5s" } },
    /^agent::config_apply_timout: unknown key/,
  );
  rejects(
    { ...minimal(), capabilities: { accepts_remote_configs: true } },
    /^capabilities::accepts_remote_configs/,
  );
  rejects({ ...minimal(), serverx: {} }, /^serverx: unknown key/);
  rejects(
    { ...minimal(), server: { endpoint: "ws://x", tls: { ca: "x" } } },
    /^server::tls::ca: unknown key/,
  );
});

test("bad values name the key: duration, boolean, port, scheme, placeholder, uuid, level", () => {
  rejects(
    { ...minimal(), agent: { executable: exe, bootstrap_timeout: "5" } },
    /^agent::bootstrap_timeout: "5" is not a duration/,
  );
  rejects(
    { ...minimal(), agent: { executable: exe, config_apply_timeout: "0s" } },
    /^agent::config_apply_timeout: must be positive/,
  );
  rejects(
    { ...minimal(), capabilities: { reports_health: "yes" } },
    /^capabilities::reports_health: must be true or false/,
  );
  rejects(
    { ...minimal(), agent: { executable: exe, opamp_server_port: 70000 } },
    /^agent::opamp_server_port/,
  );
  rejects(
    { server: { endpoint: "ftp://x" }, agent: { executable: exe } },
    /^server::endpoint: scheme "ftp:"/,
  );
  rejects({ agent: { executable: exe } }, /^server::endpoint: must be specified/);
  rejects(
    { ...minimal(), agent: { executable: exe, config_files: ["$OWN_CONFIG"] } },
    /^agent::config_files\[0\]/,
  );
  rejects(
    { ...minimal(), agent: { executable: exe, instance_id: "abc" } },
    /^agent::instance_id: "abc" is not a UUID/,
  );
  rejects({ ...minimal(), telemetry: { logs: { level: "loud" } } }, /^telemetry::logs::level/);
  rejects(
    { ...minimal(), agent: { executable: "/nonexistent/otelcol" } },
    /^agent::executable: .* does not exist/,
  );
  rejects(
    { ...minimal(), server: { endpoint: "wss://x", tls: { min_version: "1.9" } } },
    /^server::tls::min_version/,
  );
});

test("accepting packages without a signing key is refused unless signatures are explicitly not required", () => {
  rejects(
    { ...minimal(), capabilities: { accepts_packages: true } },
    /^agent::package::public_key_files/,
  );
  const config = parseConfig(
    {
      ...minimal(),
      capabilities: { accepts_packages: true },
      agent: { executable: exe, package: { require_signature: false } },
    },
    {},
  );
  assert.equal(config.capabilities.acceptsPackages, true);
});

const ref = (name: string): string => `\${${name}}`;

test("env references (env:VAR and VAR in braces) are expanded; headers accept Go's list form; durations parse Go syntax", () => {
  const config = parseConfig(
    {
      server: {
        endpoint: ref("env:OPAMP_URL"),
        headers: { Authorization: `Bearer ${ref("TOKEN")}`, "X-Multi": ["a", "b"] },
      },
      agent: {
        executable: exe,
        config_files: ["base.yaml", "$REMOTE_CONFIG"],
        orphan_detection_interval: "1m30s",
      },
    },
    { OPAMP_URL: "wss://opamp.example/v1/opamp", TOKEN: "t0k" },
  );
  assert.equal(config.server.endpoint, "wss://opamp.example/v1/opamp");
  assert.deepEqual(config.server.headers, { Authorization: "Bearer t0k", "X-Multi": "a, b" });
  assert.equal(config.agent.configFiles[0], join(process.cwd(), "base.yaml"));
  assert.equal(config.agent.configFiles[1], "$REMOTE_CONFIG");
  assert.equal(config.agent.orphanDetectionIntervalMs, 90_000);
  assert.equal(parseDuration("250ms"), 250);
  assert.equal(parseDuration("1.5s"), 1500);
  assert.equal(parseDuration("2h"), 7_200_000);
  assert.equal(parseDuration("5 s"), undefined);
});

test("loadConfig reports unreadable files and invalid YAML as INVALID_CONFIG", async () => {
  const dir = await mkdtemp(join(tmpdir(), "opamp-sup-config-"));
  try {
    assert.throws(() => loadConfig(join(dir, "missing.yaml")), /cannot read config file/);
    await writeFile(join(dir, "bad.yaml"), "server: [unclosed");
    assert.throws(() => loadConfig(join(dir, "bad.yaml")), /is not valid YAML/);
    await writeFile(
      join(dir, "ok.yaml"),
      `server:\n  endpoint: ws://127.0.0.1:1/v1/opamp\nagent:\n  executable: ${exe}\n`,
    );
    assert.equal(loadConfig(join(dir, "ok.yaml"), {}).agent.executable, exe);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("telemetry::logs::output_paths and server::tls extras of the Go config are accepted and mapped", () => {
  const config = parseConfig(
    {
      ...minimal(),
      server: {
        endpoint: "wss://opamp.example/v1/opamp",
        tls: {
          include_system_ca_certs_pool: true,
          cipher_suites: ["TLS_AES_128_GCM_SHA256"],
          insecure: false,
        },
      },
      telemetry: {
        logs: {
          level: "debug",
          output_paths: ["stdout", "sup.log"],
          error_output_paths: ["stderr"],
        },
      },
    },
    {},
  );
  assert.deepEqual(config.telemetry.logs, {
    level: "debug",
    outputPaths: ["stdout", join(process.cwd(), "sup.log")],
  });
  assert.equal(config.server.tls.includeSystemCaCertsPool, true);
  assert.deepEqual(config.server.tls.cipherSuites, ["TLS_AES_128_GCM_SHA256"]);
  assert.deepEqual(parseConfig(minimal(), {}).telemetry.logs.outputPaths, ["stderr"]);
});
