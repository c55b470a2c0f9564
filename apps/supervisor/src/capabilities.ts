import { readFileSync } from "node:fs";
import { Ed25519PackageVerifier, type PackageVerifier, type TlsOptions } from "@opamp-ts/client";
import { AgentCapabilities } from "@opamp-ts/protocol";
import type { CapabilitiesConfig, ServerTlsConfig, SupervisorConfig } from "./config.js";

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

/** `server.tls` as the client library's TLS options (spec §"Security"). */
export function clientTls(tls: ServerTlsConfig): TlsOptions {
  return {
    ca: tls.caPem,
    cert: tls.certPem,
    key: tls.keyPem,
    insecureSkipVerify: tls.insecureSkipVerify,
    minVersion: tls.minVersion,
    maxVersion: tls.maxVersion,
    serverName: tls.serverName,
    includeSystemCaCertsPool: tls.includeSystemCaCertsPool,
    cipherSuites: tls.cipherSuites.length > 0 ? tls.cipherSuites : undefined,
  };
}

/**
 * The package signature check of `agent.package` (spec §"Code Signing",
 * C-40): Ed25519 over the file's bytes by one of the configured keys.
 * Without keys (only allowed with `require_signature: false`) nothing is checked.
 */
export function packageVerifier(
  settings: SupervisorConfig["agent"]["package"],
): PackageVerifier | undefined {
  if (settings.publicKeyFiles.length === 0) return undefined;
  return new Ed25519PackageVerifier({
    publicKeys: settings.publicKeyFiles.map((file) => readFileSync(file, "utf8")),
    requireSignature: settings.requireSignature,
  });
}
