import { createHash, type Hash, randomBytes } from "node:crypto";
import { type FileHandle, mkdir, open, rm } from "node:fs/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import type { DownloadableFile } from "@opamp-ts/protocol";
import { type TlsOptions, toNodeTlsOptions } from "../tls.js";

/** Progress of one download, for `PackageDownloadDetails` (§6.4). */
export interface DownloadProgress {
  readonly bytes: number;
  /** Total size when the server sent `Content-Length` or `Content-Range`. */
  readonly total: number | undefined;
  readonly bytesPerSecond: number;
}

/** How a download ended: expected outcomes, not exceptions. */
export type DownloadResult =
  /** The verified file, in `dir`; the caller removes it. */
  | { readonly ok: true; readonly path: string; readonly bytes: number }
  | { readonly ok: false; readonly reason: string };

/** Options of {@link downloadFile}. */
export interface DownloadOptions {
  /** Work directory for the partial and finished file. */
  readonly dir: string;
  /** Package name, used in the file name. */
  readonly name: string;
  readonly tls: TlsOptions;
  readonly maxBytes: number;
  readonly timeoutMs: number;
  readonly onProgress: (progress: DownloadProgress) => void;
  /** Attempts in a row that bring no new byte before the download fails. Default 3. */
  readonly maxStalledAttempts?: number;
}

/** How one GET ended. */
type Attempt =
  | { readonly kind: "complete" }
  /** The connection failed or broke: resume from where the file ends. */
  | { readonly kind: "retry"; readonly reason: string }
  | { readonly kind: "fatal"; readonly reason: string };

/** The file being written and its running SHA-256 (§6.6). */
interface PartialFile {
  readonly file: FileHandle;
  hash: Hash;
  bytes: number;
  total: number | undefined;
}

const RETRY_DELAY_MS = 200;

/**
 * GET a package file (§6.3 step 3) with the offered `DownloadableFile.headers`
 * and the client's TLS settings, streaming it to a file in the work directory
 * while the SHA-256 `content_hash` (§6.6) is computed incrementally, so memory
 * use does not grow with the package. A dropped connection resumes with an
 * HTTP `Range: bytes=N-` request (the download server SHOULD support Range,
 * §6.3); a server that answers 200 instead of 206 is read again from the
 * start. The size limit holds while streaming. Redirects are not followed.
 */
export async function downloadFile(
  file: DownloadableFile,
  options: DownloadOptions,
): Promise<DownloadResult> {
  let url: URL;
  try {
    url = new URL(file.downloadUrl);
  } catch {
    return { ok: false, reason: `invalid download URL "${file.downloadUrl}"` };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { ok: false, reason: `unsupported download URL scheme ${url.protocol}` };
  }
  const headers: Record<string, string> = {};
  for (const header of file.headers?.headers ?? []) headers[header.key] = header.value;
  const safeName = options.name.replace(/[^\w.-]/g, "_") || "agent";
  const path = join(options.dir, `${safeName}-${randomBytes(6).toString("hex")}.download`);
  let handle: FileHandle;
  try {
    await mkdir(options.dir, { recursive: true });
    handle = await open(path, "w", 0o600);
  } catch (error) {
    return { ok: false, reason: `cannot create the download file: ${errorText(error)}` };
  }
  const partial: PartialFile = {
    file: handle,
    hash: createHash("sha256"),
    bytes: 0,
    total: undefined,
  };
  const started = Date.now();
  const report = () => {
    const seconds = Math.max((Date.now() - started) / 1_000, 0.001);
    options.onProgress({
      bytes: partial.bytes,
      total: partial.total,
      bytesPerSecond: partial.bytes / seconds,
    });
  };
  let result: Fetched;
  try {
    result = await fetchAll(url, headers, partial, options, report);
  } catch (error) {
    result = { ok: false, reason: `cannot write the download file: ${errorText(error)}` };
  } finally {
    await partial.file.close();
  }
  if (result.ok && file.contentHash.length > 0) {
    const actual = partial.hash.digest();
    if (!actual.equals(Buffer.from(file.contentHash))) {
      result = {
        ok: false,
        reason: `content hash mismatch: expected ${Buffer.from(file.contentHash).toString("hex")}, got ${actual.toString("hex")}`,
      };
    }
  }
  if (!result.ok) {
    await rm(path, { force: true });
    return result;
  }
  return { ok: true, path, bytes: partial.bytes };
}

type Fetched = { readonly ok: true } | { readonly ok: false; readonly reason: string };

async function fetchAll(
  url: URL,
  headers: Record<string, string>,
  partial: PartialFile,
  options: DownloadOptions,
  report: () => void,
): Promise<Fetched> {
  const maxStalled = options.maxStalledAttempts ?? 3;
  let stalled = 0;
  report();
  for (;;) {
    const before = partial.bytes;
    const attempt = await fetchOnce(url, headers, partial, options, report);
    if (attempt.kind === "complete") return { ok: true };
    const failure = `download of ${url.href} failed: ${attempt.reason}`;
    if (attempt.kind === "fatal") return { ok: false, reason: failure };
    stalled = partial.bytes > before ? 0 : stalled + 1;
    if (stalled >= maxStalled) return { ok: false, reason: failure };
    await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * stalled));
  }
}

/** One GET from `partial.bytes` on; appends to the file and the hash. */
async function fetchOnce(
  url: URL,
  headers: Record<string, string>,
  partial: PartialFile,
  options: DownloadOptions,
  report: () => void,
): Promise<Attempt> {
  const offset = partial.bytes;
  let res: IncomingMessage;
  try {
    res = await get(url, offset > 0 ? { ...headers, Range: `bytes=${offset}-` } : headers, options);
  } catch (error) {
    return { kind: "retry", reason: errorText(error) };
  }
  const status = res.statusCode ?? 0;
  if (status === 206 && offset > 0) {
    const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(String(res.headers["content-range"] ?? ""));
    if (range === null || Number(range[1]) !== offset) {
      res.destroy();
      return {
        kind: "fatal",
        reason: `unexpected Content-Range "${res.headers["content-range"]}"`,
      };
    }
    if (range[2] !== "*") partial.total = Number(range[2]);
  } else if (status === 200) {
    // The first request, or a server without Range support: start over.
    if (offset > 0) {
      await partial.file.truncate(0);
      partial.hash = createHash("sha256");
      partial.bytes = 0;
    }
    const length = res.headers["content-length"];
    partial.total = length === undefined ? undefined : Number(length);
  } else {
    res.resume();
    return { kind: "fatal", reason: `HTTP ${status}` };
  }
  if (partial.total !== undefined && partial.total > options.maxBytes) {
    res.destroy();
    return {
      kind: "fatal",
      reason: `file is ${partial.total} bytes, over the limit of ${options.maxBytes} bytes`,
    };
  }
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      if (partial.bytes + chunk.length > options.maxBytes) {
        res.destroy();
        return { kind: "fatal", reason: `file exceeds the limit of ${options.maxBytes} bytes` };
      }
      partial.hash.update(chunk);
      await partial.file.write(chunk, 0, chunk.length, partial.bytes);
      partial.bytes += chunk.length;
      report();
    }
  } catch (error) {
    return { kind: "retry", reason: errorText(error) };
  }
  if (partial.total !== undefined && partial.bytes < partial.total) {
    return {
      kind: "retry",
      reason: `connection ended at ${partial.bytes} of ${partial.total} bytes`,
    };
  }
  return { kind: "complete" };
}

/** Issue the GET; resolves with the response, whose body errors if the request fails later. */
function get(
  url: URL,
  headers: Record<string, string>,
  options: DownloadOptions,
): Promise<IncomingMessage> {
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    let response: IncomingMessage | undefined;
    const req = request(
      url,
      {
        method: "GET",
        headers,
        timeout: options.timeoutMs,
        ...(url.protocol === "https:" ? toNodeTlsOptions(options.tls) : {}),
      },
      (res) => {
        response = res;
        resolve(res);
      },
    );
    req.on("timeout", () => req.destroy(new Error("download timed out")));
    req.on("error", (error) => {
      if (response === undefined) reject(error);
      else response.destroy(error);
    });
    req.end();
  });
}

const errorText = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
