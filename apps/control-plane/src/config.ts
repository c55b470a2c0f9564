/**
 * The server's settings: every one a command-line flag, an `OPAMP_…`
 * environment variable and a key of the YAML config file (`--config`).
 * Precedence: flag, then environment, then file, then default.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { ControlPlaneError } from "./errors.js";

/** Everything `start()` needs. */
export interface ServerConfig {
  readonly opampAddress: string;
  readonly httpAddress: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly adminToken: string | undefined;
  readonly tlsCert: string | undefined;
  readonly tlsKey: string | undefined;
  readonly clientCa: string | undefined;
  readonly enrollmentTokens: readonly string[];
  readonly heartbeatIntervalSeconds: number;
  readonly maxBodyBytes: number;
  readonly maxMessageBytes: number;
  readonly uiDir: string | undefined;
  readonly logLevel: string;
  /** This node's id among nodes sharing a PostgreSQL database; generated into the data dir when unset. */
  readonly nodeId?: string | undefined;
  /** Seconds without a node heartbeat after which other nodes mark its agents disconnected. */
  readonly nodeTimeoutSeconds?: number | undefined;
}

type Kind = "string" | "number" | "list";

interface Setting {
  readonly key: keyof ServerConfig;
  readonly flag: string;
  readonly env: string;
  readonly kind: Kind;
  readonly default?: string | number | readonly string[];
  readonly help: string;
}

/** Every setting, in `--help` order. */
export const SETTINGS: readonly Setting[] = [
  {
    key: "opampAddress",
    flag: "opamp-address",
    env: "OPAMP_OPAMP_ADDRESS",
    kind: "string",
    default: "0.0.0.0:4320",
    help: "host:port of the OpAMP endpoint (path /v1/opamp, WebSocket and plain HTTP)",
  },
  {
    key: "httpAddress",
    flag: "http-address",
    env: "OPAMP_HTTP_ADDRESS",
    kind: "string",
    default: "127.0.0.1:4321",
    help: "host:port of the REST API, /metrics and the web UI",
  },
  {
    key: "dataDir",
    flag: "data-dir",
    env: "OPAMP_DATA_DIR",
    kind: "string",
    default: "./data",
    help: "directory of the SQLite database and the generated admin token",
  },
  {
    key: "databaseUrl",
    flag: "database-url",
    env: "OPAMP_DATABASE_URL",
    kind: "string",
    help: "a postgres:// URL switches storage to PostgreSQL",
  },
  {
    key: "adminToken",
    flag: "admin-token",
    env: "OPAMP_ADMIN_TOKEN",
    kind: "string",
    help: "bearer token of the REST API; generated into <data-dir>/admin-token when unset",
  },
  {
    key: "tlsCert",
    flag: "tls-cert",
    env: "OPAMP_TLS_CERT",
    kind: "string",
    help: "PEM certificate file: serve OpAMP over TLS (wss/https)",
  },
  {
    key: "tlsKey",
    flag: "tls-key",
    env: "OPAMP_TLS_KEY",
    kind: "string",
    help: "PEM private key file for --tls-cert",
  },
  {
    key: "clientCa",
    flag: "client-ca",
    env: "OPAMP_CLIENT_CA",
    kind: "string",
    help: "PEM CA file: require agent client certificates signed by it (mTLS)",
  },
  {
    key: "enrollmentTokens",
    flag: "enrollment-token",
    env: "OPAMP_ENROLLMENT_TOKENS",
    kind: "list",
    default: [],
    help: "agents must send Authorization: Bearer <token> (repeat the flag or comma-separate; 401 otherwise)",
  },
  {
    key: "heartbeatIntervalSeconds",
    flag: "heartbeat-interval",
    env: "OPAMP_HEARTBEAT_INTERVAL",
    kind: "number",
    default: 30,
    help: "seconds; HTTP agents silent for twice this count as disconnected",
  },
  {
    key: "maxBodyBytes",
    flag: "max-body-bytes",
    env: "OPAMP_MAX_BODY_BYTES",
    kind: "number",
    default: 4 * 1024 * 1024,
    help: "largest REST request body (413 beyond)",
  },
  {
    key: "maxMessageBytes",
    flag: "max-message-bytes",
    env: "OPAMP_MAX_MESSAGE_BYTES",
    kind: "number",
    default: 64 * 1024 * 1024,
    help: "largest OpAMP message (after decompression)",
  },
  {
    key: "uiDir",
    flag: "ui-dir",
    env: "OPAMP_UI_DIR",
    kind: "string",
    help: "built web UI to serve at / (default: apps/ui/dist when present)",
  },
  {
    key: "nodeId",
    flag: "node-id",
    env: "OPAMP_NODE_ID",
    kind: "string",
    help: "this node's id when several nodes share a PostgreSQL database (generated into <data-dir>/node-id when unset)",
  },
  {
    key: "nodeTimeoutSeconds",
    flag: "node-timeout",
    env: "OPAMP_NODE_TIMEOUT",
    kind: "number",
    default: 30,
    help: "seconds; a node silent for this long has its agents marked disconnected by the others",
  },
  {
    key: "logLevel",
    flag: "log-level",
    env: "OPAMP_LOG_LEVEL",
    kind: "string",
    default: "info",
    help: "trace, debug, info, warn, error or silent",
  },
];

/** The outcome of reading the command line. */
export type CliResult =
  | { readonly kind: "run"; readonly config: ServerConfig }
  | { readonly kind: "help"; readonly text: string };

/** The `--help` text. */
export function helpText(): string {
  const lines = [
    "Usage: opamp-server [flags]",
    "",
    "The opamp-ts control plane: fleet inventory, configurations, REST API.",
    "",
    "  --config <file>  (OPAMP_CONFIG)  YAML file with any of the keys below",
    "  --help           this text",
  ];
  for (const s of SETTINGS) {
    const def =
      s.default === undefined || (Array.isArray(s.default) && s.default.length === 0)
        ? ""
        : ` [default: ${String(s.default)}]`;
    lines.push(`  --${s.flag} <value>  (${s.env}; file key "${s.flag}")`);
    lines.push(`      ${s.help}${def}`);
  }
  return `${lines.join("\n")}\n`;
}

function convert(setting: Setting, value: unknown, source: string): string | number | string[] {
  const fail = (why: string): never => {
    throw new ControlPlaneError("CONFIG", `${source}: ${setting.flag} ${why}`);
  };
  switch (setting.kind) {
    case "string":
      if (typeof value !== "string" && typeof value !== "number") fail("must be a string");
      return String(value);
    case "number": {
      const n = typeof value === "number" ? value : Number(String(value));
      if (!Number.isFinite(n) || n <= 0)
        fail(`must be a positive number, got ${JSON.stringify(value)}`);
      return n;
    }
    case "list":
      if (Array.isArray(value)) return value.map(String).filter((v) => v !== "");
      if (typeof value === "string")
        return value
          .split(",")
          .map((v) => v.trim())
          .filter((v) => v !== "");
      return fail("must be a list or a comma-separated string");
  }
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ControlPlaneError("CONFIG", `cannot read config file ${path}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ControlPlaneError("CONFIG", `config file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ControlPlaneError("CONFIG", `config file ${path} must be a YAML mapping`);
  }
  const known = new Set(SETTINGS.map((s) => s.flag));
  for (const key of Object.keys(parsed)) {
    if (!known.has(key))
      throw new ControlPlaneError("CONFIG", `config file ${path}: unknown key "${key}"`);
  }
  return parsed as Record<string, unknown>;
}

/** Reads flags, environment and config file into a config; throws `CONFIG` on bad input. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): CliResult {
  const options: Record<string, { type: "string" | "boolean"; multiple?: boolean }> = {
    config: { type: "string" },
    help: { type: "boolean" },
  };
  for (const s of SETTINGS)
    options[s.flag] = { type: "string", ...(s.kind === "list" ? { multiple: true } : {}) };
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new ControlPlaneError("CONFIG", (error as Error).message, { cause: error });
  }
  if (values.help === true) return { kind: "help", text: helpText() };
  const configPath = (values.config as string | undefined) ?? env.OPAMP_CONFIG;
  const file = configPath !== undefined && configPath !== "" ? readConfigFile(configPath) : {};
  const config: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const fromFlag = values[s.flag];
    const fromEnv = env[s.env];
    if (fromFlag !== undefined) {
      config[s.key] = convert(
        s,
        s.kind === "list" ? (fromFlag as string[]).flatMap((v) => v.split(",")) : fromFlag,
        "flag",
      );
    } else if (fromEnv !== undefined && fromEnv !== "") {
      config[s.key] = convert(s, fromEnv, `environment ${s.env}`);
    } else if (file[s.flag] !== undefined) {
      config[s.key] = convert(s, file[s.flag], `config file ${configPath}`);
    } else {
      config[s.key] = s.default;
    }
  }
  const result = config as unknown as ServerConfig;
  if ((result.tlsCert === undefined) !== (result.tlsKey === undefined)) {
    throw new ControlPlaneError("CONFIG", "--tls-cert and --tls-key go together");
  }
  if (result.clientCa !== undefined && result.tlsCert === undefined) {
    throw new ControlPlaneError("CONFIG", "--client-ca (mTLS) needs --tls-cert and --tls-key");
  }
  return { kind: "run", config: result };
}

/** Splits `host:port` (IPv6 as `[::1]:port`). */
export function parseAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address);
  const port = Number(match?.[3]);
  if (match === null || !Number.isInteger(port) || port > 65535) {
    throw new ControlPlaneError("CONFIG", `"${address}" is not host:port`);
  }
  return { host: match[1] ?? (match[2] === "" ? "0.0.0.0" : match[2]!), port };
}
