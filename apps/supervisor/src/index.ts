/**
 * `@opamp-ts/supervisor`: runs an OpenTelemetry Collector and manages it
 * through OpAMP (spec §"Supervisor"), configured with the Go supervisor's
 * `supervisor.yaml` keys.
 */
export { AgentProcess, type AgentProcessOptions, type ProcessExit } from "./agent-process.js";
export { type BootstrapResult, bootstrap, NO_PIPELINES_GATE } from "./bootstrap.js";
export { capabilityMask } from "./capabilities.js";
export { type CliRequest, HELP, parseArgs } from "./cli.js";
export {
  bootstrapConfig,
  HEALTH_CHECK_EXTENSION_ID,
  type OwnTelemetry,
  ownTelemetrySection,
  SUPERVISOR_TOKEN_HEADER,
  supervisorOwnedSection,
  type TelemetryDestination,
} from "./collector-config.js";
export { CollectorRunner, type LaunchResult, type LaunchSpec } from "./collector-runner.js";
export {
  type CapabilitiesConfig,
  type LogLevel,
  loadConfig,
  PLACEHOLDERS,
  type Placeholder,
  parseConfig,
  type ServerTlsConfig,
  type SupervisorConfig,
} from "./config.js";
export { mergeDescription } from "./description.js";
export { parseDuration } from "./duration.js";
export { SupervisorError, type SupervisorErrorCode } from "./errors.js";
export { LocalServer } from "./local-server.js";
export { jsonLogger } from "./logger.js";
export {
  type ComposeInput,
  type ComposeResult,
  type ConfigMap,
  composeConfig,
  deepMerge,
  mergeOrder,
  mergeRemoteConfig,
} from "./merge.js";
export { type SupervisorState, storagePaths, writeFileAtomic } from "./storage.js";
export { Supervisor, type SupervisorOptions } from "./supervisor.js";
