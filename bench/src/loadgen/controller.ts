/**
 * The orchestrator's side of the load generators: forks N processes (each
 * with the hard fd limit and an optional CPU pin), splits the agents between
 * them and merges their stats and samples.
 */
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { nodeScript, spawnLimited } from "../lib/spawn.js";
import type { LoadCommand, LoadEvent, LoadOptions, LoadStats, PushSamples } from "./options.js";

/** Loopback source addresses; each gives ~28k ephemeral ports towards one server port. */
export function sourceAddresses(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `127.0.0.${i + 2}`);
}

/**
 * An idle WebSocket fleet that applies configs at once and reconnects with
 * jittered backoff (1 s to 30 s): the setup of the push and storm scenarios.
 */
export function idleWebSocketFleet(
  url: string,
  agents: number,
  deadlineMs: number,
): Omit<LoadOptions, "firstIndex"> {
  return {
    url,
    transport: "ws",
    agents,
    sourceAddresses: sourceAddresses(8),
    connectRate: 2000,
    heartbeatMs: 30_000,
    mode: "idle",
    applyDelayMs: 0,
    reconnect: true,
    reconnectBaseMs: 1000,
    reconnectMaxMs: 30_000,
    deadlineMs,
  };
}

/** Most agents one generator process holds: its fd hard limit minus headroom. */
export const MAX_AGENTS_PER_PROCESS = 19_000;

function request<T extends LoadEvent["type"]>(
  child: ChildProcess,
  command: LoadCommand,
  reply: T,
): Promise<Extract<LoadEvent, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (event: LoadEvent) => {
      if (event.type !== reply) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(event as Extract<LoadEvent, { type: T }>);
    };
    const onExit = () => reject(new Error(`load generator exited before "${reply}"`));
    child.on("message", onMessage);
    child.once("exit", onExit);
    child.send(command);
  });
}

/** Merge stats of several processes. */
export function mergeStats(all: readonly LoadStats[]): LoadStats {
  const errors: Record<string, number> = {};
  for (const s of all)
    for (const [k, v] of Object.entries(s.errors)) errors[k] = (errors[k] ?? 0) + v;
  const sum = (f: (s: LoadStats) => number) => all.reduce((acc, s) => acc + f(s), 0);
  return {
    agents: sum((s) => s.agents),
    ready: sum((s) => s.ready),
    open: sum((s) => s.open),
    sent: sum((s) => s.sent),
    received: sum((s) => s.received),
    replies: sum((s) => s.replies),
    connects: sum((s) => s.connects),
    reconnects: sum((s) => s.reconnects),
    errors,
    lastReadyAt: Math.max(0, ...all.map((s) => s.lastReadyAt)),
  };
}

/** Several load-generator processes driven as one. */
export class LoadGenerators {
  private constructor(private readonly children: ChildProcess[]) {}

  /** Fork `processes` generators and start `options.agents` agents split between them. */
  static async start(
    options: Omit<LoadOptions, "firstIndex">,
    processes: number,
    cpus?: string,
  ): Promise<LoadGenerators> {
    const children: ChildProcess[] = [];
    const per = Math.ceil(options.agents / processes);
    for (let i = 0; i < processes; i++) {
      const agents = Math.min(per, options.agents - i * per);
      if (agents <= 0) break;
      const child = spawnLimited(nodeScript("bench/src/loadgen/main.ts"), {
        stdio: ["ignore", "inherit", "inherit", "ipc"],
        ...(cpus !== undefined ? { cpus } : {}),
      });
      children.push(child);
      await request(
        child,
        { type: "start", options: { ...options, agents, firstIndex: i * per } },
        "started",
      );
    }
    return new LoadGenerators(children);
  }

  get pids(): number[] {
    return this.children.map((c) => c.pid as number);
  }

  async stats(): Promise<LoadStats> {
    return mergeStats(
      await Promise.all(
        this.children.map(async (c) => (await request(c, { type: "stats" }, "stats")).stats),
      ),
    );
  }

  async arm(): Promise<void> {
    await Promise.all(this.children.map((c) => request(c, { type: "arm" }, "armed")));
  }

  resetErrors(): void {
    for (const c of this.children) c.send({ type: "resetErrors" });
  }

  async collect(): Promise<PushSamples> {
    const all = await Promise.all(
      this.children.map(async (c) => (await request(c, { type: "collect" }, "samples")).samples),
    );
    return {
      received: all.flatMap((s) => s.received),
      appliedAcked: all.flatMap((s) => s.appliedAcked),
      hashes: [...new Set(all.flatMap((s) => s.hashes))],
    };
  }

  /** Poll until `done(stats)` or the timeout; returns the last stats. */
  async waitFor(
    done: (s: LoadStats) => boolean,
    timeoutMs: number,
    everyMs = 250,
  ): Promise<LoadStats> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.stats();
      if (done(s) || Date.now() >= end) return s;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  async stop(): Promise<LoadStats> {
    const stats = await Promise.all(
      this.children.map(async (c) => {
        if (c.exitCode !== null) return undefined;
        const exited = once(c, "exit");
        const result = await request(c, { type: "stop" }, "stopped").catch(() => undefined);
        const timer = setTimeout(() => c.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
        return result?.stats;
      }),
    );
    return mergeStats(stats.filter((s): s is LoadStats => s !== undefined));
  }
}
