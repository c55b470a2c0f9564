/**
 * Regenerates docs/benchmarks.md and one SVG chart per scenario from the
 * result files in bench/results/. Hand-written analysis lives in
 * bench/results/findings.md and is included as it is.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../lib/spawn.js";
import { SCENARIOS, type ScenarioName, type ScenarioResult } from "../scenarios/result.js";
import { TARGET_KINDS } from "../targets/targets.js";
import { intro, methodology, SCENARIO_TEXT } from "./document.js";
import { groupRuns, provenance, scenarioTable, TARGET_TITLES } from "./format.js";
import { displayValue, REPORTED } from "./metrics.js";
import { barChartSvg } from "./svg.js";

const RESULTS = join(REPO_ROOT, "bench/results");

/** Read the result of a scenario, if it was run. */
export function readResult(name: ScenarioName): ScenarioResult | undefined {
  const file = join(RESULTS, `${name}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as ScenarioResult) : undefined;
}

/** The chart of a scenario's headline metric. */
export function chartFor(result: ScenarioResult): string {
  const spec = REPORTED[result.scenario][0];
  if (spec === undefined) throw new Error(`no metrics for ${result.scenario}`);
  const groups = [...groupRuns(result.runs)].map(([label, group]) => ({
    label,
    values: TARGET_KINDS.map((t) => {
      const v = group.get(t)?.metrics[spec.key];
      return v === undefined || v === null ? undefined : displayValue(spec, v);
    }),
  }));
  return barChartSvg({
    title: `${spec.label} (${spec.better} is better)`,
    unit: spec.unit,
    series: TARGET_KINDS.map((t) => TARGET_TITLES[t]),
    groups,
  });
}

/** Build the whole document from the results present. */
export function buildDocument(
  results: ReadonlyArray<ScenarioResult | undefined>,
  findings: string | undefined,
): string {
  const sections: string[] = [intro()];
  if (findings !== undefined) sections.push(findings.trim());
  for (const [i, name] of SCENARIOS.entries()) {
    const result = results[i];
    sections.push(`## ${SCENARIO_TEXT[name].title}\n\n${SCENARIO_TEXT[name].what}`);
    if (result === undefined) {
      sections.push(`Not measured yet: \`npm run bench -- ${name}\`.`);
      continue;
    }
    sections.push(
      provenance(result),
      scenarioTable(result),
      `![${name} chart](../bench/results/${name}.svg)`,
    );
  }
  sections.push(methodology());
  return `${sections.join("\n\n")}\n`;
}

/** Write docs/benchmarks.md and bench/results/<scenario>.svg. */
export function writeReport(): void {
  const results = SCENARIOS.map(readResult);
  for (const result of results) {
    if (result !== undefined)
      writeFileSync(join(RESULTS, `${result.scenario}.svg`), chartFor(result));
  }
  const findingsFile = join(RESULTS, "findings.md");
  const findings = existsSync(findingsFile) ? readFileSync(findingsFile, "utf8") : undefined;
  writeFileSync(join(REPO_ROOT, "docs/benchmarks.md"), buildDocument(results, findings));
}
