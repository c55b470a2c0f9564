/**
 * Scenario 3, push latency: N connected WebSocket agents; one new config is
 * committed (library and opamp-go: their push API; control plane: a new
 * version of a configuration assigned to every agent through the REST API).
 * Latencies from the commit to the config arriving on each agent's socket,
 * and to the server's answer to each agent's APPLIED report. The library
 * also reports commit→socket-write measured inside the server.
 */

import { summarize } from "../lib/stats.js";
import { idleWebSocketFleet, LoadGenerators } from "../loadgen/controller.js";
import { measureTarget, processesFor, type ScenarioContext, sleep } from "./context.js";
import type { RunEntry } from "./result.js";

const AGENTS_PER_GENERATOR = 10_000;

function files(version: number): Record<string, string> {
  const pipelines = Array.from(
    { length: 12 },
    (_, i) =>
      `    logs/${i}:\n      receivers: [otlp]\n      processors: [batch]\n      exporters: [otlphttp]\n`,
  ).join("");
  return {
    "collector.yaml":
      `# version ${version}\nreceivers:\n  otlp:\n    protocols:\n      grpc: {}\n      http: {}\n` +
      `processors:\n  batch: { timeout: ${version}s }\nexporters:\n  otlphttp:\n    endpoint: https://otlp.example.com:4318\n` +
      `service:\n  pipelines:\n${pipelines}`,
  };
}

function flatten(prefix: string, s: ReturnType<typeof summarize>): Record<string, number> {
  if (s === undefined) return {};
  return {
    [`${prefix}P50Ms`]: s.p50,
    [`${prefix}P95Ms`]: s.p95,
    [`${prefix}P99Ms`]: s.p99,
    [`${prefix}MaxMs`]: s.max,
    [`${prefix}Count`]: s.count,
  };
}

/** Run the push-latency scenario for every target. */
export async function pushLatency(ctx: ScenarioContext): Promise<RunEntry[]> {
  const agents = ctx.agents?.[0] ?? 10_000;
  const timeoutS = ctx.seconds ?? 120;
  const runs: RunEntry[] = [];
  for (const kind of ctx.targets) {
    runs.push(
      await measureTarget(ctx, kind, { agents, apply: "instant" }, async (target) => {
        const gens = await LoadGenerators.start(
          idleWebSocketFleet(target.wsUrl, agents, (agents / 2000 + 3 * timeoutS + 120) * 1000),
          processesFor(agents, AGENTS_PER_GENERATOR),
          ctx.cpus.loadgen,
        );
        try {
          const ready = await gens.waitFor((s) => s.ready >= agents, 60_000 + agents * 10, 500);
          if (ready.ready < agents)
            throw new Error(`only ${ready.ready}/${agents} agents connected`);
          // Warm-up push: every agent gets and applies version 1 first.
          await gens.arm();
          await target.push(files(1));
          const warm = await waitCompleted(gens, agents, timeoutS * 1000);
          ctx.log(`${kind}: warm-up push applied by ${warm}/${agents}`);
          await sleep(3000);
          await gens.arm();
          const outcome = await target.push(files(2));
          const done = await waitCompleted(gens, agents, timeoutS * 1000);
          const samples = await gens.collect();
          const received = samples.received.map((t) => t - outcome.committedAt);
          const acked = samples.appliedAcked.map((t) => t - outcome.committedAt);
          return {
            agentsConnected: ready.ready,
            applied: done,
            ...flatten("deliver", summarize(received)),
            ...flatten("applied", summarize(acked)),
            ...(outcome.serverWriteMs !== undefined
              ? flatten("serverWrite", summarize(outcome.serverWriteMs))
              : {}),
          };
        } finally {
          await gens.stop();
        }
      }),
    );
  }
  return runs;
}

async function waitCompleted(
  gens: LoadGenerators,
  agents: number,
  timeoutMs: number,
): Promise<number> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = await gens.collect();
    if (s.appliedAcked.length >= agents || Date.now() >= end) return s.appliedAcked.length;
    await sleep(250);
  }
}
