/**
 * A simulated fleet for `npm run demo`: agents built on `@opamp-ts/client`
 * with varied attributes, and demo configurations assigned by selector. The
 * "legacy" agents refuse any config marked experimental, so the demo always
 * shows some FAILED statuses next to APPLIED ones.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { FileStateStore, OpampClient } from "@opamp-ts/client";
import { AgentCapabilities, combineBits } from "@opamp-ts/protocol";
import { fromConfigMap, toConfigMap } from "./config-files.js";
import type { ConfigFiles } from "./storage/types.js";

const SERVICES = [
  "otelcol-gateway",
  "otelcol-agent",
  "fluent-bit",
  "checkout-api",
  "payments-worker",
];
const ENVS = ["prod", "prod", "staging", "dev"];
const REGIONS = ["eu-west", "us-east", "ap-south"];

const CAPABILITIES = combineBits(
  AgentCapabilities.AgentCapabilities_ReportsStatus,
  AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig,
  AgentCapabilities.AgentCapabilities_ReportsRemoteConfig,
  AgentCapabilities.AgentCapabilities_ReportsEffectiveConfig,
  AgentCapabilities.AgentCapabilities_ReportsHealth,
  AgentCapabilities.AgentCapabilities_AcceptsRestartCommand,
  AgentCapabilities.AgentCapabilities_ReportsHeartbeat,
);

/** Demo configurations and the selectors they are assigned by. */
export const DEMO_CONFIGURATIONS: readonly {
  name: string;
  selector: string;
  priority: number;
  body: string;
}[] = [
  {
    name: "baseline",
    selector: "",
    priority: 0,
    body: "receivers:\n  otlp:\n    protocols:\n      grpc: {}\nexporters:\n  debug: {}\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [debug]\n",
  },
  {
    name: "staging-experimental",
    selector: "env in (staging,dev)",
    priority: 10,
    body: "# experimental: tail sampling\nprocessors:\n  tail_sampling:\n    decision_wait: 10s\nexporters:\n  debug: {}\n",
  },
];

/**
 * Creates the demo configurations and their assignments through the REST
 * API; existing ones (a second run on the same data) are left alone.
 */
export async function seedDemoConfigurations(apiUrl: string, adminToken: string): Promise<void> {
  const api = async (path: string, body: unknown) => {
    const res = await fetch(`${apiUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { id?: string } };
  };
  for (const c of DEMO_CONFIGURATIONS) {
    const created = await api("/configurations", {
      name: c.name,
      description: "created by npm run demo",
      files: { "collector.yaml": { body: c.body, contentType: "text/yaml" } },
    });
    if (created.status === 201 && created.body.id !== undefined) {
      await api("/assignments", {
        configurationId: created.body.id,
        selector: c.selector,
        priority: c.priority,
      });
    }
  }
}

/** A stable instance uid (UUID v7 layout) per demo agent, so restarts do not grow the inventory. */
function demoUid(index: number): Uint8Array {
  const bytes = new Uint8Array(
    createHash("sha256").update(`opamp-ts demo agent ${index}`).digest().subarray(0, 16),
  );
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return bytes;
}

/** The running simulated agents. */
export interface DemoFleet {
  stop(): Promise<void>;
}

/** Starts `count` simulated agents against `opampUrl` (`ws://`) or, for every fifth agent, `opampHttpUrl`. */
export async function startDemoFleet(options: {
  count: number;
  opampUrl: string;
  opampHttpUrl: string;
  stateDir: string;
}): Promise<DemoFleet> {
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const clients: OpampClient[] = [];
  for (let i = 0; i < options.count; i++) {
    const legacy = i % 7 === 3;
    let effective: ConfigFiles = {
      "agent.yaml": { body: "# local defaults\n", contentType: "text/yaml" },
    };
    const client = new OpampClient({
      endpoint: i % 5 === 4 ? options.opampHttpUrl : options.opampUrl,
      capabilities: CAPABILITIES,
      instanceUid: demoUid(i),
      stateStore: new FileStateStore(join(options.stateDir, `agent-${i}.json`)),
      heartbeatIntervalSeconds: 10,
      logger: silent,
      agentDescription: {
        identifyingAttributes: {
          "service.name": SERVICES[i % SERVICES.length]!,
          "service.instance.id": `demo-${i}`,
        },
        nonIdentifyingAttributes: {
          env: ENVS[i % ENVS.length]!,
          region: REGIONS[i % REGIONS.length]!,
          "host.name": `demo-host-${String(i).padStart(2, "0")}`,
          "os.type": i % 6 === 0 ? "windows" : "linux",
          "agent.flavor": legacy ? "legacy" : "current",
        },
      },
      effectiveConfig: () => toConfigMap(effective),
      onRemoteConfig: (config) => {
        const files = fromConfigMap(config.config);
        if (legacy && Object.values(files).some((f) => f.body.includes("experimental"))) {
          return {
            status: "failed",
            errorMessage: "legacy agent: unknown processor tail_sampling",
          };
        }
        effective = files;
        return { status: "applied" };
      },
    });
    clients.push(client);
    await client.start();
  }
  return {
    stop: async () => {
      await Promise.all(clients.map((c) => c.stop().catch(() => undefined)));
    },
  };
}
