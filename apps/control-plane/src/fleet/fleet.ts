/**
 * The fleet's user-facing commands on top of its OpAMP logic: overrides,
 * labels, configuration and destination reloads, restart and custom
 * messages. Every change is pushed to connected WebSocket agents at once
 * and reaches HTTP agents on their next poll (S-24).
 */
import { AgentCapabilities, CommandType, parseInstanceUid } from "@opamp-ts/protocol";
import { ControlPlaneError } from "../errors.js";
import { parseSelector, type Selector } from "../selector/selector.js";
import type { AgentRecord, ConfigFiles, ConfigOverride, Storage } from "../storage/types.js";
import type { AgentView } from "./agent-view.js";
import type { DesiredConfig, ResolvedAssignment } from "./desired-config.js";
import { FleetCore, type FleetLogger, type FleetOptions } from "./fleet-core.js";
import { agentHas } from "./inventory.js";
import type { Session } from "./session.js";

export type { FleetLogger, FleetOptions };

/** Outcome of a command sent to one agent. */
export type CommandResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: "not_found" | "not_connected" | "unsupported";
      readonly message: string;
    };

/** Parses a stored selector; stored selectors were validated on the way in. */
function compile(text: string): Selector {
  const parsed = parseSelector(text);
  if (!parsed.ok) throw new ControlPlaneError("INVALID_SELECTOR", parsed.error.message);
  return parsed.selector;
}

/** The control plane's fleet: inventory, desired configs, OpAMP logic and commands. */
export class Fleet extends FleetCore {
  /** Loads the inventory; every agent starts disconnected (the server just started). */
  static async load(storage: Storage, options: FleetOptions): Promise<Fleet> {
    const fleet = new Fleet(storage, options);
    for (const [id, labels] of await storage.listAllLabels()) fleet.userLabels.set(id, labels);
    for (const o of await storage.listOverrides()) fleet.overrides.set(o.agentId, o);
    for (const record of await storage.listAgents()) {
      const stored = record.connected ? { ...record, connected: false } : record;
      if (record.connected) await storage.putAgent(stored);
      fleet.records.set(record.id, stored);
    }
    await fleet.reloadConfigurations();
    await fleet.reloadDestinations();
    return fleet;
  }

  private requireAgent(id: string): AgentRecord {
    const record = this.records.get(id);
    if (record === undefined) throw new ControlPlaneError("NOT_FOUND", `no agent ${id}`);
    return record;
  }

  /**
   * Sets the per-agent override and pushes it. Setting it is a user asking,
   * so a hash the agent reported FAILED is pushed again (P-12).
   */
  async setOverride(id: string, files: ConfigFiles): Promise<ConfigOverride> {
    this.requireAgent(id);
    const override = await this.storage.setOverride(id, files);
    this.overrides.set(id, override);
    const session = this.sessions.get(id);
    if (session !== undefined) {
      session.forceConfig = true;
      session.offeredConfig = undefined;
    }
    await this.clearFailed(id, override.hash);
    await this.push([id]);
    return override;
  }

  /** Removes the override; the agent falls back to its assignments. */
  async clearOverride(id: string): Promise<boolean> {
    this.requireAgent(id);
    const removed = await this.storage.deleteOverride(id);
    this.overrides.delete(id);
    await this.push([id]);
    return removed;
  }

  /** Pushes the desired config again even though the agent reported it FAILED (P-12). */
  async retryConfig(id: string): Promise<DesiredConfig | undefined> {
    this.requireAgent(id);
    const desired = this.desiredConfig(id);
    if (desired === undefined) return undefined;
    await this.clearFailed(id, desired.hash);
    const session = this.sessions.get(id);
    if (session !== undefined) {
      session.forceConfig = true;
      session.offeredConfig = undefined;
    }
    await this.push([id]);
    return desired;
  }

  private async clearFailed(id: string, hash: string): Promise<void> {
    const record = this.records.get(id);
    if (record === undefined || !record.failedConfigHashes.includes(hash)) return;
    const updated = {
      ...record,
      failedConfigHashes: record.failedConfigHashes.filter((h) => h !== hash),
    };
    this.records.set(id, updated);
    await this.storage.putAgent(updated);
  }

  /** Replaces the user's labels on an agent; the desired config may change with them. */
  async setLabels(id: string, labels: Record<string, string>): Promise<AgentView> {
    const record = this.requireAgent(id);
    await this.storage.setLabels(id, labels);
    this.userLabels.set(id, labels);
    this.events.emit({ type: "agent.changed", agentId: id, agent: this.view(record) });
    await this.push([id]);
    return this.view(record);
  }

  /** Re-reads assignments and versions, then pushes what changed. */
  async reloadConfigurations(): Promise<void> {
    const configurations = new Map((await this.storage.listConfigurations()).map((c) => [c.id, c]));
    const resolved: ResolvedAssignment[] = [];
    for (const assignment of await this.storage.listAssignments()) {
      const config = configurations.get(assignment.configurationId);
      const versionNumber = assignment.version ?? config?.latestVersion ?? 0;
      if (versionNumber === 0) continue;
      const version = await this.storage.getConfigurationVersion(
        assignment.configurationId,
        versionNumber,
      );
      if (version === undefined) continue;
      resolved.push({ assignment, selector: compile(assignment.selector), version });
    }
    this.assignments = resolved;
    await this.push([...this.sessions.keys()]);
  }

  /** Re-reads own-telemetry destinations, then offers what changed (S-13). */
  async reloadDestinations(): Promise<void> {
    this.destinations = (await this.storage.listTelemetryDestinations()).map((destination) => ({
      destination,
      selector: compile(destination.selector),
    }));
    await this.push([...this.sessions.keys()]);
  }

  /** Asks an agent to restart (S-19); only agents with `AcceptsRestartCommand` (S-11). */
  async restart(id: string): Promise<CommandResult> {
    const record = this.records.get(id);
    if (record === undefined) return { ok: false, reason: "not_found", message: `no agent ${id}` };
    if (!agentHas(record, AgentCapabilities.AgentCapabilities_AcceptsRestartCommand)) {
      return {
        ok: false,
        reason: "unsupported",
        message: "the agent does not accept restart commands",
      };
    }
    const session = this.sessions.get(id);
    if (session === undefined || !record.connected) {
      return { ok: false, reason: "not_connected", message: "the agent is not connected" };
    }
    if (session.conn.transport === "http") {
      session.pendingRestart = true;
      return { ok: true };
    }
    return this.sendNow(session, id, "command", {
      command: { type: CommandType.CommandType_Restart },
    });
  }

  /** Sends on a WebSocket now; a connection that just closed is reported, not thrown. */
  private async sendNow(
    session: Session,
    id: string,
    kind: string,
    message:
      | { command: { type: CommandType } }
      | { customMessage: { capability: string; type: string; data: Uint8Array } },
  ): Promise<CommandResult> {
    try {
      await session.conn.send({ instanceUid: parseInstanceUid(id), ...message });
    } catch (error) {
      this.options.logger.warn("sending to agent failed", { agentId: id, error: String(error) });
      return { ok: false, reason: "not_connected", message: `sending failed: ${String(error)}` };
    }
    this.options.metrics.messageSent(kind);
    return { ok: true };
  }

  /** Sends a custom message (S-22): only for a capability the agent listed. */
  async sendCustomMessage(
    id: string,
    message: { capability: string; type: string; data: Uint8Array },
  ): Promise<CommandResult> {
    const record = this.records.get(id);
    if (record === undefined) return { ok: false, reason: "not_found", message: `no agent ${id}` };
    if (!record.customCapabilities.includes(message.capability)) {
      return {
        ok: false,
        reason: "unsupported",
        message: `the agent did not list custom capability ${message.capability}`,
      };
    }
    const session = this.sessions.get(id);
    if (session === undefined || !record.connected) {
      return { ok: false, reason: "not_connected", message: "the agent is not connected" };
    }
    if (session.conn.transport === "http") {
      session.pendingCustom.push(message);
      return { ok: true };
    }
    return this.sendNow(session, id, "custom_message", { customMessage: message });
  }

  /** Status history of an agent's remote config, newest first. */
  configStatusHistory(id: string, limit = 50) {
    this.requireAgent(id);
    return this.storage.listConfigStatusHistory(id, limit);
  }
}
