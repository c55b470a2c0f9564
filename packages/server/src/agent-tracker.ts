import {
  AgentCapabilities,
  type AgentDescription,
  type AgentToServer,
  type AvailableComponents,
  type ComponentHealth,
  type ConnectionSettingsStatus,
  type CustomCapabilities,
  type EffectiveConfig,
  formatInstanceUid,
  hasBit,
  isValidInstanceUid,
  type PackageStatuses,
  type RemoteConfigStatus,
  ServerToAgentFlags,
} from "@opamp-ts/protocol";
import type { AgentConnection } from "./connection.js";

/**
 * Per-agent state keyed by instance uid (S-8): what the agent last reported,
 * merged from compressed reports (S-10), plus what gap detection (S-9),
 * duplicate detection (S-17) and available-components caching (S-21) need.
 */
export interface AgentState {
  instanceUid: Uint8Array;
  /** Canonical UUID text of `instanceUid`. */
  key: string;
  /** `sequence_num` of the last message. */
  sequenceNum: bigint;
  /** Latest non-zero `AgentCapabilities` (capabilities may change at any time; P-23). */
  capabilities: bigint;
  agentDescription: AgentDescription | undefined;
  health: ComponentHealth | undefined;
  effectiveConfig: EffectiveConfig | undefined;
  remoteConfigStatus: RemoteConfigStatus | undefined;
  packageStatuses: PackageStatuses | undefined;
  customCapabilities: CustomCapabilities | undefined;
  availableComponents: AvailableComponents | undefined;
  connectionSettingsStatus: ConnectionSettingsStatus | undefined;
  /** False after `agent_disconnect`, a closed WebSocket or an HTTP poll timeout (S-23). */
  connected: boolean;
  /** The connection the agent last used. */
  connection: AgentConnection | undefined;
  firstSeenMs: number;
  lastSeenMs: number;
}

/** What {@link AgentTracker.observe} learned from one message. */
export interface Observation {
  readonly state: AgentState;
  /** True when the server had no state for this uid. */
  readonly isNew: boolean;
  /** `ServerToAgentFlags` the reply must carry: ReportFullState (S-9), ReportAvailableComponents (S-21). */
  readonly flags: bigint;
}

const FULL_STATE = BigInt(ServerToAgentFlags.ServerToAgentFlags_ReportFullState);
const AVAILABLE_COMPONENTS = BigInt(
  ServerToAgentFlags.ServerToAgentFlags_ReportAvailableComponents,
);
const MAX_CACHED_COMPONENT_SETS = 1024;

/**
 * True when `message` carries every sub-message its capabilities promise, so
 * a server without state for the agent learns everything from it (S-9, the
 * approach of opamp-go PR #105). `remote_config_status` is not required: an
 * agent that never received a config has none to report (C-6).
 */
export function isCompleteReport(
  message: AgentToServer,
  capabilities = message.capabilities,
): boolean {
  const needs = (bit: AgentCapabilities) => hasBit(capabilities, bit);
  return (
    message.agentDescription !== undefined &&
    (!needs(AgentCapabilities.AgentCapabilities_ReportsHealth) || message.health !== undefined) &&
    (!needs(AgentCapabilities.AgentCapabilities_ReportsEffectiveConfig) ||
      message.effectiveConfig !== undefined) &&
    (!needs(AgentCapabilities.AgentCapabilities_ReportsPackageStatuses) ||
      message.packageStatuses !== undefined) &&
    (!needs(AgentCapabilities.AgentCapabilities_ReportsAvailableComponents) ||
      message.availableComponents !== undefined)
  );
}

/** The agents one server knows, keyed by canonical uid text. */
export class AgentTracker {
  private readonly agents = new Map<string, AgentState>();
  private readonly componentsByHash = new Map<string, AvailableComponents>();
  /** The agents each connection carries (several behind a multiplexing proxy, S-26). */
  private readonly statesByConnection = new Map<AgentConnection, Set<AgentState>>();

  /** Number of agents with state. */
  get size(): number {
    return this.agents.size;
  }

  /** State of one agent, by uid bytes or canonical text. */
  get(uid: Uint8Array | string | undefined): AgentState | undefined {
    if (typeof uid === "string") {
      return this.agents.get(uid.toLowerCase());
    }
    return isValidInstanceUid(uid) ? this.agents.get(formatInstanceUid(uid)) : undefined;
  }

  /** Every agent with state. */
  list(): AgentState[] {
    return [...this.agents.values()];
  }

  /**
   * Record one valid message (16-byte uid) and compute the flags its reply
   * needs. Gap rule (S-9): a known agent whose `sequence_num` is not
   * previous + 1, or an unknown agent, gets ReportFullState unless the
   * message is itself complete; never on every reply (P-11), never for a
   * parting `agent_disconnect` (P-28).
   */
  observe(message: AgentToServer, connection: AgentConnection, nowMs = Date.now()): Observation {
    const key = formatInstanceUid(message.instanceUid);
    const previous = this.agents.get(key);
    const capabilities =
      message.capabilities !== 0n ? message.capabilities : (previous?.capabilities ?? 0n);
    const complete = isCompleteReport(message, capabilities);
    const leaving = message.agentDisconnect !== undefined;
    let flags = 0n;
    if (!complete && !leaving) {
      if (previous === undefined || message.sequenceNum !== previous.sequenceNum + 1n) {
        flags |= FULL_STATE;
      }
    }
    const state: AgentState = previous ?? {
      instanceUid: message.instanceUid,
      key,
      sequenceNum: 0n,
      capabilities: 0n,
      agentDescription: undefined,
      health: undefined,
      effectiveConfig: undefined,
      remoteConfigStatus: undefined,
      packageStatuses: undefined,
      customCapabilities: undefined,
      availableComponents: undefined,
      connectionSettingsStatus: undefined,
      connected: true,
      connection,
      firstSeenMs: nowMs,
      lastSeenMs: nowMs,
    };
    state.sequenceNum = message.sequenceNum;
    state.capabilities = capabilities;
    state.lastSeenMs = nowMs;
    // S-10: an absent sub-message is unchanged, a present one replaces the stored one.
    state.agentDescription = message.agentDescription ?? state.agentDescription;
    state.health = message.health ?? state.health;
    state.effectiveConfig = message.effectiveConfig ?? state.effectiveConfig;
    state.remoteConfigStatus = message.remoteConfigStatus ?? state.remoteConfigStatus;
    state.packageStatuses = message.packageStatuses ?? state.packageStatuses;
    state.customCapabilities = message.customCapabilities ?? state.customCapabilities;
    state.connectionSettingsStatus =
      message.connectionSettingsStatus ?? state.connectionSettingsStatus;
    flags |= this.mergeAvailableComponents(state, message.availableComponents, capabilities);
    this.attach(state, connection);
    state.connected = !leaving;
    this.agents.set(key, state);
    return { state, isNew: previous === undefined, flags };
  }

  /** S-21: full maps are cached by hash; a hash-only report with an unknown hash asks for the map. */
  private mergeAvailableComponents(
    state: AgentState,
    reported: AvailableComponents | undefined,
    capabilities: bigint,
  ): bigint {
    if (reported === undefined) {
      return 0n;
    }
    const hashKey = Buffer.from(reported.hash).toString("hex");
    if (Object.keys(reported.components).length > 0) {
      if (this.componentsByHash.size >= MAX_CACHED_COMPONENT_SETS) {
        const oldest = this.componentsByHash.keys().next().value;
        if (oldest !== undefined) this.componentsByHash.delete(oldest);
      }
      this.componentsByHash.set(hashKey, reported);
      state.availableComponents = reported;
      return 0n;
    }
    const cached = this.componentsByHash.get(hashKey);
    state.availableComponents = cached ?? reported;
    const reports = hasBit(
      capabilities,
      AgentCapabilities.AgentCapabilities_ReportsAvailableComponents,
    );
    return cached === undefined && reports ? AVAILABLE_COMPONENTS : 0n;
  }

  /**
   * The other live WebSocket that already carries `uid`, if any: the same
   * instance uid on two connections at once means a cloned or misconfigured
   * agent (S-17). A plain-HTTP predecessor is not a duplicate: an agent may
   * switch transports.
   */
  liveDuplicate(uid: Uint8Array, connection: AgentConnection): AgentConnection | undefined {
    const previous = this.get(uid)?.connection;
    return previous !== undefined &&
      previous !== connection &&
      previous.transport === "websocket" &&
      previous.isOpen &&
      this.get(uid)?.connected === true
      ? previous
      : undefined;
  }

  /** Move an agent's state to a newly assigned uid (S-17, P-16). */
  rekey(oldUid: Uint8Array, newUid: Uint8Array): void {
    const oldKey = formatInstanceUid(oldUid);
    const newKey = formatInstanceUid(newUid);
    const state = this.agents.get(oldKey);
    if (state === undefined || oldKey === newKey) {
      return;
    }
    this.agents.delete(oldKey);
    state.instanceUid = newUid;
    state.key = newKey;
    this.agents.set(newKey, state);
  }

  /** Mark one agent disconnected, keeping its state for gap detection across reconnects (P-15). */
  markDisconnected(uid: Uint8Array, connection: AgentConnection): void {
    const state = this.get(uid);
    if (state !== undefined && state.connection === connection) {
      state.connected = false;
    }
  }

  /**
   * A stream closed: every agent that used it is disconnected (S-23). Looked
   * up through the per-connection index, so a mass disconnect costs O(N), not
   * a scan of every agent per closed socket.
   */
  forgetConnection(connection: AgentConnection): AgentState[] {
    const affected = [...(this.statesByConnection.get(connection) ?? [])];
    for (const state of affected) {
      this.detach(state);
      state.connected = false;
    }
    return affected;
  }

  /** Drop disconnected agents not seen since `cutoffMs`, bounding memory. */
  prune(cutoffMs: number): void {
    for (const [key, state] of this.agents) {
      if (!state.connected && state.lastSeenMs < cutoffMs) {
        this.detach(state);
        this.agents.delete(key);
      }
    }
  }

  private attach(state: AgentState, connection: AgentConnection): void {
    if (state.connection !== connection) {
      this.detach(state);
      state.connection = connection;
    }
    let states = this.statesByConnection.get(connection);
    if (states === undefined) {
      states = new Set();
      this.statesByConnection.set(connection, states);
    }
    states.add(state);
  }

  private detach(state: AgentState): void {
    const connection = state.connection;
    if (connection === undefined) {
      return;
    }
    const states = this.statesByConnection.get(connection);
    states?.delete(state);
    if (states?.size === 0) {
      this.statesByConnection.delete(connection);
    }
    state.connection = undefined;
  }
}
