/**
 * The real system for browser tests: the control plane started in-process
 * on loopback port 0 with a temporary SQLite data dir and the built UI, and
 * real `@opamp-ts/client` agents. A test agent applies any config except
 * one whose body contains "fail", which it reports FAILED with a message.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OpampClient } from "@opamp-ts/client";
import {
  type ConfigFiles,
  fromConfigMap,
  type ServerHandle,
  start,
  toConfigMap,
} from "@opamp-ts/control-plane";
import { AgentCapabilities, combineBits, formatInstanceUid } from "@opamp-ts/protocol";
import { UI_DIST } from "./build-ui.js";

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** The admin token of test servers. */
export const TEST_ADMIN_TOKEN = "ui-test-admin-token";

/** The message a test agent reports for a config it refuses. */
export const REFUSAL_MESSAGE = 'exporter "broken" is not supported by this agent';

/** A running control plane serving the built UI. */
export interface TestControlPlane {
  readonly handle: ServerHandle;
  /** A REST call with the admin token; resolves the JSON body (undefined for empty). */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

/** Starts the control plane on 127.0.0.1 port 0 with a fresh data dir. */
export async function startControlPlane(): Promise<TestControlPlane> {
  const dataDir = mkdtempSync(join(tmpdir(), "opamp-ui-cp-"));
  const handle = await start({
    opampAddress: "127.0.0.1:0",
    httpAddress: "127.0.0.1:0",
    dataDir,
    databaseUrl: undefined,
    adminToken: TEST_ADMIN_TOKEN,
    tlsCert: undefined,
    tlsKey: undefined,
    clientCa: undefined,
    enrollmentTokens: [],
    heartbeatIntervalSeconds: 30,
    maxBodyBytes: 1024 * 1024,
    maxMessageBytes: 4 * 1024 * 1024,
    uiDir: UI_DIST,
    logLevel: "silent",
  });
  return {
    handle,
    async api(method, path, body) {
      const res = await fetch(`${handle.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
    },
    async close() {
      await handle.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Capabilities of test agents: status, remote config, effective config, health, restart. */
export const TEST_AGENT_CAPABILITIES = combineBits(
  AgentCapabilities.AgentCapabilities_ReportsStatus,
  AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig,
  AgentCapabilities.AgentCapabilities_ReportsRemoteConfig,
  AgentCapabilities.AgentCapabilities_ReportsEffectiveConfig,
  AgentCapabilities.AgentCapabilities_ReportsHealth,
  AgentCapabilities.AgentCapabilities_AcceptsRestartCommand,
);

/** A real OpAMP client agent. */
export interface TestAgent {
  readonly client: OpampClient;
  /** Instance uid as a UUID string (the API's agent id). */
  id(): string;
  /** Config bodies it received, in order. */
  readonly received: ConfigFiles[];
  /** Restart commands it received (C-19). */
  restarts(): number;
  /** Its current effective config. */
  effective(): ConfigFiles;
  stop(): Promise<void>;
}

/** What a test agent reports about itself besides its name. */
export interface TestAgentOptions {
  /** service.name; default "otelcol-test". */
  readonly type?: string;
  /** service.version; default "0.115.0". */
  readonly version?: string;
  /** More non-identifying attributes (os.type, deployment.environment…). */
  readonly attributes?: Record<string, string>;
}

/** Starts an agent named `name` (its host.name) against `endpoint`. */
export async function startTestAgent(
  endpoint: string,
  name: string,
  options: TestAgentOptions = {},
): Promise<TestAgent> {
  let effective: ConfigFiles = {
    "collector.yaml": { body: "receivers:\n  otlp: {}\n", contentType: "text/yaml" },
  };
  const received: ConfigFiles[] = [];
  const client = new OpampClient({
    endpoint,
    capabilities: TEST_AGENT_CAPABILITIES,
    agentDescription: {
      identifyingAttributes: {
        "service.name": options.type ?? "otelcol-test",
        "service.version": options.version ?? "0.115.0",
        "service.instance.id": name,
      },
      nonIdentifyingAttributes: { "os.type": "linux", "host.name": name, ...options.attributes },
    },
    customCapabilities: ["io.opamp-ts.echo"],
    heartbeatIntervalSeconds: 5,
    logger: silent,
    effectiveConfig: () => toConfigMap(effective),
    onRemoteConfig: (config) => {
      const files = fromConfigMap(config.config);
      received.push(files);
      if (Object.values(files).some((f) => f.body.includes("fail"))) {
        return { status: "failed", errorMessage: REFUSAL_MESSAGE };
      }
      effective = files;
      return { status: "applied" };
    },
  });
  let restarts = 0;
  client.on("command", () => {
    restarts += 1;
  });
  client.on("customMessage", (message) => {
    void client
      .sendCustomMessage({ capability: message.capability, type: "echo", data: message.data })
      .catch(() => undefined);
  });
  await client.start();
  client.setHealth({
    healthy: true,
    status: "running",
    startTimeUnixNano: BigInt(Date.now()) * 1_000_000n,
    componentHealthMap: {
      "pipeline:traces": { healthy: true, status: "ok" },
      "exporter:otlp": { healthy: true, status: "ok" },
    },
  });
  return {
    client,
    id: () => formatInstanceUid(client.instanceUid),
    received,
    restarts: () => restarts,
    effective: () => effective,
    stop: () => client.stop(),
  };
}
