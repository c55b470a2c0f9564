import { SupervisorError } from "./errors.js";

/** What the command line asked for. */
export type CliRequest =
  | { readonly kind: "run"; readonly configPath: string }
  | { readonly kind: "help"; readonly text: string };

/** `--help` text: the one flag, the exit codes, where the keys are documented. */
export const HELP = `Usage: opamp-supervisor --config <supervisor.yaml>

Runs an OpenTelemetry Collector and manages it through an OpAMP server.
The config file uses the keys of the Collector project's Go supervisor; see docs/supervisor.md.

Options:
  --config <file>   the supervisor config file (required)
  -h, --help        show this help
Exit codes: 0 stopped cleanly, 1 failed to start, 2 invalid command line or config.
`;

/** Parse `argv` (without node and the script). Throws `INVALID_CONFIG` for bad usage. */
export function parseArgs(argv: readonly string[]): CliRequest {
  let configPath: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "-h" || arg === "--help") return { kind: "help", text: HELP };
    if (arg === "--config" || arg === "-config") {
      const value = argv[i + 1];
      if (value === undefined)
        throw new SupervisorError("INVALID_CONFIG", `${arg} needs a file path`);
      configPath = value;
      i++;
    } else if (arg.startsWith("--config=")) {
      configPath = arg.slice("--config=".length);
    } else {
      throw new SupervisorError("INVALID_CONFIG", `unknown argument ${arg}`);
    }
  }
  if (configPath === undefined || configPath === "") {
    throw new SupervisorError("INVALID_CONFIG", "--config <supervisor.yaml> is required");
  }
  return { kind: "run", configPath };
}
