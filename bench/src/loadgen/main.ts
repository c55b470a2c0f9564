/**
 * Entry point of one load-generator process. The orchestrator forks it with
 * an IPC channel (and a raised file-descriptor limit, see `spawn.ts`), sends
 * `start` with the {@link LoadOptions}, then asks for stats, arms and collects
 * push-latency samples, and finally sends `stop`. The process also stops on
 * its own at `deadlineMs` or when the orchestrator goes away.
 */
import { HttpAgent, httpPools } from "./http-agents.js";
import type { LoadCommand, LoadEvent, LoadOptions } from "./options.js";
import { Recorder } from "./recorder.js";
import { SimAgent } from "./sim-agent.js";
import { WsAgent } from "./ws-agents.js";

const LOOPBACK = /^(ws|http):\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\//;

function emit(event: LoadEvent, sent?: () => void): void {
  process.send?.(event, undefined, undefined, () => sent?.());
}

let agents: Array<WsAgent | HttpAgent> = [];
let recorder: Recorder | undefined;
let ticker: NodeJS.Timeout | undefined;

function start(options: LoadOptions): void {
  if (!LOOPBACK.test(options.url)) {
    throw new Error(`the load generator talks to loopback only, not ${options.url}`);
  }
  const deadline = setTimeout(() => stop(), options.deadlineMs);
  deadline.unref();
  const rec = new Recorder(options.agents);
  recorder = rec;
  const pools = options.transport === "http" ? httpPools(options.sourceAddresses) : undefined;
  for (let slot = 0; slot < options.agents; slot++) {
    const sim = new SimAgent(options.firstIndex + slot, slot, rec, options.applyDelayMs);
    const address = options.sourceAddresses[slot % options.sourceAddresses.length] as string;
    agents.push(
      pools === undefined
        ? new WsAgent(sim, options, rec, address)
        : new HttpAgent(
            sim,
            options,
            rec,
            pools.get(address) as NonNullable<ReturnType<typeof pools.get>>,
          ),
    );
  }
  // Ramp up at `connectRate` per second, in 10 ms batches.
  const perBatch = Math.max(1, Math.round(options.connectRate / 100));
  let next = 0;
  const ramp = setInterval(() => {
    const end = Math.min(agents.length, next + perBatch);
    for (; next < end; next++) {
      const a = agents[next] as WsAgent | HttpAgent;
      a.sim.nextHeartbeatAt = Date.now() + Math.random() * options.heartbeatMs;
      a.connect();
    }
    if (next >= agents.length) clearInterval(ramp);
  }, 10);
  ticker = setInterval(() => {
    const now = Date.now();
    for (const a of agents) a.tick(now);
  }, 1000);
  emit({ type: "started" });
}

function stop(): void {
  clearInterval(ticker);
  for (const a of agents) a.stop();
  agents = [];
  // Exit once the last message left, whatever sockets are still closing.
  const exit = () => process.exit(0);
  setTimeout(exit, 2000).unref();
  if (recorder !== undefined) emit({ type: "stopped", stats: recorder.stats() }, exit);
  else exit();
}

process.on("message", (command: LoadCommand) => {
  switch (command.type) {
    case "start":
      start(command.options);
      break;
    case "stats":
      if (recorder) emit({ type: "stats", stats: recorder.stats() });
      break;
    case "arm":
      recorder?.arm();
      emit({ type: "armed" });
      break;
    case "collect":
      if (recorder) emit({ type: "samples", samples: recorder.samples() });
      break;
    case "resetErrors":
      recorder?.resetErrors();
      break;
    case "stop":
      stop();
      break;
  }
});
process.on("disconnect", () => {
  clearInterval(ticker);
  for (const a of agents) a.stop();
  setTimeout(() => process.exit(0), 100).unref();
});
