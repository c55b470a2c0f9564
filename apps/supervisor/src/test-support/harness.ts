import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "@opamp-ts/client";
import { parseConfig } from "../config.js";
import { Supervisor } from "../supervisor.js";
import { Upstream } from "./upstream.js";

/** A temporary directory removed by the returned cleanup. */
export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `opamp-sup-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Log lines kept in memory, so failures can print them and tests stay quiet. */
export function memoryLogger(lines: string[]): Logger {
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${message} ${fields === undefined ? "" : JSON.stringify(fields)}`);
  };
  return { debug: () => {}, info: at("info"), warn: at("warn"), error: at("error") };
}

/** Settings of a test supervisor; `agent`/`capabilities` entries override the defaults below. */
export interface TestSupervisorOptions {
  readonly collector: string;
  readonly endpoint: string;
  readonly storage: string;
  readonly agent?: Record<string, unknown>;
  readonly capabilities?: Record<string, unknown>;
  /** Extra top-level sections (`healthcheck`, …). */
  readonly extra?: Record<string, unknown>;
  readonly logs?: string[];
}

/**
 * Start a supervisor in this process with generous timeouts (a loaded CI
 * machine must never fail a test by being slow) and quick crash restarts.
 */
export function startTestSupervisor(options: TestSupervisorOptions): Promise<Supervisor> {
  const config = parseConfig({
    server: { endpoint: options.endpoint },
    capabilities: {
      accepts_remote_config: true,
      reports_remote_config: true,
      accepts_restart_command: true,
      reports_available_components: true,
      ...options.capabilities,
    },
    agent: {
      executable: options.collector,
      bootstrap_timeout: "60s",
      config_apply_timeout: "60s",
      orphan_detection_interval: "1s",
      stop_timeout: "20s",
      restart_backoff: { initial_interval: "100ms", max_interval: "2s" },
      ...options.agent,
    },
    storage: { directory: options.storage },
    ...options.extra,
  });
  return Supervisor.start(config, { logger: memoryLogger(options.logs ?? []) });
}

/** A test's temp storage, upstream server and supervisors, all torn down after it (even when start fails). */
export interface E2eFixture {
  readonly dir: string;
  readonly upstream: Upstream;
  start(
    options: Omit<TestSupervisorOptions, "endpoint" | "storage"> & Partial<TestSupervisorOptions>,
  ): Promise<Supervisor>;
}

export async function e2eFixture(
  t: { after(fn: () => Promise<void>): void },
  name: string,
): Promise<E2eFixture> {
  const dir = await tempDir(name);
  const upstream = await new Upstream().start();
  const started: Supervisor[] = [];
  t.after(async () => {
    for (const supervisor of started) await supervisor.close();
    await upstream.close();
    await dir.remove();
  });
  return {
    dir: dir.path,
    upstream,
    start: async (options) => {
      const supervisor = await startTestSupervisor({
        endpoint: upstream.url,
        storage: dir.path,
        ...options,
      });
      started.push(supervisor);
      return supervisor;
    },
  };
}
