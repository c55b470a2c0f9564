import { type ClientRequest, type IncomingMessage, request } from "node:http";
import { DEFAULT_WAIT_MS } from "./json-lines.js";
import { within } from "./wait.js";

/** One server-sent event. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/**
 * A server-sent event stream; events are kept so a test can open the stream,
 * act, then wait for the event its action caused. Read with node:http so
 * that closing destroys the socket at once and the server can shut down.
 */
export class SseStream {
  readonly events: SseEvent[] = [];
  readonly #listeners = new Set<(e: SseEvent) => void>();
  readonly #req: ClientRequest;
  readonly #ended: Promise<void>;

  private constructor(req: ClientRequest, res: IncomingMessage) {
    this.#req = req;
    res.setEncoding("utf8");
    let buffer = "";
    res.on("data", (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        this.#dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    });
    this.#ended = new Promise((resolve) => req.on("close", () => resolve()));
  }

  /** Opens `url` and resolves once the response headers arrived (the subscription is live). */
  static open(url: string, headers: Record<string, string>): Promise<SseStream> {
    return new Promise((resolve, reject) => {
      const req = request(url, { headers }, (res) => {
        if (res.statusCode !== 200) {
          req.destroy();
          reject(new Error(`SSE ${url}: ${res.statusCode}`));
          return;
        }
        resolve(new SseStream(req, res));
      });
      req.on("error", reject);
      req.end();
    });
  }

  /** Resolves with the first event (already received or later) matching `predicate`. */
  waitFor(
    predicate: (e: SseEvent) => boolean,
    what: string,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<SseEvent> {
    const found = this.events.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    let listener: ((e: SseEvent) => void) | undefined;
    const next = new Promise<SseEvent>((resolve) => {
      listener = (e) => {
        if (predicate(e)) resolve(e);
      };
      this.#listeners.add(listener);
    });
    return within(next, what, timeoutMs).finally(() => {
      if (listener !== undefined) this.#listeners.delete(listener);
    });
  }

  /** Ends the stream and waits until its socket is gone. */
  async close(): Promise<void> {
    this.#req.destroy();
    await this.#ended;
  }

  #dispatch(block: string): void {
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
    }
    if (data.length === 0) return;
    const e = { event, data: data.join("\n") };
    this.events.push(e);
    for (const l of this.#listeners) l(e);
  }
}
