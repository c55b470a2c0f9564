/**
 * Agent JSON as the REST API returns it, for unit tests of the pure helpers.
 */
import type { Agent } from "../api/types.js";

let counter = 0;

/** An agent with sensible defaults; `overrides` replace top-level fields. */
export function makeAgent(
  overrides: Partial<Agent> & { name?: string; type?: string } = {},
): Agent {
  counter += 1;
  const { name, type, ...rest } = overrides;
  const id = `0190a000-0000-7000-8000-${String(counter).padStart(12, "0")}`;
  return {
    id,
    connected: true,
    transport: "websocket",
    remoteAddress: "127.0.0.1",
    connectedSince: "2026-11-25T08:00:00.000Z",
    firstSeenAt: "2026-11-25T08:00:00.000Z",
    lastSeenAt: "2026-11-25T08:00:00.000Z",
    description: {
      identifyingAttributes: {
        "service.name": type ?? "otelcol",
        "service.version": "1.0.0",
      },
      nonIdentifyingAttributes: { "os.type": "linux", "host.name": name ?? `host-${counter}` },
    },
    capabilities: ["ReportsStatus", "AcceptsRemoteConfig"],
    health: null,
    effectiveConfig: null,
    remoteConfigStatus: { status: "UNSET", configHash: "", errorMessage: "" },
    packageStatuses: null,
    availableComponents: null,
    customCapabilities: [],
    labels: {},
    userLabels: {},
    failedConfigHashes: [],
    desiredConfig: null,
    ...rest,
  };
}
