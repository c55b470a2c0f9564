import { AgentCapabilities } from "@opamp-ts/protocol";
import type { CapabilitiesConfig } from "./config.js";

/**
 * The `AgentCapabilities` mask the supervisor declares (spec §"AgentCapabilities",
 * C-8): one bit per `capabilities.*` key, the same mapping as the Go
 * supervisor, plus packages. `ReportsStatus` is always set.
 */
export function capabilityMask(c: CapabilitiesConfig): bigint {
  const A = AgentCapabilities;
  const bits: Array<[boolean, AgentCapabilities]> = [
    [true, A.AgentCapabilities_ReportsStatus],
    [c.acceptsRemoteConfig, A.AgentCapabilities_AcceptsRemoteConfig],
    [c.reportsRemoteConfig, A.AgentCapabilities_ReportsRemoteConfig],
    [c.reportsEffectiveConfig, A.AgentCapabilities_ReportsEffectiveConfig],
    [c.acceptsPackages, A.AgentCapabilities_AcceptsPackages],
    [c.reportsPackageStatuses, A.AgentCapabilities_ReportsPackageStatuses],
    [c.reportsOwnTraces, A.AgentCapabilities_ReportsOwnTraces],
    [c.reportsOwnMetrics, A.AgentCapabilities_ReportsOwnMetrics],
    [c.reportsOwnLogs, A.AgentCapabilities_ReportsOwnLogs],
    [c.acceptsOpampConnectionSettings, A.AgentCapabilities_AcceptsOpAMPConnectionSettings],
    [c.acceptsRestartCommand, A.AgentCapabilities_AcceptsRestartCommand],
    [c.reportsHealth, A.AgentCapabilities_ReportsHealth],
    [c.reportsAvailableComponents, A.AgentCapabilities_ReportsAvailableComponents],
    [c.reportsHeartbeat, A.AgentCapabilities_ReportsHeartbeat],
  ];
  let mask = 0n;
  for (const [on, bit] of bits) if (on) mask |= BigInt(bit);
  return mask;
}
