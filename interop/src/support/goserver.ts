import { type AgentToServer, AgentToServerSchema, fromBinary } from "@opamp-ts/protocol";
import type { PeerEvent, WaitOptions } from "./json-lines.js";
import { PeerProcess } from "./peer-process.js";

/** One AgentToServer the goserver logged, decoded with our own schema. */
export interface ReceivedMessage {
  /** The agent's instance_uid in 8-4-4-4-12 form. */
  readonly agent: string;
  readonly seq: number;
  readonly transport: "websocket" | "http";
  /** Request headers of the HTTP request that carried it (empty over WebSocket). */
  readonly contentEncoding: string;
  readonly acceptEncoding: string;
  readonly message: AgentToServer;
  /** The same message as opamp-go rendered it with protojson. */
  readonly json: Record<string, unknown>;
}

/** The control API's answer to an action. */
export interface DeliveryResult {
  /** "sent" over an open WebSocket, "queued" for the agent's next HTTP poll. */
  readonly delivery: "sent" | "queued";
  /** Hex hash the server put on the offer (remote config, connection settings, packages). */
  readonly hash?: string;
}

/** How to start `goserver`; each field maps to one of its flags. */
export interface GoServerOptions {
  /** Custom capabilities the server declares (ServerToAgent.custom_capabilities). */
  readonly customCapabilities?: readonly string[];
  /** Never set ServerToAgent.capabilities, as opamp-go's default OnMessage does (P-30). */
  readonly omitCapabilities?: boolean;
  /** Accept permessage-deflate on WebSocket (opamp-go's EnableCompression). */
  readonly compression?: boolean;
}

function toReceived(e: PeerEvent): ReceivedMessage {
  return {
    agent: String(e.agent),
    seq: Number(e.seq),
    transport: e.transport === "http" ? "http" : "websocket",
    contentEncoding: String(e.contentEncoding ?? ""),
    acceptEncoding: String(e.acceptEncoding ?? ""),
    message: fromBinary(AgentToServerSchema, Buffer.from(String(e.raw ?? ""), "base64")),
    json: (e.message ?? {}) as Record<string, unknown>,
  };
}

/**
 * A running `goserver` (opamp-go's server package) on loopback ports it chose,
 * with typed access to what it received and to its control API.
 */
export class GoServer {
  private constructor(
    readonly process: PeerProcess,
    readonly opampUrl: string,
    readonly opampHttpUrl: string,
    readonly controlUrl: string,
  ) {}

  /** Starts the binary and waits for its "listening" line. */
  static async start(binary: string, opts: GoServerOptions = {}): Promise<GoServer> {
    const args = ["-port", "0", "-control-port", "0", "-exit-on-stdin-eof"];
    if (opts.customCapabilities?.length) {
      args.push("-custom-capabilities", opts.customCapabilities.join(","));
    }
    if (opts.omitCapabilities) args.push("-omit-capabilities");
    if (opts.compression) args.push("-compression");
    const proc = new PeerProcess("goserver", binary, args);
    try {
      const ready = await proc.log.waitFor((e) => e.event === "listening", {
        what: "the listening line",
      });
      return new GoServer(
        proc,
        String(ready.opampUrl),
        String(ready.opampHttpUrl),
        String(ready.controlUrl),
      );
    } catch (err) {
      await proc.stop("SIGKILL");
      throw new Error(`goserver did not start; stderr: ${proc.stderrText()}`, { cause: err });
    }
  }

  /** Every AgentToServer received so far (optionally only from one agent). */
  received(agent?: string): ReceivedMessage[] {
    return this.process.log.events
      .filter((e) => e.event === "message" && (agent === undefined || e.agent === agent))
      .map(toReceived);
  }

  /**
   * Messages opamp-go could not read or decode (its OnReadMessageError), and
   * connections it saw end without a normal Close (1000).
   */
  readErrors(): string[] {
    return this.process.log.events
      .filter((e) => e.event === "read-error")
      .map((e) => String(e.error));
  }

  /** The index to pass as `after` so that only later messages count. */
  mark(): number {
    return this.process.log.mark();
  }

  /** Waits for an AgentToServer matching `predicate`. */
  async waitForMessage(
    predicate: (m: ReceivedMessage) => boolean,
    opts: WaitOptions = {},
  ): Promise<ReceivedMessage> {
    const e = await this.process.log.waitFor(
      (ev) => ev.event === "message" && predicate(toReceived(ev)),
      opts,
    );
    return toReceived(e);
  }

  /** Pushes an AgentRemoteConfig; the server computes the config_hash and returns it as hex. */
  pushRemoteConfig(
    agent: string,
    files: Record<string, { body: string; contentType?: string }>,
  ): Promise<DeliveryResult> {
    const configMap = Object.fromEntries(
      Object.entries(files).map(([name, f]) => [
        name,
        { body: Buffer.from(f.body).toString("base64"), contentType: f.contentType ?? "" },
      ]),
    );
    return this.#post(agent, "remote-config", { config: { configMap } });
  }

  /** Sets ServerToAgentFlags.ReportFullState. */
  requestFullState(agent: string): Promise<DeliveryResult> {
    return this.#post(agent, "report-full-state", {});
  }

  /** Offers ConnectionSettingsOffers given in protojson form; hash computed when absent. */
  offerConnectionSettings(agent: string, offers: Record<string, unknown>): Promise<DeliveryResult> {
    return this.#post(agent, "connection-settings", offers);
  }

  /** Offers PackagesAvailable given in protojson form. */
  offerPackages(agent: string, packages: Record<string, unknown>): Promise<DeliveryResult> {
    return this.#post(agent, "packages", packages);
  }

  /** Sends a ServerToAgentCommand of type Restart. */
  restart(agent: string): Promise<DeliveryResult> {
    return this.#post(agent, "restart", {});
  }

  /** Sends a CustomMessage on `capability`. */
  sendCustomMessage(
    agent: string,
    msg: { capability: string; type: string; data: Uint8Array },
  ): Promise<DeliveryResult> {
    return this.#post(agent, "custom-message", {
      capability: msg.capability,
      type: msg.type,
      data: Buffer.from(msg.data).toString("base64"),
    });
  }

  /** Sends any ServerToAgent given in protojson form (instance_uid and capabilities are filled in). */
  send(agent: string, message: Record<string, unknown>): Promise<DeliveryResult> {
    return this.#post(agent, "send", message);
  }

  /** Drops the agent's WebSocket with opamp-go's Connection.Disconnect (no Close frame). */
  async disconnect(agent: string): Promise<void> {
    const res = await fetch(`${this.controlUrl}/agents/${agent}/disconnect`, { method: "POST" });
    const text = await res.text();
    if (!res.ok) throw new Error(`goserver disconnect ${agent}: ${res.status} ${text}`);
  }

  /** The messages of one agent as the control API lists them (protojson, opamp-go's rendering). */
  async messages(
    agent: string,
    since = 0,
  ): Promise<Array<{ seq: number; transport: string; message: Record<string, unknown> }>> {
    const res = await fetch(`${this.controlUrl}/agents/${agent}/messages?since=${since}`);
    const text = await res.text();
    if (!res.ok) throw new Error(`goserver messages for ${agent}: ${res.status} ${text}`);
    return (
      JSON.parse(text) as {
        messages: Array<{ seq: number; transport: string; message: Record<string, unknown> }>;
      }
    ).messages;
  }

  /** Lists agents through the control API. */
  async agents(): Promise<Array<{ id: string; transport: string; connected: boolean }>> {
    const res = await fetch(`${this.controlUrl}/agents`);
    const body = (await res.json()) as {
      agents: Array<{ id: string; transport: string; connected: boolean }>;
    };
    return body.agents;
  }

  /** SIGTERM and wait for the exit. */
  stop(): Promise<unknown> {
    return this.process.stop();
  }

  async #post(agent: string, action: string, body: unknown): Promise<DeliveryResult> {
    const res = await fetch(`${this.controlUrl}/agents/${agent}/${action}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`goserver ${action} for ${agent}: ${res.status} ${text}`);
    return JSON.parse(text) as DeliveryResult;
  }
}
