import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** Options of {@link DownloadServer}. */
export interface DownloadServerOptions {
  readonly body: Uint8Array;
  /** Answer `Range: bytes=N-` with 206 and `Content-Range`. Default true. */
  readonly supportsRange?: boolean;
  /** Cut the connection of the first response after this many body bytes. */
  readonly dropFirstAfter?: number;
  /** Omit `Content-Length` (chunked body), so the size is only known while streaming. */
  readonly chunked?: boolean;
  /** Hold every request after the first until this resolves. */
  readonly holdLater?: () => Promise<void>;
}

/**
 * A package download server for tests (§6.3): serves one file at any path,
 * records every request's headers, can drop the first response half-way and
 * can support or ignore HTTP Range requests.
 */
export class DownloadServer {
  readonly requests: IncomingHttpHeaders[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly options: DownloadServerOptions) {
    this.server = createServer((req, res) => {
      this.requests.push(req.headers);
      const hold = this.requests.length > 1 ? this.options.holdLater?.() : undefined;
      if (hold === undefined) this.serve(req, res);
      else void hold.then(() => this.serve(req, res));
    });
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(name = "package.bin"): string {
    return `http://127.0.0.1:${this.port}/${name}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    const body = Buffer.from(this.options.body);
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ""));
    if (range !== null && (this.options.supportsRange ?? true)) {
      start = Number(range[1]);
      res.statusCode = 206;
      res.setHeader("Content-Range", `bytes ${start}-${body.length - 1}/${body.length}`);
    } else {
      res.statusCode = 200;
    }
    if (this.options.supportsRange ?? true) res.setHeader("Accept-Ranges", "bytes");
    const slice = body.subarray(start);
    if (!this.options.chunked) res.setHeader("Content-Length", String(slice.length));
    const drop = this.options.dropFirstAfter;
    if (drop !== undefined && this.requests[0] === req.headers) {
      res.write(slice.subarray(0, drop), () => res.socket?.destroy());
      return;
    }
    // Writing before end() keeps Node from adding a Content-Length.
    if (this.options.chunked) res.write(slice);
    res.end(this.options.chunked ? undefined : slice);
  }
}
