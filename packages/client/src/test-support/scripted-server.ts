import { EventEmitter } from "node:events";
import {
  createServer as createHttpServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { gunzipSync, gzipSync } from "node:zlib";
import {
  type AgentToServer,
  create,
  decodeAgentToServer,
  decodeAgentToServerFrame,
  encodeServerToAgent,
  encodeServerToAgentFrame,
  type MessageInitShape,
  ServerCapabilities,
  ServerToAgentSchema,
} from "@opamp-ts/protocol";
import { type WebSocket, WebSocketServer } from "ws";

type ReplyInit = MessageInitShape<typeof ServerToAgentSchema>;

/** A scripted answer to one `AgentToServer`. */
export type Reply =
  /** Answer with this message (instance uid and capabilities filled in). */
  | { readonly kind: "message"; readonly message: ReplyInit }
  /** HTTP only: answer with a bare status code. */
  | { readonly kind: "status"; readonly status: number; readonly headers?: Record<string, string> }
  /** Send these bytes as they are (WS: `binary` picks the frame type). */
  | { readonly kind: "raw"; readonly data: Uint8Array | string; readonly binary?: boolean }
  /** Cut the connection without answering. */
  | { readonly kind: "drop" }
  /** WebSocket only: do not answer. */
  | { readonly kind: "none" };

/** One message the server received. */
export interface Received {
  readonly message: AgentToServer;
  readonly transport: "websocket" | "http";
  readonly headers: IncomingHttpHeaders;
  /** Common name of the client certificate, when the connection used mTLS. */
  readonly peerCommonName: string | undefined;
}

/** Context given to the reply script. */
export interface ReplyContext {
  readonly transport: "websocket" | "http";
  /** Index of the message among all received. */
  readonly index: number;
  /** True for the first message on this WebSocket connection. */
  readonly firstOnConnection: boolean;
}

/** Options of {@link ScriptedServer}. */
export interface ScriptedServerOptions {
  /** TLS server settings; `rejectUnauthorized` defaults to `requestCert`. */
  readonly tls?: {
    cert: string;
    key: string;
    ca?: string;
    requestCert?: boolean;
    rejectUnauthorized?: boolean;
  };
  readonly capabilities?: bigint;
  /** Called for each message; `undefined` = plain acknowledgement. */
  readonly reply?: (
    message: AgentToServer,
    context: ReplyContext,
  ) => Reply | ReplyInit | undefined | Promise<Reply | ReplyInit | undefined>;
  /** Refuse a WebSocket upgrade with a status (503 + Retry-After, 401…). */
  readonly upgrade?: (
    req: IncomingMessage,
  ) => { status: number; headers?: Record<string, string> } | undefined;
  /** Serve files under `/files/<name>`; a gate promise delays the body. */
  readonly files?: Record<
    string,
    { body: Uint8Array; gate?: () => Promise<void>; headers?: Record<string, string> }
  >;
  /** Gzip HTTP responses when the client accepts it. Default true. */
  readonly gzipResponses?: boolean;
}

const DEFAULT_CAPS =
  BigInt(ServerCapabilities.ServerCapabilities_AcceptsStatus) |
  BigInt(ServerCapabilities.ServerCapabilities_OffersRemoteConfig) |
  BigInt(ServerCapabilities.ServerCapabilities_AcceptsEffectiveConfig) |
  BigInt(ServerCapabilities.ServerCapabilities_OffersPackages) |
  BigInt(ServerCapabilities.ServerCapabilities_AcceptsPackagesStatus) |
  BigInt(ServerCapabilities.ServerCapabilities_OffersConnectionSettings) |
  BigInt(ServerCapabilities.ServerCapabilities_AcceptsConnectionSettingsRequest);

/**
 * A fault-injecting OpAMP server for tests, built directly on node:http, ws
 * and the protocol codec: it records every `AgentToServer`, answers through a
 * script, and can refuse, throttle, drop, send malformed or oversize replies.
 */
export class ScriptedServer extends EventEmitter {
  readonly received: Received[] = [];
  readonly uploads: { name: string; headers: IncomingHttpHeaders }[] = [];
  /** Every WebSocket message as it arrived: frame type and first byte (C-9). */
  readonly frames: { binary: boolean; firstByte: number | undefined }[] = [];
  /** WebSocket connections accepted so far. */
  wsConnections = 0;
  /** Close codes of WebSocket connections the client closed. */
  readonly closeCodes: number[] = [];
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 * 1024 });
  private readonly sockets = new Set<Socket>();
  private readonly clients = new Set<WebSocket>();
  private readonly outbox: ReplyInit[] = [];
  port = 0;

  constructor(private readonly options: ScriptedServerOptions = {}) {
    super();
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.onRequest(req, res);
    this.server = options.tls
      ? createHttpsServer(
          {
            ...options.tls,
            requestCert: options.tls.requestCert ?? false,
            rejectUnauthorized: options.tls.rejectUnauthorized ?? options.tls.requestCert ?? false,
          },
          handler,
        )
      : createHttpServer(handler);
    this.server.on("connection", (socket) => this.track(socket));
    this.server.on("secureConnection", (socket) => this.track(socket));
    this.server.on("upgrade", (req, socket, head) => this.onUpgrade(req, socket as Socket, head));
  }

  /** Listen on 127.0.0.1 and an ephemeral port (the same port again after {@link close} when given). */
  async listen(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, "127.0.0.1", () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(scheme: "ws" | "http"): string {
    const secure = this.options.tls ? "s" : "";
    return `${scheme}${secure}://127.0.0.1:${this.port}/v1/opamp`;
  }

  fileUrl(name: string): string {
    return `${this.options.tls ? "https" : "http"}://127.0.0.1:${this.port}/files/${name}`;
  }

  /** Resolve with the first received message (past or future) matching `predicate`. */
  waitFor(
    predicate: (message: AgentToServer, record: Received) => boolean,
    timeoutMs = 10_000,
  ): Promise<AgentToServer> {
    const found = this.received.find((r) => predicate(r.message, r));
    if (found) return Promise.resolve(found.message);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off("received", listener);
        reject(new Error("timed out waiting for a matching AgentToServer"));
      }, timeoutMs);
      const listener = (record: Received) => {
        if (!predicate(record.message, record)) return;
        clearTimeout(timer);
        this.off("received", listener);
        resolve(record.message);
      };
      this.on("received", listener);
    });
  }

  /** Number of messages received so far; use with {@link waitFor} to wait for later ones. */
  get count(): number {
    return this.received.length;
  }

  /** Push a message: WebSocket clients now, HTTP clients with the next reply. */
  push(message: ReplyInit): void {
    if (this.clients.size === 0) {
      this.outbox.push(message);
      return;
    }
    for (const ws of this.clients)
      ws.send(encodeServerToAgentFrame(create(ServerToAgentSchema, message)));
  }

  /** Send a raw WebSocket frame to every connected client. */
  pushRaw(data: Uint8Array | string, binary = true): void {
    for (const ws of this.clients) ws.send(data, { binary });
  }

  /** Cut every connection without a close handshake. */
  dropConnections(): void {
    for (const ws of this.clients) ws.terminate();
    for (const socket of this.sockets) socket.destroy();
  }

  get openWebSockets(): number {
    return this.clients.size;
  }

  async close(): Promise<void> {
    for (const ws of this.clients) ws.terminate();
    for (const socket of this.sockets) socket.destroy();
    this.wss.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
  }

  private record(
    message: AgentToServer,
    transport: "websocket" | "http",
    req: IncomingMessage,
  ): number {
    const socket = req.socket as TLSSocket;
    const peer =
      typeof socket.getPeerCertificate === "function" ? socket.getPeerCertificate() : undefined;
    const cn = peer?.subject?.CN;
    const record = {
      message,
      transport,
      headers: req.headers,
      peerCommonName: Array.isArray(cn) ? cn[0] : cn,
    };
    this.received.push(record);
    this.emit("received", record);
    return this.received.length - 1;
  }

  private async script(message: AgentToServer, context: ReplyContext): Promise<Reply> {
    const reply = await this.options.reply?.(message, context);
    if (reply !== undefined && "kind" in reply) return reply as Reply;
    const init: ReplyInit = { ...(reply as ReplyInit | undefined) };
    if (init.instanceUid === undefined) init.instanceUid = message.instanceUid;
    if (
      init.capabilities === undefined &&
      (context.transport === "http" || context.firstOnConnection) &&
      init.errorResponse === undefined
    ) {
      init.capabilities = this.options.capabilities ?? DEFAULT_CAPS;
    }
    return { kind: "message", message: init };
  }

  private onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const refusal = this.options.upgrade?.(req);
    if (refusal !== undefined) {
      const headers = Object.entries(refusal.headers ?? {})
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join("");
      socket.end(
        `HTTP/1.1 ${refusal.status} Refused\r\n${headers}Content-Length: 0\r\nConnection: close\r\n\r\n`,
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.clients.add(ws);
      this.wsConnections++;
      ws.on("close", (code) => {
        this.clients.delete(ws);
        this.closeCodes.push(code);
        this.emit("wsClose", code);
      });
      let first = true;
      let chain = Promise.resolve();
      ws.on("message", (data: Buffer, isBinary) => {
        this.frames.push({ binary: isBinary, firstByte: data[0] });
        chain = chain.then(async () => {
          if (!isBinary) return;
          const message = decodeAgentToServerFrame(data);
          const index = this.record(message, "websocket", req);
          const reply = await this.script(message, {
            transport: "websocket",
            index,
            firstOnConnection: first,
          });
          first = false;
          if (ws.readyState !== ws.OPEN) return;
          if (reply.kind === "message")
            ws.send(encodeServerToAgentFrame(create(ServerToAgentSchema, reply.message)));
          else if (reply.kind === "raw") ws.send(reply.data, { binary: reply.binary ?? true });
          else if (reply.kind === "drop") ws.terminate();
        });
      });
    });
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname.startsWith("/files/")) {
      const name = decodeURIComponent(url.pathname.slice("/files/".length));
      this.uploads.push({ name, headers: req.headers });
      const file = this.options.files?.[name];
      if (file === undefined) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "Content-Length": String(file.body.length), ...(file.headers ?? {}) });
      await file.gate?.();
      res.end(Buffer.from(file.body));
      return;
    }
    let body = Buffer.concat(chunks);
    if (req.headers["content-encoding"] === "gzip") body = gunzipSync(body);
    const message = decodeAgentToServer(body);
    const index = this.record(message, "http", req);
    const reply = await this.script(message, { transport: "http", index, firstOnConnection: true });
    if (reply.kind === "status") {
      res.writeHead(reply.status, reply.headers ?? {}).end();
      return;
    }
    if (reply.kind === "drop" || reply.kind === "none") {
      req.socket.destroy();
      return;
    }
    let out: Uint8Array;
    if (reply.kind === "raw")
      out = typeof reply.data === "string" ? Buffer.from(reply.data) : reply.data;
    else {
      const pushed = this.outbox.shift();
      const merged = { ...reply.message, ...(pushed ?? {}) } as ReplyInit;
      out = encodeServerToAgent(create(ServerToAgentSchema, merged));
    }
    const headers: Record<string, string> = { "Content-Type": "application/x-protobuf" };
    if (
      (this.options.gzipResponses ?? true) &&
      /gzip/.test(String(req.headers["accept-encoding"]))
    ) {
      out = gzipSync(out);
      headers["Content-Encoding"] = "gzip";
    }
    res.writeHead(200, headers).end(Buffer.from(out));
  }
}
