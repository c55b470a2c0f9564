import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { RemoteConfigStatuses } from "@opamp-ts/protocol";
import { E2E, requireCollector } from "./test-support/collector.js";
import { e2eFixture } from "./test-support/harness.js";
import { freePort, pipelineConfig, sendSpan, waitForFileContaining } from "./test-support/otlp.js";

test(
  "C-21 a good remote config is APPLIED only once the real Collector is healthy, and data flows through it",
  E2E,
  async (t) => {
    const collector = await requireCollector(t);
    if (collector === undefined) return;
    const { dir, upstream, start } = await e2eFixture(t, "good");
    await start({ collector });
    const port = await freePort();
    const out = join(dir, "traces.json");
    const offer = await upstream.pushConfig(pipelineConfig(port, out));
    await upstream.waitForStatus(
      offer.configHash,
      RemoteConfigStatuses.RemoteConfigStatuses_APPLYING,
      "APPLYING",
    );
    await upstream.waitForStatus(
      offer.configHash,
      RemoteConfigStatuses.RemoteConfigStatuses_APPLIED,
      "APPLIED",
    );
    assert.equal(await sendSpan(port, "span-good-config"), 200);
    const written = await waitForFileContaining(out, "span-good-config");
    assert.match(written, /supervisor-e2e/);
  },
);

test(
  "C-22 a config naming an unknown component is FAILED with the Collector's own message, rolled back, and the Collector keeps serving",
  E2E,
  async (t) => {
    const collector = await requireCollector(t);
    if (collector === undefined) return;
    const { dir, upstream, start } = await e2eFixture(t, "bad");
    const supervisor = await start({ collector });
    const port = await freePort();
    const out = join(dir, "traces.json");
    const good = await upstream.pushConfig(pipelineConfig(port, out));
    await upstream.waitForStatus(
      good.configHash,
      RemoteConfigStatuses.RemoteConfigStatuses_APPLIED,
      "APPLIED(good)",
    );
    const goodPid = supervisor.collectorPid;

    const badPort = await freePort();
    const bad = await upstream.pushConfig(
      pipelineConfig(badPort, join(dir, "bad.json"), "nosuchexporter"),
    );
    const failed = await upstream.waitForStatus(
      bad.configHash,
      RemoteConfigStatuses.RemoteConfigStatuses_FAILED,
      "FAILED(bad)",
    );
    const message = failed.remoteConfigStatus?.errorMessage ?? "";
    assert.match(
      message,
      /unknown type: "nosuchexporter"/,
      "the Collector's own error line is reported",
    );
    assert.match(message, /rolled back to the last good config/);
    assert.notEqual(supervisor.collectorPid, undefined, "a Collector runs after the rollback");
    assert.notEqual(supervisor.collectorPid, goodPid, "the rollback restarted the Collector");
    assert.equal(await sendSpan(port, "span-after-rollback"), 200);
    await waitForFileContaining(out, "span-after-rollback");
    const effective = await upstream.waitFor(
      (m) =>
        m.effectiveConfig !== undefined &&
        new TextDecoder()
          .decode(Object.values(m.effectiveConfig.configMap?.configMap ?? {})[0]?.body)
          .includes(`127.0.0.1:${port}`),
      "effective config of the rolled-back Collector",
    );
    assert.ok(effective.effectiveConfig);
  },
);

test(
  "a Collector killed from outside is restarted with the same config and serves again",
  E2E,
  async (t) => {
    const collector = await requireCollector(t);
    if (collector === undefined) return;
    const { dir, upstream, start } = await e2eFixture(t, "kill");
    const supervisor = await start({ collector });
    const port = await freePort();
    const out = join(dir, "traces.json");
    const offer = await upstream.pushConfig(pipelineConfig(port, out));
    await upstream.waitForStatus(
      offer.configHash,
      RemoteConfigStatuses.RemoteConfigStatuses_APPLIED,
      "APPLIED",
    );
    const first = supervisor.collectorPid;
    assert.ok(first !== undefined);
    const before = upstream.messages.length;
    process.kill(first, "SIGKILL");
    const down = await upstream.waitFor(
      (m) => m.health?.healthy === false && /killed by SIGKILL/.test(m.health.lastError),
      "unhealthy report of the killed Collector",
    );
    assert.equal(down.health?.status, "Crashed");
    await upstream.waitFor(
      (m) => upstream.messages.indexOf(m) >= before && m.health?.healthy === true,
      "healthy again",
    );
    assert.notEqual(supervisor.collectorPid, first);
    assert.equal(await sendSpan(port, "span-after-kill"), 200);
    await waitForFileContaining(out, "span-after-kill");
  },
);

test("C-19 a restart command restarts the Collector, which comes back healthy", E2E, async (t) => {
  const collector = await requireCollector(t);
  if (collector === undefined) return;
  const { upstream, start } = await e2eFixture(t, "restart");
  const supervisor = await start({ collector });
  await upstream.waitFor((m) => m.health?.healthy === true, "healthy idle Collector");
  const first = supervisor.collectorPid;
  assert.ok(first !== undefined);
  const before = upstream.messages.length;
  await upstream.send({ command: { type: 0 } });
  await upstream.waitFor(
    (m) =>
      upstream.messages.indexOf(m) >= before &&
      m.health?.healthy === true &&
      supervisor.collectorPid !== first,
    "healthy after the restart",
  );
  assert.notEqual(supervisor.collectorPid, first);
});

test(
  "healthcheck::endpoint answers 200 while the Collector is healthy, and agent::health_check_port adds the Collector's health_check extension",
  E2E,
  async (t) => {
    const collector = await requireCollector(t);
    if (collector === undefined) return;
    const { upstream, start } = await e2eFixture(t, "health");
    const collectorHealthPort = await freePort();
    const supervisor = await start({
      collector,
      agent: { health_check_port: collectorHealthPort },
      extra: { healthcheck: { endpoint: "127.0.0.1:0" } },
    });
    await upstream.waitFor((m) => m.health?.healthy === true, "a healthy Collector");
    const own = await fetch(`http://127.0.0.1:${supervisor.healthCheckPort}/`);
    assert.equal(own.status, 200);
    assert.deepEqual(await own.json(), { healthy: true });
    const fromCollector = await fetch(`http://127.0.0.1:${collectorHealthPort}/`);
    await fromCollector.arrayBuffer();
    assert.equal(fromCollector.status, 200);
  },
);
