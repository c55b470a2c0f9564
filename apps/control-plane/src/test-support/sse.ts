/**
 * A server-sent-events reader for tests: collects every event of a stream
 * and lets a test wait for one matching a predicate.
 */
import { type ClientRequest, get } from "node:http";
import { waitFor } from "./wait.js";

/** One received event: its name and parsed JSON data. */
export interface SseEvent {
  readonly event: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read event fields by path and assert each one
  readonly data: any;
}

/** An open stream. */
export interface SseStream {
  readonly events: SseEvent[];
  /** Resolves with the first event (received so far or later) matching `match`. */
  next(what: string, match: (e: SseEvent) => boolean): Promise<SseEvent>;
  close(): void;
}

/** Opens `url` and resolves once the server confirmed the stream (`: connected`). */
export function openSse(url: string): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    let buffer = "";
    let req: ClientRequest | undefined;
    const stream: SseStream = {
      events,
      next: (what, match) => waitFor(what, () => events.find(match)),
      close: () => req?.destroy(),
    };
    req = get(url, (res) => {
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf("\n\n");
        while (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith(": connected")) resolve(stream);
          const name = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (name !== undefined && data !== undefined) {
            events.push({ event: name, data: JSON.parse(data) });
          }
          end = buffer.indexOf("\n\n");
        }
      });
      res.on("error", () => undefined);
    });
    req.on("error", reject);
  });
}
