/**
 * What every scenario gets: the targets to measure, CPU placement, sizes from
 * the command line, a progress log, and helpers to run one target safely
 * (always stopped, failures recorded instead of thrown).
 */
import { load1 } from "../lib/machine.js";
import {
  type RunningTarget,
  startTarget,
  type TargetKind,
  type TargetOptions,
} from "../targets/targets.js";
import type { RunEntry } from "./result.js";

/** CPU placement: each server alone on one core, the load generators on the other. */
export interface CpuPlan {
  readonly target: string | undefined;
  readonly loadgen: string | undefined;
}

/** Inputs of a scenario run. */
export interface ScenarioContext {
  readonly targets: readonly TargetKind[];
  readonly cpus: CpuPlan;
  /** Sizes and durations from the command line (`--agents 10000,19000`, `--seconds 20`). */
  readonly agents: readonly number[] | undefined;
  readonly seconds: number | undefined;
  /** Experiment: accept backlog of the library target (see `TargetOptions.backlog`). */
  readonly backlog: number | undefined;
  /** Directory for CPU profiles of the Node targets, when profiling. */
  readonly profileDir: string | undefined;
  readonly notes: string[];
  log(message: string): void;
}

/** Sleep. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Poll `check` until it returns true or the timeout passes; returns whether it did. */
export async function pollUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 250,
): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await sleep(everyMs);
  }
  return check();
}

/** Start `kind`, run `body`, always stop it; a failure becomes an entry with `error`. */
export async function measureTarget(
  ctx: ScenarioContext,
  kind: TargetKind,
  params: Record<string, string | number>,
  body: (target: RunningTarget) => Promise<Record<string, number>>,
  options: TargetOptions = {},
): Promise<RunEntry> {
  const before = load1();
  ctx.log(`${kind} ${JSON.stringify(params)}: starting (load ${before.toFixed(2)})`);
  let target: RunningTarget | undefined;
  try {
    target = await startTarget(kind, {
      ...(ctx.cpus.target !== undefined ? { cpus: ctx.cpus.target } : {}),
      ...(ctx.profileDir !== undefined ? { cpuProfileDir: ctx.profileDir } : {}),
      ...(ctx.backlog !== undefined ? { backlog: ctx.backlog } : {}),
      ...options,
    });
    const metrics = await body(target);
    ctx.log(`${kind}: ${JSON.stringify(metrics)}`);
    return { target: kind, params, metrics, load1: before };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.log(`${kind}: FAILED ${message}`);
    return { target: kind, params, metrics: {}, load1: before, error: message };
  } finally {
    await target?.stop().catch(() => undefined);
  }
}

/** Processes needed for `agents` agents within the per-process fd limit. */
export function processesFor(agents: number, maxPerProcess: number): number {
  return Math.max(1, Math.ceil(agents / maxPerProcess));
}
