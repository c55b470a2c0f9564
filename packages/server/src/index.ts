/**
 * `@opamp-ts/server`: an OpAMP server endpoint as a framework-free library.
 * Attach it to any `node:http`/`node:https` server or let it listen on its
 * own; both transports share one path (spec §5, digest rules S-1…S-26).
 */
export {
  admit,
  type PeerCertificateInfo,
  peerCertificateOf,
  type Rejection,
} from "./admission.js";
export {
  type AgentState,
  AgentTracker,
  isCompleteReport,
  type Observation,
} from "./agent-tracker.js";
export type { AgentConnection } from "./connection.js";
export { isOpampServerError, OpampServerError, type ServerErrorCode } from "./errors.js";
export { acceptsGzip, isProtobufContentType } from "./http-transport.js";
export { describeError, type Logger, silentLogger } from "./logger.js";
export type {
  ServerErrorKind,
  ServerMetricsSnapshot,
  TransportCounters,
  TransportKind,
} from "./metrics.js";
export {
  connectionSettingsNeeded,
  createRemoteConfig,
  packagesNeeded,
  remoteConfigNeeded,
} from "./offers.js";
export {
  type ConnectingDecision,
  type DuplicateInstanceUidPolicy,
  type HttpOptions,
  type OpampServerOptions,
  resolveServerOptions,
  type ServerToAgentInit,
  type WebSocketOptions,
} from "./options.js";
export {
  badRequest,
  enforceErrorExclusivity,
  filterByCapabilities,
  splitCommand,
} from "./reply-rules.js";
export {
  type ListenOptions,
  type ListenResult,
  type ListenTlsOptions,
  OpampServer,
} from "./server.js";
export { WS_CLOSE_UNSUPPORTED_DATA } from "./websocket-transport.js";
