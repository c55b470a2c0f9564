import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { RemoteConfigStatuses } from "@opamp-ts/protocol";
import { E2E, requireCollector } from "./test-support/collector.js";
import { e2eFixture } from "./test-support/harness.js";
import { freePort, pipelineConfig, sendSpan, waitForFileContaining } from "./test-support/otlp.js";

test(
  "C-1 C-22 a supervisor restarted without a reachable server runs the last good config (not a later failed one) under the same instance uid",
  E2E,
  async (t) => {
    const collector = await requireCollector(t);
    if (collector === undefined) return;
    const { dir, upstream, start } = await e2eFixture(t, "persist");
    const first = await start({ collector });
    const port = await freePort();
    const out = join(dir, "traces.json");
    const offer = await upstream.pushConfig(pipelineConfig(port, out));
    try {
      await upstream.waitForStatus(
        offer.configHash,
        RemoteConfigStatuses.RemoteConfigStatuses_APPLIED,
        "APPLIED",
      );
      // A later bad config must never become the config a restart runs.
      const badOut = join(dir, "bad.json");
      const bad = await upstream.pushConfig(
        pipelineConfig(await freePort(), badOut, "nosuchexporter"),
      );
      await upstream.waitForStatus(
        bad.configHash,
        RemoteConfigStatuses.RemoteConfigStatuses_FAILED,
        "FAILED(bad)",
      );
    } finally {
      await first.close();
      await upstream.close();
    }
    const unreachable = `ws://127.0.0.1:${await freePort()}/v1/opamp`;
    const second = await start({ collector, endpoint: unreachable });
    assert.equal(second.instanceUid, first.instanceUid, "the instance uid survives the restart");
    assert.notEqual(second.collectorPid, undefined);
    assert.equal(await sendSpan(port, "span-offline-restart"), 200);
    await waitForFileContaining(out, "span-offline-restart");
    const state = JSON.parse(await readFile(join(dir, "supervisor-state.json"), "utf8")) as {
      lastGoodRemoteConfig?: string;
    };
    assert.ok(state.lastGoodRemoteConfig !== undefined && state.lastGoodRemoteConfig.length > 0);
  },
);
