import { execFile } from "node:child_process";
import type { Logger } from "@opamp-ts/client";
import type { AgentDescription, AvailableComponents } from "@opamp-ts/protocol";
import { stringify } from "yaml";
import { AgentProcess, type AgentProcessOptions } from "./agent-process.js";
import { bootstrapConfig } from "./collector-config.js";
import { SupervisorError } from "./errors.js";
import type { LocalServer } from "./local-server.js";
import type { ConfigMap } from "./merge.js";
import { writeFileAtomic } from "./storage.js";

/** The feature gate that lets the bootstrap Collector run without any pipeline. */
export const NO_PIPELINES_GATE = "service.AllowNoPipelines";

/** What bootstrap learned about the Collector binary. */
export interface BootstrapResult {
  readonly description: AgentDescription;
  readonly components: AvailableComponents | undefined;
}

/** Settings of {@link bootstrap}. */
export interface BootstrapOptions {
  readonly executable: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly owned: ConfigMap;
  readonly configPath: string;
  readonly timeoutMs: number;
  readonly localServer: LocalServer;
  readonly output: AgentProcessOptions["output"];
  readonly logger: Logger;
}

/** Does `<collector> featuregate` list the gate? */
export function supportsGate(executable: string, gate: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(
      executable,
      ["featuregate"],
      { timeout: 30_000, maxBuffer: 4 << 20 },
      (error, stdout) => {
        resolve(error === null && stdout.includes(gate));
      },
    );
  });
}

/**
 * Bootstrap (Go supervisor §"bootstrap"): run the Collector once with only
 * the opamp extension and no pipeline, wait up to `agent.bootstrap_timeout`
 * for its AgentDescription and its full available-components list (asked for
 * with `ReportAvailableComponents`, C-35), then stop it. A Collector that
 * does not report in time fails with its own error lines.
 */
export async function bootstrap(options: BootstrapOptions): Promise<BootstrapResult> {
  if (!(await supportsGate(options.executable, NO_PIPELINES_GATE))) {
    throw new SupervisorError(
      "BOOTSTRAP",
      `${options.executable} does not support the ${NO_PIPELINES_GATE} feature gate needed for bootstrap`,
    );
  }
  await writeFileAtomic(options.configPath, stringify(bootstrapConfig(options.owned)));
  const server = options.localServer;
  server.lastDescription = undefined;
  server.lastComponents = undefined;
  const child = await AgentProcess.start({
    executable: options.executable,
    args: ["--config", options.configPath, `--feature-gates=${NO_PIPELINES_GATE}`, ...options.args],
    env: options.env,
    tailBytes: 16 * 1024,
    output: options.output,
  });
  try {
    await server.waitFor(
      () => server.lastDescription !== undefined && server.lastComponents !== undefined,
      options.timeoutMs,
      child.exited,
    );
    if (server.lastDescription === undefined) {
      const lines = child.errorLines();
      const what = child.running
        ? `did not report its description within ${options.timeoutMs} ms`
        : "exited during bootstrap";
      throw new SupervisorError(
        "BOOTSTRAP",
        `the Collector ${what}${lines.length > 0 ? `:\n${lines.join("\n")}` : ""}`,
      );
    }
    options.logger.info("bootstrap done", {
      components: server.lastComponents !== undefined,
    });
    return { description: server.lastDescription!, components: server.lastComponents };
  } finally {
    await child.stop(10_000);
  }
}
