/**
 * Scenario 4, reconnect storm: N WebSocket agents connected; the server is
 * stopped (SIGTERM: it closes every connection) and started again on the same
 * port (the control plane on the same SQLite database). Agents reconnect with
 * full-jitter exponential backoff (base 1 s, cap 30 s) and send their full
 * state. Time from the new process accepting connections until the server
 * counts all N agents connected again, and the errors seen on both sides.
 */

import { sampleProcess } from "../lib/proc.js";
import { idleWebSocketFleet, LoadGenerators } from "../loadgen/controller.js";
import { startTarget } from "../targets/targets.js";
import { measureTarget, pollUntil, processesFor, type ScenarioContext } from "./context.js";
import type { RunEntry } from "./result.js";

const AGENTS_PER_GENERATOR = 10_000;

/** Run the reconnect storm for every target. */
export async function reconnectStorm(ctx: ScenarioContext): Promise<RunEntry[]> {
  const agents = ctx.agents?.[0] ?? 19_000;
  const timeoutS = ctx.seconds ?? 180;
  const runs: RunEntry[] = [];
  for (const kind of ctx.targets) {
    runs.push(
      await measureTarget(ctx, kind, { agents, backoff: "full jitter 1s..30s" }, async (first) => {
        const gens = await LoadGenerators.start(
          idleWebSocketFleet(first.wsUrl, agents, (agents / 2000 + 2 * timeoutS + 120) * 1000),
          processesFor(agents, AGENTS_PER_GENERATOR),
          ctx.cpus.loadgen,
        );
        let second: Awaited<ReturnType<typeof startTarget>> | undefined;
        try {
          const ready = await gens.waitFor((s) => s.ready >= agents, 60_000 + agents * 10, 500);
          if (ready.ready < agents)
            throw new Error(`only ${ready.ready}/${agents} agents connected`);
          const before = await first.connected();
          const stopAt = Date.now();
          await first.stop();
          const downSeconds = (Date.now() - stopAt) / 1000;
          const startAt = Date.now();
          second = await startTarget(kind, {
            port: first.port,
            keepData: true,
            ...(ctx.backlog !== undefined ? { backlog: ctx.backlog } : {}),
            ...(ctx.cpus.target !== undefined ? { cpus: ctx.cpus.target } : {}),
          });
          const upAt = Date.now();
          const startSeconds = (upAt - startAt) / 1000;
          gens.resetErrors();
          const target = second;
          let last = 0;
          const allBack = await pollUntil(async () => {
            last = await target.connected().catch(() => last);
            return last >= agents;
          }, timeoutS * 1000);
          const backSeconds = (Date.now() - upAt) / 1000;
          const stats = await gens.stats();
          const rss = sampleProcess(target.pid);
          return {
            connectedBefore: before,
            connectedAfter: last,
            allBack: allBack ? 1 : 0,
            stopSeconds: downSeconds,
            startSeconds,
            secondsUntilAllBack: allBack ? backSeconds : Number.NaN,
            secondsFromStopUntilAllBack: allBack ? (Date.now() - stopAt) / 1000 : Number.NaN,
            agentErrorsAfterRestart: Object.values(stats.errors).reduce((a, b) => a + b, 0),
            ...Object.fromEntries(
              Object.entries(stats.errors).map(([k, v]) => [`agentErrors.${k}`, v]),
            ),
            serverErrorLines: target.errorLines() + first.errorLines(),
            rssAfterMiB: rss.rssBytes / 2 ** 20,
          };
        } finally {
          await gens.stop();
          await second?.stop().catch(() => undefined);
        }
      }),
    );
  }
  return runs;
}
