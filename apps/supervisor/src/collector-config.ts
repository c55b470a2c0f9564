import type { ConfigMap } from "./merge.js";

/** Header the Collector's opamp extension sends so the local server admits only it. */
export const SUPERVISOR_TOKEN_HEADER = "x-opamp-supervisor-token";
/** Id of the health-check extension added when `agent.health_check_port` is set. */
export const HEALTH_CHECK_EXTENSION_ID = "health_check/opamp_supervisor";

/** What the supervisor-owned opamp extension section needs. */
export interface ExtensionSettings {
  readonly localEndpoint: string;
  readonly token: string;
  readonly instanceUid: string;
  readonly supervisorPid: number;
  readonly orphanDetectionIntervalMs: number;
  readonly healthCheckPort: number;
}

/**
 * The supervisor-owned part of every Collector config (`$OPAMP_EXTENSION_CONFIG`):
 * the opamp extension pointed at the local server with the per-run token,
 * the instance uid, and the supervisor's pid for the extension's orphan
 * detection (`ppid`, `ppid_poll_interval`), plus the optional health-check
 * extension of `agent.health_check_port`.
 */
export function supervisorOwnedSection(settings: ExtensionSettings): ConfigMap {
  const extensions: ConfigMap = {
    opamp: {
      server: {
        ws: {
          endpoint: settings.localEndpoint,
          headers: { [SUPERVISOR_TOKEN_HEADER]: settings.token },
          tls: { insecure: true },
        },
      },
      instance_uid: settings.instanceUid,
      ppid: settings.supervisorPid,
      ppid_poll_interval: `${settings.orphanDetectionIntervalMs}ms`,
      capabilities: {
        reports_effective_config: true,
        reports_health: true,
        reports_available_components: true,
      },
    },
  };
  const ids = ["opamp"];
  if (settings.healthCheckPort > 0) {
    extensions[HEALTH_CHECK_EXTENSION_ID] = { endpoint: `127.0.0.1:${settings.healthCheckPort}` };
    ids.push(HEALTH_CHECK_EXTENSION_ID);
  }
  return { extensions, service: { extensions: ids } };
}

/**
 * The bootstrap config: only the supervisor-owned extensions and no pipeline,
 * run with the `service.AllowNoPipelines` feature gate and internal metrics
 * off, so bootstrap opens no port and needs no particular receiver or
 * exporter in the distribution.
 */
export function bootstrapConfig(owned: ConfigMap): ConfigMap {
  return idleConfig({ ...owned, service: { ...(owned.service as ConfigMap), pipelines: {} } });
}

/** Does the config define at least one pipeline? */
export function hasPipelines(config: ConfigMap): boolean {
  const pipelines = (config.service as ConfigMap | undefined)?.pipelines;
  return typeof pipelines === "object" && pipelines !== null && Object.keys(pipelines).length > 0;
}

/**
 * A config without pipelines runs idle (only the extensions) until a config
 * arrives. Unless a telemetry section says otherwise, its internal metrics
 * are turned off so an idle Collector opens no port (the Collector's default
 * Prometheus endpoint, localhost:8888, would clash with any other Collector
 * on the host).
 */
export function idleConfig(config: ConfigMap): ConfigMap {
  if (hasPipelines(config)) return config;
  const service = (config.service as ConfigMap | undefined) ?? {};
  const telemetry = (service.telemetry as ConfigMap | undefined) ?? {};
  if (telemetry.metrics !== undefined) return config;
  return {
    ...config,
    service: { ...service, telemetry: { ...telemetry, metrics: { level: "none" } } },
  };
}

/** One own-telemetry destination the server offered (spec `TelemetryConnectionSettings`). */
export interface TelemetryDestination {
  readonly endpoint: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Accepted own-telemetry offers, by signal; persisted across restarts. */
export type OwnTelemetry = Partial<Record<"metrics" | "logs" | "traces", TelemetryDestination>>;

function otlpExporter(destination: TelemetryDestination): ConfigMap {
  const exporter: ConfigMap = { protocol: "http/protobuf", endpoint: destination.endpoint };
  const headers = Object.entries(destination.headers).map(([name, value]) => ({ name, value }));
  if (headers.length > 0) exporter.headers = headers;
  return { otlp: exporter };
}

/**
 * `$OWN_TELEMETRY_CONFIG`: the offered destinations as the Collector's own
 * `service::telemetry` OTLP exporters (spec §"Own Telemetry Reporting";
 * the Collector's declarative telemetry config: metric readers, log and span
 * processors).
 */
export function ownTelemetrySection(telemetry: OwnTelemetry): ConfigMap {
  const section: ConfigMap = {};
  if (telemetry.metrics !== undefined) {
    section.metrics = { readers: [{ periodic: { exporter: otlpExporter(telemetry.metrics) } }] };
  }
  if (telemetry.logs !== undefined) {
    section.logs = { processors: [{ batch: { exporter: otlpExporter(telemetry.logs) } }] };
  }
  if (telemetry.traces !== undefined) {
    section.traces = { processors: [{ batch: { exporter: otlpExporter(telemetry.traces) } }] };
  }
  return Object.keys(section).length === 0 ? {} : { service: { telemetry: section } };
}
