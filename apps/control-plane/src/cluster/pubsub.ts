/**
 * A small publish/subscribe interface for events between control-plane
 * nodes that share one database (DESIGN §2: cross-node events). Messages are
 * JSON values; every subscriber of every node, the publisher included, gets
 * each message, so receivers filter by origin themselves.
 */

/** What a subscriber is told: each message, and when messages may have been missed. */
export interface PubSubSubscriber<T> {
  /** One message; must not throw (errors are caught and dropped). */
  message(message: T): void;
  /**
   * Messages may have been lost (the connection to the broker dropped and
   * came back): the subscriber should re-read the state it caches.
   */
  resync(): void;
}

/** Typed JSON publish/subscribe between the nodes of one control plane. */
export interface PubSub<T> {
  /** Sends `message` to every subscriber of every node; resolves once the broker took it. */
  publish(message: T): Promise<void>;
  /** Subscribes; returns the unsubscribe function. */
  subscribe(subscriber: PubSubSubscriber<T>): () => void;
  /** Stops delivering and releases connections. */
  close(): Promise<void>;
}

/** Delivers to every subscriber; a failing subscriber does not stop the others. */
export function deliver<T>(subscribers: Iterable<PubSubSubscriber<T>>, message: T): void {
  for (const s of subscribers) {
    try {
      s.message(message);
    } catch {
      // A broken subscriber must not stop delivery to the others.
    }
  }
}

/**
 * The in-process implementation: one node (SQLite, or a single PostgreSQL
 * node). Messages are delivered asynchronously, in order, after a JSON
 * round-trip so subscribers see exactly what a broker would carry.
 */
export class LocalPubSub<T> implements PubSub<T> {
  private readonly subscribers = new Set<PubSubSubscriber<T>>();
  private closed = false;

  async publish(message: T): Promise<void> {
    if (this.closed) return;
    const copy = JSON.parse(JSON.stringify(message)) as T;
    queueMicrotask(() => deliver(this.subscribers, copy));
  }

  subscribe(subscriber: PubSubSubscriber<T>): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subscribers.clear();
  }
}
