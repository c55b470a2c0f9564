#!/usr/bin/env node
// Runs every *.test.ts of the workspace with node's test runner through tsx.
// Node 20's runner neither expands globs nor finds .ts files by itself, so the
// files are collected here. Arguments narrow the run to paths containing them:
//   node scripts/run-tests.mjs packages/client
//   node scripts/run-tests.mjs --coverage
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
const coverage = args.includes("--coverage");
const filters = args.filter((a) => !a.startsWith("--"));

const SEARCH_ROOTS = ["packages", "apps", "interop", "bench"];
const SKIP_DIRS = new Set(["node_modules", "dist", "gen", ".cache", "coverage"]);

function collect(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) collect(path, out);
    } else if (entry.name.endsWith(".test.ts") || entry.name.endsWith(".test.tsx")) {
      out.push(relative(root, path));
    }
  }
}

const files = [];
for (const dir of SEARCH_ROOTS) collect(join(root, dir), files);
const selected = files
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
  .sort();
if (selected.length === 0) {
  console.error(`no test files match ${filters.join(" ") || "the workspace"}`);
  process.exit(1);
}

const nodeArgs = [
  "--conditions=source",
  "--import",
  "tsx",
  "--test",
  "--test-reporter=spec",
  `--test-concurrency=${process.env.TEST_CONCURRENCY ?? "2"}`,
  "--test-timeout=600000",
  ...selected,
];
const [command, commandArgs] = coverage
  ? [
      join(root, "node_modules/.bin/c8"),
      ["--reporter=text-summary", "--reporter=html", "node", ...nodeArgs],
    ]
  : [process.execPath, nodeArgs];
const result = spawnSync(command, commandArgs, { cwd: root, stdio: "inherit" });
process.exit(result.status ?? 1);
