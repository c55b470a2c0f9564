/**
 * Pure inventory updates: how one `AgentToServer` changes the stored record
 * of an agent (S-8, S-10), and whether a report is complete enough for a
 * server that has no state for the agent (S-9).
 */
import {
  AgentCapabilities,
  type AgentToServer,
  agentCapabilityNames,
  formatInstanceUid,
  hasBit,
} from "@opamp-ts/protocol";
import { fromConfigMap, toHex } from "../config-files.js";
import type { AgentRecord, ConfigStatusEntry, RemoteConfigStatusView } from "../storage/types.js";
import {
  attributeLabel,
  availableComponentsToJson,
  healthToJson,
  keyValuesToJson,
  packageStatusesToJson,
  remoteConfigStatusName,
} from "./json-views.js";

/** Where and when a report arrived. */
export interface ReportContext {
  readonly now: string;
  readonly transport: "websocket" | "http";
  readonly remoteAddress: string;
}

/** The outcome of applying one report. */
export interface ReportOutcome {
  readonly record: AgentRecord;
  /** Set when the remote config status (hash or status) changed. */
  readonly configStatus: ConfigStatusEntry | undefined;
  /** True when anything but liveness fields changed. */
  readonly changed: boolean;
  /** True when the agent was not connected before this report. */
  readonly connectedNow: boolean;
}

const MAX_FAILED_HASHES = 20;

/** A record for an agent never seen before. */
export function emptyAgentRecord(id: string, now: string): AgentRecord {
  return {
    id,
    connected: false,
    transport: null,
    remoteAddress: null,
    connectedSince: null,
    firstSeenAt: now,
    lastSeenAt: now,
    description: { identifyingAttributes: {}, nonIdentifyingAttributes: {} },
    capabilitiesMask: "0",
    capabilities: [],
    health: null,
    effectiveConfig: null,
    remoteConfigStatus: { status: "UNSET", configHash: "", errorMessage: "" },
    packageStatuses: null,
    availableComponents: null,
    customCapabilities: [],
    failedConfigHashes: [],
  };
}

function sameStatus(a: RemoteConfigStatusView, b: RemoteConfigStatusView): boolean {
  return (
    a.status === b.status && a.configHash === b.configHash && a.errorMessage === b.errorMessage
  );
}

/**
 * S-10: an absent sub-message leaves the stored value unchanged; a present
 * one replaces it entirely. Capabilities always come from the latest message
 * (S-11, P-23). A FAILED status adds its hash to `failedConfigHashes` so the
 * server does not offer it again (P-12); APPLIED removes it.
 */
export function applyReport(
  previous: AgentRecord | undefined,
  msg: AgentToServer,
  ctx: ReportContext,
): ReportOutcome {
  const id = formatInstanceUid(msg.instanceUid);
  const base = previous ?? emptyAgentRecord(id, ctx.now);
  const before = JSON.stringify({ ...base, lastSeenAt: "", connected: false });
  let record: AgentRecord = {
    ...base,
    id,
    connected: true,
    transport: ctx.transport,
    remoteAddress: ctx.remoteAddress,
    connectedSince: base.connected && base.connectedSince !== null ? base.connectedSince : ctx.now,
    lastSeenAt: ctx.now,
  };
  if (msg.capabilities !== 0n || previous === undefined) {
    record = {
      ...record,
      capabilitiesMask: msg.capabilities.toString(),
      capabilities: agentCapabilityNames(msg.capabilities),
    };
  }
  if (msg.agentDescription !== undefined) {
    record = {
      ...record,
      description: {
        identifyingAttributes: keyValuesToJson(msg.agentDescription.identifyingAttributes),
        nonIdentifyingAttributes: keyValuesToJson(msg.agentDescription.nonIdentifyingAttributes),
      },
    };
  }
  if (msg.health !== undefined) record = { ...record, health: healthToJson(msg.health) };
  if (msg.effectiveConfig !== undefined) {
    record = {
      ...record,
      effectiveConfig: { files: fromConfigMap(msg.effectiveConfig.configMap) },
    };
  }
  if (msg.packageStatuses !== undefined) {
    record = { ...record, packageStatuses: packageStatusesToJson(msg.packageStatuses) };
  }
  if (
    msg.availableComponents !== undefined &&
    Object.keys(msg.availableComponents.components).length > 0
  ) {
    record = { ...record, availableComponents: availableComponentsToJson(msg.availableComponents) };
  }
  if (msg.customCapabilities !== undefined) {
    record = { ...record, customCapabilities: [...msg.customCapabilities.capabilities] };
  }
  let configStatus: ConfigStatusEntry | undefined;
  if (msg.remoteConfigStatus !== undefined) {
    const status: RemoteConfigStatusView = {
      status: remoteConfigStatusName(msg.remoteConfigStatus.status),
      configHash: toHex(msg.remoteConfigStatus.lastRemoteConfigHash),
      errorMessage: msg.remoteConfigStatus.errorMessage,
    };
    if (!sameStatus(status, base.remoteConfigStatus)) {
      configStatus = { agentId: id, ...status, at: ctx.now };
    }
    let failed = record.failedConfigHashes.filter((h) => h !== status.configHash);
    if (status.status === "FAILED" && status.configHash !== "") {
      failed = [...failed, status.configHash].slice(-MAX_FAILED_HASHES);
    } else if (status.status !== "APPLIED") {
      failed = [...record.failedConfigHashes];
    }
    record = { ...record, remoteConfigStatus: status, failedConfigHashes: failed };
  }
  const changed = JSON.stringify({ ...record, lastSeenAt: "", connected: false }) !== before;
  return { record, configStatus, changed, connectedNow: !base.connected };
}

/**
 * S-9: whether a report carries every part its capabilities promise, so a
 * server without state for the agent can rely on it. Detected per declared
 * capability, as opamp-go does.
 */
export function isCompleteReport(msg: AgentToServer): boolean {
  const caps = msg.capabilities;
  if (caps === 0n || msg.agentDescription === undefined) return false;
  const needs: [AgentCapabilities, unknown][] = [
    [AgentCapabilities.AgentCapabilities_ReportsEffectiveConfig, msg.effectiveConfig],
    [AgentCapabilities.AgentCapabilities_ReportsHealth, msg.health],
    [AgentCapabilities.AgentCapabilities_ReportsRemoteConfig, msg.remoteConfigStatus],
    [AgentCapabilities.AgentCapabilities_ReportsPackageStatuses, msg.packageStatuses],
  ];
  return needs.every(([bit, part]) => !hasBit(caps, bit) || part !== undefined);
}

/**
 * The labels selectors match: every identifying and non-identifying
 * attribute (non-strings as JSON text) overlaid with the user's labels.
 */
export function agentLabels(
  record: AgentRecord,
  userLabels: Readonly<Record<string, string>>,
): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(record.description.nonIdentifyingAttributes))
    labels[k] = attributeLabel(v);
  for (const [k, v] of Object.entries(record.description.identifyingAttributes))
    labels[k] = attributeLabel(v);
  return { ...labels, ...userLabels };
}

/** True when the agent declared `bit` in its latest capabilities (S-11). */
export function agentHas(record: AgentRecord, bit: AgentCapabilities): boolean {
  return hasBit(BigInt(record.capabilitiesMask), bit);
}
