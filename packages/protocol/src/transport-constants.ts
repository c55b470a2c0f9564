/** Default URL path of the OpAMP endpoint (spec "Transports"; S-1). */
export const DEFAULT_OPAMP_PATH = "/v1/opamp";

/** Default port an OpAMP server listens on (spec v0.17.0). */
export const DEFAULT_OPAMP_PORT = 4320;

/**
 * Content type of plain-HTTP OpAMP requests and responses. Servers tell the
 * transports apart by it (P-4), and opamp-go compares it byte for byte, so
 * clients send exactly this string.
 */
export const PROTOBUF_CONTENT_TYPE = "application/x-protobuf";

/** Request header carrying the instance uid as UUID text, for sticky load balancing (spec v0.15.0). */
export const INSTANCE_UID_HEADER = "OpAMP-Instance-UID";

/** WebSocket close code for a message over the size limit (RFC 6455 "Message Too Big"). */
export const WS_CLOSE_MESSAGE_TOO_BIG = 1009;

/** Heartbeat and plain-HTTP polling interval when nothing else is configured (C-20). */
export const DEFAULT_HEARTBEAT_INTERVAL_SECONDS = 30;
