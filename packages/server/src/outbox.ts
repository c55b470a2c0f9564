import { create, type ServerToAgent, ServerToAgentSchema } from "@opamp-ts/protocol";
import { hasPayload } from "./reply-rules.js";

/**
 * What a plain-HTTP agent will receive with its next poll (S-24): only the
 * latest pending item of each kind, never a growing queue (spec
 * "Throttling": one up-to-date pending message per kind). Flags accumulate.
 */
export class Outbox {
  private pending: ServerToAgent = create(ServerToAgentSchema);

  /** True when nothing waits. */
  get isEmpty(): boolean {
    return !hasPayload(this.pending);
  }

  /** Keep `message`'s items, replacing older items of the same kind. */
  put(message: ServerToAgent): void {
    const p = this.pending;
    p.remoteConfig = message.remoteConfig ?? p.remoteConfig;
    p.connectionSettings = message.connectionSettings ?? p.connectionSettings;
    p.packagesAvailable = message.packagesAvailable ?? p.packagesAvailable;
    p.agentIdentification = message.agentIdentification ?? p.agentIdentification;
    p.command = message.command ?? p.command;
    p.customCapabilities = message.customCapabilities ?? p.customCapabilities;
    p.customMessage = message.customMessage ?? p.customMessage;
    p.errorResponse = message.errorResponse ?? p.errorResponse;
    p.flags |= message.flags;
  }

  /**
   * Move pending items into `reply` where the reply has nothing newer of
   * that kind. A pending error goes out only with a reply that says nothing
   * else (it excludes every other field, S-7); otherwise it waits, as the
   * other pending items wait while an error goes out.
   */
  drainInto(reply: ServerToAgent): void {
    const p = this.pending;
    if (p.errorResponse !== undefined && reply.errorResponse === undefined && !hasPayload(reply)) {
      reply.errorResponse = p.errorResponse;
      p.errorResponse = undefined;
      return;
    }
    if (reply.errorResponse !== undefined) {
      return;
    }
    reply.remoteConfig ??= p.remoteConfig;
    reply.connectionSettings ??= p.connectionSettings;
    reply.packagesAvailable ??= p.packagesAvailable;
    reply.agentIdentification ??= p.agentIdentification;
    reply.command ??= p.command;
    reply.customCapabilities ??= p.customCapabilities;
    reply.customMessage ??= p.customMessage;
    reply.flags |= p.flags;
    const error = p.errorResponse;
    this.pending = create(ServerToAgentSchema, { errorResponse: error });
  }
}
