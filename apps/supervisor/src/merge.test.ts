import assert from "node:assert/strict";
import { test } from "node:test";
import { AgentConfigMapSchema, create } from "@opamp-ts/protocol";
import { ownTelemetrySection, supervisorOwnedSection } from "./collector-config.js";
import { composeConfig, deepMerge, mergeOrder, mergeRemoteConfig } from "./merge.js";

const owned = supervisorOwnedSection({
  localEndpoint: "ws://127.0.0.1:1234/v1/opamp",
  token: "secret",
  instanceUid: "01a211c0-926e-769b-8081-7e6fc4eeaac6",
  supervisorPid: 42,
  orphanDetectionIntervalMs: 5000,
  healthCheckPort: 0,
});

const remoteMap = (files: Record<string, string>) =>
  create(AgentConfigMapSchema, {
    configMap: Object.fromEntries(
      Object.entries(files).map(([name, body]) => [
        name,
        { body: new TextEncoder().encode(body), contentType: "text/yaml" },
      ]),
    ),
  });

test("deep merge: later wins key by key, lists replace, except service::extensions which concatenates", () => {
  const merged = deepMerge(
    {
      receivers: { otlp: { protocols: { grpc: {} } } },
      service: { extensions: ["a"], pipelines: { x: { receivers: ["r1"] } } },
    },
    {
      receivers: { otlp: { protocols: { http: {} } } },
      service: { extensions: ["b", "a"], pipelines: { x: { receivers: ["r2"] } } },
    },
  );
  assert.deepEqual(merged, {
    receivers: { otlp: { protocols: { grpc: {}, http: {} } } },
    service: { extensions: ["a", "b"], pipelines: { x: { receivers: ["r2"] } } },
  });
});

test("missing placeholders take the Go supervisor's default places", () => {
  assert.deepEqual(mergeOrder(["a.yaml"]), [
    "$OWN_TELEMETRY_CONFIG",
    "a.yaml",
    "$OPAMP_EXTENSION_CONFIG",
    "$REMOTE_CONFIG",
  ]);
  assert.deepEqual(mergeOrder(["$REMOTE_CONFIG", "compliance.yaml"]), [
    "$OWN_TELEMETRY_CONFIG",
    "$REMOTE_CONFIG",
    "compliance.yaml",
    "$OPAMP_EXTENSION_CONFIG",
  ]);
});

test("remote config files merge sorted by name with the unnamed file last; invalid YAML fails with the file name", () => {
  const merged = mergeRemoteConfig(
    remoteMap({ "": "a: 3\n", b: "a: 2\nb: 2\n", a: "a: 1\nc: 1\n" }),
  );
  assert.deepEqual(merged, { ok: true, map: { a: 3, b: 2, c: 1 } });
  const bad = mergeRemoteConfig(remoteMap({ broken: "a: [1" }));
  assert.equal(bad.ok, false);
  assert.match(bad.ok ? "" : bad.reason, /remote config file "broken"/);
  assert.deepEqual(mergeRemoteConfig(remoteMap({ list: "- 1\n" })).ok, false);
});

test("the supervisor-owned opamp extension wins over local and remote configs and stays in service::extensions", () => {
  const files: Record<string, string> = {
    "/etc/base.yaml":
      "extensions:\n  opamp:\n    server:\n      http:\n        endpoint: http://evil\nservice:\n  extensions: [health_check]\n",
  };
  const result = composeConfig({
    configFiles: ["/etc/base.yaml"],
    readFile: (path) => files[path] ?? "",
    remote: { service: { extensions: [] }, extensions: { opamp: { instance_uid: "other" } } },
    ownTelemetry: ownTelemetrySection({
      metrics: { endpoint: "https://m.example/v1/metrics", headers: { k: "v" } },
    }),
    supervisorOwned: owned,
  });
  assert.ok(result.ok);
  if (!result.ok) return;
  const extensions = result.config.extensions as Record<string, Record<string, unknown>>;
  assert.deepEqual(extensions.opamp, (owned.extensions as Record<string, unknown>).opamp);
  assert.deepEqual((result.config.service as { extensions: string[] }).extensions, [
    "health_check",
    "opamp",
  ]);
  assert.ok(result.warnings.some((w) => w.includes("extensions::opamp")));
  const telemetry = (result.config.service as { telemetry: unknown }).telemetry;
  assert.deepEqual(telemetry, {
    metrics: {
      readers: [
        {
          periodic: {
            exporter: {
              otlp: {
                protocol: "http/protobuf",
                endpoint: "https://m.example/v1/metrics",
                headers: [{ name: "k", value: "v" }],
              },
            },
          },
        },
      ],
    },
  });
});

test("a local file that cannot be read or parsed fails the composition with its path", () => {
  const missing = composeConfig({
    configFiles: ["/nope.yaml"],
    readFile: () => {
      throw new Error("ENOENT");
    },
    remote: {},
    ownTelemetry: {},
    supervisorOwned: owned,
  });
  assert.equal(missing.ok, false);
  assert.match(missing.ok ? "" : missing.reason, /\/nope\.yaml/);
  const invalid = composeConfig({
    configFiles: ["/bad.yaml"],
    readFile: () => "a: [",
    remote: {},
    ownTelemetry: {},
    supervisorOwned: owned,
  });
  assert.match(invalid.ok ? "" : invalid.reason, /agent config file \/bad\.yaml/);
});

test("the extension section carries the supervisor pid for orphan detection and the per-run token header", () => {
  const opamp = (owned.extensions as Record<string, Record<string, unknown>>).opamp!;
  assert.equal(opamp.ppid, 42);
  assert.equal(opamp.ppid_poll_interval, "5000ms");
  assert.deepEqual((opamp.server as { ws: { headers: unknown } }).ws.headers, {
    "x-opamp-supervisor-token": "secret",
  });
  const withHealth = supervisorOwnedSection({
    localEndpoint: "ws://x",
    token: "t",
    instanceUid: "u",
    supervisorPid: 1,
    orphanDetectionIntervalMs: 1000,
    healthCheckPort: 13133,
  });
  assert.deepEqual((withHealth.service as { extensions: string[] }).extensions, [
    "opamp",
    "health_check/opamp_supervisor",
  ]);
});
