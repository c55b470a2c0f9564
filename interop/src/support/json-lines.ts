import { createInterface } from "node:readline";
import type { Readable } from "node:stream";

/** One JSON line a peer printed: every line carries `event` and `time`. */
export interface PeerEvent {
  readonly event: string;
  readonly time?: string;
  readonly [key: string]: unknown;
}

/** How long waits last unless told otherwise: generous, the machine may be loaded. */
export const DEFAULT_WAIT_MS = 30_000;

/** Narrows and bounds a wait on a {@link JsonLineLog}. */
export interface WaitOptions {
  /** Only events at or after this index count (see `JsonLineLog.mark`). */
  readonly after?: number;
  readonly timeoutMs?: number;
  /** Says what was awaited, for the timeout message. */
  readonly what?: string;
}

interface Waiter {
  readonly predicate: (e: PeerEvent) => boolean;
  readonly after: number;
  readonly resolve: (e: PeerEvent) => void;
  readonly reject: (err: Error) => void;
}

/**
 * The event stream of a peer process, read from its stdout one JSON line at a
 * time. Tests wait on events instead of sleeping, so they stay deterministic
 * on a slow machine.
 */
export class JsonLineLog {
  readonly events: PeerEvent[] = [];
  readonly noise: string[] = [];
  readonly #waiters = new Set<Waiter>();
  #closedReason: string | undefined;

  constructor(
    readonly name: string,
    stream: Readable,
  ) {
    const lines = createInterface({ input: stream });
    lines.on("line", (line) => this.#push(line));
  }

  /** The index the next event will get; pass it as `after` to ignore what came before. */
  mark(): number {
    return this.events.length;
  }

  /** Resolves with the first event (at or after `after`) matching `predicate`. */
  waitFor(predicate: (e: PeerEvent) => boolean, opts: WaitOptions = {}): Promise<PeerEvent> {
    const after = opts.after ?? 0;
    const found = this.events.slice(after).find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    if (this.#closedReason !== undefined) {
      return Promise.reject(this.#error(opts.what, `its output ended (${this.#closedReason})`));
    }
    const timeoutMs = opts.timeoutMs ?? DEFAULT_WAIT_MS;
    return new Promise<PeerEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(this.#error(opts.what, `nothing matched within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        predicate,
        after,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.#waiters.add(waiter);
    });
  }

  /** Rejects every pending wait: the process is gone. */
  close(reason: string): void {
    this.#closedReason = reason;
    for (const w of this.#waiters) {
      w.reject(this.#error(undefined, `its output ended (${reason})`));
    }
    this.#waiters.clear();
  }

  #push(line: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      this.noise.push(line);
      return;
    }
    if (typeof parsed !== "object" || parsed === null || !("event" in parsed)) {
      this.noise.push(line);
      return;
    }
    const event = parsed as PeerEvent;
    const index = this.events.push(event) - 1;
    for (const w of this.#waiters) {
      if (index >= w.after && w.predicate(event)) {
        this.#waiters.delete(w);
        w.resolve(event);
      }
    }
  }

  #error(what: string | undefined, why: string): Error {
    const tail = this.events
      .slice(-8)
      .map((e) => JSON.stringify(e).slice(0, 400))
      .join("\n  ");
    return new Error(
      `${this.name}: waited for ${what ?? "an event"} but ${why}; last events:\n  ${tail}`,
    );
  }
}
