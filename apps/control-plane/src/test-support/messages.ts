/**
 * Builders of `AgentToServer` messages for fleet tests.
 */
import {
  AgentCapabilities,
  type AgentToServer,
  AgentToServerSchema,
  attributesToKeyValues,
  combineBits,
  create,
  type MessageInitShape,
  RemoteConfigStatuses,
} from "@opamp-ts/protocol";
import { fromHex } from "../config-files.js";

/** Capabilities of a typical collector: status, remote config, effective config, health, restart. */
export const COLLECTOR_CAPABILITIES = combineBits(
  AgentCapabilities.AgentCapabilities_ReportsStatus,
  AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig,
  AgentCapabilities.AgentCapabilities_ReportsRemoteConfig,
  AgentCapabilities.AgentCapabilities_ReportsHealth,
  AgentCapabilities.AgentCapabilities_AcceptsRestartCommand,
);

/** A complete first report (S-9) of an agent with `attributes` as identifying attributes. */
export function fullReport(
  uid: Uint8Array,
  seq: bigint,
  attributes: Record<string, string> = { "service.name": "otelcol" },
  extra: MessageInitShape<typeof AgentToServerSchema> = {},
): AgentToServer {
  const init: MessageInitShape<typeof AgentToServerSchema> = {
    instanceUid: uid,
    sequenceNum: seq,
    capabilities: COLLECTOR_CAPABILITIES,
    agentDescription: { identifyingAttributes: attributesToKeyValues(attributes) },
    health: { healthy: true, status: "ok" },
    remoteConfigStatus: {},
  };
  return create(AgentToServerSchema, { ...init, ...extra } as MessageInitShape<
    typeof AgentToServerSchema
  >);
}

/** A compressed report: only what changed (S-10). */
export function compressedReport(
  uid: Uint8Array,
  seq: bigint,
  extra: MessageInitShape<typeof AgentToServerSchema> = {},
): AgentToServer {
  const init: MessageInitShape<typeof AgentToServerSchema> = {
    instanceUid: uid,
    sequenceNum: seq,
    capabilities: COLLECTOR_CAPABILITIES,
  };
  return create(AgentToServerSchema, { ...init, ...extra } as MessageInitShape<
    typeof AgentToServerSchema
  >);
}

/** A report of a remote config status for `hashHex`. */
export function statusReport(
  uid: Uint8Array,
  seq: bigint,
  hashHex: string,
  status: "APPLIED" | "FAILED" | "APPLYING",
  errorMessage = "",
): AgentToServer {
  return compressedReport(uid, seq, {
    remoteConfigStatus: {
      lastRemoteConfigHash: fromHex(hashHex),
      status: RemoteConfigStatuses[`RemoteConfigStatuses_${status}`],
      errorMessage,
    },
  });
}
