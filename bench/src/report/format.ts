/**
 * Markdown for one scenario's result: a header (machine, commit, command,
 * load) and one table with a row per metric and size, a column per target,
 * and the ratios of ours to opamp-go's.
 */

import { ratio } from "../lib/stats.js";
import type { RunEntry, ScenarioResult } from "../scenarios/result.js";
import type { TargetKind } from "../targets/targets.js";
import { displayValue, type MetricSpec, REPORTED } from "./metrics.js";

/** Column titles of the targets. */
export const TARGET_TITLES: Readonly<Record<TargetKind, string>> = {
  library: "server library",
  "control-plane": "control plane (SQLite)",
  "opamp-go": "opamp-go",
};

/** A number for a table: fixed digits with thousands separators; `—` when missing. */
export function formatNumber(value: number | undefined, digits: number): string {
  if (value === undefined || !Number.isFinite(value)) return "—";
  return value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** `1.23×`, or `—`. */
export function formatRatio(value: number | undefined): string {
  return value === undefined ? "—" : `${value.toFixed(2)}×`;
}

/** The parameters of a run that tell its rows apart (e.g. `agents=10000 transport=ws`). */
export function paramsLabel(params: RunEntry["params"]): string {
  const shown = Object.entries(params).filter(([k]) => k === "agents" || k === "transport");
  return shown
    .map(([k, v]) => `${k}=${typeof v === "number" ? v.toLocaleString("en-US") : v}`)
    .join(" ");
}

function metricLabel(spec: MetricSpec): string {
  return spec.unit === "" ? spec.label : `${spec.label} (${spec.unit})`;
}

/** Group runs by their parameter label, keeping first-seen order. */
export function groupRuns(runs: readonly RunEntry[]): Map<string, Map<TargetKind, RunEntry>> {
  const groups = new Map<string, Map<TargetKind, RunEntry>>();
  for (const run of runs) {
    const key = paramsLabel(run.params);
    let group = groups.get(key);
    if (group === undefined) {
      group = new Map();
      groups.set(key, group);
    }
    group.set(run.target, run);
  }
  return groups;
}

/** The table of a scenario result. */
export function scenarioTable(result: ScenarioResult): string {
  const specs = REPORTED[result.scenario];
  const header =
    "| metric | run | server library | control plane (SQLite) | opamp-go | library ÷ opamp-go | control plane ÷ opamp-go | better |";
  const rule = "|---|---|--:|--:|--:|--:|--:|---|";
  const rows: string[] = [];
  for (const spec of specs) {
    for (const [label, group] of groupRuns(result.runs)) {
      const value = (t: TargetKind) => {
        const v = group.get(t)?.metrics[spec.key];
        return v === undefined || v === null ? undefined : displayValue(spec, v);
      };
      if (
        ["library", "control-plane", "opamp-go"].every((t) => value(t as TargetKind) === undefined)
      )
        continue;
      const go = value("opamp-go");
      rows.push(
        `| ${metricLabel(spec)} | ${label} | ${formatNumber(value("library"), spec.digits)} | ${formatNumber(value("control-plane"), spec.digits)} | ${formatNumber(go, spec.digits)} | ${formatRatio(ratio(value("library"), go))} | ${formatRatio(ratio(value("control-plane"), go))} | ${spec.better} |`,
      );
    }
  }
  const failures = result.runs
    .filter((r) => r.error !== undefined)
    .map((r) => `- ${TARGET_TITLES[r.target]} (${paramsLabel(r.params)}) failed: ${r.error}`);
  return [header, rule, ...rows, ...(failures.length > 0 ? ["", ...failures] : [])].join("\n");
}

/** Where and how a result was measured, as a short list. */
export function provenance(result: ScenarioResult): string {
  const m = result.machine;
  const loads = result.runs.map(
    (r) => `${TARGET_TITLES[r.target]} ${paramsLabel(r.params)}: ${r.load1.toFixed(2)}`,
  );
  return [
    `- measured ${result.startedAt.slice(0, 16).replace("T", " ")} UTC, commit \`${result.commit}\``,
    `- command: \`${result.command}\``,
    `- machine: ${m.cores} × ${m.cpuModel}, ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}, ${m.go ?? "no Go"}, fd hard limit ${m.fdHardLimit ?? "?"}`,
    `- 1-minute load average when each run started: ${loads.join("; ")}`,
    ...result.notes.map((n) => `- ${n}`),
  ].join("\n");
}
