import {
  AgentCapabilities,
  create,
  hasBit,
  KNOWN_SERVER_CAPABILITIES,
  ServerErrorResponseType,
  type ServerToAgent,
  ServerToAgentSchema,
} from "@opamp-ts/protocol";

/**
 * The rules every `ServerToAgent` obeys before it leaves the server, whatever
 * the application put in it: error responses stand alone (S-7), offers
 * respect the agent's capabilities (S-11), a command travels alone (S-19),
 * and undefined capability bits are zero (S-6).
 */

/** A `ServerToAgent` that only acknowledges (S-5) or reports an error (S-7). */
export function badRequest(instanceUid: Uint8Array, errorMessage: string): ServerToAgent {
  return create(ServerToAgentSchema, {
    instanceUid,
    errorResponse: {
      type: ServerErrorResponseType.ServerErrorResponseType_BadRequest,
      errorMessage,
    },
  });
}

/** True when the message carries something besides addressing (uid, capabilities). */
export function hasPayload(message: ServerToAgent): boolean {
  return (
    message.errorResponse !== undefined ||
    message.remoteConfig !== undefined ||
    message.connectionSettings !== undefined ||
    message.packagesAvailable !== undefined ||
    message.flags !== 0n ||
    message.agentIdentification !== undefined ||
    message.command !== undefined ||
    message.customCapabilities !== undefined ||
    message.customMessage !== undefined
  );
}

/** S-7: with `error_response` set, every other field except `instance_uid` is cleared. */
export function enforceErrorExclusivity(message: ServerToAgent): void {
  if (message.errorResponse === undefined) {
    return;
  }
  message.remoteConfig = undefined;
  message.connectionSettings = undefined;
  message.packagesAvailable = undefined;
  message.flags = 0n;
  message.capabilities = 0n;
  message.agentIdentification = undefined;
  message.command = undefined;
  message.customCapabilities = undefined;
  message.customMessage = undefined;
}

/**
 * S-11: remove every part the agent did not declare a capability for,
 * using its latest capabilities (P-23). Returns the names of removed parts.
 */
export function filterByCapabilities(
  message: ServerToAgent,
  agentCapabilities: bigint,
  agentCustomCapabilities: readonly string[] = [],
): string[] {
  const has = (bit: AgentCapabilities) => hasBit(agentCapabilities, bit);
  const removed: string[] = [];
  if (message.remoteConfig && !has(AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig)) {
    message.remoteConfig = undefined;
    removed.push("remote_config");
  }
  if (message.packagesAvailable && !has(AgentCapabilities.AgentCapabilities_AcceptsPackages)) {
    message.packagesAvailable = undefined;
    removed.push("packages_available");
  }
  if (message.command && !has(AgentCapabilities.AgentCapabilities_AcceptsRestartCommand)) {
    message.command = undefined;
    removed.push("command");
  }
  if (
    message.customMessage &&
    !agentCustomCapabilities.includes(message.customMessage.capability)
  ) {
    message.customMessage = undefined;
    removed.push("custom_message");
  }
  const offers = message.connectionSettings;
  if (offers) {
    const drop = (part: string, bit: AgentCapabilities, present: boolean): boolean => {
      if (present && !has(bit)) {
        removed.push(`connection_settings.${part}`);
        return true;
      }
      return false;
    };
    if (
      drop(
        "opamp",
        AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings,
        !!offers.opamp,
      )
    ) {
      offers.opamp = undefined;
    }
    if (
      drop(
        "own_metrics",
        AgentCapabilities.AgentCapabilities_ReportsOwnMetrics,
        !!offers.ownMetrics,
      )
    ) {
      offers.ownMetrics = undefined;
    }
    if (
      drop("own_traces", AgentCapabilities.AgentCapabilities_ReportsOwnTraces, !!offers.ownTraces)
    ) {
      offers.ownTraces = undefined;
    }
    if (drop("own_logs", AgentCapabilities.AgentCapabilities_ReportsOwnLogs, !!offers.ownLogs)) {
      offers.ownLogs = undefined;
    }
    const others = Object.keys(offers.otherConnections).length > 0;
    if (
      drop(
        "other_connections",
        AgentCapabilities.AgentCapabilities_AcceptsOtherConnectionSettings,
        others,
      )
    ) {
      offers.otherConnections = {};
    }
    const empty =
      !offers.opamp &&
      !offers.ownMetrics &&
      !offers.ownTraces &&
      !offers.ownLogs &&
      Object.keys(offers.otherConnections).length === 0;
    if (empty && removed.some((r) => r.startsWith("connection_settings."))) {
      message.connectionSettings = undefined;
    }
  }
  return removed;
}

/**
 * S-19 / P-21: an agent ignores everything but `instance_uid` and
 * `capabilities` next to a command, so a command is split off into its own
 * message, sent after the rest.
 */
export function splitCommand(message: ServerToAgent): ServerToAgent[] {
  if (message.command === undefined) {
    return [message];
  }
  const command = create(ServerToAgentSchema, {
    instanceUid: message.instanceUid,
    command: message.command,
  });
  message.command = undefined;
  if (!hasPayload(message)) {
    command.capabilities = message.capabilities;
    return [command];
  }
  return [message, command];
}

/** S-6: undefined bits are zeroed. */
export function maskServerCapabilities(capabilities: bigint): bigint {
  return capabilities & KNOWN_SERVER_CAPABILITIES;
}
