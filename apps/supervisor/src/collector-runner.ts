import type { Logger } from "@opamp-ts/client";
import type { ComponentHealthSchema, MessageInitShape } from "@opamp-ts/protocol";
import { AgentProcess, type AgentProcessOptions, type ProcessExit } from "./agent-process.js";
import type { LocalServer } from "./local-server.js";
import type { Mutex } from "./mutex.js";

/** What one start of the Collector came to. */
export type LaunchResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string; readonly lines: readonly string[] };

/** Settings of {@link CollectorRunner}. */
export interface RunnerOptions {
  readonly env: Readonly<Record<string, string>>;
  readonly tailBytes: number;
  readonly output: AgentProcessOptions["output"];
  readonly stopTimeoutMs: number;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  readonly crashLoopThreshold: number;
  /** How long a crash restart waits for healthy before counting as failed. */
  readonly restartTimeoutMs: number;
  readonly localServer: LocalServer;
  readonly mutex: Mutex;
  readonly logger: Logger;
  /** Report the Collector's health upstream when it is down (C-24). */
  readonly reportHealth: (health: MessageInitShape<typeof ComponentHealthSchema>) => void;
}

/** A Collector start: which binary and which arguments. */
export interface LaunchSpec {
  readonly executable: string;
  readonly args: readonly string[];
}

const describeExit = (exit: ProcessExit): string =>
  exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;

/**
 * Keeps one Collector process running. A start counts as good only when the
 * Collector's opamp extension reports healthy within the timeout (never a
 * fixed sleep). A Collector that exits on its own is restarted with
 * exponential backoff; after `crash_loop_threshold` failed restarts in a row
 * it is reported unhealthy as a crash loop with its last log lines.
 */
export class CollectorRunner {
  private process: AgentProcess | undefined;
  private spec: LaunchSpec | undefined;
  private crashes = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: RunnerOptions) {}

  get pid(): number | undefined {
    return this.process?.running === true ? this.process.pid : undefined;
  }

  get running(): boolean {
    return this.process?.running === true;
  }

  /**
   * Stop the current Collector (if any) and start `spec`; resolves when it
   * reported healthy, exited, or `timeoutMs` passed. Call inside the mutex.
   */
  async launch(spec: LaunchSpec, timeoutMs: number): Promise<LaunchResult> {
    clearTimeout(this.restartTimer);
    await this.stop();
    if (this.closed) return { ok: false, reason: "supervisor is shutting down", lines: [] };
    this.spec = spec;
    const server = this.options.localServer;
    server.resetHealth();
    let child: AgentProcess;
    try {
      child = await AgentProcess.start({
        executable: spec.executable,
        args: spec.args,
        env: this.options.env,
        tailBytes: this.options.tailBytes,
        output: this.options.output,
      });
    } catch (error) {
      const reason = `cannot start the Collector: ${(error as Error).message}`;
      return { ok: false, reason, lines: [] };
    }
    this.process = child;
    this.options.logger.info("Collector started", { pid: child.pid, executable: spec.executable });
    const healthy = server.nextHealthy();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      healthy.promise.then(() => "healthy" as const),
      child.exited.then((exit) => exit),
      new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    healthy.cancel();
    if (outcome === "healthy") {
      this.crashes = 0;
      this.watch(child);
      return { ok: true };
    }
    const lines = child.errorLines();
    if (outcome === "timeout") {
      this.watch(child);
      return {
        ok: false,
        reason: `the Collector did not report healthy within ${timeoutMs} ms`,
        lines,
      };
    }
    return {
      ok: false,
      reason: `the Collector ${describeExit(outcome)}`,
      lines,
    };
  }

  /**
   * The last launch failed and nobody will start another: treat it as a
   * crash, so the Collector is retried with backoff and reported unhealthy.
   */
  recover(lines: readonly string[], reason: string): void {
    if (this.process?.running === true) return;
    this.onCrash(reason, lines);
  }

  /** Stop the Collector: SIGTERM to its process group, SIGKILL after `agent.stop_timeout`. */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (child === undefined) return;
    const exit = await child.stop(this.options.stopTimeoutMs);
    this.options.logger.info("Collector stopped", {
      pid: child.pid,
      code: exit.code,
      signal: exit.signal,
    });
  }

  /** Stop for good; no more restarts. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.restartTimer);
    await this.stop();
  }

  /** Synchronous kill for `process.on("exit")`: the Collector never outlives the supervisor. */
  killNow(): void {
    this.process?.killNow();
  }

  private watch(child: AgentProcess): void {
    void child.exited.then((exit) => {
      if (this.closed || this.process !== child) return;
      this.process = undefined;
      this.onCrash(`the Collector ${describeExit(exit)}`, child.errorLines());
    });
  }

  private onCrash(reason: string, lines: readonly string[]): void {
    if (this.closed || this.spec === undefined) return;
    this.crashes += 1;
    const loop = this.crashes >= this.options.crashLoopThreshold;
    const delay = Math.min(
      this.options.backoff.initialMs * 2 ** (this.crashes - 1),
      this.options.backoff.maxMs,
    );
    const status = loop ? "CrashLoop" : "Crashed";
    const detail = lines.length > 0 ? `; last lines:\n${lines.join("\n")}` : "";
    const lastError = loop
      ? `crash loop: ${reason} (${this.crashes} failed starts in a row)${detail}`
      : `${reason}${detail}`;
    this.options.logger.warn("Collector is down; restarting", {
      reason,
      crashes: this.crashes,
      delayMs: delay,
    });
    this.options.reportHealth({
      healthy: false,
      status,
      lastError,
      statusTimeUnixNano: BigInt(Date.now()) * 1_000_000n,
    });
    const spec = this.spec;
    this.restartTimer = setTimeout(() => {
      void this.options.mutex.run(async () => {
        if (this.closed || this.running) return;
        const result = await this.launch(spec, this.options.restartTimeoutMs);
        if (!result.ok && !this.running) this.onCrash(result.reason, result.lines);
      });
    }, delay);
  }
}
