/**
 * Starting benchmark processes: every child gets the hard file-descriptor
 * limit as its soft limit (through `sh -c 'ulimit -n …; exec …'`, so the pid
 * stays the child's own) and may be pinned to a CPU with `taskset`.
 */
import { type ChildProcess, type StdioOptions, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (bench/src/lib → ../../..). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** `node` with the source condition and tsx, as the workspace runs TypeScript. */
export const NODE_TS = [process.execPath, "--conditions=source", "--import", "tsx"];

/**
 * How benchmark processes run TypeScript: `dist` runs the `tsc -b` output
 * with plain `node` (as in production; tsx wraps every named closure in a
 * helper call and adds its own loader, which would show up in CPU numbers and
 * profiles), `source` runs the sources through tsx.
 */
export type Runtime = "dist" | "source";

let runtime: Runtime = "source";

/** Choose how child processes run; see {@link Runtime}. */
export function setRuntime(value: Runtime): void {
  runtime = value;
}

/** The runtime in effect. */
export function currentRuntime(): Runtime {
  return runtime;
}

/**
 * The command line running a workspace script given by its source path
 * (e.g. `apps/control-plane/src/bin.ts`), with extra node flags.
 */
export function nodeScript(sourcePath: string, nodeFlags: readonly string[] = []): string[] {
  if (runtime === "source") return [...NODE_TS, ...nodeFlags, join(REPO_ROOT, sourcePath)];
  const built = sourcePath.replace(/(^|\/)src\//, "$1dist/").replace(/\.ts$/, ".js");
  return [process.execPath, ...nodeFlags, join(REPO_ROOT, built)];
}

/** Build the workspace projects the benchmarks run (`tsc -b`); true when it succeeded. */
export function buildForBench(): boolean {
  const result = spawnSync("npx", ["tsc", "-b", "bench", "apps/control-plane"], {
    cwd: REPO_ROOT,
    stdio: "inherit",
  });
  return result.status === 0;
}

/** Options of {@link spawnLimited}. */
export interface SpawnOptions {
  /** Pin to these CPUs (`taskset -c`). */
  readonly cpus?: string;
  readonly stdio?: StdioOptions;
  readonly env?: NodeJS.ProcessEnv;
}

/** Spawn `argv` with the fd limit raised to the hard limit, optionally CPU-pinned. */
export function spawnLimited(argv: readonly string[], options: SpawnOptions = {}): ChildProcess {
  const pinned = options.cpus !== undefined ? ["taskset", "-c", options.cpus, ...argv] : [...argv];
  return spawn("sh", ["-c", 'ulimit -n "$(ulimit -Hn)" && exec "$@"', "sh", ...pinned], {
    cwd: REPO_ROOT,
    stdio: options.stdio ?? ["ignore", "pipe", "pipe"],
    env: options.env ?? process.env,
  });
}

/**
 * Wait for the first stdout line matching `match`; resolves with all output
 * up to and including that line. Rejects on exit or timeout.
 */
export function waitForLine(
  child: ChildProcess,
  match: RegExp,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    const timer = setTimeout(
      () => done(new Error(`no line matching ${match} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      const lines = buffer.split("\n");
      const at = lines.findIndex((line) => match.test(line));
      if (at !== -1) done(undefined, lines.slice(0, at + 1).join("\n"));
    };
    const onExit = (code: number | null) =>
      done(new Error(`process exited (${code}) before ${match}`));
    const done = (error?: Error, line?: string) => {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.off("exit", onExit);
      if (error) reject(error);
      else resolve(line as string);
    };
    child.stdout?.on("data", onData);
    child.once("exit", onExit);
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}
