/**
 * What a result was measured on: the machine, the software versions, the
 * commit of the repository and how busy the machine was when the run began.
 */
import { execFileSync } from "node:child_process";
import { cpus, loadavg, release, totalmem } from "node:os";
import { REPO_ROOT } from "./spawn.js";

/** Facts recorded with every result. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly node: string;
  readonly go: string | undefined;
  readonly fdHardLimit: number | undefined;
}

function run(cmd: string, args: string[]): string | undefined {
  try {
    return execFileSync(cmd, args, {
      cwd: REPO_ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return undefined;
  }
}

/** The machine this process runs on. */
export function machineInfo(): MachineInfo {
  const limit = run("sh", ["-c", "ulimit -Hn"]);
  return {
    cpuModel: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    go: run("go", ["env", "GOVERSION"]),
    fdHardLimit: limit !== undefined ? Number(limit) : undefined,
  };
}

/** The checked-out commit, with `-dirty` when the work tree has changes. */
export function gitCommit(): string {
  const head = run("git", ["rev-parse", "--short=12", "HEAD"]) ?? "unknown";
  const dirty = run("git", ["status", "--porcelain", "--untracked-files=no"]);
  return dirty ? `${head}-dirty` : head;
}

/** 1-minute load average. */
export function load1(): number {
  return loadavg()[0] ?? 0;
}
