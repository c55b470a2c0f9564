import { timingSafeEqual } from "node:crypto";
import type {
  AgentDescription,
  AgentToServer,
  AvailableComponents,
  ComponentHealth,
  CustomMessage,
  EffectiveConfig,
} from "@opamp-ts/protocol";
import { ServerToAgentFlags } from "@opamp-ts/protocol";
import {
  type AgentConnection,
  type Logger,
  OpampServer,
  type ServerToAgentInit,
} from "@opamp-ts/server";
import { SUPERVISOR_TOKEN_HEADER } from "./collector-config.js";

/** What the Collector's opamp extension reported, relayed upstream by the supervisor. */
export interface LocalServerHandlers {
  description(description: AgentDescription): void;
  health(health: ComponentHealth): void;
  effectiveConfig(config: EffectiveConfig): void;
  availableComponents(components: AvailableComponents): void;
  customCapabilities(capabilities: readonly string[]): void;
  customMessage(message: CustomMessage): void;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/**
 * The OpAMP server on loopback that the Collector's opamp extension connects
 * to. Only the Collector this supervisor started is admitted: the request must
 * come from loopback and carry the per-run secret token the supervisor wrote
 * into the extension's `server::ws::headers` (a second or stray client gets
 * 401). A reconnecting Collector replaces its old connection.
 */
export class LocalServer {
  private readonly server: OpampServer;
  private connection: AgentConnection | undefined;
  private readonly token: Buffer;
  private healthWaiters: Array<(health: ComponentHealth) => void> = [];
  private componentsHash: Uint8Array | undefined;
  private readonly updateWaiters = new Set<() => void>();
  /** The last health report of the current Collector, cleared by {@link resetHealth}. */
  lastHealth: ComponentHealth | undefined;
  lastDescription: AgentDescription | undefined;
  lastEffectiveConfig: EffectiveConfig | undefined;
  lastComponents: AvailableComponents | undefined;

  constructor(
    token: string,
    private readonly handlers: LocalServerHandlers,
    logger: Logger,
  ) {
    this.token = Buffer.from(token);
    this.server = new OpampServer({
      logger,
      duplicateInstanceUid: "close-previous",
      onConnecting: (request) => {
        const presented = request.headers[SUPERVISOR_TOKEN_HEADER];
        const ok =
          LOOPBACK.has(request.socket.remoteAddress ?? "") &&
          typeof presented === "string" &&
          presented.length === token.length &&
          timingSafeEqual(Buffer.from(presented), this.token);
        return ok
          ? { accept: true }
          : { accept: false, status: 401, message: "not the supervised Collector" };
      },
      onConnected: (conn) => {
        const previous = this.connection;
        this.connection = conn;
        if (previous !== undefined && previous !== conn) previous.close();
      },
      onDisconnected: (conn) => {
        if (this.connection === conn) this.connection = undefined;
      },
      onMessage: (_conn, message) => this.onMessage(message),
    });
  }

  /** Listen on 127.0.0.1; returns the WebSocket URL for the extension. */
  async listen(port: number): Promise<string> {
    const result = await this.server.listen({ host: "127.0.0.1", port });
    return result.url;
  }

  async close(): Promise<void> {
    await this.server.close();
  }

  /** Forget the previous Collector's health before a new one starts. */
  resetHealth(): void {
    this.lastHealth = undefined;
  }

  /**
   * Resolves with the first health report of the current Collector that says
   * healthy (C-24); the caller races it against exit and its apply timeout.
   */
  nextHealthy(): { promise: Promise<ComponentHealth>; cancel: () => void } {
    if (this.lastHealth?.healthy === true) {
      return { promise: Promise.resolve(this.lastHealth), cancel: () => {} };
    }
    let waiter: ((health: ComponentHealth) => void) | undefined;
    const promise = new Promise<ComponentHealth>((resolve) => {
      waiter = (health) => {
        if (health.healthy) resolve(health);
      };
      this.healthWaiters.push(waiter);
    });
    const cancel = () => {
      this.healthWaiters = this.healthWaiters.filter((w) => w !== waiter);
    };
    return { promise: promise.finally(cancel), cancel };
  }

  /**
   * Resolves true once `predicate` holds (checked now and after every message
   * from the Collector), false after `timeoutMs` or when `giveUp` settles.
   */
  waitFor(
    predicate: () => boolean,
    timeoutMs: number,
    giveUp?: Promise<unknown>,
  ): Promise<boolean> {
    if (predicate()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (!predicate()) return;
        finish(true);
      };
      const finish = (value: boolean) => {
        clearTimeout(timer);
        this.updateWaiters.delete(check);
        resolve(value);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.updateWaiters.add(check);
      void giveUp?.then(() => finish(false));
    });
  }

  /** Forward a custom message from the upstream server to the Collector (C-34). */
  async sendCustomMessage(message: CustomMessage): Promise<boolean> {
    const conn = this.connection;
    if (conn === undefined) return false;
    await conn.send({ customMessage: message });
    return true;
  }

  private onMessage(message: AgentToServer): ServerToAgentInit | undefined {
    if (message.agentDescription !== undefined) {
      this.lastDescription = message.agentDescription;
      this.handlers.description(message.agentDescription);
    }
    if (message.health !== undefined) {
      this.lastHealth = message.health;
      this.handlers.health(message.health);
      for (const waiter of [...this.healthWaiters]) waiter(message.health);
    }
    if (message.effectiveConfig !== undefined) {
      this.lastEffectiveConfig = message.effectiveConfig;
      this.handlers.effectiveConfig(message.effectiveConfig);
    }
    if (message.customCapabilities !== undefined) {
      this.handlers.customCapabilities(message.customCapabilities.capabilities);
    }
    if (message.customMessage !== undefined) this.handlers.customMessage(message.customMessage);
    let flags = 0n;
    const components = message.availableComponents;
    if (components !== undefined) {
      if (Object.keys(components.components).length > 0) {
        this.lastComponents = components;
        this.componentsHash = components.hash;
        this.handlers.availableComponents(components);
      } else if (!sameBytes(components.hash, this.componentsHash)) {
        // C-35: only the hash arrived and it is new: ask for the full list.
        flags |= BigInt(ServerToAgentFlags.ServerToAgentFlags_ReportAvailableComponents);
      }
    }
    for (const check of [...this.updateWaiters]) check();
    return flags === 0n ? undefined : { flags };
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array | undefined): boolean {
  return b !== undefined && a.length === b.length && Buffer.compare(a, b) === 0;
}
