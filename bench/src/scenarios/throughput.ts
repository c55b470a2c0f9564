/**
 * Scenario 2, throughput: status reports per second at saturation. A fixed
 * number of agents each send their next status report (a health change) as
 * soon as the previous one is answered, over WebSocket or plain HTTP
 * (keep-alive); answers per second over a window, and the server's CPU.
 */

import { cpuCores, sampleProcess } from "../lib/proc.js";
import { LoadGenerators, sourceAddresses } from "../loadgen/controller.js";
import { measureTarget, type ScenarioContext, sleep } from "./context.js";
import type { RunEntry } from "./result.js";

/** Concurrent agents: enough in flight to keep one server core busy. */
const DEFAULT_AGENTS = 200;

/** Run the throughput scenario for every target and both transports. */
export async function throughput(ctx: ScenarioContext): Promise<RunEntry[]> {
  const agents = ctx.agents?.[0] ?? DEFAULT_AGENTS;
  const windowS = ctx.seconds ?? 20;
  const runs: RunEntry[] = [];
  for (const transport of ["ws", "http"] as const) {
    for (const kind of ctx.targets) {
      runs.push(
        await measureTarget(ctx, kind, { transport, agents, windowS }, async (target) => {
          const gens = await LoadGenerators.start(
            {
              url: transport === "ws" ? target.wsUrl : target.httpUrl,
              transport,
              agents,
              sourceAddresses: sourceAddresses(4),
              connectRate: 1000,
              heartbeatMs: 0,
              mode: "saturate",
              applyDelayMs: 0,
              reconnect: false,
              reconnectBaseMs: 1000,
              reconnectMaxMs: 30_000,
              deadlineMs: (windowS + 120) * 1000,
            },
            1,
            ctx.cpus.loadgen,
          );
          try {
            await gens.waitFor((s) => s.ready >= agents, 60_000);
            await sleep(3000);
            const r0 = await gens.stats();
            const s0 = sampleProcess(target.pid);
            const g0 = gens.pids.map((pid) => sampleProcess(pid));
            await sleep(windowS * 1000);
            const r1 = await gens.stats();
            const s1 = sampleProcess(target.pid);
            const g1 = gens.pids.map((pid) => sampleProcess(pid));
            const seconds = (s1.at - s0.at) / 1000;
            return {
              reportsPerSecond: (r1.replies - r0.replies) / seconds,
              serverCpuCores: cpuCores(s0, s1),
              loadgenCpuCores: g0.reduce((acc, g, i) => acc + cpuCores(g, g1[i] ?? g), 0),
              serverRssMiB: s1.rssBytes / 2 ** 20,
              errors: Object.values(r1.errors).reduce((a, b) => a + b, 0),
            };
          } finally {
            await gens.stop();
          }
        }),
      );
    }
  }
  return runs;
}
