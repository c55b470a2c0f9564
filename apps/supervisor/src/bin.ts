#!/usr/bin/env node
/**
 * `opamp-supervisor --config supervisor.yaml`: loads and validates the config
 * (exit 2 naming the bad key), starts the supervisor, and on SIGTERM/SIGINT
 * stops the Collector and disconnects before exiting 0.
 */
import { parseArgs } from "./cli.js";
import { loadConfig } from "./config.js";
import { SupervisorError } from "./errors.js";
import { Supervisor } from "./supervisor.js";

async function main(): Promise<number> {
  let configPath: string;
  let config: ReturnType<typeof loadConfig>;
  try {
    const request = parseArgs(process.argv.slice(2));
    if (request.kind === "help") {
      process.stdout.write(request.text);
      return 0;
    }
    configPath = request.configPath;
    config = loadConfig(configPath);
  } catch (error) {
    if (error instanceof SupervisorError) {
      process.stderr.write(`opamp-supervisor: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  let stopRequested: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stopRequested = resolve;
  });
  // Registered before start, so a signal during bootstrap still stops the Collector cleanly.
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const)
    process.once(signal, () => stopRequested());
  let supervisor: Supervisor;
  try {
    supervisor = await Supervisor.start(config);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`opamp-supervisor: cannot start: ${message}\n`);
    return 1;
  }
  process.stderr.write(
    `${JSON.stringify({ level: "info", msg: "supervisor running", instanceUid: supervisor.instanceUid, config: configPath })}\n`,
  );
  await stopped;
  await supervisor.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `opamp-supervisor: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
