/**
 * The UI's live copy of the inventory: loaded once from `GET /api/v1/agents`,
 * then kept current by the `/api/v1/events` stream so every screen updates
 * without a reload. After the stream reconnects the list is loaded again,
 * since events sent while it was down are lost.
 */
import { applyFleetEvent, describeFleetEvent, type EventLine } from "../lib/fleet-events.js";
import type { ApiClient } from "./client.js";
import { describeError } from "./errors.js";
import { type Agent, FLEET_EVENT_TYPES, type FleetEvent } from "./types.js";

/** Stream state shown in the header. */
export type LiveState = "connecting" | "live" | "reconnecting";

/** What screens read from the store. */
export interface FleetSnapshot {
  readonly agents: ReadonlyMap<string, Agent>;
  /** Increases with every change; cheap dependency for memoised views. */
  readonly revision: number;
  readonly loaded: boolean;
  readonly loadError: string | undefined;
  readonly live: LiveState;
  readonly recent: readonly EventLine[];
}

const RECENT_LIMIT = 50;
const NOTIFY_DELAY_MS = 100;
const REOPEN_DELAY_MS = 5_000;
/** `EventSource.CLOSED`. */
const CLOSED = 2;

/** The inventory store; `start()` opens the stream, `stop()` closes it. */
export class FleetStore {
  private readonly api: ApiClient;
  private readonly agents = new Map<string, Agent>();
  private snapshot: FleetSnapshot;
  private readonly listeners = new Set<() => void>();
  private readonly eventListeners = new Set<(event: FleetEvent) => void>();
  private source: EventSource | undefined;
  private notifyTimer: ReturnType<typeof setTimeout> | undefined;
  private wasLive = false;
  private stopped = false;
  private reopenTimer: ReturnType<typeof setTimeout> | undefined;
  private recent: EventLine[] = [];
  private pending: Partial<FleetSnapshot> = {};
  private agentsDirty = false;
  /** Event buffers of list loads in flight. */
  private readonly loading = new Set<FleetEvent[]>();

  constructor(api: ApiClient) {
    this.api = api;
    this.snapshot = {
      agents: new Map(),
      revision: 0,
      loaded: false,
      loadError: undefined,
      live: "connecting",
      recent: [],
    };
  }

  /** For `useSyncExternalStore`. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** For `useSyncExternalStore`. */
  readonly getSnapshot = (): FleetSnapshot => this.snapshot;

  /** Raw events, for views that follow one agent (custom message replies, history). */
  onEvent(listener: (event: FleetEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Opens the event stream and loads the list. */
  start(): void {
    this.stopped = false;
    this.open();
    void this.reload();
  }

  /**
   * Opens the stream. The browser retries dropped connections by itself, but
   * gives up after an HTTP error (e.g. 503 while the server restarts); then
   * the store opens a new stream a few seconds later.
   */
  private open(): void {
    const source = new EventSource(this.api.streamUrl("/events"));
    this.source = source;
    source.onopen = () => {
      this.update({ live: "live" });
      if (this.wasLive) void this.reload();
      this.wasLive = true;
    };
    source.onerror = () => {
      this.update({ live: "reconnecting" });
      if (source.readyState === CLOSED && !this.stopped) {
        source.close();
        this.reopenTimer = setTimeout(() => {
          this.reopenTimer = undefined;
          this.wasLive = true;
          if (!this.stopped) this.open();
        }, REOPEN_DELAY_MS);
      }
    };
    for (const type of FLEET_EVENT_TYPES) {
      source.addEventListener(type, (message) => this.receive((message as MessageEvent).data));
    }
  }

  /** Closes the stream. */
  stop(): void {
    this.stopped = true;
    this.source?.close();
    this.source = undefined;
    if (this.notifyTimer !== undefined) clearTimeout(this.notifyTimer);
    if (this.reopenTimer !== undefined) clearTimeout(this.reopenTimer);
  }

  /** Loads the whole list again (after a reconnect or on demand). */
  async reload(): Promise<void> {
    const during: FleetEvent[] = [];
    this.loading.add(during);
    try {
      const list = await this.api.listAgents();
      this.agents.clear();
      for (const agent of list) this.agents.set(agent.id, agent);
      // Events that arrived while the list was on its way are newer than it.
      for (const event of during) applyFleetEvent(this.agents, event);
      this.update({ loaded: true, loadError: undefined }, true);
    } catch (error) {
      this.update({ loadError: describeError(error) });
    } finally {
      this.loading.delete(during);
    }
  }

  /** Puts a fresher copy of one agent (e.g. the answer of a labels change). */
  put(agent: Agent): void {
    this.agents.set(agent.id, agent);
    this.update({}, true);
  }

  private receive(data: string): void {
    let event: FleetEvent;
    try {
      event = JSON.parse(data) as FleetEvent;
    } catch {
      return;
    }
    const line = describeFleetEvent(event, this.agents, Date.now());
    const changed = applyFleetEvent(this.agents, event);
    for (const during of this.loading) during.push(event);
    if (event.type !== "agent.changed") {
      this.recent = [line, ...this.recent].slice(0, RECENT_LIMIT);
    }
    this.update({ recent: this.recent }, changed);
    for (const listener of this.eventListeners) listener(event);
  }

  private update(patch: Partial<FleetSnapshot>, agentsChanged = false): void {
    Object.assign(this.pending, patch);
    if (agentsChanged) this.agentsDirty = true;
    if (this.notifyTimer === undefined) {
      this.notifyTimer = setTimeout(() => this.flush(), NOTIFY_DELAY_MS);
    }
  }

  /** Builds one snapshot for all changes since the last one (batched: 10,000 agents stay cheap). */
  private flush(): void {
    this.notifyTimer = undefined;
    this.snapshot = {
      ...this.snapshot,
      ...this.pending,
      ...(this.agentsDirty
        ? { agents: new Map(this.agents), revision: this.snapshot.revision + 1 }
        : {}),
    };
    this.pending = {};
    this.agentsDirty = false;
    for (const listener of this.listeners) listener();
  }
}
