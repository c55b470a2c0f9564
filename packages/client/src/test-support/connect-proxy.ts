import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
} from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";

/** Options of {@link ConnectProxy}. */
export interface ConnectProxyOptions {
  /** When set, a `CONNECT` without exactly this `Proxy-Authorization` value gets 407. */
  readonly requireAuthorization?: string;
}

/**
 * A minimal HTTP `CONNECT` proxy on 127.0.0.1 for tests: it counts the
 * tunnels it opened, records each `CONNECT` request's target and headers,
 * and can demand a `Proxy-Authorization` header (407 otherwise).
 */
export class ConnectProxy {
  /** Tunnels opened (2xx answers). */
  tunnels = 0;
  /** Every `CONNECT` request received, refused ones included. */
  readonly requests: { target: string; headers: IncomingHttpHeaders }[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly options: ConnectProxyOptions = {}) {
    this.server = createServer((_req, res) => res.writeHead(405).end());
    this.server.on("connection", (socket) => this.track(socket));
    this.server.on("connect", (req, socket, head) => this.onConnect(req, socket as Socket, head));
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** `http://127.0.0.1:<port>`, optionally with user info. */
  url(userInfo = ""): string {
    return `http://${userInfo === "" ? "" : `${userInfo}@`}127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
  }

  private onConnect(req: IncomingMessage, client: Socket, head: Buffer): void {
    const target = req.url ?? "";
    this.requests.push({ target, headers: req.headers });
    const required = this.options.requireAuthorization;
    if (required !== undefined && req.headers["proxy-authorization"] !== required) {
      client.end(
        "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n",
      );
      return;
    }
    const separator = target.lastIndexOf(":");
    const upstream = connect(
      Number(target.slice(separator + 1)),
      target.slice(0, separator).replace(/^\[|\]$/g, ""),
    );
    this.track(upstream);
    upstream.once("connect", () => {
      this.tunnels++;
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  }
}
