import { type DescMessage, fromBinary, type MessageShape, toBinary } from "@bufbuild/protobuf";
import { OpampProtocolError } from "./errors.js";
import { decodeWsFrame, encodeWsFrame, type LegacyHeaderMode } from "./framing.js";
import {
  type AgentToServer,
  AgentToServerSchema,
  type ServerToAgent,
  ServerToAgentSchema,
} from "./gen/opamp/v1/opamp_pb.js";
import { checkMessageSize, DEFAULT_MAX_MESSAGE_BYTES } from "./limits.js";

/**
 * Encoding and decoding of the two top-level OpAMP messages with the checks
 * both transports need: size limits and, for WebSocket, the frame header.
 * Everything rejected surfaces as an `OpampProtocolError`; protobuf-es
 * exceptions never leak out.
 */
export interface DecodeOptions {
  /** Receive limit in bytes, measured on the decompressed payload. Default 64 MiB. */
  readonly maxBytes?: number;
}

/** Options for decoding a WebSocket message. */
export interface WsDecodeOptions extends DecodeOptions {
  /** How to treat a message without the 0x00 header (P-3). Default `"reject"`. */
  readonly legacyHeader?: LegacyHeaderMode;
}

/** Options for encoding. */
export interface EncodeOptions {
  /** Send limit in bytes, measured before compression. Default 64 MiB. */
  readonly maxBytes?: number;
}

function encode<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
  options: EncodeOptions,
): Uint8Array {
  const bytes = toBinary(schema, message);
  checkMessageSize(bytes.length, options.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES, schema.name);
  return bytes;
}

function decode<Desc extends DescMessage>(
  schema: Desc,
  bytes: Uint8Array,
  options: DecodeOptions,
): MessageShape<Desc> {
  checkMessageSize(bytes.length, options.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES, schema.name);
  try {
    return fromBinary(schema, bytes);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new OpampProtocolError("MALFORMED_MESSAGE", `cannot decode ${schema.name}: ${reason}`, {
      cause,
    });
  }
}

/** `AgentToServer` to protobuf bytes (an HTTP request body). */
export function encodeAgentToServer(
  message: AgentToServer,
  options: EncodeOptions = {},
): Uint8Array {
  return encode(AgentToServerSchema, message, options);
}

/** Protobuf bytes (an HTTP request body) to `AgentToServer`. */
export function decodeAgentToServer(bytes: Uint8Array, options: DecodeOptions = {}): AgentToServer {
  return decode(AgentToServerSchema, bytes, options);
}

/** `ServerToAgent` to protobuf bytes (an HTTP response body). */
export function encodeServerToAgent(
  message: ServerToAgent,
  options: EncodeOptions = {},
): Uint8Array {
  return encode(ServerToAgentSchema, message, options);
}

/** Protobuf bytes (an HTTP response body) to `ServerToAgent`. */
export function decodeServerToAgent(bytes: Uint8Array, options: DecodeOptions = {}): ServerToAgent {
  return decode(ServerToAgentSchema, bytes, options);
}

/**
 * The limit applies to the whole WebSocket message, header included
 * (spec "Message size limits"), so the frame is checked before and after.
 */
function encodeFrame<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
  options: EncodeOptions,
): Uint8Array {
  const frame = encodeWsFrame(toBinary(schema, message));
  checkMessageSize(frame.length, options.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES, schema.name);
  return frame;
}

function decodeFrame<Desc extends DescMessage>(
  schema: Desc,
  frame: Uint8Array,
  options: WsDecodeOptions,
): MessageShape<Desc> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  checkMessageSize(frame.length, maxBytes, `${schema.name} WebSocket message`);
  return decode(schema, decodeWsFrame(frame, options.legacyHeader), { maxBytes });
}

/** `AgentToServer` as a WebSocket message: header 0x00 then the payload (C-9). */
export function encodeAgentToServerFrame(
  message: AgentToServer,
  options: EncodeOptions = {},
): Uint8Array {
  return encodeFrame(AgentToServerSchema, message, options);
}

/** A WebSocket message from an agent to `AgentToServer` (S-3). */
export function decodeAgentToServerFrame(
  frame: Uint8Array,
  options: WsDecodeOptions = {},
): AgentToServer {
  return decodeFrame(AgentToServerSchema, frame, options);
}

/** `ServerToAgent` as a WebSocket message: header 0x00 then the payload (S-3). */
export function encodeServerToAgentFrame(
  message: ServerToAgent,
  options: EncodeOptions = {},
): Uint8Array {
  return encodeFrame(ServerToAgentSchema, message, options);
}

/** A WebSocket message from a server to `ServerToAgent` (C-9). */
export function decodeServerToAgentFrame(
  frame: Uint8Array,
  options: WsDecodeOptions = {},
): ServerToAgent {
  return decodeFrame(ServerToAgentSchema, frame, options);
}
