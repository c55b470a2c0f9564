import { createHash } from "node:crypto";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { DownloadableFile } from "@opamp-ts/protocol";
import { type TlsOptions, toNodeTlsOptions } from "../tls.js";

/** Progress of one download, for `PackageDownloadDetails` (§6.4). */
export interface DownloadProgress {
  readonly bytes: number;
  /** Total size when the server sent `Content-Length`. */
  readonly total: number | undefined;
  readonly bytesPerSecond: number;
}

/** How a download ended: expected outcomes, not exceptions. */
export type DownloadResult =
  | { readonly ok: true; readonly content: Buffer }
  | { readonly ok: false; readonly reason: string };

/** Options of {@link downloadFile}. */
export interface DownloadOptions {
  readonly tls: TlsOptions;
  readonly maxBytes: number;
  readonly timeoutMs: number;
  readonly onProgress: (progress: DownloadProgress) => void;
}

/**
 * GET a package file (§6.3 step 3) with the offered `DownloadableFile.headers`
 * and the client's TLS settings, bounded in size, then check the SHA-256
 * `content_hash` (§6.6). Redirects are not followed (P-33).
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
  let content: Buffer;
  try {
    content = await get(url, headers, options);
  } catch (error) {
    return {
      ok: false,
      reason: `download of ${url.href} failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if (file.contentHash.length > 0) {
    const actual = createHash("sha256").update(content).digest();
    if (!actual.equals(Buffer.from(file.contentHash))) {
      return {
        ok: false,
        reason: `content hash mismatch: expected ${Buffer.from(file.contentHash).toString("hex")}, got ${actual.toString("hex")}`,
      };
    }
  }
  return { ok: true, content };
}

function get(url: URL, headers: Record<string, string>, options: DownloadOptions): Promise<Buffer> {
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const req = request(
      url,
      {
        method: "GET",
        headers,
        timeout: options.timeoutMs,
        ...(url.protocol === "https:" ? toNodeTlsOptions(options.tls) : {}),
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`HTTP ${res.statusCode}`));
          return;
        }
        const lengthHeader = res.headers["content-length"];
        const total = lengthHeader === undefined ? undefined : Number(lengthHeader);
        if (total !== undefined && total > options.maxBytes) {
          req.destroy(new Error(`file is ${total} bytes, limit is ${options.maxBytes}`));
          return;
        }
        const chunks: Buffer[] = [];
        let bytes = 0;
        options.onProgress({ bytes: 0, total, bytesPerSecond: 0 });
        res.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > options.maxBytes) {
            req.destroy(new Error(`file exceeds the limit of ${options.maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
          const seconds = Math.max((Date.now() - started) / 1_000, 0.001);
          options.onProgress({ bytes, total, bytesPerSecond: bytes / seconds });
        });
        res.on("end", () => resolve(Buffer.concat(chunks)));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("download timed out")));
    req.on("error", reject);
    req.end();
  });
}
