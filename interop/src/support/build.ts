import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Paths of the built Go peers. */
export interface PeerBinaries {
  readonly goserver: string;
  readonly goagent: string;
}

/** The Go peers are ready, or why not (no toolchain, or a failed build). */
export type PeersOutcome =
  | { readonly ok: true; readonly binaries: PeerBinaries; readonly status: "built" | "cached" }
  | { readonly ok: false; readonly noToolchain: boolean; readonly reason: string };

const script = fileURLToPath(new URL("../../scripts/build-peers.mjs", import.meta.url));
let pending: Promise<PeersOutcome> | undefined;

/**
 * Builds the Go peers through `interop/scripts/build-peers.mjs` (or reuses its
 * cache) once per test process.
 */
export function ensurePeers(): Promise<PeersOutcome> {
  pending ??= new Promise<PeersOutcome>((resolve) => {
    execFile(
      process.execPath,
      [script],
      { encoding: "utf8", maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const last = stdout.trim().split("\n").pop() ?? "";
        let parsed: { status?: string; binaries?: PeerBinaries } = {};
        try {
          parsed = JSON.parse(last) as typeof parsed;
        } catch {
          parsed = {};
        }
        if (
          error === null &&
          parsed.binaries &&
          (parsed.status === "built" || parsed.status === "cached")
        ) {
          if (parsed.status === "built") process.stderr.write(stderr);
          resolve({ ok: true, binaries: parsed.binaries, status: parsed.status });
          return;
        }
        if (parsed.status === "no-go") {
          resolve({ ok: false, noToolchain: true, reason: "no Go toolchain on PATH" });
          return;
        }
        const detail = stderr.trim().slice(-2000) || error?.message;
        resolve({
          ok: false,
          noToolchain: false,
          reason: `building the Go peers failed: ${detail}`,
        });
      },
    );
  });
  return pending;
}

/**
 * The Go peers, or the reason to skip a suite that needs them when Go is not
 * installed. A failed build always throws, and so does a missing toolchain
 * with CI=true: CI must run every cell.
 */
export async function requirePeers(): Promise<
  { binaries: PeerBinaries; skip: false } | { binaries: undefined; skip: string }
> {
  const outcome = await ensurePeers();
  if (outcome.ok) return { binaries: outcome.binaries, skip: false };
  if (!outcome.noToolchain || process.env.CI === "true") {
    throw new Error(`interop peers are required when CI=true: ${outcome.reason}`);
  }
  return { binaries: undefined, skip: outcome.reason };
}
