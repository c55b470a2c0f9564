import {
  AgentCapabilities,
  type AgentRemoteConfig,
  type ConnectionSettingsOffers,
  type CustomMessage,
  hasBit,
  instanceUidEquals,
  isValidInstanceUid,
  type PackagesAvailable,
  type ServerErrorResponse,
  ServerErrorResponseType,
  type ServerToAgent,
  type ServerToAgentCommand,
  ServerToAgentFlags,
} from "@opamp-ts/protocol";
import { retryInfoToMs } from "./backoff.js";
import { OpampClientError } from "./errors.js";
import type { Logger } from "./logger.js";
import type { ReportBuilder } from "./report-builder.js";
import type { ReceiveOutcome } from "./transport/types.js";

/** What processing a `ServerToAgent` needs from the client. */
export interface ProcessorHost {
  readonly logger: Logger;
  readonly builder: ReportBuilder;
  capabilities(): bigint;
  instanceUid(): Uint8Array;
  /** The uid replaced by the last `new_instance_uid`, still valid as an address (C-4). */
  previousInstanceUid(): Uint8Array | undefined;
  adoptInstanceUid(uid: Uint8Array): void;
  serverError(error: ServerErrorResponse): void;
  command(command: ServerToAgentCommand): void;
  remoteConfig(config: AgentRemoteConfig): void;
  connectionSettings(offers: ConnectionSettingsOffers): void;
  packagesAvailable(offer: PackagesAvailable): void;
  customMessage(message: CustomMessage): void;
  reportError(error: OpampClientError): void;
  /** Something changed: let the transport send the next report (C-14). */
  wake(): void;
}

const has = (mask: bigint, bit: AgentCapabilities): boolean => hasBit(mask, bit);

/**
 * Processes every `ServerToAgent` (C-15): addressing (C-4), error responses
 * (C-16), server capabilities where 0 means unchanged (C-17, P-22, P-30),
 * commands that exclude everything else (C-19, P-21), new instance uid (C-3,
 * P-16), full-state and available-components requests (C-11, C-12), then the
 * offers, each only for a declared capability (C-18, C-26). A report goes out
 * only if processing changed something (C-13, P-11).
 */
export class ReceivedProcessor {
  /** The server's custom capabilities (C-34); `undefined` until it sends them. */
  serverCustomCapabilities: readonly string[] | undefined;

  constructor(private readonly host: ProcessorHost) {}

  process(message: ServerToAgent): ReceiveOutcome {
    const { host } = this;
    if (
      message.instanceUid.length > 0 &&
      !instanceUidEquals(message.instanceUid, host.instanceUid()) &&
      !instanceUidEquals(message.instanceUid, host.previousInstanceUid())
    ) {
      host.logger.warn("ignoring a message addressed to another instance uid");
      return { kind: "ignored" };
    }
    if (message.errorResponse !== undefined) return this.error(message.errorResponse);
    if (message.capabilities !== 0n) host.builder.serverCapabilities = message.capabilities;
    const caps = host.capabilities();
    if (message.command !== undefined) {
      if (has(caps, AgentCapabilities.AgentCapabilities_AcceptsRestartCommand)) {
        host.command(message.command);
        return { kind: "ok" };
      }
      host.logger.debug("ignoring a command: AcceptsRestartCommand not declared");
    }
    const newUid: Uint8Array | undefined = message.agentIdentification?.newInstanceUid;
    if (newUid !== undefined && newUid.length > 0) {
      const length = newUid.length;
      if (isValidInstanceUid(newUid)) host.adoptInstanceUid(newUid);
      else {
        host.reportError(
          new OpampClientError(
            "SERVER_ERROR",
            `server assigned an instance uid of ${length} bytes; ignored`,
          ),
        );
      }
    }
    if (hasBit(message.flags, ServerToAgentFlags.ServerToAgentFlags_ReportFullState)) {
      host.builder.requestFullState();
    }
    if (
      hasBit(message.flags, ServerToAgentFlags.ServerToAgentFlags_ReportAvailableComponents) &&
      has(caps, AgentCapabilities.AgentCapabilities_ReportsAvailableComponents)
    ) {
      host.builder.requestFullComponents();
    }
    if (
      message.remoteConfig !== undefined &&
      has(caps, AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig)
    ) {
      host.remoteConfig(message.remoteConfig);
    }
    if (message.connectionSettings !== undefined)
      host.connectionSettings(message.connectionSettings);
    if (
      message.packagesAvailable !== undefined &&
      has(caps, AgentCapabilities.AgentCapabilities_AcceptsPackages)
    ) {
      host.packagesAvailable(message.packagesAvailable);
    }
    if (message.customCapabilities !== undefined) {
      this.serverCustomCapabilities = [...message.customCapabilities.capabilities];
    }
    if (message.customMessage !== undefined) {
      const declared = host.builder.customCapabilityList;
      if (declared.includes(message.customMessage.capability))
        host.customMessage(message.customMessage);
      else host.logger.debug("ignoring a custom message for an undeclared capability");
    }
    if (host.builder.hasPending) host.wake();
    return { kind: "ok" };
  }

  private error(error: ServerErrorResponse): ReceiveOutcome {
    this.host.serverError(error);
    if (error.type === ServerErrorResponseType.ServerErrorResponseType_Unavailable) {
      const nanos =
        error.Details.case === "retryInfo" ? error.Details.value.retryAfterNanoseconds : undefined;
      return nanos === undefined
        ? { kind: "unavailable" }
        : { kind: "unavailable", retryAfterMs: retryInfoToMs(nanos) };
    }
    return { kind: "rejected" };
  }
}
