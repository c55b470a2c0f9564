import { type ChildProcess, spawn } from "node:child_process";
import { JsonLineLog } from "./json-lines.js";

/** How a peer process ended. */
export interface PeerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * A running peer program: its JSON-line event log, its stderr (kept for
 * failure messages) and a `stop()` that ends it and waits for the exit, so
 * tests never leave processes or pipes behind.
 */
export class PeerProcess {
  readonly log: JsonLineLog;
  readonly stderr: string[] = [];
  readonly exited: Promise<PeerExit>;
  readonly #child: ChildProcess;
  #exit: PeerExit | undefined;

  constructor(
    readonly name: string,
    binary: string,
    args: readonly string[],
  ) {
    // stdin stays an open pipe: our peers run with -exit-on-stdin-eof, so if
    // this process dies without stopping them, they stop too.
    this.#child = spawn(binary, args, { stdio: ["pipe", "pipe", "pipe"] });
    this.log = new JsonLineLog(name, this.#child.stdout!);
    this.#child.stderr!.setEncoding("utf8");
    this.#child.stderr!.on("data", (chunk: string) => {
      this.stderr.push(chunk);
    });
    this.exited = new Promise<PeerExit>((resolve) => {
      this.#child.on("error", (err) => {
        this.stderr.push(`spawn failed: ${err.message}`);
        this.#exit = { code: -1, signal: null };
        this.log.close(`spawn failed: ${err.message}`);
        resolve(this.#exit);
      });
      this.#child.on("close", (code, signal) => {
        this.#exit = { code, signal };
        this.log.close(`exited with code ${code} signal ${signal}`);
        resolve(this.#exit);
      });
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Sends `signal` (SIGTERM by default) and waits for the exit; SIGKILL after `graceMs`. */
  async stop(signal: NodeJS.Signals = "SIGTERM", graceMs = 10_000): Promise<PeerExit> {
    if (this.#exit !== undefined) return this.#exit;
    this.#child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.#child.kill("SIGKILL");
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    return this.exited;
  }

  /** Stderr so far, for assertion messages. */
  stderrText(): string {
    return this.stderr.join("");
  }
}
