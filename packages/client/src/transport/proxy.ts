import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { isIP, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { connect as tlsConnect } from "node:tls";
import { OpampClientError } from "../errors.js";
import type { ProxyOptions } from "../options.js";
import type { TlsOptions } from "../tls.js";
import { type NodeTlsOptions, toNodeTlsOptions } from "../tls.js";

/** A parsed proxy address with the headers of its `CONNECT` request. */
interface ProxyTarget {
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
  readonly headers: Record<string, string>;
}

/**
 * Parse {@link ProxyOptions} (spec `ProxyConnectionSettings.url`: a URL or
 * `host:port`). Throws `INVALID_OPTIONS` for anything that is not an HTTP(S)
 * proxy address, so a bad offer is refused before any connection (C-31).
 */
export function parseProxy(proxy: ProxyOptions): ProxyTarget {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy.url) ? proxy.url : `http://${proxy.url}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OpampClientError("INVALID_OPTIONS", `proxy URL "${proxy.url}" is not valid`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new OpampClientError(
      "INVALID_OPTIONS",
      `proxy scheme ${url.protocol} is not supported (HTTP CONNECT proxies only)`,
    );
  }
  if (url.hostname === "") {
    throw new OpampClientError("INVALID_OPTIONS", `proxy URL "${proxy.url}" has no host`);
  }
  const secure = url.protocol === "https:";
  const headers: Record<string, string> = { ...(proxy.connectHeaders ?? {}) };
  if (url.username !== "" && !hasHeader(headers, "proxy-authorization")) {
    const user = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers["Proxy-Authorization"] = `Basic ${Buffer.from(user).toString("base64")}`;
  }
  return {
    secure,
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port: url.port === "" ? (secure ? 443 : 80) : Number(url.port),
    headers,
  };
}

const hasHeader = (headers: Record<string, string>, name: string): boolean =>
  Object.keys(headers).some((key) => key.toLowerCase() === name);

/**
 * Open an HTTP `CONNECT` tunnel to `host:port` through the proxy. Anything
 * but a 2xx answer (e.g. 407 Proxy Authentication Required) is a
 * `CONNECT_FAILED` error naming the status, so the connect failure is
 * reported and, for an offer, the settings revert (C-31).
 */
export function openTunnel(
  proxy: ProxyTarget,
  host: string,
  port: number,
  proxyTls: NodeTlsOptions,
  timeoutMs: number,
): Promise<Socket> {
  const authority = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  const request = proxy.secure ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request({
      host: proxy.host,
      port: proxy.port,
      method: "CONNECT",
      path: authority,
      headers: { ...proxy.headers, Host: authority },
      agent: false,
      timeout: timeoutMs,
      ...(proxy.secure ? proxyTls : {}),
    });
    req.once("connect", (res, socket) => {
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        socket.destroy();
        reject(
          new OpampClientError(
            "CONNECT_FAILED",
            `proxy ${proxy.host}:${proxy.port} refused CONNECT to ${authority} (HTTP ${status})`,
          ),
        );
        return;
      }
      socket.setTimeout(0);
      resolve(socket);
    });
    req.once("timeout", () => req.destroy(new Error("proxy CONNECT timed out")));
    req.once("error", (error) =>
      reject(
        error instanceof OpampClientError
          ? error
          : new OpampClientError(
              "CONNECT_FAILED",
              `proxy ${proxy.host}:${proxy.port}: ${error.message}`,
              { cause: error },
            ),
      ),
    );
    req.end();
  });
}

type ConnectionCallback = (error: Error | null, socket?: Socket) => void;
/** The callback `http.Agent` passes to `createConnection`; called without a stream on error. */
type AgentCallback = (error: Error | null, stream: Duplex) => void;
const adapt =
  (callback: AgentCallback): ConnectionCallback =>
  (error, socket) =>
    callback(error, socket as Duplex);
interface ConnectionOptions {
  host?: string | null;
  port?: number | string | null;
}

/**
 * An `http.Agent` / `https.Agent` whose connections are `CONNECT` tunnels
 * through the proxy, with TLS to the server inside the tunnel for
 * `wss`/`https`. Given to `ws` and to `http(s).request` as `agent`, so both
 * transports and every reconnect go through the proxy.
 */
export function createProxyAgent(
  proxy: ProxyOptions,
  secureTarget: boolean,
  tls: TlsOptions,
  options: { keepAlive: boolean; timeoutMs: number },
): HttpAgent {
  const target = parseProxy(proxy);
  const tlsOptions = toNodeTlsOptions(tls);
  const tunnel = (connection: ConnectionOptions, callback: ConnectionCallback): void => {
    const host = connection.host ?? "localhost";
    const port = Number(connection.port ?? (secureTarget ? 443 : 80));
    openTunnel(target, host, port, tlsOptions, options.timeoutMs).then(
      (socket) => {
        if (!secureTarget) {
          callback(null, socket);
          return;
        }
        const servername = tlsOptions.servername ?? (isIP(host) === 0 ? host : undefined);
        const secured = tlsConnect({
          ...tlsOptions,
          host,
          socket,
          ...(servername === undefined ? {} : { servername }),
        });
        const onError = (error: Error) => callback(error);
        secured.once("error", onError);
        secured.once("secureConnect", () => {
          secured.off("error", onError);
          callback(null, secured);
        });
      },
      (error: Error) => callback(error),
    );
  };
  const agentOptions = { keepAlive: options.keepAlive };
  if (secureTarget) {
    return new (class extends HttpsAgent {
      override createConnection(connection: ConnectionOptions, callback?: AgentCallback) {
        if (callback !== undefined) tunnel(connection, adapt(callback));
        return undefined;
      }
    })({ ...agentOptions, ...tlsOptions });
  }
  return new (class extends HttpAgent {
    override createConnection(connection: ConnectionOptions, callback?: AgentCallback) {
      if (callback !== undefined) tunnel(connection, adapt(callback));
      return undefined;
    }
  })(agentOptions);
}
