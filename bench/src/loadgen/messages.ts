/**
 * The messages a simulated agent sends, shaped like an OpenTelemetry
 * Collector's: a full first report (description, component health of a few
 * pipelines, a 2–3 KB effective config), compressed heartbeats (S-9: only
 * uid, sequence number and capabilities) and status changes.
 */
import {
  AgentCapabilities,
  type AgentConfigMap,
  AgentConfigMapSchema,
  type AgentToServer,
  AgentToServerSchema,
  attributesToKeyValues,
  type ComponentHealth,
  ComponentHealthSchema,
  combineBits,
  create,
  formatInstanceUid,
  RemoteConfigStatuses,
} from "@opamp-ts/protocol";

/** What every simulated agent declares (spec §4.2 AgentCapabilities). */
export const AGENT_CAPABILITIES = combineBits(
  AgentCapabilities.AgentCapabilities_ReportsStatus,
  AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig,
  AgentCapabilities.AgentCapabilities_ReportsEffectiveConfig,
  AgentCapabilities.AgentCapabilities_ReportsHealth,
  AgentCapabilities.AgentCapabilities_ReportsRemoteConfig,
  AgentCapabilities.AgentCapabilities_ReportsHeartbeat,
);

const REGIONS = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-south-1"];
const ENVS = ["prod", "staging", "dev"];

/** A Collector-like YAML effective config of about 2.5 KB, varied per agent. */
export function effectiveConfigYaml(index: number): string {
  const lines = [
    "receivers:",
    "  otlp:",
    "    protocols:",
    "      grpc: { endpoint: 0.0.0.0:4317 }",
    "      http: { endpoint: 0.0.0.0:4318 }",
    "  hostmetrics:",
    "    collection_interval: 30s",
    "    scrapers: { cpu: {}, memory: {}, disk: {}, filesystem: {}, network: {}, load: {} }",
    "  filelog:",
    `    include: [/var/log/app-${index % 97}/*.log, /var/log/syslog]`,
    "    start_at: end",
    "processors:",
    "  batch: { send_batch_size: 8192, timeout: 5s }",
    "  memory_limiter: { check_interval: 1s, limit_percentage: 80, spike_limit_percentage: 20 }",
    "  resourcedetection: { detectors: [env, system, ec2], timeout: 2s, override: false }",
    "  attributes/env:",
    "    actions:",
    `      - { key: deployment.environment, value: ${ENVS[index % ENVS.length]}, action: upsert }`,
    `      - { key: cloud.region, value: ${REGIONS[index % REGIONS.length]}, action: upsert }`,
    "exporters:",
    "  otlphttp:",
    `    endpoint: https://otlp-${index % 13}.telemetry.example.com:4318`,
    "    compression: gzip",
    "    retry_on_failure: { enabled: true, initial_interval: 5s, max_interval: 30s }",
    "    sending_queue: { enabled: true, num_consumers: 10, queue_size: 5000 }",
    "  debug: { verbosity: basic }",
    "extensions:",
    "  health_check: { endpoint: 127.0.0.1:13133 }",
    "  opamp:",
    "    server: { ws: { endpoint: ws://127.0.0.1:4320/v1/opamp } }",
    "service:",
    "  extensions: [health_check, opamp]",
    "  telemetry:",
    "    logs: { level: info }",
    "    metrics: { level: normal, address: 127.0.0.1:8888 }",
    "  pipelines:",
  ];
  for (const signal of ["traces", "metrics", "logs"]) {
    for (const variant of ["", "/internal", "/audit"]) {
      lines.push(
        `    ${signal}${variant}:`,
        `      receivers: [otlp${signal === "metrics" ? ", hostmetrics" : signal === "logs" ? ", filelog" : ""}]`,
        "      processors: [memory_limiter, resourcedetection, attributes/env, batch]",
        "      exporters: [otlphttp]",
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

/** The effective config as an `AgentConfigMap` with one YAML file. */
export function effectiveConfigMap(index: number): AgentConfigMap {
  return create(AgentConfigMapSchema, {
    configMap: {
      "": { body: new TextEncoder().encode(effectiveConfigYaml(index)), contentType: "text/yaml" },
    },
  });
}

/** Health of the agent and its pipelines, all healthy. */
export function healthReport(
  startNanos: bigint,
  nowNanos: bigint,
  healthy = true,
): ComponentHealth {
  const components: Record<string, ComponentHealth> = {};
  for (const pipeline of ["traces", "metrics", "logs"]) {
    components[`pipeline:${pipeline}`] = create(ComponentHealthSchema, {
      healthy,
      startTimeUnixNano: startNanos,
      status: healthy ? "StatusOK" : "StatusRecoverableError",
      statusTimeUnixNano: nowNanos,
    });
  }
  return create(ComponentHealthSchema, {
    healthy,
    startTimeUnixNano: startNanos,
    status: healthy ? "StatusOK" : "StatusRecoverableError",
    statusTimeUnixNano: nowNanos,
    componentHealthMap: components,
  });
}

/** The per-agent facts a report is built from. */
export interface AgentIdentity {
  readonly uid: Uint8Array;
  readonly index: number;
  readonly startNanos: bigint;
}

/** The first message of a connection: every part its capabilities promise (S-9). */
export function fullReport(
  agent: AgentIdentity,
  sequenceNum: bigint,
  applied: { hash: Uint8Array; configMap: AgentConfigMap } | undefined,
): AgentToServer {
  const i = agent.index;
  return create(AgentToServerSchema, {
    instanceUid: agent.uid,
    sequenceNum,
    capabilities: AGENT_CAPABILITIES,
    agentDescription: {
      identifyingAttributes: attributesToKeyValues({
        "service.name": "otelcol-contrib",
        "service.namespace": `team-${i % 20}`,
        "service.version": "0.149.0",
        "service.instance.id": formatInstanceUid(agent.uid),
      }),
      nonIdentifyingAttributes: attributesToKeyValues({
        "host.name": `node-${i}.cluster-${i % 40}.internal`,
        "host.arch": "amd64",
        "os.type": "linux",
        "os.description": "Debian GNU/Linux 13 (trixie) 6.12.0",
        "cloud.region": REGIONS[i % REGIONS.length] as string,
        "deployment.environment": ENVS[i % ENVS.length] as string,
        "k8s.cluster.name": `cluster-${i % 40}`,
        "k8s.node.name": `node-${i}`,
      }),
    },
    health: healthReport(agent.startNanos, BigInt(Date.now()) * 1_000_000n),
    effectiveConfig: { configMap: applied?.configMap ?? effectiveConfigMap(i) },
    remoteConfigStatus:
      applied === undefined
        ? { status: RemoteConfigStatuses.RemoteConfigStatuses_UNSET }
        : {
            lastRemoteConfigHash: applied.hash,
            status: RemoteConfigStatuses.RemoteConfigStatuses_APPLIED,
          },
  });
}

/** A heartbeat: uid, sequence number and capabilities only (S-9 compression). */
export function heartbeat(agent: AgentIdentity, sequenceNum: bigint): AgentToServer {
  return create(AgentToServerSchema, {
    instanceUid: agent.uid,
    sequenceNum,
    capabilities: AGENT_CAPABILITIES,
  });
}

/** A status change: the health report only, as a Collector sends when a component flips. */
export function statusReport(
  agent: AgentIdentity,
  sequenceNum: bigint,
  healthy: boolean,
): AgentToServer {
  return create(AgentToServerSchema, {
    instanceUid: agent.uid,
    sequenceNum,
    capabilities: AGENT_CAPABILITIES,
    health: healthReport(agent.startNanos, BigInt(Date.now()) * 1_000_000n, healthy),
  });
}

/** The report after applying a remote config: APPLIED with its hash and the new effective config. */
export function appliedReport(
  agent: AgentIdentity,
  sequenceNum: bigint,
  hash: Uint8Array,
  configMap: AgentConfigMap | undefined,
): AgentToServer {
  return create(AgentToServerSchema, {
    instanceUid: agent.uid,
    sequenceNum,
    capabilities: AGENT_CAPABILITIES,
    remoteConfigStatus: {
      lastRemoteConfigHash: hash,
      status: RemoteConfigStatuses.RemoteConfigStatuses_APPLIED,
    },
    ...(configMap !== undefined ? { effectiveConfig: { configMap } } : {}),
  });
}

/**
 * Append `sequence_num` (field 2, varint) to an `AgentToServer` encoded
 * without it. Protobuf parsers accept fields in any order, so a report
 * encoded once can be re-sent with a new sequence number for the cost of a
 * copy; this keeps the load generator's own CPU out of saturation numbers.
 * With `wsHeader` the result is a WebSocket message (0x00 header, spec §4.1).
 */
export function withSequenceNum(encoded: Uint8Array, seq: bigint, wsHeader: boolean): Uint8Array {
  const varint: number[] = [];
  let v = BigInt.asUintN(64, seq);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    varint.push(byte);
  } while (v !== 0n);
  const offset = wsHeader ? 1 : 0;
  const out = new Uint8Array(offset + encoded.length + 1 + varint.length);
  out.set(encoded, offset);
  out[offset + encoded.length] = 0x10;
  out.set(varint, offset + encoded.length + 1);
  return out;
}
