/**
 * Builds the UI for browser tests once per test process, and only when
 * `dist/` is missing or older than a source file. A lock directory keeps two
 * test processes from building into the same folder at once.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

/** apps/ui */
export const UI_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** apps/ui/dist */
export const UI_DIST = join(UI_ROOT, "dist");

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (!entry.name.includes(".test.") && !path.includes("test-support")) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

/** True when dist is missing or older than src/, index.html or vite.config.ts. */
export function uiBuildIsStale(): boolean {
  let built: number;
  try {
    built = statSync(join(UI_DIST, "index.html")).mtimeMs;
  } catch {
    return true;
  }
  const inputs = Math.max(
    newestSource(join(UI_ROOT, "src")),
    statSync(join(UI_ROOT, "index.html")).mtimeMs,
    statSync(join(UI_ROOT, "vite.config.ts")).mtimeMs,
  );
  return inputs > built;
}

let built: Promise<void> | undefined;

async function buildLocked(): Promise<void> {
  mkdirSync(join(UI_ROOT, "test-output"), { recursive: true });
  const lock = join(UI_ROOT, "test-output", ".build-lock");
  for (let attempt = 0; ; attempt += 1) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than any real build was left by a killed process.
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 5 * 60_000) rmSync(lock, { recursive: true, force: true });
      if (attempt > 1200) throw new Error(`UI build lock ${lock} held for 10 minutes; remove it`);
      await sleep(500);
    }
  }
  try {
    if (!uiBuildIsStale()) return;
    const vite = join(UI_ROOT, "../../node_modules/vite/bin/vite.js");
    const result = spawnSync(process.execPath, [vite, "build", "--logLevel", "warn"], {
      cwd: UI_ROOT,
      encoding: "utf8",
    });
    if (result.status !== 0) {
      throw new Error(`vite build failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Builds the UI if needed; later calls in the same process reuse the first result. */
export function ensureUiBuilt(): Promise<void> {
  built ??= buildLocked();
  return built;
}
