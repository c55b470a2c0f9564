/**
 * Scenario 1, capacity: N idle WebSocket agents with 30 s heartbeats. The
 * server's resident memory per agent ((RSS with N agents − RSS idle) / N) and
 * the CPU it spends on heartbeats over a measurement window.
 */

import { cpuCores, sampleProcess } from "../lib/proc.js";
import { LoadGenerators, sourceAddresses } from "../loadgen/controller.js";
import { measureTarget, processesFor, type ScenarioContext, sleep } from "./context.js";
import type { RunEntry } from "./result.js";

/** Agents per generator process: below the 20,000 fd hard limit with headroom. */
const AGENTS_PER_GENERATOR = 10_000;
const HEARTBEAT_MS = 30_000;

/** Run the capacity scenario for every target and size. */
export async function capacity(ctx: ScenarioContext): Promise<RunEntry[]> {
  const sizes = ctx.agents ?? [10_000];
  const windowS = ctx.seconds ?? 60;
  const runs: RunEntry[] = [];
  for (const agents of sizes) {
    for (const kind of ctx.targets) {
      runs.push(
        await measureTarget(
          ctx,
          kind,
          { agents, heartbeatS: HEARTBEAT_MS / 1000, windowS },
          async (target) => {
            await sleep(2000);
            const idle = sampleProcess(target.pid);
            const connectRate = 2000;
            const gens = await LoadGenerators.start(
              {
                url: target.wsUrl,
                transport: "ws",
                agents,
                sourceAddresses: sourceAddresses(8),
                connectRate,
                heartbeatMs: HEARTBEAT_MS,
                mode: "idle",
                applyDelayMs: 0,
                reconnect: true,
                reconnectBaseMs: 1000,
                reconnectMaxMs: 30_000,
                deadlineMs: (agents / connectRate + windowS + 600) * 1000,
              },
              processesFor(agents, AGENTS_PER_GENERATOR),
              ctx.cpus.loadgen,
            );
            try {
              const started = Date.now();
              const ready = await gens.waitFor((s) => s.ready >= agents, 60_000 + agents * 10, 500);
              const connectSeconds = (Date.now() - started) / 1000;
              if (ready.ready < agents) {
                ctx.log(
                  `only ${ready.ready}/${agents} ready; errors ${JSON.stringify(ready.errors)}`,
                );
              }
              const serverCount = await target.connected();
              await sleep(5000);
              const s0 = sampleProcess(target.pid);
              await sleep(windowS * 1000);
              const s1 = sampleProcess(target.pid);
              const memory = await target.memory().catch(() => ({}));
              const end = await gens.stats();
              return {
                agentsReady: ready.ready,
                serverConnected: serverCount,
                connectSeconds,
                rssIdleMiB: idle.rssBytes / 2 ** 20,
                rssMiB: s1.rssBytes / 2 ** 20,
                peakRssMiB: s1.peakRssBytes / 2 ** 20,
                rssPerAgentKiB: (s1.rssBytes - idle.rssBytes) / 1024 / Math.max(1, ready.ready),
                cpuCores: cpuCores(s0, s1),
                threads: s1.threads,
                heartbeatsPerSecond: agents / (HEARTBEAT_MS / 1000),
                loadgenErrors: Object.values(end.errors).reduce((a, b) => a + b, 0),
                ...Object.fromEntries(
                  Object.entries(end.errors).map(([k, v]) => [`loadgenErrors.${k}`, v]),
                ),
                ...Object.fromEntries(Object.entries(memory).map(([k, v]) => [`self.${k}`, v])),
              };
            } finally {
              await gens.stop();
            }
          },
        ),
      );
    }
  }
  return runs;
}
