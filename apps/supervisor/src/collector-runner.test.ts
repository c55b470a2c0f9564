import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { silentLogger } from "@opamp-ts/server";
import { CollectorRunner } from "./collector-runner.js";
import { LocalServer } from "./local-server.js";
import { Mutex } from "./mutex.js";
import { fakeCollector } from "./test-support/fake-collector.js";
import { tempDir } from "./test-support/harness.js";

const handlers = {
  description: () => {},
  health: () => {},
  effectiveConfig: () => {},
  availableComponents: () => {},
  customCapabilities: () => {},
  customMessage: () => {},
};

function runner(
  dir: string,
  reports: Array<{ healthy?: boolean; status?: string; lastError?: string }>,
  onReport?: () => void,
) {
  return new CollectorRunner({
    env: {},
    tailBytes: 4096,
    output: { kind: "file", path: join(dir, "agent.log") },
    stopTimeoutMs: 5000,
    backoff: { initialMs: 10, maxMs: 40 },
    crashLoopThreshold: 3,
    restartTimeoutMs: 60_000,
    localServer: new LocalServer("token", handlers, silentLogger),
    mutex: new Mutex(),
    logger: silentLogger,
    reportHealth: (health) => {
      reports.push(health);
      onReport?.();
    },
  });
}

test("C-24 a Collector that keeps exiting is restarted with backoff and reported unhealthy as a crash loop with its last lines", async (t) => {
  const dir = await tempDir("loop");
  t.after(() => dir.remove());
  const script = await fakeCollector(
    dir.path,
    "crasher",
    "echo 'Error: invalid pipeline x' >&2\nexit 3",
  );
  const reports: Array<{ healthy?: boolean; status?: string; lastError?: string }> = [];
  let loopSeen: () => void = () => {};
  const loop = new Promise<void>((resolve) => {
    loopSeen = resolve;
  });
  const r = runner(dir.path, reports, () => {
    if (reports.some((h) => h.status === "CrashLoop")) loopSeen();
  });
  t.after(() => r.close());
  const first = await r.launch({ executable: script, args: [] }, 60_000);
  assert.equal(first.ok, false);
  assert.match(first.ok ? "" : first.reason, /exited with code 3/);
  assert.deepEqual(first.ok ? [] : first.lines, ["Error: invalid pipeline x"]);
  r.recover(first.ok ? [] : first.lines, first.ok ? "" : first.reason);
  await loop;
  await r.close();
  const crashLoop = reports.find((h) => h.status === "CrashLoop");
  assert.equal(crashLoop?.healthy, false);
  assert.match(
    crashLoop?.lastError ?? "",
    /crash loop: the Collector exited with code 3 \(3 failed starts in a row\)/,
  );
  assert.match(crashLoop?.lastError ?? "", /Error: invalid pipeline x/);
  assert.equal(reports[0]?.status, "Crashed");
});

test("a Collector that never reports healthy fails the launch after the timeout and is stopped on close", async (t) => {
  const dir = await tempDir("silent");
  t.after(() => dir.remove());
  const script = await fakeCollector(dir.path, "silent", "while true; do sleep 0.1; done");
  const r = runner(dir.path, []);
  const result = await r.launch({ executable: script, args: [] }, 200);
  assert.equal(result.ok, false);
  assert.match(result.ok ? "" : result.reason, /did not report healthy within 200 ms/);
  assert.equal(r.running, true);
  await r.close();
  assert.equal(r.running, false);
});
