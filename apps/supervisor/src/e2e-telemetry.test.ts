import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { E2E, requireCollector } from "./test-support/collector.js";
import { e2eFixture } from "./test-support/harness.js";
import { freePort } from "./test-support/otlp.js";

test(
  "C-28 own metrics and logs destinations of one offer become the Collector's service::telemetry exporters with one restart, and it runs healthy",
  E2E,
  async (t) => {
    const collector = await requireCollector(t);
    if (collector === undefined) return;
    const { dir, upstream, start } = await e2eFixture(t, "telemetry");
    const logs: string[] = [];
    const supervisor = await start({ collector, capabilities: { reports_own_logs: true }, logs });
    await upstream.waitFor((m) => m.health?.healthy === true, "a healthy Collector");
    const first = supervisor.collectorPid;
    const destination = `http://127.0.0.1:${await freePort()}/v1/metrics`;
    const logsDestination = `http://127.0.0.1:${await freePort()}/v1/logs`;
    const before = upstream.messages.length;
    const startsBefore = logs.filter((line) => line.includes("Collector started")).length;
    await upstream.send({
      connectionSettings: {
        hash: new Uint8Array([1, 2, 3]),
        ownMetrics: {
          destinationEndpoint: destination,
          headers: { headers: [{ key: "Authorization", value: "Bearer own" }] },
        },
        ownLogs: { destinationEndpoint: logsDestination },
      },
    });
    await upstream.waitFor(
      (m) =>
        upstream.messages.indexOf(m) >= before &&
        m.health?.healthy === true &&
        supervisor.collectorPid !== first,
      "the Collector restarted healthy with its own-telemetry exporter",
    );
    const effective = parse(await readFile(join(dir, "effective.yaml"), "utf8")) as {
      service: {
        telemetry: {
          metrics: {
            readers: Array<{ periodic: { exporter: { otlp: Record<string, unknown> } } }>;
          };
          logs: { processors: Array<{ batch: { exporter: { otlp: Record<string, unknown> } } }> };
        };
      };
    };
    const otlp = effective.service.telemetry.metrics.readers[0]?.periodic.exporter.otlp;
    assert.equal(otlp?.endpoint, destination);
    assert.deepEqual(otlp?.headers, [{ name: "Authorization", value: "Bearer own" }]);
    const logsOtlp = effective.service.telemetry.logs.processors[0]?.batch.exporter.otlp;
    assert.equal(logsOtlp?.endpoint, logsDestination);
    const starts = logs.filter((line) => line.includes("Collector started")).length;
    assert.equal(starts - startsBefore, 1, "both destinations were applied with a single restart");
    const state = JSON.parse(await readFile(join(dir, "supervisor-state.json"), "utf8")) as {
      ownTelemetry?: { metrics?: { endpoint: string } };
    };
    assert.equal(
      state.ownTelemetry?.metrics?.endpoint,
      destination,
      "the offer is persisted for restarts",
    );
  },
);
