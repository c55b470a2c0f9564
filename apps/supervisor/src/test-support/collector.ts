import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

const script = fileURLToPath(new URL("../../../../interop/collector/build.sh", import.meta.url));
let pending: Promise<{ ok: true; path: string } | { ok: false; reason: string }> | undefined;

/**
 * The real Collector (opamp extension v0.149.0, OTLP receiver, file exporter…)
 * built by `interop/collector/build.sh`, once per test process. Without the
 * Go toolchain the e2e tests are skipped locally; with `CI=true` a failed
 * build fails them.
 */
export function collectorBinary(): Promise<
  { ok: true; path: string } | { ok: false; reason: string }
> {
  pending ??= new Promise((resolve) => {
    execFile(
      "bash",
      [script],
      { encoding: "utf8", maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const line = stdout.split("\n").find((l) => l.startsWith("collector="));
        if (error === null && line !== undefined) {
          resolve({ ok: true, path: line.slice("collector=".length).trim() });
          return;
        }
        resolve({
          ok: false,
          reason: `building the Collector failed: ${(stderr || error?.message || "").slice(-2000)}`,
        });
      },
    );
  });
  return pending;
}

/** Resolve the Collector or skip (fail under CI=true) the calling test. */
export async function requireCollector(t: {
  skip(message: string): void;
}): Promise<string | undefined> {
  const built = await collectorBinary();
  if (built.ok) return built.path;
  if (process.env.CI === "true") throw new Error(built.reason);
  t.skip(built.reason);
  return undefined;
}

/**
 * Options for tests that need the real Collector: its first build takes a few
 * minutes, longer than the runner's default per-test timeout.
 */
export const E2E = { timeout: 10 * 60_000 } as const;
