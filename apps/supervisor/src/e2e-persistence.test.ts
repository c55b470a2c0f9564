import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { RemoteConfigStatuses } from "@opamp-ts/protocol";
import { requireCollector } from "./test-support/collector.js";
import { startTestSupervisor, tempDir } from "./test-support/harness.js";
import { freePort, pipelineConfig, sendSpan, waitForFileContaining } from "./test-support/otlp.js";
import { Upstream } from "./test-support/upstream.js";

test("C-1 C-22 a supervisor restarted without a reachable server runs the last good config under the same instance uid", async (t) => {
  const collector = await requireCollector(t);
  if (collector === undefined) return;
  const dir = await tempDir("persist");
  t.after(() => dir.remove());
  const upstream = await new Upstream().start();
  const first = await startTestSupervisor({ collector, endpoint: upstream.url, storage: dir.path });
  const port = await freePort();
  const out = join(dir.path, "traces.json");
  const offer = await upstream.pushConfig(pipelineConfig(port, out));
  try {
    await upstream.waitForStatus(
      offer.configHash,
      RemoteConfigStatuses.RemoteConfigStatuses_APPLIED,
      "APPLIED",
    );
  } finally {
    await first.close();
    await upstream.close();
  }
  const unreachable = `ws://127.0.0.1:${await freePort()}/v1/opamp`;
  const second = await startTestSupervisor({ collector, endpoint: unreachable, storage: dir.path });
  t.after(() => second.close());
  assert.equal(second.instanceUid, first.instanceUid, "the instance uid survives the restart");
  assert.notEqual(second.collectorPid, undefined);
  assert.equal(await sendSpan(port, "span-offline-restart"), 200);
  await waitForFileContaining(out, "span-offline-restart");
  const state = JSON.parse(await readFile(join(dir.path, "supervisor-state.json"), "utf8")) as {
    lastGoodRemoteConfig?: string;
  };
  assert.ok(state.lastGoodRemoteConfig !== undefined && state.lastGoodRemoteConfig.length > 0);
});
