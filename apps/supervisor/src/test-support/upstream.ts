import { createServer, type Server } from "node:http";
import {
  type AgentRemoteConfig,
  type AgentToServer,
  type PackagesAvailable,
  RemoteConfigStatuses,
  ServerCapabilities,
} from "@opamp-ts/protocol";
import {
  type AgentConnection,
  createRemoteConfig,
  OpampServer,
  packagesNeeded,
  remoteConfigNeeded,
} from "@opamp-ts/server";

/**
 * An upstream OpAMP server for the e2e tests, from `@opamp-ts/server`: records
 * every message, offers a remote config or packages until the agent
 * acknowledged their hash (S-12), and waits on conditions without sleeping.
 */
export class Upstream {
  readonly messages: AgentToServer[] = [];
  url = "";
  private readonly server: OpampServer;
  private conn: AgentConnection | undefined;
  private offer: AgentRemoteConfig | undefined;
  private packages: PackagesAvailable | undefined;
  private lastStatus: AgentToServer["remoteConfigStatus"];
  private lastPackages: AgentToServer["packageStatuses"];
  private waiters = new Set<() => void>();

  constructor() {
    const S = ServerCapabilities;
    this.server = new OpampServer({
      capabilities: [
        S.ServerCapabilities_AcceptsStatus,
        S.ServerCapabilities_OffersRemoteConfig,
        S.ServerCapabilities_AcceptsEffectiveConfig,
        S.ServerCapabilities_OffersPackages,
        S.ServerCapabilities_AcceptsPackagesStatus,
        S.ServerCapabilities_OffersConnectionSettings,
      ].reduce((mask, bit) => mask | BigInt(bit), 0n),
      onDisconnected: (conn) => {
        if (this.conn === conn) this.conn = undefined;
      },
      onMessage: (conn, message) => {
        // Addressable only after its first message (the server needs the instance uid).
        this.conn = conn;
        this.messages.push(message);
        if (message.remoteConfigStatus !== undefined) this.lastStatus = message.remoteConfigStatus;
        for (const check of [...this.waiters]) check();
        const reply: Record<string, unknown> = {};
        if (this.offer !== undefined && remoteConfigNeeded(this.lastStatus, this.offer))
          reply.remoteConfig = this.offer;
        if (message.packageStatuses !== undefined) this.lastPackages = message.packageStatuses;
        if (this.packages !== undefined && packagesNeeded(this.lastPackages, this.packages)) {
          reply.packagesAvailable = this.packages;
        }
        return reply;
      },
    });
  }

  async start(): Promise<this> {
    this.url = (await this.server.listen({ host: "127.0.0.1", port: 0 })).url;
    return this;
  }

  async close(): Promise<void> {
    await this.server.close();
  }

  /** Offer a remote config made of one YAML file; sent now when connected. */
  async pushConfig(yaml: string): Promise<AgentRemoteConfig> {
    const offer = createRemoteConfig({
      configMap: { "": { body: new TextEncoder().encode(yaml), contentType: "text/yaml" } },
    });
    this.offer = offer;
    await this.conn?.send({ remoteConfig: offer });
    return offer;
  }

  /** Offer packages; sent now when connected. */
  async pushPackages(packages: PackagesAvailable): Promise<void> {
    this.packages = packages;
    await this.conn?.send({ packagesAvailable: packages });
  }

  /** Send a command or custom message to the connected agent. */
  async send(message: Parameters<AgentConnection["send"]>[0]): Promise<void> {
    await this.conn?.send(message);
  }

  /** The first message (past or future) that satisfies `predicate`. */
  waitFor(
    predicate: (message: AgentToServer) => boolean,
    what: string,
    timeoutMs = 90_000,
  ): Promise<AgentToServer> {
    return new Promise((resolve, reject) => {
      let seen = 0;
      const check = () => {
        for (; seen < this.messages.length; seen++) {
          const message = this.messages[seen]!;
          if (predicate(message)) {
            finish();
            resolve(message);
            return;
          }
        }
      };
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** Wait for a RemoteConfigStatus with `status` for `hash`. */
  waitForStatus(hash: Uint8Array, status: RemoteConfigStatuses, what: string) {
    return this.waitFor(
      (m) =>
        m.remoteConfigStatus?.status === status &&
        Buffer.from(m.remoteConfigStatus.lastRemoteConfigHash).equals(Buffer.from(hash)),
      what,
    );
  }
}

/** A tiny HTTP file server for package downloads. */
export async function serveFile(content: Uint8Array): Promise<{ url: string; server: Server }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "application/octet-stream" });
    response.end(content);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/collector`, server };
}

export { RemoteConfigStatuses };
