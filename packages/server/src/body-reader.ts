import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import { createGunzip, createInflate } from "node:zlib";

/** The body, or why it was refused. */
export type BodyResult =
  | { readonly ok: true; readonly body: Uint8Array }
  | {
      readonly ok: false;
      readonly reason: "too_large" | "timeout" | "unsupported_encoding" | "corrupt" | "aborted";
      readonly detail: string;
    };

/** Limits for {@link readBody}. */
export interface ReadBodyOptions {
  /** Receive limit, after decompression. */
  readonly maxBytes: number;
  /** The whole body must arrive within this time; 0 disables. */
  readonly timeoutMs: number;
}

/**
 * Read a plain-HTTP request body as a stream, decompressing `gzip` or
 * `deflate` (S-4 MUST honour Content-Encoding) and counting bytes AFTER
 * decompression against the receive limit, so an oversized body or a
 * compression bomb is refused as soon as it crosses the limit and is never
 * buffered whole (spec "Message size limits"). Never rejects.
 */
export function readBody(request: IncomingMessage, options: ReadBodyOptions): Promise<BodyResult> {
  const encoding = (request.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  let source: Readable = request;
  let decoder: Readable | undefined;
  if (encoding === "gzip" || encoding === "x-gzip") {
    decoder = createGunzip();
  } else if (encoding === "deflate") {
    decoder = createInflate();
  } else if (encoding !== "identity" && encoding !== "") {
    return Promise.resolve({
      ok: false,
      reason: "unsupported_encoding",
      detail: `Content-Encoding "${encoding}" is not supported; use gzip or none`,
    });
  } else {
    const declared = Number(request.headers["content-length"] ?? Number.NaN);
    if (declared > options.maxBytes) {
      return Promise.resolve({
        ok: false,
        reason: "too_large",
        detail: `body of ${declared} bytes is over the ${options.maxBytes}-byte limit`,
      });
    }
  }
  if (decoder !== undefined) {
    request.pipe(decoder as unknown as NodeJS.WritableStream);
    source = decoder;
  }

  return new Promise<BodyResult>((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    const finish = (result: BodyResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      source.off("data", onData);
      if (decoder !== undefined) {
        request.unpipe(decoder as unknown as NodeJS.WritableStream);
        decoder.destroy();
      }
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > options.maxBytes) {
        chunks.length = 0;
        finish({
          ok: false,
          reason: "too_large",
          detail: `body is over the ${options.maxBytes}-byte limit after decompression`,
        });
        return;
      }
      chunks.push(chunk);
    };
    const timer =
      options.timeoutMs > 0
        ? setTimeout(
            () =>
              finish({
                ok: false,
                reason: "timeout",
                detail: `body not received within ${options.timeoutMs} ms`,
              }),
            options.timeoutMs,
          )
        : undefined;
    timer?.unref();
    source.on("data", onData);
    source.once("end", () => {
      const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      // A plain Uint8Array view, so decoded bytes fields are not Buffers.
      finish({ ok: true, body: new Uint8Array(all.buffer, all.byteOffset, all.byteLength) });
    });
    source.once("error", (error: Error) => {
      finish({
        ok: false,
        reason: decoder !== undefined && source === decoder ? "corrupt" : "aborted",
        detail: error.message,
      });
    });
    request.once("aborted", () =>
      finish({ ok: false, reason: "aborted", detail: "client aborted" }),
    );
    request.once("close", () => {
      if (!request.complete) {
        finish({ ok: false, reason: "aborted", detail: "connection closed before the body ended" });
      }
    });
  });
}
