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
