import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { RemoteConfigStatuses } from "@opamp-ts/protocol";
import { E2E, requireCollector } from "./test-support/collector.js";
import { e2eFixture } from "./test-support/harness.js";
import { freePort, pipelineConfig, sendSpan, waitForFileContaining } from "./test-support/otlp.js";

test(
  "C-22 with automatic_config_rollback off a bad config is FAILED, not rolled back, and reported as a crash loop",
  E2E,
  async (t) => {
    const collector = await requireCollector(t);
    if (collector === undefined) return;
    const { dir, upstream, start } = await e2eFixture(t, "norollback");
    await start({
      collector,
      agent: { automatic_config_rollback: false, crash_loop_threshold: 2 },
    });
    const good = await upstream.pushConfig(pipelineConfig(await freePort(), join(dir, "a.json")));
    await upstream.waitForStatus(
      good.configHash,
      RemoteConfigStatuses.RemoteConfigStatuses_APPLIED,
      "APPLIED(good)",
    );
    const bad = await upstream.pushConfig(
      pipelineConfig(await freePort(), join(dir, "b.json"), "nosuchexporter"),
    );
    const failed = await upstream.waitForStatus(
      bad.configHash,
      RemoteConfigStatuses.RemoteConfigStatuses_FAILED,
      "FAILED",
    );
    assert.match(failed.remoteConfigStatus?.errorMessage ?? "", /nosuchexporter/);
    assert.doesNotMatch(failed.remoteConfigStatus?.errorMessage ?? "", /rolled back/);
    const loop = await upstream.waitFor(
      (m) => m.health?.status === "CrashLoop",
      "a crash-loop health report",
    );
    assert.equal(loop.health?.healthy, false);
    assert.match(
      loop.health?.lastError ?? "",
      /nosuchexporter/,
      "the last log lines are in the report",
    );
  },
);

test(
  "C-22 a bad first remote config rolls back to the local config files, which keep serving",
  E2E,
  async (t) => {
    const collector = await requireCollector(t);
    if (collector === undefined) return;
    const { dir, upstream, start } = await e2eFixture(t, "firstbad");
    const port = await freePort();
    const out = join(dir, "local.json");
    const base = join(dir, "base.yaml");
    const { writeFile } = await import("node:fs/promises");
    await writeFile(base, pipelineConfig(port, out));
    const supervisor = await start({ collector, agent: { config_files: [base] } });
    assert.equal(await sendSpan(port, "span-local-base"), 200);
    await waitForFileContaining(out, "span-local-base");
    const bad = await upstream.pushConfig(
      "exporters:\n  file:\n    path: 42\n    no_such_option: true\n",
    );
    const failed = await upstream.waitForStatus(
      bad.configHash,
      RemoteConfigStatuses.RemoteConfigStatuses_FAILED,
      "FAILED",
    );
    assert.match(failed.remoteConfigStatus?.errorMessage ?? "", /no_such_option/);
    assert.match(failed.remoteConfigStatus?.errorMessage ?? "", /rolled back/);
    assert.notEqual(supervisor.collectorPid, undefined);
    assert.equal(await sendSpan(port, "span-after-first-bad"), 200);
    await waitForFileContaining(out, "span-after-first-bad");
  },
);

test(
  "C-22 a config whose receiver cannot bind its port is FAILED with the bind error and rolled back",
  E2E,
  async (t) => {
    const collector = await requireCollector(t);
    if (collector === undefined) return;
    const { dir, upstream, start } = await e2eFixture(t, "bind");
    const supervisor = await start({ collector });
    const { createServer } = await import("node:net");
    const taken = await freePort();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(taken, "127.0.0.1", resolve));
    t.after(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const offer = await upstream.pushConfig(pipelineConfig(taken, join(dir, "x.json")));
    const failed = await upstream.waitForStatus(
      offer.configHash,
      RemoteConfigStatuses.RemoteConfigStatuses_FAILED,
      "FAILED",
    );
    assert.match(failed.remoteConfigStatus?.errorMessage ?? "", /address already in use/);
    assert.match(failed.remoteConfigStatus?.errorMessage ?? "", /rolled back/);
    assert.notEqual(supervisor.collectorPid, undefined, "the rolled-back Collector runs");
  },
);
