import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { E2E, requireCollector } from "./test-support/collector.js";
import { processGone } from "./test-support/fake-collector.js";
import { tempDir } from "./test-support/harness.js";
import { Upstream } from "./test-support/upstream.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const bin = fileURLToPath(new URL("./bin.ts", import.meta.url));

function runBin(configPath: string): {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", bin, "--config", configPath],
    {
      cwd: root,
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let err = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, stderr: () => err, exited };
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function collectorPid(stderr: string): number | undefined {
  for (const line of stderr.split("\n")) {
    if (!line.includes('"Collector started"')) continue;
    return (JSON.parse(line) as { pid: number }).pid;
  }
  return undefined;
}

test("opamp-supervisor exits 2 naming the key when the config has an unknown key", async (t) => {
  const dir = await tempDir("bin-bad");
  t.after(() => dir.remove());
  const path = join(dir.path, "supervisor.yaml");
  await writeFile(
    path,
    `server:\n  endpoint: ws://127.0.0.1:1/v1/opamp\nagent:\n  executable: ${process.execPath}\n  bootstrap_timeot: 3s\n`,
  );
  const run = runBin(path);
  assert.equal(await run.exited, 2);
  assert.match(run.stderr(), /agent::bootstrap_timeot: unknown key/);
});

async function startBin(
  t: { after(fn: () => Promise<void>): void },
  collector: string,
  name: string,
) {
  const dir = await tempDir(name);
  const upstream = await new Upstream().start();
  const path = join(dir.path, "supervisor.yaml");
  await writeFile(
    path,
    [
      "server:",
      `  endpoint: ${upstream.url}`,
      "agent:",
      `  executable: ${collector}`,
      "  bootstrap_timeout: 60s",
      "  config_apply_timeout: 60s",
      "  orphan_detection_interval: 500ms",
      "storage:",
      `  directory: ${join(dir.path, "storage")}`,
      "",
    ].join("\n"),
  );
  const run = runBin(path);
  t.after(async () => {
    run.child.kill("SIGKILL");
    await upstream.close();
    await dir.remove();
  });
  await until(() => collectorPid(run.stderr()) !== undefined, "the Collector to start");
  await upstream.waitFor((m) => m.health?.healthy === true, "a healthy report");
  return { run, pid: collectorPid(run.stderr())! };
}

test("SIGTERM to the supervisor stops the Collector and exits 0", E2E, async (t) => {
  const collector = await requireCollector(t);
  if (collector === undefined) return;
  const { run, pid } = await startBin(t, collector, "bin-term");
  run.child.kill("SIGTERM");
  assert.equal(await run.exited, 0);
  assert.equal(await processGone(pid), true);
});

test(
  "the Collector never outlives a supervisor killed with SIGKILL (orphan detection through ppid)",
  E2E,
  async (t) => {
    const collector = await requireCollector(t);
    if (collector === undefined) return;
    const { run, pid } = await startBin(t, collector, "bin-kill");
    run.child.kill("SIGKILL");
    await run.exited;
    await until(() => processGone(pid), "the orphaned Collector to exit");
  },
);
