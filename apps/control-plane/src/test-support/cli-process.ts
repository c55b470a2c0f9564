/**
 * Runs the `opamp-server` CLI as a child process (through tsx, from source)
 * and reads where it listens from its startup banner.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../bin.ts", import.meta.url));

/** A started CLI process. */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly apiUrl: string;
  readonly opampUrl: string;
  /** Resolves with the exit code, or the signal name when killed. */
  readonly exited: Promise<number | string>;
  output(): string;
}

/** Spawns the CLI with `args` and `env` and waits for its banner. */
export async function spawnCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<CliProcess> {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", BIN, ...args], {
    env: { ...process.env, OPAMP_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    out += d;
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    out += d;
  });
  const exited = once(child, "exit").then(([code, signal]) => (code ?? signal) as number | string);
  const banner = await new Promise<string>((resolve, reject) => {
    const check = () => {
      if (/Admin token:.*\n/.test(out)) resolve(out);
    };
    child.stdout?.on("data", check);
    void exited.then((code) =>
      reject(new Error(`opamp-server exited (${code}) before starting:\n${out}`)),
    );
  });
  const apiUrl = /REST API:\s+(\S+)/.exec(banner)?.[1];
  const opampUrl = /OpAMP endpoint:\s+(\S+)/.exec(banner)?.[1];
  if (apiUrl === undefined || opampUrl === undefined)
    throw new Error(`unexpected banner:\n${banner}`);
  return { child, apiUrl, opampUrl, exited, output: () => out };
}
