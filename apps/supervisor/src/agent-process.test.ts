import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { AgentProcess } from "./agent-process.js";
import { fakeCollector, processGone } from "./test-support/fake-collector.js";
import { tempDir } from "./test-support/harness.js";

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test("stop sends SIGTERM, then SIGKILL to the whole process group when the Collector ignores SIGTERM", async (t) => {
  const dir = await tempDir("proc");
  t.after(() => dir.remove());
  const script = await fakeCollector(
    dir.path,
    "stubborn",
    "trap '' TERM\nsleep 1000 &\necho child=$!\nwhile true; do sleep 1; done",
  );
  const child = await AgentProcess.start({
    executable: script,
    args: [],
    env: {},
    tailBytes: 4096,
    output: { kind: "file", path: join(dir.path, "agent.log") },
  });
  t.after(() => child.stop(100).then(() => undefined));
  let grandchild = 0;
  await until(async () => {
    const line = child.lastLines().find((l) => l.startsWith("child="));
    grandchild = Number(line?.slice(6) ?? 0);
    return grandchild > 0;
  }, "the child pid");
  const exit = await child.stop(300);
  assert.equal(exit.signal, "SIGKILL", "SIGTERM was ignored, so SIGKILL ended it");
  assert.equal(child.running, false);
  await until(() => processGone(grandchild), "the grandchild in the same process group to die");
});

test("a Collector that exits on SIGTERM is stopped without SIGKILL; output is kept as a tail and failure lines skip routine log lines", async (t) => {
  const dir = await tempDir("proc2");
  t.after(() => dir.remove());
  const script = await fakeCollector(
    dir.path,
    "polite",
    "exec 1>&2\nprintf '2026-01-01T00:00:00Z\\tinfo\\tstarting\\n'\necho 'Error: cannot bind 127.0.0.1:4318'\necho \"'exporters' unknown type\"\nprintf '2026-01-01T00:00:01Z\\tinfo\\tstill here\\n'\ntrap 'exit 0' TERM\nwhile true; do sleep 0.1; done",
  );
  const child = await AgentProcess.start({
    executable: script,
    args: [],
    env: {},
    tailBytes: 4096,
    output: { kind: "file", path: join(dir.path, "agent.log") },
  });
  t.after(() => child.stop(1000).then(() => undefined));
  await until(async () => child.lastLines().some((line) => line.endsWith("still here")), "output");
  assert.deepEqual(child.errorLines(), [
    "Error: cannot bind 127.0.0.1:4318",
    "'exporters' unknown type",
  ]);
  const exit = await child.stop(60_000);
  assert.equal(exit.code, 0);
  assert.equal(exit.signal, null);
});

test("a missing executable is a PROCESS error, not a crash", async () => {
  await assert.rejects(
    AgentProcess.start({
      executable: "/nonexistent/otelcol",
      args: [],
      env: {},
      tailBytes: 1024,
      output: { kind: "passthrough" },
    }),
    (error: unknown) => (error as { code?: string }).code === "PROCESS",
  );
});
