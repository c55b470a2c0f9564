import { DEFAULT_MAX_MESSAGE_BYTES } from "@opamp-ts/protocol";
import type { OpampClientOptions, OpampConnectionSettings } from "../options.js";
import { HttpTransport } from "./http.js";
import type { Transport, TransportConfig, TransportHost } from "./types.js";
import { WebSocketTransport } from "./websocket.js";

/** The endpoint's scheme selects the transport: ws/wss or http/https (spec §2.4). */
export function createTransport(config: TransportConfig, host: TransportHost): Transport {
  const scheme = new URL(config.settings.endpoint).protocol;
  return scheme === "ws:" || scheme === "wss:"
    ? new WebSocketTransport(config, host)
    : new HttpTransport(config, host);
}

/** Transport limits and timing from the client options, with the production defaults. */
export function transportConfig(
  options: OpampClientOptions,
  settings: OpampConnectionSettings,
  instanceUidText: () => string,
): TransportConfig {
  const timing = options.timing ?? {};
  return {
    settings,
    maxReceiveBytes: options.maxReceiveBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    maxSendBytes: options.maxSendBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    backoff: timing.backoff ?? {},
    pingIntervalMs: timing.pingIntervalMs ?? 30_000,
    requestTimeoutMs: timing.requestTimeoutMs ?? 60_000,
    compressRequests: options.compressRequests ?? false,
    instanceUidText,
  };
}
