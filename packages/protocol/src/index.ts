/**
 * `@opamp-ts/protocol`: the OpAMP wire format and the helpers every OpAMP
 * client and server needs.
 */

// protobuf-es functions callers need to build and compare messages.
export {
  clone,
  create,
  equals,
  fromBinary,
  type MessageInitShape,
  toBinary,
} from "@bufbuild/protobuf";
export {
  type Attributes,
  type AttributeValue,
  attributesToKeyValues,
  fromAnyValue,
  keyValuesToAttributes,
  toAnyValue,
} from "./attributes.js";
export {
  agentCapabilitiesFromNames,
  agentCapabilityNames,
  agentToServerFlagNames,
  type Bit,
  combineBits,
  hasBit,
  KNOWN_AGENT_CAPABILITIES,
  KNOWN_SERVER_CAPABILITIES,
  serverCapabilitiesFromNames,
  serverCapabilityNames,
  serverToAgentFlagNames,
} from "./capabilities.js";
export {
  type DecodeOptions,
  decodeAgentToServer,
  decodeAgentToServerFrame,
  decodeServerToAgent,
  decodeServerToAgentFrame,
  type EncodeOptions,
  encodeAgentToServer,
  encodeAgentToServerFrame,
  encodeServerToAgent,
  encodeServerToAgentFrame,
  type WsDecodeOptions,
} from "./codec.js";
export { hashConfigMap } from "./config-hash.js";
export { isOpampProtocolError, OpampProtocolError, type ProtocolErrorCode } from "./errors.js";
export { decodeWsFrame, encodeWsFrame, type LegacyHeaderMode, WS_HEADER_BYTE } from "./framing.js";
// The generated schema: every message type, its `…Schema` descriptor and every enum.
export * from "./gen/opamp/v1/anyvalue_pb.js";
export * from "./gen/opamp/v1/opamp_pb.js";
export {
  assertInstanceUid,
  formatInstanceUid,
  INSTANCE_UID_BYTES,
  instanceUidEquals,
  isValidInstanceUid,
  newInstanceUid,
  parseInstanceUid,
} from "./instance-uid.js";
export {
  checkMessageSize,
  DEFAULT_MAX_MESSAGE_BYTES,
  type MessageSizeLimits,
  resolveMessageSizeLimits,
} from "./limits.js";
export {
  DEFAULT_HEARTBEAT_INTERVAL_SECONDS,
  DEFAULT_OPAMP_PATH,
  DEFAULT_OPAMP_PORT,
  INSTANCE_UID_HEADER,
  PROTOBUF_CONTENT_TYPE,
  WS_CLOSE_MESSAGE_TOO_BIG,
} from "./transport-constants.js";
