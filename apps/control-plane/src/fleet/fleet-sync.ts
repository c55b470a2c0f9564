/**
 * What makes several nodes on one database one control plane: each node
 * caches the inventory and re-reads an agent when another node announces a
 * change to it; acts on commands for the agents whose sessions it holds; and
 * heartbeats, so the others can mark a dead node's agents disconnected.
 */
import type { BusEvent, ClusterMessage } from "../cluster/messages.js";
import type { ClusterNode } from "../storage/types.js";
import { FleetCore } from "./fleet-core.js";

/** A node as `GET /api/v1/nodes` shows it. */
export interface NodeView extends ClusterNode {
  /** Heartbeat within the node timeout. */
  readonly live: boolean;
  /** The node answering this request. */
  readonly self: boolean;
}

/** Cross-node synchronisation on top of the OpAMP logic; `Fleet` adds the user commands. */
export abstract class FleetSync extends FleetCore {
  private unsubscribe: (() => void) | undefined;
  private readonly startedAt = new Date().toISOString();
  /** Messages from other nodes are handled one at a time, in arrival order. */
  private inbox: Promise<void> = Promise.resolve();

  /** Re-reads assignments and versions from storage (no push). */
  protected abstract loadConfigurations(): Promise<void>;
  /** Re-reads own-telemetry destinations from storage (no push). */
  protected abstract loadDestinations(): Promise<void>;
  /** Sends a restart to an agent whose session this node holds. */
  protected abstract restartHere(id: string): Promise<unknown>;
  /** Sends a custom message to an agent whose session this node holds. */
  protected abstract sendCustomHere(
    id: string,
    message: { capability: string; type: string; data: Uint8Array },
  ): Promise<unknown>;
  /** Clears a FAILED mark and pushes again because a user asked (P-12). */
  protected abstract forcePush(id: string, hash: string | null): Promise<void>;

  /** Re-reads everything cached from storage (after missed messages). */
  protected async reloadAll(): Promise<void> {
    const labels = await this.storage.listAllLabels();
    this.userLabels.clear();
    for (const [id, l] of labels) this.userLabels.set(id, l);
    const overrides = await this.storage.listOverrides();
    this.overrides.clear();
    for (const o of overrides) this.overrides.set(o.agentId, o);
    const stored = await this.storage.listAgents();
    const seen = new Set<string>();
    for (const record of stored) {
      seen.add(record.id);
      const cached = this.records.get(record.id);
      if (cached !== undefined && this.ownedHere(record) && this.ownedHere(cached)) continue;
      this.records.set(record.id, record);
      if (!this.ownedHere(record)) this.sessions.delete(record.id);
    }
    for (const id of [...this.records.keys()]) if (!seen.has(id)) this.records.delete(id);
    await this.loadConfigurations();
    await this.loadDestinations();
  }

  /** Starts listening to the other nodes. */
  protected startSync(): void {
    const enqueue = (what: string, work: () => Promise<void>): void => {
      this.inbox = this.inbox.then(work).catch((error: unknown) =>
        this.options.logger.error("handling a message from another node failed", {
          what,
          error: String(error),
        }),
      );
    };
    this.unsubscribe = this.bus.subscribe({
      message: (message) => {
        if (message.origin !== this.nodeId) enqueue(message.kind, () => this.receive(message));
      },
      resync: () =>
        enqueue("resync", async () => {
          await this.reloadAll();
          await this.push([...this.sessions.keys()]);
        }),
    });
  }

  /** Stops listening and waits for messages being handled. */
  async stopSync(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.inbox;
  }

  /** Re-reads one agent's record, labels and override; drops a session another node took over. */
  protected async refreshAgent(id: string): Promise<void> {
    const stored = await this.storage.getAgent(id);
    const cached = this.records.get(id);
    if (stored === undefined) {
      this.records.delete(id);
    } else if (
      cached !== undefined &&
      this.ownedHere(stored) &&
      cached.lastSeenAt > stored.lastSeenAt
    ) {
      // Liveness is written lazily: keep the fresher time this node saw.
      this.records.set(id, { ...stored, lastSeenAt: cached.lastSeenAt });
    } else {
      this.records.set(id, stored);
    }
    if (stored !== undefined && !this.ownedHere(stored)) this.sessions.delete(id);
    const labels = await this.storage.getLabels(id);
    if (Object.keys(labels).length > 0) this.userLabels.set(id, labels);
    else this.userLabels.delete(id);
    const override = await this.storage.getOverride(id);
    if (override !== undefined) this.overrides.set(id, override);
    else this.overrides.delete(id);
  }

  private async receive(message: ClusterMessage): Promise<void> {
    switch (message.kind) {
      case "event":
        return this.receiveEvent(message.event);
      case "config": {
        await this.exclusive(message.agentId, () => this.refreshAgent(message.agentId));
        // The origin handled an agent nobody holds; the holder handles a connected one.
        const record = this.records.get(message.agentId);
        if (record?.connected === true && record.nodeId === this.nodeId) {
          await this.forcePush(message.agentId, message.forceHash);
        }
        return;
      }
      case "configurations":
        await this.loadConfigurations();
        return this.push([...this.sessions.keys()]);
      case "destinations":
        await this.loadDestinations();
        return this.push([...this.sessions.keys()]);
      case "restart":
        if (message.node === this.nodeId) await this.restartHere(message.agentId);
        return;
      case "customMessage":
        if (message.node !== this.nodeId) return;
        await this.sendCustomHere(message.agentId, {
          capability: message.capability,
          type: message.type,
          data: new Uint8Array(Buffer.from(message.data, "base64")),
        });
        return;
    }
  }

  private async receiveEvent(event: BusEvent): Promise<void> {
    const id = event.agentId;
    switch (event.type) {
      case "agent.connected":
      case "agent.changed": {
        await this.exclusive(id, () => this.refreshAgent(id));
        const record = this.records.get(id);
        if (record === undefined) return;
        this.events.emit({ type: event.type, agentId: id, agent: this.view(record) });
        // Labels set elsewhere may change what this node's agent should run.
        if (this.ownedHere(record)) await this.push([id]);
        return;
      }
      case "agent.disconnected":
        await this.exclusive(id, () => this.refreshAgent(id));
        this.events.emit({ type: "agent.disconnected", agentId: id });
        return;
      case "agent.renamed":
        await this.exclusive(id, () => this.refreshAgent(id));
        await this.exclusive(event.newAgentId, () => this.refreshAgent(event.newAgentId));
        this.sessions.delete(id);
        this.events.emit(event);
        return;
      case "agent.configStatus":
      case "agent.customMessage":
        this.events.emit(event);
        return;
    }
  }

  /**
   * Records this node as alive and marks disconnected the agents of nodes
   * whose heartbeat is older than `timeoutMs` (or that left no node row).
   */
  async heartbeat(timeoutMs: number): Promise<void> {
    const nowMs = this.now();
    await this.storage.heartbeatNode({
      id: this.nodeId,
      startedAt: this.startedAt,
      heartbeatAt: new Date(nowMs).toISOString(),
    });
    const nodes = await this.storage.listNodes();
    const live = new Set(
      nodes.filter((n) => nowMs - Date.parse(n.heartbeatAt) <= timeoutMs).map((n) => n.id),
    );
    live.add(this.nodeId);
    for (const owner of await this.storage.listConnectedOwners()) {
      if (owner !== null && live.has(owner)) continue;
      if (owner === null && !this.options.sharedDatabase) continue;
      const ids = await this.storage.disconnectAgentsOf(owner);
      if (ids.length > 0) {
        this.options.logger.warn("marked agents of a silent node disconnected", {
          node: owner,
          agents: ids.length,
        });
      }
      for (const id of ids) {
        await this.exclusive(id, () => this.refreshAgent(id));
        this.announce({ type: "agent.disconnected", agentId: id });
      }
    }
  }

  /** Nodes sharing the database, with liveness judged by `timeoutMs`. */
  async listNodes(timeoutMs: number): Promise<NodeView[]> {
    const nowMs = this.now();
    return (await this.storage.listNodes()).map((n) => ({
      ...n,
      live: nowMs - Date.parse(n.heartbeatAt) <= timeoutMs,
      self: n.id === this.nodeId,
    }));
  }

  /** Removes this node's heartbeat row on a clean shutdown. */
  async leave(): Promise<void> {
    await this.storage.deleteNode(this.nodeId);
  }
}
