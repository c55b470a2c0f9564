import { once } from "node:events";
import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { DEFAULT_OPAMP_PORT } from "@opamp-ts/protocol";
import { admit, writeUpgradeRejection } from "./admission.js";
import { AgentTracker } from "./agent-tracker.js";
import { OpampServerError } from "./errors.js";
import { HttpTransport } from "./http-transport.js";
import { describeError } from "./logger.js";
import { ServerMetrics, type ServerMetricsSnapshot } from "./metrics.js";
import {
  type OpampServerOptions,
  type ResolvedServerOptions,
  resolveServerOptions,
} from "./options.js";
import { Pipeline } from "./pipeline.js";
import { WebSocketTransport } from "./websocket-transport.js";

/** TLS material for {@link OpampServer.listen}; PEM strings or buffers as `node:tls` takes them. */
export interface ListenTlsOptions {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** CAs trusted for client certificates (mTLS). */
  readonly ca?: string | Buffer | Array<string | Buffer>;
  /** Ask clients for a certificate (mTLS, S-14). */
  readonly requestCert?: boolean;
  /** Refuse clients whose certificate does not chain to `ca`. Default: true when `requestCert`. */
  readonly rejectUnauthorized?: boolean;
}

/** Accept queue for a server that listens on its own; see {@link ListenOptions.backlog}. */
const DEFAULT_ACCEPT_BACKLOG = 4096;

/** Where {@link OpampServer.listen} binds. */
export interface ListenOptions {
  /** Default: every interface. */
  readonly host?: string;
  /** Default 4320 (spec v0.17.0); 0 picks a free port. */
  readonly port?: number;
  readonly tls?: ListenTlsOptions;
  /**
   * Length of the kernel's accept queue. Default 4096: after a server restart
   * a whole fleet reconnects at once, and Node's default of 511 drops
   * handshakes that then wait for the agents' backoff.
   */
  readonly backlog?: number;
}

/** The endpoint URLs of a listening server. */
export interface ListenResult {
  /** `ws://` or `wss://` URL of the endpoint. */
  readonly url: string;
  /** `http://` or `https://` URL of the same endpoint. */
  readonly httpUrl: string;
  readonly port: number;
}

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;
type UpgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

interface Attachment {
  readonly server: HttpServer | HttpsServer;
  readonly requestListeners: RequestListener[];
  readonly upgradeListeners: UpgradeListener[];
  readonly onRequest: RequestListener;
  readonly onUpgrade: UpgradeListener;
}

/** How often HTTP agents are checked for a missed poll, at most. */
const MAX_SWEEP_INTERVAL_MS = 30_000;
/** Disconnected agents' state is kept this long for gap detection across reconnects (P-15). */
const DISCONNECTED_STATE_RETENTION_MS = 60 * 60 * 1000;

/**
 * An OpAMP server endpoint: both transports on one path (S-1), admission
 * before upgrade (S-2), and the protocol rules of spec §5 applied to every
 * message. Framework-free: attach it to any `node:http`/`node:https` server,
 * delegate to it from a framework with {@link handleRequest} and
 * {@link handleUpgrade}, or let it {@link listen} on its own.
 */
export class OpampServer {
  /** Agents the server holds state for (S-8). */
  readonly agents = new AgentTracker();
  private readonly options: ResolvedServerOptions;
  private readonly counters = new ServerMetrics();
  private readonly websocket: WebSocketTransport;
  private readonly http: HttpTransport;
  private readonly attachments: Attachment[] = [];
  private ownServer: HttpServer | HttpsServer | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: OpampServerOptions = {}) {
    this.options = resolveServerOptions(options);
    const pipeline = new Pipeline(this.options, this.agents, this.counters);
    this.websocket = new WebSocketTransport(this.options, pipeline, this.agents, this.counters);
    this.http = new HttpTransport(this.options, pipeline, this.agents, this.counters);
    const timeout = this.options.http.agentTimeoutMs;
    const interval = Math.max(
      50,
      Math.min(timeout > 0 ? timeout / 2 : MAX_SWEEP_INTERVAL_MS, MAX_SWEEP_INTERVAL_MS),
    );
    this.sweepTimer = setInterval(() => this.sweep(), interval);
    this.sweepTimer.unref();
  }

  /** The endpoint path this server answers on. */
  get path(): string {
    return this.options.path;
  }

  /** Counters by transport and error kind, for export (e.g. Prometheus). */
  metrics(): ServerMetricsSnapshot {
    return this.counters.snapshot(this.agents.size);
  }

  /** True when `request` targets the OpAMP path (query string ignored). */
  matches(request: IncomingMessage): boolean {
    const url = request.url ?? "";
    const q = url.indexOf("?");
    return (q === -1 ? url : url.slice(0, q)) === this.options.path;
  }

  /**
   * Serve a plain-HTTP request if it targets the OpAMP path; returns false
   * (and leaves the request alone) otherwise, so an application can fall
   * through to its own routes.
   */
  handleRequest(request: IncomingMessage, response: ServerResponse): boolean {
    if (!this.matches(request)) {
      return false;
    }
    void this.http.handle(request, response);
    return true;
  }

  /**
   * Handle a WebSocket upgrade if it targets the OpAMP path: `onConnecting`
   * runs first and may refuse with any status (S-2, S-7). Returns false for
   * other paths.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (!this.matches(request)) {
      return false;
    }
    socket.on("error", (error) => {
      this.counters.error("transport");
      this.options.logger.debug("upgrade socket error", { error: describeError(error) });
    });
    void this.upgrade(request, socket, head);
    return true;
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    try {
      if (this.closed) {
        writeUpgradeRejection(socket, {
          status: 503,
          headers: {},
          message: "server shutting down",
        });
        return;
      }
      const decision = await admit(request, this.options.onConnecting, this.options.logger);
      if (!decision.accept) {
        this.counters.error("rejected");
        writeUpgradeRejection(socket, decision);
        return;
      }
      if (socket.destroyed) {
        return;
      }
      if (this.closed) {
        writeUpgradeRejection(socket, {
          status: 503,
          headers: {},
          message: "server shutting down",
        });
        return;
      }
      this.websocket.upgrade(request, socket, head, decision.context);
    } catch (error) {
      this.counters.error("transport");
      this.options.logger.error("upgrade failed", { error: describeError(error) });
      socket.destroy();
    }
  }

  /**
   * Take over the OpAMP path of an existing server. Its `request` and
   * `upgrade` listeners registered so far keep receiving every other path;
   * an upgrade for another path with no other listener gets 404.
   */
  attach(server: HttpServer | HttpsServer): void {
    if (this.closed) {
      throw new OpampServerError("INVALID_STATE", "the server is closed");
    }
    const requestListeners = server.listeners("request") as RequestListener[];
    const upgradeListeners = server.listeners("upgrade") as UpgradeListener[];
    server.removeAllListeners("request");
    server.removeAllListeners("upgrade");
    const onRequest: RequestListener = (request, response) => {
      if (this.handleRequest(request, response)) return;
      if (requestListeners.length === 0) {
        response.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("not found\n");
        return;
      }
      for (const listener of requestListeners) listener.call(server, request, response);
    };
    const onUpgrade: UpgradeListener = (request, socket, head) => {
      if (this.handleUpgrade(request, socket, head)) return;
      if (upgradeListeners.length === 0) {
        writeUpgradeRejection(socket, { status: 404, headers: {}, message: "not found" });
        return;
      }
      for (const listener of upgradeListeners) listener.call(server, request, socket, head);
    };
    server.on("request", onRequest);
    server.on("upgrade", onUpgrade);
    this.attachments.push({ server, requestListeners, upgradeListeners, onRequest, onUpgrade });
  }

  /**
   * Listen on its own `node:http` server, or `node:https` with `tls` (mTLS
   * with `requestCert`). Slow clients are cut off by the header and body
   * timeouts of `options.http`.
   */
  async listen(options: ListenOptions = {}): Promise<ListenResult> {
    if (this.closed || this.ownServer !== undefined) {
      throw new OpampServerError("INVALID_STATE", "listen() needs a fresh, open server");
    }
    const { headersTimeoutMs } = this.options.http;
    const tls = options.tls;
    const common = {
      headersTimeout: headersTimeoutMs,
      // Bodies are timed by the transport (and a refused upload may be drained for longer).
      requestTimeout: 0,
      connectionsCheckingInterval: Math.max(50, Math.min(headersTimeoutMs / 4, 30_000)),
    };
    const server =
      tls === undefined
        ? createHttpServer(common)
        : createHttpsServer({
            ...common,
            cert: tls.cert,
            key: tls.key,
            ca: tls.ca,
            requestCert: tls.requestCert ?? false,
            rejectUnauthorized: tls.rejectUnauthorized ?? tls.requestCert ?? false,
          });
    this.ownServer = server;
    this.attach(server);
    server.listen({
      port: options.port ?? DEFAULT_OPAMP_PORT,
      host: options.host,
      backlog: options.backlog ?? DEFAULT_ACCEPT_BACKLOG,
    });
    await Promise.race([
      once(server, "listening"),
      once(server, "error").then(([error]) => {
        throw new OpampServerError("INVALID_STATE", "cannot listen", { cause: error });
      }),
    ]);
    const port = (server.address() as AddressInfo).port;
    const rawHost =
      options.host === undefined || options.host === "0.0.0.0" || options.host === "::"
        ? "localhost"
        : options.host;
    const host = rawHost.includes(":") ? `[${rawHost}]` : rawHost;
    const secure = tls !== undefined;
    return {
      url: `${secure ? "wss" : "ws"}://${host}:${port}${this.options.path}`,
      httpUrl: `${secure ? "https" : "http"}://${host}:${port}${this.options.path}`,
      port,
    };
  }

  /**
   * Stop: every WebSocket is closed with a Close frame (S-23), HTTP agents are
   * reported disconnected, attached servers get their own listeners back and
   * a server created by `listen()` is closed.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweepTimer);
    for (const a of this.attachments.splice(0)) {
      a.server.off("request", a.onRequest);
      a.server.off("upgrade", a.onUpgrade);
      for (const l of a.requestListeners) a.server.on("request", l);
      for (const l of a.upgradeListeners) a.server.on("upgrade", l);
    }
    await this.websocket.close();
    this.http.closeAll();
    const own = this.ownServer;
    if (own !== undefined) {
      const done = new Promise<void>((resolve) => own.close(() => resolve()));
      own.closeAllConnections();
      await done;
    }
  }

  private sweep(): void {
    try {
      this.http.sweep();
      this.agents.prune(Date.now() - DISCONNECTED_STATE_RETENTION_MS);
    } catch (error) {
      this.options.logger.error("agent sweep failed", { error: describeError(error) });
    }
  }
}
