import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ScenarioResult } from "../scenarios/result.js";
import { formatNumber, formatRatio, groupRuns, paramsLabel, scenarioTable } from "./format.js";
import { buildDocument, chartFor } from "./write-report.js";

const machine = {
  cpuModel: "Test CPU",
  cores: 2,
  memoryGiB: 4,
  kernel: "6.0",
  node: "v20.20.0",
  go: "go1.26",
  fdHardLimit: 20000,
};

const capacity: ScenarioResult = {
  scenario: "capacity",
  startedAt: "2026-01-01T10:00:00.000Z",
  finishedAt: "2026-01-01T10:05:00.000Z",
  commit: "abc123",
  command: "npm run bench -- capacity",
  machine,
  notes: ["scaled down"],
  runs: [
    {
      target: "library",
      params: { agents: 10000 },
      metrics: { rssPerAgentKiB: 10, cpuCores: 0.02 },
      load1: 0.5,
    },
    {
      target: "opamp-go",
      params: { agents: 10000 },
      metrics: { rssPerAgentKiB: 20, cpuCores: 0.01 },
      load1: 0.4,
    },
    {
      target: "control-plane",
      params: { agents: 10000 },
      metrics: {},
      load1: 0.6,
      error: "did not start",
    },
  ],
};

describe("result formatting", () => {
  it("formats numbers with separators and a dash for missing values", () => {
    assert.equal(formatNumber(12345.678, 1), "12,345.7");
    assert.equal(formatNumber(undefined, 0), "—");
    assert.equal(formatNumber(Number.NaN, 0), "—");
    assert.equal(formatRatio(0.5), "0.50×");
    assert.equal(formatRatio(undefined), "—");
  });

  it("labels runs by the parameters that tell them apart", () => {
    assert.equal(
      paramsLabel({ agents: 19000, transport: "ws", windowS: 30 }),
      "agents=19,000 transport=ws",
    );
  });

  it("groups runs of the same parameters across targets", () => {
    const groups = groupRuns(capacity.runs);
    assert.deepEqual([...groups.keys()], ["agents=10,000"]);
    assert.equal(groups.get("agents=10,000")?.size, 3);
  });

  it("tables ours, opamp-go's and the ratio, with core shares in percent", () => {
    const table = scenarioTable(capacity);
    assert.match(
      table,
      /\| RSS per agent \(KiB\) \| agents=10,000 \| 10\.0 \| — \| 20\.0 \| 0\.50× \| — \| lower \|/,
    );
    assert.match(
      table,
      /\| CPU at 30 s heartbeats \(% of a core\) \| agents=10,000 \| 2\.0 \| — \| 1\.0 \| 2\.00× /,
    );
    assert.match(table, /control plane \(SQLite\) \(agents=10,000\) failed: did not start/);
  });

  it("the document has every scenario, the provenance and the chart link", () => {
    const doc = buildDocument([capacity, undefined, undefined, undefined], "## Findings\n\ntext");
    assert.match(doc, /## Findings/);
    assert.match(doc, /commit `abc123`/);
    assert.match(
      doc,
      /load average when each run started: server library agents=10,000: 0\.50; opamp-go agents=10,000: 0\.40; control plane \(SQLite\) agents=10,000: 0\.60/,
    );
    assert.match(doc, /!\[capacity chart\]\(\.\.\/bench\/results\/capacity\.svg\)/);
    assert.match(doc, /Not measured yet: `npm run bench -- throughput`/);
  });

  it("charts the headline metric of a scenario", () => {
    const svg = chartFor(capacity);
    assert.match(svg, /^<svg /);
    assert.match(svg, /RSS per agent \(lower is better\)/);
    assert.equal((svg.match(/class="bar"/g) ?? []).length, 2);
  });
});
