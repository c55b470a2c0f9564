/**
 * `@opamp-ts/control-plane`: the opamp-server control plane as a library,
 * for embedding and tests. The `opamp-server` binary is `bin.ts`.
 */
export { type AdminToken, resolveAdminToken } from "./admin-token.js";
export { type ApiOptions, buildApi } from "./api/app.js";
export type * from "./api/json-types.js";
export type { BusEvent, ClusterMessage } from "./cluster/messages.js";
export { resolveNodeId } from "./cluster/node-id.js";
export {
  MAX_NOTIFY_BYTES,
  PostgresPubSub,
  type PostgresPubSubOptions,
} from "./cluster/postgres-pubsub.js";
export { LocalPubSub, type PubSub, type PubSubSubscriber } from "./cluster/pubsub.js";
export {
  type CliResult,
  helpText,
  parseAddress,
  parseCli,
  SETTINGS,
  type ServerConfig,
} from "./config.js";
export { configHash, fromConfigMap, toConfigMap } from "./config-files.js";
export { ControlPlaneError, type ControlPlaneErrorCode, type ErrorLocation } from "./errors.js";
export type { AgentView, DesiredConfigView } from "./fleet/agent-view.js";
export {
  type DesiredConfig,
  resolveDesiredConfig,
  shouldOfferConfig,
} from "./fleet/desired-config.js";
export { type FleetEvent, FleetEvents } from "./fleet/events.js";
export { type CommandResult, Fleet, type FleetLogger, type FleetOptions } from "./fleet/fleet.js";
export type { NodeView } from "./fleet/fleet-sync.js";
export { agentLabels, applyReport, isCompleteReport } from "./fleet/inventory.js";
export type { FleetConnection } from "./fleet/session.js";
export { Metrics } from "./metrics.js";
export { admitAgent, CONTROL_PLANE_CAPABILITIES, createOpampEndpoint } from "./opamp/endpoint.js";
export {
  formatSelector,
  matchesSelector,
  parseSelector,
  type Requirement,
  type Selector,
  type SelectorError,
  type SelectorParseResult,
} from "./selector/selector.js";
export { type ServerHandle, start } from "./start.js";
export { isPostgresUrl, openStorage, type StorageOptions } from "./storage/open-storage.js";
export type * from "./storage/types.js";
