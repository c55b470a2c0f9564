import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { SupervisorError } from "./errors.js";

/** How a Collector process ended. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** How to start one Collector process. */
export interface AgentProcessOptions {
  readonly executable: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Bytes of recent output kept for failure reports (`agent.collector_crash_log_snippet_kib`). */
  readonly tailBytes: number;
  /** Where output goes: the supervisor's own streams (`agent.passthrough_logs`) or a log file. */
  readonly output:
    | { readonly kind: "passthrough" }
    | { readonly kind: "file"; readonly path: string };
}

/**
 * One running Collector process in its own process group, so a stop reaches
 * every process it spawned. Output is kept as a bounded tail for FAILED and
 * unhealthy reports (the Collector's own error lines) and copied to the log
 * destination.
 */
export class AgentProcess {
  readonly exited: Promise<ProcessExit>;
  private readonly child: ChildProcess;
  private tail = "";
  private exit: ProcessExit | undefined;
  private readonly log: WriteStream | undefined;

  private constructor(
    private readonly options: AgentProcessOptions,
    child: ChildProcess,
  ) {
    this.child = child;
    this.log =
      options.output.kind === "file"
        ? createWriteStream(options.output.path, { flags: "a" })
        : undefined;
    this.log?.on("error", () => {});
    const onData = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
      this.append(chunk.toString("utf8"));
      if (this.log !== undefined) this.log.write(chunk);
      else stream.write(chunk);
    };
    child.stdout?.on("data", onData(process.stdout));
    child.stderr?.on("data", onData(process.stderr));
    this.exited = new Promise((resolve) => {
      child.on("exit", (code, signal) => {
        this.exit = { code, signal };
        this.log?.end();
        resolve(this.exit);
      });
    });
  }

  /** Start a process; rejects with `PROCESS` when it cannot be spawned at all. */
  static async start(options: AgentProcessOptions): Promise<AgentProcess> {
    const child = spawn(options.executable, [...options.args], {
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", (error) =>
        reject(
          new SupervisorError("PROCESS", `cannot start ${options.executable}`, { cause: error }),
        ),
      );
    });
    return new AgentProcess(options, child);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** The last lines of output, newest last; at most `tailBytes`. */
  lastLines(max = 20): string[] {
    return this.tail
      .split("\n")
      .map((line) => line.trimEnd())
      .filter((line) => line !== "")
      .slice(-max);
  }

  /**
   * The lines that explain a failure: the recent output without the
   * Collector's routine `debug`/`info`/`warn` log lines (its zap format is
   * `<time>\t<level>\t…`), so error log lines, the final `Error: …` and its
   * continuation lines remain. Falls back to the last lines.
   */
  errorLines(max = 12): string[] {
    const lines = this.lastLines(200);
    const failures = lines.filter((line) => !/^\S+\t(debug|info|warn)\t/.test(line));
    return (failures.length > 0 ? failures : lines).slice(-max);
  }

  /**
   * Stop the whole process group: SIGTERM, then SIGKILL when it has not
   * exited within `timeoutMs`. Resolves once the process has exited.
   */
  async stop(timeoutMs: number): Promise<ProcessExit> {
    if (this.exit !== undefined) return this.exit;
    this.signal("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.signal("SIGKILL");
        resolve();
      }, timeoutMs);
    });
    const exit = await Promise.race([this.exited, killed.then(() => this.exited)]);
    clearTimeout(timer);
    return exit;
  }

  /** Synchronous last resort on supervisor exit: SIGKILL the group. */
  killNow(): void {
    if (this.exit === undefined) this.signal("SIGKILL");
  }

  /** Send a signal to the process group (falls back to the process itself). */
  signal(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  }

  private append(text: string): void {
    this.tail = (this.tail + text).slice(-this.options.tailBytes);
  }
}
