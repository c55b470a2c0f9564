import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { Readable } from "node:stream";
import { gunzipSync } from "node:zlib";
import {
  AgentCapabilities,
  type AgentToServer,
  AgentToServerSchema,
  create,
  decodeServerToAgent,
  decodeServerToAgentFrame,
  encodeAgentToServer,
  encodeAgentToServerFrame,
  type MessageInitShape,
  newInstanceUid,
  PROTOBUF_CONTENT_TYPE,
  type ServerToAgent,
  toAnyValue,
} from "@opamp-ts/protocol";
import WebSocket from "ws";
import type { OpampServerOptions } from "../options.js";
import { OpampServer } from "../server.js";

/** Test helpers: a server on 127.0.0.1:0 and raw byte-level peers. */

export const REPORTS_STATUS = BigInt(AgentCapabilities.AgentCapabilities_ReportsStatus);

export interface Running {
  readonly server: OpampServer;
  readonly url: string;
  readonly httpUrl: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startServer(options: OpampServerOptions = {}): Promise<Running> {
  const server = new OpampServer(options);
  const { url, httpUrl, port } = await server.listen({ host: "127.0.0.1", port: 0 });
  return { server, url, httpUrl, port, close: () => server.close() };
}

/** A complete first report (description present) from a fresh agent. */
export function agentMessage(
  init: MessageInitShape<typeof AgentToServerSchema> = {},
): AgentToServer {
  const defaults: MessageInitShape<typeof AgentToServerSchema> = {
    instanceUid: newInstanceUid(),
    sequenceNum: 1n,
    capabilities: REPORTS_STATUS,
    agentDescription: {
      identifyingAttributes: [{ key: "service.name", value: toAnyValue("test-agent") }],
    },
  };
  return create(AgentToServerSchema, { ...defaults, ...init } as MessageInitShape<
    typeof AgentToServerSchema
  >);
}

/** Poll until `predicate` holds (generous deadline; never a timed assertion). */
export async function waitFor(
  predicate: () => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A raw WebSocket peer that records every decoded ServerToAgent. */
export class RawWsAgent {
  readonly ws: WebSocket;
  readonly received: ServerToAgent[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Array<() => void> = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (data: Buffer) => {
      this.received.push(decodeServerToAgentFrame(new Uint8Array(data)));
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) => {
      ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    ws.on("error", () => {});
  }

  static async connect(url: string, headers: Record<string, string> = {}): Promise<RawWsAgent> {
    const ws = new WebSocket(url, { headers });
    const agent = new RawWsAgent(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("unexpected-response", (_req, res) =>
        reject(
          Object.assign(new Error(`HTTP ${res.statusCode}`), {
            status: res.statusCode,
            headers: res.headers,
          }),
        ),
      );
      ws.once("error", reject);
    });
    return agent;
  }

  send(message: AgentToServer): void {
    this.ws.send(encodeAgentToServerFrame(message));
  }

  /** Wait for the n-th (1-based) message overall. */
  async nth(n: number, timeoutMs = 20_000): Promise<ServerToAgent> {
    const deadline = setTimeout(() => {
      for (const w of this.waiters.splice(0)) w();
    }, timeoutMs);
    try {
      while (this.received.length < n) {
        if (this.ws.readyState !== WebSocket.OPEN && this.ws.readyState !== WebSocket.CONNECTING) {
          throw new Error(`socket closed after ${this.received.length} of ${n} messages`);
        }
        const before = this.received.length;
        await new Promise<void>((resolve) => this.waiters.push(resolve));
        if (this.received.length === before && this.received.length < n) {
          throw new Error(`timed out waiting for message ${n}`);
        }
      }
      return this.received[n - 1]!;
    } finally {
      clearTimeout(deadline);
    }
  }

  /** Send and wait for the next message. */
  async exchange(message: AgentToServer): Promise<ServerToAgent> {
    const n = this.received.length + 1;
    this.send(message);
    return this.nth(n);
  }

  close(): void {
    this.ws.close();
  }
}

export interface HttpResult {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** POST raw bytes (or a stream) and collect the response. */
export function post(
  url: string,
  body: Uint8Array | Readable | undefined,
  headers: Record<string, string> = { "Content-Type": PROTOBUF_CONTENT_TYPE },
  method = "POST",
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    let responded = false;
    const req = httpRequest(url, { method, headers, agent: false }, (res) => {
      responded = true;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on("error", reject);
    });
    // A server may answer (413) before the upload ends and then close: the answer is what counts.
    req.on("error", (error) => {
      if (!responded) reject(error);
    });
    if (body instanceof Readable) {
      body.on("error", () => {});
      body.pipe(req);
    } else {
      req.end(body === undefined ? undefined : Buffer.from(body));
    }
  });
}

/** Decode an HTTP response body as ServerToAgent (gunzipping when needed). */
export function decodeReply(result: HttpResult): ServerToAgent {
  const raw = result.headers["content-encoding"] === "gzip" ? gunzipSync(result.body) : result.body;
  return decodeServerToAgent(new Uint8Array(raw));
}

/** POST one AgentToServer and decode the reply. */
export async function postMessage(
  url: string,
  message: AgentToServer,
  headers: Record<string, string> = {},
): Promise<{ status: number; reply: ServerToAgent; result: HttpResult }> {
  const result = await post(url, encodeAgentToServer(message), {
    "Content-Type": PROTOBUF_CONTENT_TYPE,
    ...headers,
  });
  return { status: result.status, reply: decodeReply(result), result };
}

/** A lazily generated stream of `total` bytes in 1 MiB chunks (never held in memory at once). */
export function lazyBytes(total: number, fill = 0x41): Readable {
  const chunk = Buffer.alloc(1024 * 1024, fill);
  let left = total;
  return new Readable({
    read() {
      if (left <= 0) {
        this.push(null);
        return;
      }
      const n = Math.min(left, chunk.length);
      left -= n;
      this.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    },
  });
}
