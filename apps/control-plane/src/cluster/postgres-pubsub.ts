/**
 * `PubSub` over PostgreSQL LISTEN/NOTIFY (DESIGN §2). One dedicated client
 * connection listens (a pooled connection would lose the LISTEN when handed
 * back); it reconnects with exponential backoff and then tells subscribers to
 * resync, because notifications sent while it was away are lost. NOTIFY
 * payloads must stay under 8000 bytes: messages are meant to carry ids, and
 * the rare larger one (a custom message payload) is stored in the
 * `pubsub_payloads` table and announced by its row id.
 */
import pg from "pg";
import { ControlPlaneError } from "../errors.js";
import type { FleetLogger } from "../fleet/fleet-core.js";
import { deliver, type PubSub, type PubSubSubscriber } from "./pubsub.js";

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. */
export const MAX_NOTIFY_BYTES = 7999;

/** Spilled payloads older than this are deleted: every listener has read them by then. */
const SPILL_RETENTION_MS = 10 * 60_000;

/** Options of the PostgreSQL pub/sub. */
export interface PostgresPubSubOptions {
  readonly connectionString: string;
  /** Channel name: letters, digits and underscores. */
  readonly channel: string;
  readonly logger: FleetLogger;
  /** First reconnect delay; doubles up to `maxBackoffMs`. */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

type Envelope<T> = { readonly m: T } | { readonly spill: number };

/** LISTEN/NOTIFY pub/sub; create with `PostgresPubSub.open`. */
export class PostgresPubSub<T> implements PubSub<T> {
  private readonly subscribers = new Set<PubSubSubscriber<T>>();
  private readonly pool: pg.Pool;
  private listener: pg.Client | undefined;
  private closed = false;
  private backoffMs: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** Deliveries in arrival order, also when a spilled payload must be read first. */
  private chain: Promise<void> = Promise.resolve();

  private constructor(private readonly options: PostgresPubSubOptions) {
    if (!/^[a-z_][a-z0-9_]*$/.test(options.channel)) {
      throw new ControlPlaneError("PUBSUB", `invalid channel name "${options.channel}"`);
    }
    this.pool = new pg.Pool({ connectionString: options.connectionString, max: 2 });
    this.pool.on("error", (error) =>
      options.logger.warn("pub/sub publish connection lost", { error: error.message }),
    );
    this.backoffMs = options.minBackoffMs ?? 100;
  }

  /** Connects the listener; rejects when the database cannot be reached now. */
  static async open<T>(options: PostgresPubSubOptions): Promise<PostgresPubSub<T>> {
    const pubsub = new PostgresPubSub<T>(options);
    try {
      await pubsub.listen();
    } catch (error) {
      await pubsub.pool.end().catch(() => undefined);
      throw new ControlPlaneError("PUBSUB", "cannot LISTEN on the database", { cause: error });
    }
    return pubsub;
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.connectionString });
    client.on("error", (error) =>
      this.options.logger.warn("pub/sub listener connection error", { error: error.message }),
    );
    client.on("notification", (n) => {
      if (n.channel === this.options.channel && n.payload !== undefined) this.receive(n.payload);
    });
    client.on("end", () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      if (!this.closed) this.scheduleReconnect();
    });
    await client.connect();
    try {
      await client.query(`LISTEN ${this.options.channel}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
  }

  private scheduleReconnect(): void {
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 10_000);
    this.options.logger.warn("pub/sub listener lost; reconnecting", { inMs: delay });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.closed) return;
      this.listen().then(
        () => {
          this.backoffMs = this.options.minBackoffMs ?? 100;
          this.options.logger.info("pub/sub listener reconnected");
          for (const s of this.subscribers) {
            try {
              s.resync();
            } catch {
              // A broken subscriber must not stop the others.
            }
          }
        },
        (error: unknown) => {
          this.options.logger.warn("pub/sub reconnect failed", { error: String(error) });
          if (!this.closed) this.scheduleReconnect();
        },
      );
    }, delay);
    this.reconnectTimer.unref();
  }

  private receive(payload: string): void {
    this.chain = this.chain.then(async () => {
      try {
        const envelope = JSON.parse(payload) as Envelope<T>;
        let message: T;
        if ("spill" in envelope) {
          const row = await this.pool.query<{ body: string }>(
            "SELECT body FROM pubsub_payloads WHERE id = $1",
            [envelope.spill],
          );
          const body = row.rows[0]?.body;
          if (body === undefined) return;
          message = JSON.parse(body) as T;
        } else {
          message = envelope.m;
        }
        if (!this.closed) deliver(this.subscribers, message);
      } catch (error) {
        this.options.logger.warn("dropping an unreadable pub/sub message", {
          error: String(error),
        });
      }
    });
  }

  async publish(message: T): Promise<void> {
    if (this.closed) return;
    let payload = JSON.stringify({ m: message });
    if (Buffer.byteLength(payload, "utf8") > MAX_NOTIFY_BYTES) {
      const now = Date.now();
      const inserted = await this.pool.query<{ id: number }>(
        "INSERT INTO pubsub_payloads (body, created_at) VALUES ($1, $2) RETURNING id",
        [JSON.stringify(message), new Date(now).toISOString()],
      );
      await this.pool.query("DELETE FROM pubsub_payloads WHERE created_at < $1", [
        new Date(now - SPILL_RETENTION_MS).toISOString(),
      ]);
      payload = JSON.stringify({ spill: Number(inserted.rows[0]?.id) });
    }
    await this.pool.query("SELECT pg_notify($1, $2)", [this.options.channel, payload]);
  }

  subscribe(subscriber: PubSubSubscriber<T>): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** Whether the listener connection is up right now (for health checks). */
  get listening(): boolean {
    return this.listener !== undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.chain;
    this.subscribers.clear();
    await this.pool.end().catch(() => undefined);
  }
}
