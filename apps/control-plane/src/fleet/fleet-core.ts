/**
 * The fleet's core: the inventory of agents, what each should run, and the
 * OpAMP conversation with them. Transport-free: the OpAMP glue hands it
 * connections and decoded messages.
 */
import {
  AgentCapabilities,
  type AgentToServer,
  AgentToServerFlags,
  CommandType,
  formatInstanceUid,
  hasBit,
  type MessageInitShape,
  newInstanceUid,
  parseInstanceUid,
  ServerToAgentFlags,
  type ServerToAgentSchema,
} from "@opamp-ts/protocol";
import type { ClusterMessage } from "../cluster/messages.js";
import { toBusEvent } from "../cluster/messages.js";
import { LocalPubSub, type PubSub } from "../cluster/pubsub.js";
import { fromHex, toConfigMap, toHex } from "../config-files.js";
import type { Metrics } from "../metrics.js";
import { matchesSelector, type Selector } from "../selector/selector.js";
import type { AgentRecord, ConfigOverride, Storage } from "../storage/types.js";
import { type AgentView, toAgentView } from "./agent-view.js";
import {
  type DesiredConfig,
  type ResolvedAssignment,
  resolveDesiredConfig,
  shouldOfferConfig,
} from "./desired-config.js";
import { type FleetEvent, FleetEvents } from "./events.js";
import { agentHas, agentLabels, applyReport, isCompleteReport } from "./inventory.js";
import {
  type FleetConnection,
  hasSequenceGap,
  isHttpAgentStale,
  knownPollSeconds,
  newSession,
  notePoll,
  rebindSession,
  type Session,
} from "./session.js";
import { type ResolvedDestination, resolveTelemetryOffer } from "./telemetry-offer.js";

type Reply = MessageInitShape<typeof ServerToAgentSchema>;

const PERSIST_LIVENESS_EVERY_MS = 60_000;

/** Logger shape shared with `@opamp-ts/server`. */
export interface FleetLogger {
  debug(msg: string, fields?: object): void;
  info(msg: string, fields?: object): void;
  warn(msg: string, fields?: object): void;
  error(msg: string, fields?: object): void;
}

/** Tunables of the fleet. */
export interface FleetOptions {
  /** Heartbeat interval assumed for HTTP agents; silent for twice this → disconnected (S-20). */
  readonly heartbeatIntervalSeconds: number;
  readonly metrics: Metrics;
  readonly logger: FleetLogger;
  /** Clock, for tests. */
  readonly now?: () => number;
  /** This process's node id, recorded as the owner of the sessions it holds. Default `local`. */
  readonly nodeId?: string;
  /** Events between nodes sharing the database; default in-process (one node). */
  readonly pubsub?: PubSub<ClusterMessage>;
  /**
   * True when other nodes use the same database (PostgreSQL): a starting
   * node then marks only its own previous sessions disconnected. False: every
   * stored session is this process's and is marked disconnected on start.
   */
  readonly sharedDatabase?: boolean;
}

/**
 * The fleet state and the OpAMP conversation: inventory updates, desired
 * configs and offers, re-keying, liveness. `Fleet` adds the user commands.
 */
export class FleetCore {
  readonly events = new FleetEvents();
  protected readonly records = new Map<string, AgentRecord>();
  protected readonly userLabels = new Map<string, Record<string, string>>();
  protected readonly overrides = new Map<string, ConfigOverride>();
  protected readonly sessions = new Map<string, Session>();
  protected readonly connectionAgents = new Map<FleetConnection, Set<string>>();
  protected readonly persistedAt = new Map<string, number>();
  protected readonly knownComponentHashes = new Set<string>();
  protected readonly locks = new Map<string, Promise<unknown>>();
  protected assignments: ResolvedAssignment[] = [];
  protected destinations: ResolvedDestination[] = [];
  protected readonly now: () => number;
  /** The node id recorded as owner of this process's sessions. */
  readonly nodeId: string;
  protected readonly bus: PubSub<ClusterMessage>;

  protected constructor(
    protected readonly storage: Storage,
    protected readonly options: FleetOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.nodeId = options.nodeId ?? "local";
    this.bus = options.pubsub ?? new LocalPubSub<ClusterMessage>();
  }

  /** True when no other node holds the agent's session. */
  protected ownedHere(record: AgentRecord): boolean {
    return record.nodeId === undefined || record.nodeId === null || record.nodeId === this.nodeId;
  }

  /** Publishes to the other nodes; a broker failure is logged, never thrown (the change is stored). */
  protected publish(message: ClusterMessage): Promise<void> {
    return this.bus.publish(message).catch((error: unknown) => {
      this.options.logger.warn("publishing to other nodes failed", {
        kind: message.kind,
        error: String(error),
      });
    });
  }

  /** Emits a fleet event here and tells the other nodes about it. */
  protected announce(event: FleetEvent): void {
    this.events.emit(event);
    void this.publish({ kind: "event", origin: this.nodeId, event: toBusEvent(event) });
  }

  protected async exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(id, settled);
    try {
      return await run;
    } finally {
      if (this.locks.get(id) === settled) this.locks.delete(id);
    }
  }

  protected labelsOf(record: AgentRecord): Record<string, string> {
    return agentLabels(record, this.userLabels.get(record.id) ?? {});
  }

  /** The config agent `id` should run, if any. */
  desiredConfig(id: string): DesiredConfig | undefined {
    const record = this.records.get(id);
    if (record === undefined) return undefined;
    return resolveDesiredConfig(this.overrides.get(id), this.assignments, this.labelsOf(record));
  }

  protected view(record: AgentRecord): AgentView {
    return toAgentView(
      record,
      this.labelsOf(record),
      this.userLabels.get(record.id) ?? {},
      this.desiredConfig(record.id),
    );
  }

  /** One agent as the API shows it. */
  getAgent(id: string): AgentView | undefined {
    const record = this.records.get(id);
    return record === undefined ? undefined : this.view(record);
  }

  /** All agents whose labels match `selector` (all when undefined), ordered by id. */
  listAgents(selector?: Selector): AgentView[] {
    const out: AgentView[] = [];
    for (const record of [...this.records.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      const view = this.view(record);
      if (selector === undefined || matchesSelector(selector, view.labels)) out.push(view);
    }
    return out;
  }

  /** Agents by connection state and config status, for `/metrics`. */
  gauges(): { agentsByState: Record<string, number>; configStatuses: Record<string, number> } {
    const agentsByState: Record<string, number> = { connected: 0, disconnected: 0 };
    const configStatuses: Record<string, number> = { UNSET: 0, APPLYING: 0, APPLIED: 0, FAILED: 0 };
    for (const r of this.records.values()) {
      agentsByState[r.connected ? "connected" : "disconnected"]! += 1;
      configStatuses[r.remoteConfigStatus.status] =
        (configStatuses[r.remoteConfigStatus.status] ?? 0) + 1;
    }
    return { agentsByState, configStatuses };
  }

  /** Handles one `AgentToServer` and returns the reply (S-5). */
  async handleMessage(conn: FleetConnection, msg: AgentToServer): Promise<Reply> {
    this.options.metrics.messageReceived(conn.transport);
    const id = formatInstanceUid(msg.instanceUid);
    return this.exclusive(id, () => this.process(conn, msg, id));
  }

  private async process(
    conn: FleetConnection,
    msg: AgentToServer,
    initialId: string,
  ): Promise<Reply> {
    let id = initialId;
    const nowMs = this.now();
    const previous = this.records.get(id);
    let session = this.sessions.get(id);
    const gap = hasSequenceGap(session, msg.sequenceNum);
    const unknown = session === undefined && !isCompleteReport(msg);
    if (session === undefined) {
      session = newSession(conn);
      this.sessions.set(id, session);
    } else {
      rebindSession(session, conn);
    }
    session.lastSeq = msg.sequenceNum;
    if (conn.transport === "http") notePoll(session, nowMs);
    let agents = this.connectionAgents.get(conn);
    if (agents === undefined) {
      agents = new Set();
      this.connectionAgents.set(conn, agents);
    }
    agents.add(id);

    const outcome = applyReport(previous, msg, {
      now: new Date(nowMs).toISOString(),
      transport: conn.transport,
      remoteAddress: conn.remoteAddress,
    });
    let record: AgentRecord = { ...outcome.record, nodeId: this.nodeId };
    const moved = previous?.connected === true && !this.ownedHere(previous);
    if (outcome.configStatus !== undefined) {
      await this.storage.appendConfigStatus(outcome.configStatus);
      const offered = session.offeredConfig;
      if (
        offered !== undefined &&
        offered.hash === outcome.configStatus.configHash &&
        (outcome.configStatus.status === "APPLIED" || outcome.configStatus.status === "FAILED")
      ) {
        this.options.metrics.observePushLatency((nowMs - offered.atMs) / 1000);
        session.offeredConfig = undefined;
      }
      if (outcome.configStatus.configHash === this.desiredConfig(id)?.hash)
        session.forceConfig = false;
    }
    if (msg.agentDisconnect !== undefined) {
      record = { ...record, connected: false };
    }
    this.records.set(id, record);
    const lastPersist = this.persistedAt.get(id) ?? 0;
    if (
      outcome.changed ||
      outcome.connectedNow ||
      moved ||
      !record.connected ||
      nowMs - lastPersist > PERSIST_LIVENESS_EVERY_MS
    ) {
      await this.storage.putAgent(record);
      this.persistedAt.set(id, nowMs);
    }

    const reply: Reply = {};
    let flags = 0n;
    if (gap || unknown) flags |= BigInt(ServerToAgentFlags.ServerToAgentFlags_ReportFullState);
    const components = msg.availableComponents;
    if (components !== undefined && components.hash.length > 0) {
      const hash = toHex(components.hash);
      if (Object.keys(components.components).length > 0) this.knownComponentHashes.add(hash);
      else if (!this.knownComponentHashes.has(hash)) {
        flags |= BigInt(ServerToAgentFlags.ServerToAgentFlags_ReportAvailableComponents);
      }
    }
    if (flags !== 0n) reply.flags = flags;

    if (hasBit(msg.flags, AgentToServerFlags.AgentToServerFlags_RequestInstanceUid)) {
      const newUid = newInstanceUid();
      const newId = formatInstanceUid(newUid);
      await this.rename(id, newId);
      reply.agentIdentification = { newInstanceUid: newUid };
      id = newId;
      record = this.records.get(id) ?? record;
    }

    if (outcome.connectedNow && record.connected) {
      this.announce({ type: "agent.connected", agentId: id, agent: this.view(record) });
    } else if (outcome.changed || moved) {
      this.announce({ type: "agent.changed", agentId: id, agent: this.view(record) });
    }
    if (outcome.configStatus !== undefined) {
      this.announce({
        type: "agent.configStatus",
        agentId: id,
        status: { ...outcome.configStatus, agentId: id },
      });
    }
    if (msg.customMessage !== undefined) {
      this.announce({
        type: "agent.customMessage",
        agentId: id,
        capability: msg.customMessage.capability,
        messageType: msg.customMessage.type,
        data: Buffer.from(msg.customMessage.data).toString("base64"),
      });
    }
    if (!record.connected) {
      this.announce({ type: "agent.disconnected", agentId: id });
      this.options.metrics.messageSent("ack");
      return reply;
    }

    if (
      conn.transport === "http" &&
      session.pendingRestart &&
      agentHas(record, AgentCapabilities.AgentCapabilities_AcceptsRestartCommand)
    ) {
      // S-19: a command travels alone; the other offers follow on the next poll.
      session.pendingRestart = false;
      this.options.metrics.messageSent("command");
      return { command: { type: CommandType.CommandType_Restart } };
    }
    Object.assign(reply, this.offers(id, record, session));
    if (conn.transport === "http") {
      const custom = session.pendingCustom.shift();
      if (custom !== undefined) reply.customMessage = custom;
    }
    this.options.metrics.messageSent(reply.remoteConfig !== undefined ? "remote_config" : "ack");
    return reply;
  }

  /** The config and own-telemetry offers due for an agent, marking them offered. */
  protected offers(id: string, record: AgentRecord, session: Session): Reply {
    const out: Reply = {};
    const desired = this.desiredConfig(id);
    if (
      shouldOfferConfig(desired, {
        acceptsRemoteConfig: agentHas(
          record,
          AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig,
        ),
        reportedHash: record.remoteConfigStatus.configHash,
        failedHashes: record.failedConfigHashes,
        offeredHash: session.offeredConfig?.hash,
        force: session.forceConfig,
      }) &&
      desired !== undefined
    ) {
      out.remoteConfig = { config: toConfigMap(desired.files), configHash: fromHex(desired.hash) };
      session.offeredConfig = { hash: desired.hash, atMs: this.now() };
      session.forceConfig = false;
    }
    const telemetry = resolveTelemetryOffer(
      this.destinations,
      this.labelsOf(record),
      BigInt(record.capabilitiesMask),
    );
    if (telemetry !== undefined && telemetry.hash !== session.offeredSettingsHash) {
      out.connectionSettings = telemetry.offers;
      session.offeredSettingsHash = telemetry.hash;
    }
    return out;
  }

  /** Re-keys an agent after assigning it a new instance uid (S-17, P-16). */
  private async rename(oldId: string, newId: string): Promise<void> {
    await this.storage.renameAgent(oldId, newId);
    const move = <V>(map: Map<string, V>) => {
      const v = map.get(oldId);
      map.delete(oldId);
      if (v !== undefined) map.set(newId, v);
    };
    const record = this.records.get(oldId);
    move(this.records);
    if (record !== undefined) this.records.set(newId, { ...record, id: newId });
    move(this.userLabels);
    const override = this.overrides.get(oldId);
    move(this.overrides);
    if (override !== undefined) this.overrides.set(newId, { ...override, agentId: newId });
    move(this.sessions);
    move(this.persistedAt);
    for (const ids of this.connectionAgents.values()) {
      if (ids.delete(oldId)) ids.add(newId);
    }
    this.announce({ type: "agent.renamed", agentId: oldId, newAgentId: newId });
  }

  /** A connection closed: its WebSocket agents are disconnected (S-23). */
  async handleDisconnected(conn: FleetConnection): Promise<void> {
    const ids = this.connectionAgents.get(conn);
    this.connectionAgents.delete(conn);
    if (ids === undefined || conn.transport === "http") return;
    for (const id of ids) {
      await this.exclusive(id, async () => {
        if (this.sessions.get(id)?.conn !== conn) return;
        await this.markDisconnected(id);
      });
    }
  }

  private async markDisconnected(id: string): Promise<void> {
    const record = this.records.get(id);
    if (record === undefined || !record.connected) return;
    const updated = { ...record, connected: false };
    if (record.nodeId === undefined || record.nodeId === null) {
      await this.storage.putAgent(updated);
    } else if (!(await this.storage.putAgentIfOwner(updated, record.nodeId))) {
      // Another node took the agent over meanwhile; its record stands.
      this.records.set(id, (await this.storage.getAgent(id)) ?? record);
      return;
    }
    this.records.set(id, updated);
    this.announce({ type: "agent.disconnected", agentId: id });
  }

  /**
   * Marks HTTP agents this node holds as disconnected after two of their
   * polling intervals of silence (S-20, P-7); the others are their nodes' job.
   */
  async sweep(): Promise<void> {
    const nowMs = this.now();
    for (const record of [...this.records.values()]) {
      if (!record.connected || record.transport !== "http" || !this.ownedHere(record)) continue;
      if (
        isHttpAgentStale(
          Date.parse(record.lastSeenAt),
          nowMs,
          knownPollSeconds(this.sessions.get(record.id)) ?? this.options.heartbeatIntervalSeconds,
        )
      ) {
        await this.exclusive(record.id, () => this.markDisconnected(record.id));
      }
    }
  }

  /** Pushes due offers to connected WebSocket agents now; HTTP agents get them on their next poll. */
  protected async push(ids: Iterable<string>): Promise<void> {
    for (const id of ids) {
      const session = this.sessions.get(id);
      const record = this.records.get(id);
      if (session === undefined || record === undefined || !record.connected) continue;
      if (!this.ownedHere(record)) continue;
      if (session.conn.transport !== "websocket") continue;
      const offers = this.offers(id, record, session);
      if (offers.remoteConfig === undefined && offers.connectionSettings === undefined) continue;
      try {
        await session.conn.send({ instanceUid: parseInstanceUid(id), ...offers });
        this.options.metrics.messageSent(
          offers.remoteConfig !== undefined ? "remote_config" : "connection_settings",
        );
      } catch (error) {
        session.offeredConfig = undefined;
        session.offeredSettingsHash = undefined;
        this.options.logger.warn("push to agent failed", { agentId: id, error: String(error) });
      }
    }
  }

  /** Waits for in-flight per-agent work, for a clean shutdown. */
  async drain(): Promise<void> {
    await Promise.all([...this.locks.values()]);
  }
}
