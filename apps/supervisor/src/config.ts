import { accessSync, constants, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import { ConfigReader } from "./config-reader.js";
import { SupervisorError } from "./errors.js";

/** The placeholders `agent.config_files` may hold (Go supervisor's special files). */
export const PLACEHOLDERS = [
  "$OWN_TELEMETRY_CONFIG",
  "$OPAMP_EXTENSION_CONFIG",
  "$REMOTE_CONFIG",
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** `capabilities.*`: booleans with the Go supervisor's defaults, plus `accepts_packages`. */
export interface CapabilitiesConfig {
  readonly acceptsRemoteConfig: boolean;
  readonly reportsRemoteConfig: boolean;
  readonly acceptsRestartCommand: boolean;
  readonly acceptsOpampConnectionSettings: boolean;
  readonly reportsEffectiveConfig: boolean;
  readonly reportsHealth: boolean;
  readonly reportsHeartbeat: boolean;
  readonly reportsOwnMetrics: boolean;
  readonly reportsOwnLogs: boolean;
  readonly reportsOwnTraces: boolean;
  readonly reportsAvailableComponents: boolean;
  readonly acceptsPackages: boolean;
  readonly reportsPackageStatuses: boolean;
}

/** `server.tls`: the Collector's `configtls.ClientConfig` keys that matter for an OpAMP client. */
export interface ServerTlsConfig {
  readonly insecure: boolean;
  readonly insecureSkipVerify: boolean;
  readonly caPem?: string;
  readonly certPem?: string;
  readonly keyPem?: string;
  readonly serverName?: string;
  readonly includeSystemCaCertsPool: boolean;
  readonly cipherSuites: readonly string[];
  readonly minVersion?: string;
  readonly maxVersion?: string;
}

/** Everything `supervisor.yaml` says, validated, with defaults applied. */
export interface SupervisorConfig {
  readonly server: {
    readonly endpoint: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly tls: ServerTlsConfig;
  };
  readonly capabilities: CapabilitiesConfig;
  readonly agent: {
    readonly executable: string;
    readonly args: readonly string[];
    readonly env: Readonly<Record<string, string>>;
    /** Ordered; entries are absolute paths or one of {@link PLACEHOLDERS}. */
    readonly configFiles: readonly string[];
    readonly description: {
      readonly identifyingAttributes: Readonly<Record<string, string>>;
      readonly nonIdentifyingAttributes: Readonly<Record<string, string>>;
    };
    readonly instanceId?: string;
    readonly bootstrapTimeoutMs: number;
    readonly configApplyTimeoutMs: number;
    readonly orphanDetectionIntervalMs: number;
    readonly opampServerPort: number;
    readonly healthCheckPort: number;
    readonly passthroughLogs: boolean;
    readonly useHupConfigReload: boolean;
    readonly automaticConfigRollback: boolean;
    readonly crashLogSnippetKib: number;
    readonly stopTimeoutMs: number;
    readonly restartBackoff: { readonly initialMs: number; readonly maxMs: number };
    readonly crashLoopThreshold: number;
    readonly package: {
      readonly publicKeyFiles: readonly string[];
      readonly requireSignature: boolean;
    };
  };
  readonly storage: { readonly directory: string };
  readonly telemetry: {
    readonly logs: {
      readonly level: LogLevel;
      /** `stdout`, `stderr` or file paths; every line goes to each. */
      readonly outputPaths: readonly string[];
    };
  };
  readonly healthcheck: { readonly endpoint?: string };
}

export type LogLevel = "debug" | "info" | "warn" | "error";
const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/**
 * Read and validate a supervisor config file. Throws `SupervisorError`
 * (`INVALID_CONFIG`) naming the key path for an unknown key or a bad value,
 * so a typo never silently falls back to a default.
 */
export function loadConfig(
  path: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): SupervisorConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new SupervisorError("INVALID_CONFIG", `cannot read config file ${path}`, {
      cause: error,
    });
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new SupervisorError(
      "INVALID_CONFIG",
      `${path} is not valid YAML: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return parseConfig(document, env);
}

/** Validate an already-parsed YAML document; see {@link loadConfig}. */
export function parseConfig(
  document: unknown,
  env: Readonly<Record<string, string | undefined>> = process.env,
): SupervisorConfig {
  const r = new ConfigReader(env);
  const root = r.section(document, "", [
    "server",
    "capabilities",
    "agent",
    "storage",
    "telemetry",
    "healthcheck",
  ]);
  const config: SupervisorConfig = {
    server: parseServer(r, root.server),
    capabilities: parseCapabilities(r, root.capabilities),
    agent: parseAgent(r, root.agent),
    storage: parseStorage(r, root.storage),
    telemetry: parseTelemetry(r, root.telemetry),
    healthcheck: parseHealthcheck(r, root.healthcheck),
  };
  const pkg = config.agent.package;
  if (
    config.capabilities.acceptsPackages &&
    pkg.requireSignature &&
    pkg.publicKeyFiles.length === 0
  ) {
    r.fail(
      "agent::package::public_key_files",
      "capabilities::accepts_packages needs at least one Ed25519 public key (or require_signature: false)",
    );
  }
  for (const [index, file] of pkg.publicKeyFiles.entries()) {
    try {
      readFileSync(file, "utf8");
    } catch {
      r.fail(`agent::package::public_key_files[${index}]`, `cannot read ${file}`);
    }
  }
  return config;
}

function parseServer(r: ConfigReader, value: unknown): SupervisorConfig["server"] {
  const s = r.section(value, "server", ["endpoint", "headers", "tls"]);
  const endpoint = r.string(s.endpoint, "server::endpoint");
  if (endpoint === undefined || endpoint === "") r.fail("server::endpoint", "must be specified");
  let scheme: string;
  try {
    scheme = new URL(endpoint).protocol;
  } catch {
    r.fail("server::endpoint", `"${endpoint}" is not a URL`);
  }
  if (!["ws:", "wss:", "http:", "https:"].includes(scheme)) {
    r.fail("server::endpoint", `scheme "${scheme}" must be one of http, https, ws, wss`);
  }
  const t = r.section(s.tls, "server::tls", [
    "insecure",
    "insecure_skip_verify",
    "ca_file",
    "ca_pem",
    "cert_file",
    "cert_pem",
    "key_file",
    "key_pem",
    "server_name_override",
    "include_system_ca_certs_pool",
    "cipher_suites",
    "min_version",
    "max_version",
  ]);
  const pem = (inline: string, file: string): string | undefined => {
    const text = r.string(t[inline], `server::tls::${inline}`);
    const fromFile = r.string(t[file], `server::tls::${file}`);
    if (text !== undefined && fromFile !== undefined) {
      r.fail(`server::tls::${inline}`, `set either ${inline} or ${file}, not both`);
    }
    if (fromFile === undefined) return text;
    try {
      return readFileSync(fromFile, "utf8");
    } catch {
      r.fail(`server::tls::${file}`, `cannot read ${fromFile}`);
    }
  };
  const tls: ServerTlsConfig = {
    insecure: r.bool(t.insecure, "server::tls::insecure", false),
    insecureSkipVerify: r.bool(t.insecure_skip_verify, "server::tls::insecure_skip_verify", false),
    caPem: pem("ca_pem", "ca_file"),
    certPem: pem("cert_pem", "cert_file"),
    keyPem: pem("key_pem", "key_file"),
    serverName: r.string(t.server_name_override, "server::tls::server_name_override"),
    includeSystemCaCertsPool: r.bool(
      t.include_system_ca_certs_pool,
      "server::tls::include_system_ca_certs_pool",
      false,
    ),
    cipherSuites: r.stringList(t.cipher_suites, "server::tls::cipher_suites"),
    minVersion: r.string(t.min_version, "server::tls::min_version"),
    maxVersion: r.string(t.max_version, "server::tls::max_version"),
  };
  for (const [key, version] of [
    ["min_version", tls.minVersion],
    ["max_version", tls.maxVersion],
  ] as const) {
    if (version !== undefined && !/^(tlsv?)?1\.[0-3]$/i.test(version.trim())) {
      r.fail(`server::tls::${key}`, `"${version}" is not a TLS version (1.2 or 1.3)`);
    }
  }
  if ((tls.certPem === undefined) !== (tls.keyPem === undefined)) {
    r.fail("server::tls", "a client certificate needs both cert and key");
  }
  return { endpoint, headers: r.stringMap(s.headers, "server::headers", true), tls };
}

function parseCapabilities(r: ConfigReader, value: unknown): CapabilitiesConfig {
  const defaults: Record<string, boolean> = {
    accepts_remote_config: false,
    reports_remote_config: false,
    accepts_restart_command: false,
    accepts_opamp_connection_settings: false,
    reports_effective_config: true,
    reports_health: true,
    reports_heartbeat: true,
    reports_own_metrics: true,
    reports_own_logs: false,
    reports_own_traces: false,
    reports_available_components: false,
    accepts_packages: false,
    reports_package_statuses: false,
  };
  const c = r.section(value, "capabilities", Object.keys(defaults));
  const get = (key: string): boolean => r.bool(c[key], `capabilities::${key}`, defaults[key]!);
  return {
    acceptsRemoteConfig: get("accepts_remote_config"),
    reportsRemoteConfig: get("reports_remote_config"),
    acceptsRestartCommand: get("accepts_restart_command"),
    acceptsOpampConnectionSettings: get("accepts_opamp_connection_settings"),
    reportsEffectiveConfig: get("reports_effective_config"),
    reportsHealth: get("reports_health"),
    reportsHeartbeat: get("reports_heartbeat"),
    reportsOwnMetrics: get("reports_own_metrics"),
    reportsOwnLogs: get("reports_own_logs"),
    reportsOwnTraces: get("reports_own_traces"),
    reportsAvailableComponents: get("reports_available_components"),
    acceptsPackages: get("accepts_packages"),
    reportsPackageStatuses: get("reports_package_statuses"),
  };
}

function parseAgent(r: ConfigReader, value: unknown): SupervisorConfig["agent"] {
  const a = r.section(value, "agent", [
    "executable",
    "args",
    "env",
    "config_files",
    "description",
    "instance_id",
    "bootstrap_timeout",
    "config_apply_timeout",
    "orphan_detection_interval",
    "opamp_server_port",
    "health_check_port",
    "passthrough_logs",
    "use_hup_config_reload",
    "automatic_config_rollback",
    "collector_crash_log_snippet_kib",
    "stop_timeout",
    "restart_backoff",
    "crash_loop_threshold",
    "package",
  ]);
  const executable = r.string(a.executable, "agent::executable");
  if (executable === undefined || executable === "")
    r.fail("agent::executable", "must be specified");
  try {
    accessSync(executable, constants.X_OK);
  } catch {
    r.fail("agent::executable", `${executable} does not exist or is not executable`);
  }
  const configFiles = r.stringList(a.config_files, "agent::config_files").map((file, index) => {
    if (file.startsWith("$")) {
      if (!(PLACEHOLDERS as readonly string[]).includes(file)) {
        r.fail(
          `agent::config_files[${index}]`,
          `"${file}" is not one of ${PLACEHOLDERS.join(", ")}`,
        );
      }
      return file;
    }
    return resolve(file);
  });
  const d = r.section(a.description, "agent::description", [
    "identifying_attributes",
    "non_identifying_attributes",
  ]);
  const instanceId = r.string(a.instance_id, "agent::instance_id");
  if (
    instanceId !== undefined &&
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(instanceId)
  ) {
    r.fail("agent::instance_id", `"${instanceId}" is not a UUID`);
  }
  const b = r.section(a.restart_backoff, "agent::restart_backoff", [
    "initial_interval",
    "max_interval",
  ]);
  const restartBackoff = {
    initialMs: r.durationMs(b.initial_interval, "agent::restart_backoff::initial_interval", 1000),
    maxMs: r.durationMs(b.max_interval, "agent::restart_backoff::max_interval", 60_000),
  };
  if (restartBackoff.maxMs < restartBackoff.initialMs) {
    r.fail("agent::restart_backoff::max_interval", "must not be shorter than initial_interval");
  }
  const p = r.section(a.package, "agent::package", ["public_key_files", "require_signature"]);
  return {
    executable: resolve(executable),
    args: r.stringList(a.args, "agent::args"),
    env: r.stringMap(a.env, "agent::env"),
    configFiles,
    description: {
      identifyingAttributes: r.stringMap(
        d.identifying_attributes,
        "agent::description::identifying_attributes",
      ),
      nonIdentifyingAttributes: r.stringMap(
        d.non_identifying_attributes,
        "agent::description::non_identifying_attributes",
      ),
    },
    instanceId: instanceId?.toLowerCase(),
    bootstrapTimeoutMs: r.durationMs(a.bootstrap_timeout, "agent::bootstrap_timeout", 3000),
    configApplyTimeoutMs: r.durationMs(a.config_apply_timeout, "agent::config_apply_timeout", 5000),
    orphanDetectionIntervalMs: r.durationMs(
      a.orphan_detection_interval,
      "agent::orphan_detection_interval",
      5000,
    ),
    opampServerPort: r.integer(a.opamp_server_port, "agent::opamp_server_port", 0, 0, 65535),
    healthCheckPort: r.integer(a.health_check_port, "agent::health_check_port", 0, 0, 65535),
    passthroughLogs: r.bool(a.passthrough_logs, "agent::passthrough_logs", false),
    useHupConfigReload: r.bool(a.use_hup_config_reload, "agent::use_hup_config_reload", false),
    automaticConfigRollback: r.bool(
      a.automatic_config_rollback,
      "agent::automatic_config_rollback",
      true,
    ),
    crashLogSnippetKib: r.integer(
      a.collector_crash_log_snippet_kib,
      "agent::collector_crash_log_snippet_kib",
      4,
      1,
      1024,
    ),
    stopTimeoutMs: r.durationMs(a.stop_timeout, "agent::stop_timeout", 10_000),
    restartBackoff,
    crashLoopThreshold: r.integer(
      a.crash_loop_threshold,
      "agent::crash_loop_threshold",
      3,
      1,
      1000,
    ),
    package: {
      publicKeyFiles: r
        .stringList(p.public_key_files, "agent::package::public_key_files")
        .map((file) => resolve(file)),
      requireSignature: r.bool(p.require_signature, "agent::package::require_signature", true),
    },
  };
}

function parseStorage(r: ConfigReader, value: unknown): SupervisorConfig["storage"] {
  const s = r.section(value, "storage", ["directory"]);
  const directory = r.string(s.directory, "storage::directory") ?? "/var/lib/otelcol/supervisor";
  return { directory: resolve(directory) };
}

function parseTelemetry(r: ConfigReader, value: unknown): SupervisorConfig["telemetry"] {
  const t = r.section(value, "telemetry", ["logs"]);
  const l = r.section(t.logs, "telemetry::logs", ["level", "output_paths", "error_output_paths"]);
  const level = (r.string(l.level, "telemetry::logs::level") ?? "info").toLowerCase();
  if (!(LEVELS as readonly string[]).includes(level)) {
    r.fail("telemetry::logs::level", `"${level}" must be one of ${LEVELS.join(", ")}`);
  }
  const outputPaths = r.stringList(l.output_paths, "telemetry::logs::output_paths");
  // Accepted for compatibility: errors go to the same destinations as every other line.
  r.stringList(l.error_output_paths, "telemetry::logs::error_output_paths");
  return {
    logs: {
      level: level as LogLevel,
      outputPaths: (outputPaths.length > 0 ? outputPaths : ["stderr"]).map((path) =>
        path === "stdout" || path === "stderr" ? path : resolve(path),
      ),
    },
  };
}

function parseHealthcheck(r: ConfigReader, value: unknown): SupervisorConfig["healthcheck"] {
  const h = r.section(value, "healthcheck", ["endpoint"]);
  const endpoint = r.string(h.endpoint, "healthcheck::endpoint");
  if (endpoint !== undefined && !/^[^:]*:\d{1,5}$/.test(endpoint)) {
    r.fail("healthcheck::endpoint", `"${endpoint}" must be host:port`);
  }
  return { endpoint };
}
