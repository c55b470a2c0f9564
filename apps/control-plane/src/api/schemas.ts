/**
 * TypeBox schemas of the REST API: Fastify validates requests with them and
 * the OpenAPI document at `/api/v1/openapi.json` is built from them.
 */
import { Type } from "typebox";

/** A label key as selectors can name it. */
export const LabelKey = Type.String({ pattern: "^[A-Za-z0-9._\\-/]+$", maxLength: 253 });
/** A label value as selectors can name it. */
export const LabelValue = Type.String({ pattern: "^[A-Za-z0-9._\\-/:@+~]*$", maxLength: 253 });

/** One config file: text body and content type (`text/yaml` when omitted). */
export const ConfigFileSchema = Type.Object({
  body: Type.String(),
  contentType: Type.String({ default: "text/yaml" }),
});

/** File name → file (an `AgentConfigMap`, spec §5.4). */
export const ConfigFilesSchema = Type.Record(Type.String({ minLength: 1 }), ConfigFileSchema);

/** Body of `PUT /agents/{id}/config` and `POST /configurations/{id}/versions`. */
export const ConfigBody = Type.Object({ files: ConfigFilesSchema });

/** Path parameter of agent routes. */
export const AgentIdParams = Type.Object({
  id: Type.String({ description: "Instance uid as a UUID string" }),
});

/** Path parameter of configuration, assignment and destination routes. */
export const IdParams = Type.Object({ id: Type.String() });

/** Path parameters of one configuration version. */
export const VersionParams = Type.Object({
  id: Type.String(),
  version: Type.Integer({ minimum: 1 }),
});

/** Query of `GET /agents`: selector, search, status filter, sort and paging, all optional. */
export const AgentListQuery = Type.Object({
  selector: Type.Optional(Type.String({ description: "Kubernetes label selector" })),
  q: Type.Optional(
    Type.String({
      description:
        "Case-insensitive substring of the id, service.name, service.version, service.instance.id, host.name, os.type, os.description or a label as key=value",
    }),
  ),
  status: Type.Optional(
    Type.String({
      description:
        "Comma-separated, any of: connected, disconnected, unhealthy, applied, applying, failed (an agent matching any of them is listed)",
    }),
  ),
  sort: Type.Optional(
    Type.String({
      description:
        "id (default), name, type, version, host, health, connected, configStatus or lastSeen; a leading '-' sorts descending",
    }),
  ),
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 1000, description: "Page size; all agents when omitted" }),
  ),
  offset: Type.Optional(
    Type.Integer({ minimum: 0, description: "Matching agents to skip, default 0" }),
  ),
});

/** Body of `PUT /agents/{id}/labels`: keys and values a selector can name. */
export const LabelsBody = Type.Object({
  labels: Type.Record(Type.String(), LabelValue, { propertyNames: LabelKey }),
});

/** Body of `POST /agents/{id}/messages` (S-22). */
export const CustomMessageBody = Type.Object({
  capability: Type.String({ minLength: 1 }),
  type: Type.String(),
  data: Type.String({ description: "Payload, base64", default: "" }),
});

/** Body of `POST /configurations`; `files` makes version 1. */
export const NewConfigurationBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Type.String()),
  files: Type.Optional(ConfigFilesSchema),
});

/** Body of `POST /assignments`; without `version` the latest version is used. */
export const NewAssignmentBody = Type.Object({
  configurationId: Type.String(),
  version: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  selector: Type.String(),
  priority: Type.Optional(Type.Integer()),
});

const TelemetryEndpointSchema = Type.Union([
  Type.Object({
    endpoint: Type.String({ minLength: 1 }),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  }),
  Type.Null(),
]);

/** Body of `POST /telemetry-destinations` (S-13). */
export const NewTelemetryDestinationBody = Type.Object({
  name: Type.String({ minLength: 1 }),
  selector: Type.String(),
  priority: Type.Optional(Type.Integer()),
  metrics: Type.Optional(TelemetryEndpointSchema),
  logs: Type.Optional(TelemetryEndpointSchema),
  traces: Type.Optional(TelemetryEndpointSchema),
});

/** Paging of `GET /audit`. */
export const AuditQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  before: Type.Optional(Type.Integer({ minimum: 1 })),
});

/** Every error answer; validation errors add where the input was wrong. */
export const ErrorResponse = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String(),
  message: Type.String(),
  line: Type.Optional(Type.Integer()),
  column: Type.Optional(Type.Integer()),
  position: Type.Optional(Type.Integer()),
});

const Json = Type.Unknown();

/** The agent's last reported remote config status. */
export const RemoteConfigStatusSchema = Type.Object({
  status: Type.Union([
    Type.Literal("UNSET"),
    Type.Literal("APPLYING"),
    Type.Literal("APPLIED"),
    Type.Literal("FAILED"),
  ]),
  configHash: Type.String({ description: "hex" }),
  errorMessage: Type.String(),
});

/** An agent as the API shows it. */
export const AgentSchema = Type.Object({
  id: Type.String(),
  connected: Type.Boolean(),
  transport: Type.Union([Type.Literal("websocket"), Type.Literal("http"), Type.Null()]),
  remoteAddress: Type.Union([Type.String(), Type.Null()]),
  connectedSince: Type.Union([Type.String(), Type.Null()]),
  firstSeenAt: Type.String(),
  lastSeenAt: Type.String(),
  description: Type.Object({
    identifyingAttributes: Type.Record(Type.String(), Json),
    nonIdentifyingAttributes: Type.Record(Type.String(), Json),
  }),
  capabilities: Type.Array(Type.String()),
  health: Json,
  effectiveConfig: Type.Union([Type.Object({ files: ConfigFilesSchema }), Type.Null()]),
  remoteConfigStatus: RemoteConfigStatusSchema,
  packageStatuses: Json,
  availableComponents: Json,
  customCapabilities: Type.Array(Type.String()),
  labels: Type.Record(Type.String(), Type.String()),
  userLabels: Type.Record(Type.String(), Type.String()),
  failedConfigHashes: Type.Array(Type.String()),
  desiredConfig: Json,
  nodeId: Type.Optional(
    Type.Union([Type.String(), Type.Null()], {
      description: "The control-plane node holding (or that last held) the agent's session",
    }),
  ),
});

/** A control-plane node sharing the database. */
export const NodeSchema = Type.Object({
  id: Type.String(),
  startedAt: Type.String(),
  heartbeatAt: Type.String(),
  live: Type.Boolean({ description: "Heartbeat within the node timeout" }),
  self: Type.Boolean({ description: "The node answering this request" }),
});

/** Answer of `GET /agents`: one page and how many agents match in all. */
export const AgentList = Type.Object({
  agents: Type.Array(AgentSchema),
  total: Type.Integer({ description: "Agents matching the filters, before limit and offset" }),
});
/** Answer of `GET /agents/{id}/config`: the agent's override. */
export const AgentOverrideSchema = Type.Object({
  files: ConfigFilesSchema,
  hash: Type.String({ description: "hex" }),
  updatedAt: Type.String(),
});
/** Answer of `PUT /agents/{id}/config`. */
export const ConfigHashResponse = Type.Object({ configHash: Type.String({ description: "hex" }) });

/** A named configuration. */
export const ConfigurationSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  createdAt: Type.String(),
  latestVersion: Type.Integer(),
});

/** An immutable configuration version with its content hash. */
export const VersionSchema = Type.Object({
  configurationId: Type.String(),
  version: Type.Integer(),
  files: ConfigFilesSchema,
  hash: Type.String(),
  createdAt: Type.String(),
  createdBy: Type.String(),
});

/** A configuration bound to agents by selector and priority. */
export const AssignmentSchema = Type.Object({
  id: Type.String(),
  configurationId: Type.String(),
  version: Type.Union([Type.Integer(), Type.Null()]),
  selector: Type.String(),
  priority: Type.Integer(),
  createdAt: Type.String(),
});

/** One audit log entry. */
export const AuditEntrySchema = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  actor: Type.String(),
  action: Type.String(),
  target: Type.String(),
  details: Json,
});
