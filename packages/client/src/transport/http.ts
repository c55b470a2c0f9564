import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import {
  decodeServerToAgent,
  encodeAgentToServer,
  INSTANCE_UID_HEADER,
  PROTOBUF_CONTENT_TYPE,
  type ServerToAgent,
} from "@opamp-ts/protocol";
import { Backoff, parseRetryAfter, throttleDelay } from "../backoff.js";
import { OpampClientError, toClientError } from "../errors.js";
import { toNodeTlsOptions } from "../tls.js";
import { createProxyAgent } from "./proxy.js";
import type { Transport, TransportConfig, TransportHost } from "./types.js";

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** How one POST ended. */
type PostResult =
  | { readonly kind: "reply"; readonly message: ServerToAgent }
  /** Network error, timeout, 401, 5xx: the message did not land; retry with backoff. */
  | { readonly kind: "failed"; readonly error: OpampClientError }
  /** 413, 400, unreadable reply: do not resend this message (P-27, P-29). */
  | { readonly kind: "dropped"; readonly error: OpampClientError };

/**
 * The plain-HTTP transport (spec §"Plain HTTP Transport", C-38): POST with
 * exactly `Content-Type: application/x-protobuf` (P-4), the
 * `OpAMP-Instance-UID` header, optional gzip both ways with the receive limit
 * applied after decompression (C-39), one request in flight with the next
 * message coalesced (P-24), polling at the heartbeat interval (C-20),
 * 401/413/429/503 handling (P-26, P-27) and `agent_disconnect` on stop (P-28).
 */
export class HttpTransport implements Transport {
  readonly kind = "http" as const;
  private running = false;
  private stopping = false;
  private loop: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | undefined;
  private woken = false;
  /** While waiting after a failure or throttling no message goes out (C-20, P-26). */
  private backingOff = false;
  private reachable = false;
  private replied = false;
  private readonly backoff: Backoff;
  private readonly agent: HttpAgent;
  private readonly url: URL;

  constructor(
    private readonly config: TransportConfig,
    private readonly host: TransportHost,
  ) {
    this.backoff = new Backoff(config.backoff);
    this.url = new URL(config.settings.endpoint);
    const { proxy, tls } = config.settings;
    const secure = this.url.protocol === "https:";
    // A bad proxy address is refused when the settings are built (C-31), so this cannot throw.
    this.agent =
      proxy !== undefined
        ? createProxyAgent(proxy, secure, tls, {
            keepAlive: true,
            timeoutMs: config.requestTimeoutMs,
          })
        : secure
          ? new HttpsAgent({ keepAlive: true, ...toNodeTlsOptions(tls) })
          : new HttpAgent({ keepAlive: true });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  wake(): void {
    this.woken = true;
    if (!this.backingOff) this.wakeUp?.();
  }

  refreshHeartbeat(): void {
    if (!this.backingOff) this.wakeUp?.();
  }

  async stop(options: { disconnect: boolean }): Promise<void> {
    if (!this.running || this.stopping) return this.loop;
    this.stopping = true;
    this.wakeUp?.();
    await this.loop;
    if (options.disconnect && this.reachable) {
      const built = await this.host.build({ disconnect: true }).catch(() => undefined);
      if (built !== undefined) {
        const result = await this.post(built.message);
        if (result.kind === "reply") built.sent();
        else built.failed();
      }
    }
    this.agent.destroy();
  }

  private async run(): Promise<void> {
    let force = true;
    let delay = 0;
    while (!this.stopping) {
      if (delay > 0 || !force) {
        this.backingOff = delay > 0;
        const timedOut = await this.sleep(
          delay > 0 ? delay : this.host.heartbeatIntervalMs("http"),
        );
        this.backingOff = false;
        if (this.stopping) break;
        force = timedOut || delay > 0;
        delay = 0;
      }
      let built: Awaited<ReturnType<TransportHost["build"]>>;
      try {
        built = await this.host.build({ force });
      } catch (error) {
        this.host.reportError(toClientError("HANDLER_FAILED", error, "building a status report"));
        built = await this.host.build({ force: true }).catch(() => undefined);
      }
      force = false;
      if (built === undefined) continue;
      const result = await this.post(built.message);
      if (result.kind === "failed") {
        built.failed();
        this.reachable = result.error.code !== "CONNECT_FAILED";
        this.replied = false;
        this.host.connectFailed(result.error);
        delay =
          result.error.code === "THROTTLED"
            ? throttleDelay(this.backoff, result.error.retryAfterMs)
            : this.backoff.next();
        continue;
      }
      this.reachable = true;
      if (result.kind === "dropped") {
        built.sent();
        this.host.reportError(result.error);
        force = this.host.hasPending();
        continue;
      }
      built.sent();
      const outcome = await this.host.receive(result.message);
      if (outcome.kind === "unavailable") {
        this.replied = false;
        delay = throttleDelay(this.backoff, outcome.retryAfterMs);
        continue;
      }
      if (outcome.kind === "ok" && !this.replied) {
        this.replied = true;
        this.backoff.reset();
        this.host.connected();
      }
      if (outcome.kind === "ok") this.backoff.reset();
      force = this.host.hasPending();
    }
  }

  /** Wait for a wake-up or the timeout; true when the timeout fired. */
  private sleep(ms: number): Promise<boolean> {
    if (this.woken && !this.backingOff) {
      this.woken = false;
      return Promise.resolve(false);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = undefined;
        resolve(true);
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        this.woken = false;
        resolve(false);
      };
    });
  }

  private async post(message: Parameters<typeof encodeAgentToServer>[0]): Promise<PostResult> {
    let body: Uint8Array;
    try {
      body = encodeAgentToServer(message, { maxBytes: this.config.maxSendBytes });
    } catch (error) {
      return {
        kind: "dropped",
        error: toClientError("MESSAGE_TOO_LARGE", error, "outgoing message not sent"),
      };
    }
    const headers: Record<string, string> = {
      ...this.config.settings.headers,
      "Content-Type": PROTOBUF_CONTENT_TYPE,
      "Accept-Encoding": "gzip",
      [INSTANCE_UID_HEADER]: this.config.instanceUidText(),
    };
    if (this.config.compressRequests) {
      body = await gzipAsync(body);
      headers["Content-Encoding"] = "gzip";
    }
    headers["Content-Length"] = String(body.length);
    let response: { res: IncomingMessage; body: Buffer };
    try {
      response = await this.send(body, headers);
    } catch (error) {
      return {
        kind: "failed",
        error: toClientError("CONNECT_FAILED", error, `POST ${this.url.href}`),
      };
    }
    return this.interpret(response.res, response.body);
  }

  private async interpret(res: IncomingMessage, raw: Buffer): Promise<PostResult> {
    const status = res.statusCode ?? 0;
    if (status === 401) {
      return {
        kind: "failed",
        error: new OpampClientError("UNAUTHORIZED", "server rejected the credentials (HTTP 401)"),
      };
    }
    if (status === 429 || status === 503) {
      const header = res.headers["retry-after"];
      return {
        kind: "failed",
        error: new OpampClientError("THROTTLED", `server is throttling (HTTP ${status})`, {
          retryAfterMs: parseRetryAfter(Array.isArray(header) ? header[0] : header),
        }),
      };
    }
    if (status === 413) {
      return {
        kind: "dropped",
        error: new OpampClientError(
          "MESSAGE_TOO_LARGE",
          "server refused the request as too large (HTTP 413); not resent",
        ),
      };
    }
    if (status === 400) {
      return {
        kind: "dropped",
        error: new OpampClientError(
          "SERVER_ERROR",
          "server refused the request as malformed (HTTP 400); not resent",
        ),
      };
    }
    if (status < 200 || status >= 300) {
      return {
        kind: "failed",
        error: new OpampClientError("CONNECT_FAILED", `server answered HTTP ${status}`),
      };
    }
    try {
      const limit = this.config.maxReceiveBytes;
      const body =
        res.headers["content-encoding"] === "gzip"
          ? await gunzipAsync(raw, { maxOutputLength: limit })
          : raw;
      return { kind: "reply", message: decodeServerToAgent(body, { maxBytes: limit }) };
    } catch (error) {
      const code =
        error instanceof RangeError || /too large|larger/i.test(String(error))
          ? "MESSAGE_TOO_LARGE"
          : "MALFORMED_MESSAGE";
      const wrapped = toClientError(code, error, "response discarded");
      return { kind: "failed", error: wrapped };
    }
  }

  private send(
    body: Uint8Array,
    headers: Record<string, string>,
  ): Promise<{ res: IncomingMessage; body: Buffer }> {
    const request = this.url.protocol === "https:" ? httpsRequest : httpRequest;
    const limit = this.config.maxReceiveBytes;
    return new Promise((resolve, reject) => {
      const req = request(
        this.url,
        {
          method: "POST",
          headers,
          agent: this.agent,
          timeout: this.config.requestTimeoutMs,
          ...(this.url.protocol === "https:" ? toNodeTlsOptions(this.config.settings.tls) : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > limit) {
              req.destroy(
                new OpampClientError(
                  "MESSAGE_TOO_LARGE",
                  `response body over ${limit} bytes; discarded`,
                ),
              );
              return;
            }
            chunks.push(chunk);
          });
          res.on("end", () => resolve({ res, body: Buffer.concat(chunks) }));
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error("request timed out")));
      req.on("error", reject);
      req.end(body);
    });
  }
}
