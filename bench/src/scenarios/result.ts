/**
 * The JSON a scenario run writes to bench/results/<scenario>.json: where and
 * how it was measured, and one entry per target and size.
 */
import type { MachineInfo } from "../lib/machine.js";
import type { TargetKind } from "../targets/targets.js";

/** Scenario names, as `npm run bench -- <scenario>` takes them. */
export type ScenarioName = "capacity" | "throughput" | "push-latency" | "reconnect-storm";

/** Every scenario, in report order. */
export const SCENARIOS: readonly ScenarioName[] = [
  "capacity",
  "throughput",
  "push-latency",
  "reconnect-storm",
];

/** One measured combination of target and parameters. */
export interface RunEntry {
  readonly target: TargetKind;
  /** What was varied (agents, transport, …). */
  readonly params: Readonly<Record<string, string | number>>;
  /** Measured numbers; absent when the run failed. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Load average (1 min) when this entry started. */
  readonly load1: number;
  /** Why the entry has no or partial numbers. */
  readonly error?: string;
}

/** The file of one scenario run. */
export interface ScenarioResult {
  readonly scenario: ScenarioName;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly commit: string;
  readonly command: string;
  readonly machine: MachineInfo;
  /** Deviations from the full-size scenario and why (fd limits, time). */
  readonly notes: readonly string[];
  readonly runs: readonly RunEntry[];
}

function runKey(run: RunEntry): string {
  return `${run.target} ${JSON.stringify(run.params)}`;
}

/**
 * Fold a newer run of a scenario into an older result: entries of the same
 * target and parameters are replaced, others kept; commands and notes of both
 * are listed, so the document still says how every number was produced.
 */
export function mergeResults(older: ScenarioResult, newer: ScenarioResult): ScenarioResult {
  if (older.scenario !== newer.scenario) {
    throw new Error(`cannot merge ${newer.scenario} into ${older.scenario}`);
  }
  const replaced = new Set(newer.runs.map(runKey));
  const commands = [...new Set([...older.command.split(" ; "), newer.command])];
  return {
    ...newer,
    startedAt: [older.startedAt, newer.startedAt].sort()[0] as string,
    commit: older.commit === newer.commit ? newer.commit : `${older.commit}, ${newer.commit}`,
    command: commands.join(" ; "),
    notes: [...new Set([...older.notes, ...newer.notes])],
    runs: [...older.runs.filter((r) => !replaced.has(runKey(r))), ...newer.runs],
  };
}
