/**
 * The fleet's user-facing commands on top of its OpAMP logic: overrides,
 * labels, configuration and destination reloads, restart and custom
 * messages. Every change is pushed to connected WebSocket agents at once
 * and reaches HTTP agents on their next poll (S-24).
 */
import { AgentCapabilities, CommandType, parseInstanceUid } from "@opamp-ts/protocol";
import type { ClusterMessage } from "../cluster/messages.js";
import { ControlPlaneError } from "../errors.js";
import { parseSelector, type Selector } from "../selector/selector.js";
import type { AgentRecord, ConfigFiles, ConfigOverride, Storage } from "../storage/types.js";
import type { AgentView } from "./agent-view.js";
import type { DesiredConfig, ResolvedAssignment } from "./desired-config.js";
import type { FleetLogger, FleetOptions } from "./fleet-core.js";
import { FleetSync } from "./fleet-sync.js";
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
export class Fleet extends FleetSync {
  /**
   * Loads the inventory and starts listening to other nodes. The sessions
   * this node held before it (re)started are gone, so its agents start
   * disconnected; on a shared database the agents other nodes hold keep
   * their state.
   */
  static async load(storage: Storage, options: FleetOptions): Promise<Fleet> {
    const fleet = new Fleet(storage, options);
    const owners = options.sharedDatabase ? [fleet.nodeId] : await storage.listConnectedOwners();
    const gone: string[] = [];
    for (const owner of owners) gone.push(...(await storage.disconnectAgentsOf(owner)));
    await fleet.reloadAll();
    fleet.startSync();
    // Other nodes cache these agents as connected: tell them.
    for (const id of gone) fleet.announce({ type: "agent.disconnected", agentId: id });
    return fleet;
  }

  /** True when another node holds the agent's live session. */
  private elsewhere(record: AgentRecord): boolean {
    return record.connected && !this.ownedHere(record);
  }

  /**
   * Makes the agent's desired config go out: here when this node holds the
   * agent (or nobody does), and through the node that holds it otherwise.
   * `forceHash`: a user asked, so a hash reported FAILED goes again (P-12).
   */
  private async deliverConfig(id: string, forceHash: string | null): Promise<void> {
    const record = this.records.get(id);
    if (record === undefined || !this.elsewhere(record)) await this.forcePush(id, forceHash);
    await this.publish({ kind: "config", origin: this.nodeId, agentId: id, forceHash });
  }

  protected async forcePush(id: string, forceHash: string | null): Promise<void> {
    const record = this.records.get(id);
    if (record !== undefined && this.elsewhere(record)) return;
    if (forceHash !== null) {
      const session = this.sessions.get(id);
      if (session !== undefined) {
        session.forceConfig = true;
        session.offeredConfig = undefined;
      }
      await this.clearFailed(id, forceHash);
    }
    await this.push([id]);
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
    await this.deliverConfig(id, override.hash);
    return override;
  }

  /** Removes the override; the agent falls back to its assignments. */
  async clearOverride(id: string): Promise<boolean> {
    this.requireAgent(id);
    const removed = await this.storage.deleteOverride(id);
    this.overrides.delete(id);
    await this.deliverConfig(id, null);
    return removed;
  }

  /** Pushes the desired config again even though the agent reported it FAILED (P-12). */
  async retryConfig(id: string): Promise<DesiredConfig | undefined> {
    this.requireAgent(id);
    const desired = this.desiredConfig(id);
    if (desired === undefined) return undefined;
    await this.deliverConfig(id, desired.hash);
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
    this.announce({ type: "agent.changed", agentId: id, agent: this.view(record) });
    await this.push([id]);
    return this.view(record);
  }

  /** Re-reads assignments and versions, pushes what changed and tells the other nodes. */
  async reloadConfigurations(): Promise<void> {
    await this.loadConfigurations();
    await this.push([...this.sessions.keys()]);
    await this.publish({ kind: "configurations", origin: this.nodeId });
  }

  protected async loadConfigurations(): Promise<void> {
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
  }

  /** Re-reads own-telemetry destinations, offers what changed (S-13) and tells the other nodes. */
  async reloadDestinations(): Promise<void> {
    await this.loadDestinations();
    await this.push([...this.sessions.keys()]);
    await this.publish({ kind: "destinations", origin: this.nodeId });
  }

  protected async loadDestinations(): Promise<void> {
    this.destinations = (await this.storage.listTelemetryDestinations()).map((destination) => ({
      destination,
      selector: compile(destination.selector),
    }));
  }

  /** Asks the node holding the agent to act; a broker failure is reported, not thrown. */
  private async route(message: ClusterMessage): Promise<CommandResult> {
    try {
      await this.bus.publish(message);
      return { ok: true };
    } catch (error) {
      return {
        ok: false,
        reason: "not_connected",
        message: `cannot reach the node holding the agent: ${String(error)}`,
      };
    }
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
    if (!record.connected) {
      return { ok: false, reason: "not_connected", message: "the agent is not connected" };
    }
    if (this.elsewhere(record)) {
      return this.route({
        kind: "restart",
        origin: this.nodeId,
        node: record.nodeId!,
        agentId: id,
      });
    }
    return this.restartHere(id);
  }

  protected async restartHere(id: string): Promise<CommandResult> {
    const session = this.sessions.get(id);
    if (session === undefined || this.records.get(id)?.connected !== true) {
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
    if (!record.connected) {
      return { ok: false, reason: "not_connected", message: "the agent is not connected" };
    }
    if (this.elsewhere(record)) {
      return this.route({
        kind: "customMessage",
        origin: this.nodeId,
        node: record.nodeId!,
        agentId: id,
        capability: message.capability,
        type: message.type,
        data: Buffer.from(message.data).toString("base64"),
      });
    }
    return this.sendCustomHere(id, message);
  }

  protected async sendCustomHere(
    id: string,
    message: { capability: string; type: string; data: Uint8Array },
  ): Promise<CommandResult> {
    const session = this.sessions.get(id);
    if (session === undefined || this.records.get(id)?.connected !== true) {
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
