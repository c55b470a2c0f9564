import {
  type AgentConfigMap,
  type AgentRemoteConfig,
  AgentRemoteConfigSchema,
  type ConnectionSettingsOffers,
  type ConnectionSettingsStatus,
  create,
  hashConfigMap,
  type MessageInitShape,
  type PackageStatuses,
  type PackagesAvailable,
  type RemoteConfigStatus,
} from "@opamp-ts/protocol";

/**
 * Hash-based idempotence for offers: the server includes an offer only when
 * the hash the agent last acknowledged differs from the offered one, so an
 * unchanged config, settings or package set is never sent again and no echo
 * loop can start (S-12, S-13, S-18, S-25, P-11, P-12).
 */

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined || a.length !== b.length) {
    return false;
  }
  return Buffer.compare(a, b) === 0;
}

/**
 * An `AgentRemoteConfig` with `config_hash` always set (S-12 MUST) to the
 * canonical SHA-256 of the files, so equal configs always hash equal.
 */
export function createRemoteConfig(
  config: AgentConfigMap | MessageInitShape<typeof AgentRemoteConfigSchema>["config"],
): AgentRemoteConfig {
  const remote = create(AgentRemoteConfigSchema, { config: config ?? {} });
  remote.configHash = hashConfigMap(remote.config);
  return remote;
}

/**
 * S-12: must `offer` be sent, given the agent's last `RemoteConfigStatus`?
 * Decided by the hash alone, never by the status: a config the agent
 * reported FAILED is not re-sent unchanged (P-12). An offer without a hash
 * is always sent (the caller broke S-12; the agent cannot acknowledge it).
 */
export function remoteConfigNeeded(
  status: RemoteConfigStatus | undefined,
  offer: AgentRemoteConfig,
): boolean {
  if (offer.configHash.length === 0) {
    return true;
  }
  return !sameBytes(status?.lastRemoteConfigHash, offer.configHash);
}

/** S-13: must the connection-settings `offer` be sent, given the agent's last `ConnectionSettingsStatus`? */
export function connectionSettingsNeeded(
  status: ConnectionSettingsStatus | undefined,
  offer: ConnectionSettingsOffers,
): boolean {
  if (offer.hash.length === 0) {
    return true;
  }
  return !sameBytes(status?.lastConnectionSettingsHash, offer.hash);
}

/** S-18: must `available` be sent, given the agent's `PackageStatuses.server_provided_all_packages_hash`? */
export function packagesNeeded(
  statuses: PackageStatuses | undefined,
  available: PackagesAvailable,
): boolean {
  if (available.allPackagesHash.length === 0) {
    return true;
  }
  return !sameBytes(statuses?.serverProvidedAllPackagesHash, available.allPackagesHash);
}
