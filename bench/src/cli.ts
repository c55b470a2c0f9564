/**
 * `npm run bench -- <scenario> [flags]`: runs one scenario (or `all`) against
 * the chosen targets, writes bench/results/<scenario>.json and regenerates
 * docs/benchmarks.md and the charts from every result file. `report` only
 * regenerates the documents.
 *
 *   --targets library,control-plane,opamp-go   which servers (default: all three)
 *   --agents 10000,19000                        sizes (scenario-specific default)
 *   --seconds 30                                measurement window
 *   --profile                                   CPU-profile the Node targets into bench/.work/profiles
 *   --no-pin                                    do not pin servers and generators to separate cores
 *   --backlog 4096                              experiment: library target's accept backlog (default Node's 511)
 *   --source                                    run Node processes from the sources through tsx (no build)
 *   --merge                                     fold into the existing result file (same target and parameters replaced)
 *   --out <file>                                result file (default bench/results/<scenario>.json)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gitCommit, load1, machineInfo } from "./lib/machine.js";
import { buildForBench, currentRuntime, REPO_ROOT, setRuntime } from "./lib/spawn.js";
import { writeReport } from "./report/write-report.js";
import { capacity } from "./scenarios/capacity.js";
import type { ScenarioContext } from "./scenarios/context.js";
import { pushLatency } from "./scenarios/push-latency.js";
import { reconnectStorm } from "./scenarios/reconnect-storm.js";
import {
  mergeResults,
  type RunEntry,
  SCENARIOS,
  type ScenarioName,
  type ScenarioResult,
} from "./scenarios/result.js";
import { throughput } from "./scenarios/throughput.js";
import { TARGET_KINDS, type TargetKind } from "./targets/targets.js";

const RUNNERS: Record<ScenarioName, (ctx: ScenarioContext) => Promise<RunEntry[]>> = {
  capacity,
  throughput,
  "push-latency": pushLatency,
  "reconnect-storm": reconnectStorm,
};

function list(text: string | undefined): string[] | undefined {
  return text === undefined
    ? undefined
    : text
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      targets: { type: "string" },
      agents: { type: "string" },
      seconds: { type: "string" },
      profile: { type: "boolean", default: false },
      "no-pin": { type: "boolean", default: false },
      source: { type: "boolean", default: false },
      backlog: { type: "string" },
      merge: { type: "boolean", default: false },
      out: { type: "string" },
    },
  });
  const scenario = positionals[0];
  if (scenario === "report") {
    writeReport();
    return 0;
  }
  const chosen: ScenarioName[] =
    scenario === "all" ? [...SCENARIOS] : SCENARIOS.filter((s) => s === scenario);
  if (chosen.length === 0) {
    process.stderr.write(`usage: npm run bench -- <${SCENARIOS.join("|")}|all|report> [flags]\n`);
    return 2;
  }
  const targets = (list(values.targets) ?? [...TARGET_KINDS]) as TargetKind[];
  for (const t of targets) {
    if (!TARGET_KINDS.includes(t)) {
      process.stderr.write(`unknown target ${t}; use ${TARGET_KINDS.join(", ")}\n`);
      return 2;
    }
  }
  const pin = !values["no-pin"] && cpus().length >= 2;
  const runtimeNotes: string[] = [];
  if (values.source) {
    runtimeNotes.push(
      "Node processes ran the TypeScript sources through tsx (--source), not the tsc output.",
    );
  } else if (buildForBench()) {
    setRuntime("dist");
  } else {
    runtimeNotes.push(
      "tsc -b failed, so Node processes ran the sources through tsx instead of the tsc output.",
    );
  }
  const profileDir = values.profile ? join(REPO_ROOT, "bench/.work/profiles") : undefined;
  if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true });
  for (const name of chosen) {
    const notes: string[] = [];
    const ctx: ScenarioContext = {
      targets,
      cpus: pin ? { target: "1", loadgen: "0" } : { target: undefined, loadgen: undefined },
      agents: list(values.agents)?.map(Number),
      seconds: values.seconds !== undefined ? Number(values.seconds) : undefined,
      profileDir,
      backlog: values.backlog !== undefined ? Number(values.backlog) : undefined,
      notes,
      log: (m) =>
        process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${name}: ${m}\n`),
    };
    const startedAt = new Date().toISOString();
    ctx.log(`load average ${load1().toFixed(2)}`);
    const runs = await RUNNERS[name](ctx);
    const result: ScenarioResult = {
      scenario: name,
      startedAt,
      finishedAt: new Date().toISOString(),
      commit: gitCommit(),
      command: `npm run bench -- ${process.argv.slice(2).join(" ")}`,
      machine: machineInfo(),
      notes: [
        ...(pin
          ? ["Each server runs pinned to CPU 1, the load generators to CPU 0 (taskset)."]
          : []),
        `Node processes run ${currentRuntime() === "dist" ? "the tsc output (dist/) with plain node" : "the sources through tsx"}.`,
        ...runtimeNotes,
        ...(values.backlog !== undefined
          ? [`Experiment: the library target listened with an accept backlog of ${values.backlog}.`]
          : []),
        ...notes,
      ],
      runs,
    };
    const out = values.out ?? join(REPO_ROOT, "bench/results", `${name}.json`);
    mkdirSync(join(out, ".."), { recursive: true });
    const merged =
      values.merge && existsSync(out)
        ? mergeResults(JSON.parse(readFileSync(out, "utf8")) as ScenarioResult, result)
        : result;
    writeFileSync(out, `${JSON.stringify(merged, null, 2)}\n`);
    ctx.log(`wrote ${out}`);
  }
  writeReport();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
