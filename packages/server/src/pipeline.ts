import {
  AgentIdentificationSchema,
  type AgentToServer,
  AgentToServerFlags,
  AgentToServerSchema,
  clone,
  create,
  formatInstanceUid,
  hasBit,
  INSTANCE_UID_BYTES,
  instanceUidEquals,
  isValidInstanceUid,
  newInstanceUid,
  ServerErrorResponseType,
  type ServerToAgent,
  ServerToAgentSchema,
} from "@opamp-ts/protocol";
import type { AgentTracker } from "./agent-tracker.js";
import type { ConnectionBase } from "./connection.js";
import { OpampServerError } from "./errors.js";
import { describeError } from "./logger.js";
import type { ServerMetrics } from "./metrics.js";
import type { ResolvedServerOptions, ServerToAgentInit } from "./options.js";
import {
  badRequest,
  enforceErrorExclusivity,
  filterByCapabilities,
  hasPayload,
  maskServerCapabilities,
  splitCommand,
} from "./reply-rules.js";

/**
 * The transport-independent protocol core: turns one decoded `AgentToServer`
 * into its reply and shapes every outgoing `ServerToAgent`. Transports only
 * move bytes; every S-rule about message content lives here.
 */
export class Pipeline {
  constructor(
    private readonly options: ResolvedServerOptions,
    private readonly tracker: AgentTracker,
    private readonly metrics: ServerMetrics,
  ) {}

  /**
   * The reply to one message, before transport-specific merging: always a
   * message (S-5) echoing the request's `instance_uid`, with the flags gap
   * detection asks for (S-9, S-21) and a new uid when requested or
   * duplicated (S-17). Never throws: a failing hook yields an error reply.
   */
  async reply(conn: ConnectionBase, message: AgentToServer): Promise<ServerToAgent> {
    const uid = message.instanceUid;
    if (uid.length !== INSTANCE_UID_BYTES) {
      this.metrics.error("bad_request");
      return badRequest(
        uid,
        `instance_uid must be 16 bytes, got ${uid.length}${uid.length === 0 ? " (empty message?)" : ""}`,
      );
    }
    conn.instanceUid = uid;
    let assignedUid: Uint8Array | undefined;
    let observeAs = message;
    const duplicate = this.tracker.liveDuplicate(uid, conn);
    if (duplicate !== undefined) {
      this.metrics.error("duplicate_instance_uid");
      const policy = this.options.duplicateInstanceUid;
      this.options.logger.warn("instance uid used by two live connections", {
        instanceUid: formatInstanceUid(uid),
        policy,
      });
      if (policy === "assign-new") {
        // From here on the newcomer is a different agent: the tracker, the
        // application hook and pushes on this connection all use the new uid,
        // while the reply itself still answers the uid it was sent with (C-4).
        assignedUid = newInstanceUid();
        observeAs = clone(AgentToServerSchema, message);
        observeAs.instanceUid = assignedUid;
        conn.instanceUid = assignedUid;
      } else if (policy === "close-previous") {
        duplicate.close();
      }
    }
    const observation = this.tracker.observe(observeAs, conn);
    if (
      assignedUid === undefined &&
      hasBit(message.flags, AgentToServerFlags.AgentToServerFlags_RequestInstanceUid)
    ) {
      assignedUid = newInstanceUid();
    }

    let init: ServerToAgentInit | undefined;
    try {
      init = await this.options.onMessage(conn, observeAs);
    } catch (error) {
      this.metrics.error("hook_failed");
      this.options.logger.error("onMessage failed", {
        instanceUid: formatInstanceUid(uid),
        error: describeError(error),
      });
      return create(ServerToAgentSchema, {
        instanceUid: uid,
        errorResponse: {
          type: ServerErrorResponseType.ServerErrorResponseType_Unknown,
          errorMessage: "the server failed to process the message",
        },
      });
    }
    const reply = create(ServerToAgentSchema, init ?? {});
    reply.instanceUid = uid;
    reply.flags |= observation.flags;
    if (assignedUid !== undefined && reply.agentIdentification === undefined) {
      reply.agentIdentification = create(AgentIdentificationSchema, {
        newInstanceUid: assignedUid,
      });
    }
    return reply;
  }

  /**
   * Apply the outgoing rules to one message for `conn`: S-11 capability
   * filter, S-7 error exclusivity, S-6 capabilities (first message per uid
   * on a WebSocket, every HTTP response), S-19 command split, and re-keying
   * of state for a new uid (S-17). `push` refuses a message left empty by
   * the filter.
   */
  shape(conn: ConnectionBase, message: ServerToAgent, push: boolean): ServerToAgent[] {
    if (!isValidInstanceUid(message.instanceUid)) {
      if (message.errorResponse !== undefined) {
        return [message];
      }
      throw new OpampServerError(
        "NO_INSTANCE_UID",
        "no 16-byte instance_uid to address the message to (no message received yet?)",
      );
    }
    const state = this.tracker.get(message.instanceUid);
    const hadPayload = hasPayload(message);
    const removed = filterByCapabilities(
      message,
      state?.capabilities ?? 0n,
      state?.customCapabilities?.capabilities ?? [],
    );
    if (removed.length > 0) {
      this.metrics.error("capability_filtered");
      this.options.logger.warn("dropped parts the agent has no capability for (S-11)", {
        instanceUid: formatInstanceUid(message.instanceUid),
        removed,
      });
      if (push && hadPayload && !hasPayload(message)) {
        throw new OpampServerError(
          "NOT_SUPPORTED_BY_AGENT",
          `the agent lacks the capabilities for ${removed.join(", ")} (S-11)`,
        );
      }
    }
    enforceErrorExclusivity(message);
    if (message.errorResponse === undefined) {
      const key = formatInstanceUid(message.instanceUid);
      const mustSet = conn.transport === "http" || !conn.capabilitiesSent.has(key);
      if (message.capabilities !== 0n || mustSet) {
        message.capabilities = maskServerCapabilities(
          message.capabilities | this.options.capabilities,
        );
        conn.capabilitiesSent.add(key);
      }
    }
    const newUid = message.agentIdentification?.newInstanceUid;
    if (isValidInstanceUid(newUid) && !instanceUidEquals(newUid, message.instanceUid)) {
      // A duplicate already has its state under the new uid; the original keeps the old one.
      if (state?.connection === conn) {
        this.tracker.rekey(message.instanceUid, newUid);
      }
      if (instanceUidEquals(conn.instanceUid, message.instanceUid)) {
        conn.instanceUid = newUid;
      }
    }
    return splitCommand(message);
  }

  /** Build and shape a push from `conn.send()`. */
  shapePush(conn: ConnectionBase, init: ServerToAgentInit): ServerToAgent[] {
    const message = create(ServerToAgentSchema, init);
    if (message.instanceUid.length === 0 && conn.instanceUid !== undefined) {
      message.instanceUid = conn.instanceUid;
    }
    return this.shape(conn, message, true);
  }
}
