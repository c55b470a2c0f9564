/**
 * Starts the control plane from a config: storage, fleet, OpAMP endpoint and
 * HTTP API; returns a handle whose `close()` shuts down in order (stop
 * accepting, close agent connections cleanly, wait for their last writes,
 * close storage).
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { resolveAdminToken } from "./admin-token.js";
import { buildApi } from "./api/app.js";
import type { ClusterMessage } from "./cluster/messages.js";
import { resolveNodeId } from "./cluster/node-id.js";
import { PostgresPubSub } from "./cluster/postgres-pubsub.js";
import { LocalPubSub, type PubSub } from "./cluster/pubsub.js";
import { parseAddress, type ServerConfig } from "./config.js";
import { Fleet } from "./fleet/fleet.js";
import { createLogger, libraryLogger } from "./logger.js";
import { Metrics } from "./metrics.js";
import { createOpampEndpoint } from "./opamp/endpoint.js";
import { openStorage } from "./storage/open-storage.js";

/** A running control plane. */
export interface ServerHandle {
  /** `ws://` / `wss://` URL of the OpAMP endpoint. */
  readonly opampUrl: string;
  /** `http://` / `https://` URL of the same endpoint. */
  readonly opampHttpUrl: string;
  /** Base URL of the REST API (`…/api/v1`). */
  readonly apiUrl: string;
  /** URL of the web UI. */
  readonly uiUrl: string;
  readonly adminToken: string;
  /** Where the generated admin token is kept, when it was not configured. */
  readonly adminTokenFile: string | undefined;
  readonly storageKind: "sqlite" | "postgres";
  /** This node's id; the owner recorded for the agent sessions it holds. */
  readonly nodeId: string;
  close(): Promise<void>;
}

const PACKAGE_ROOT = new URL("../", import.meta.url);

function packageVersion(): string {
  try {
    return (
      JSON.parse(readFileSync(new URL("package.json", PACKAGE_ROOT), "utf8")) as { version: string }
    ).version;
  } catch {
    return "0.0.0";
  }
}

function urlHost(host: string): string {
  const shown = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  return shown.includes(":") ? `[${shown}]` : shown;
}

/** Starts everything; rejects (after cleaning up) when any part cannot start. */
export async function start(config: ServerConfig): Promise<ServerHandle> {
  const logger = createLogger(config.logLevel);
  const log = libraryLogger(logger);
  const admin = resolveAdminToken(config.adminToken, config.dataDir);
  const nodeId = resolveNodeId(config.nodeId, config.dataDir);
  const nodeTimeoutMs = (config.nodeTimeoutSeconds ?? 30) * 1000;
  const storage = await openStorage({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    onBackgroundError: (error) => log.warn("database connection lost", { error: error.message }),
  });
  const cleanups: (() => Promise<void>)[] = [() => storage.close()];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    const shared = storage.dialect === "postgres" && config.databaseUrl !== undefined;
    const pubsub: PubSub<ClusterMessage> = shared
      ? await PostgresPubSub.open<ClusterMessage>({
          connectionString: config.databaseUrl,
          channel: "opamp_cluster",
          logger: log,
        })
      : new LocalPubSub<ClusterMessage>();
    cleanups.push(() => pubsub.close());
    const metrics = new Metrics();
    const fleet = await Fleet.load(storage, {
      heartbeatIntervalSeconds: config.heartbeatIntervalSeconds,
      metrics,
      logger: log,
      nodeId,
      pubsub,
      sharedDatabase: shared,
    });
    // Announce this node before taking agents, so no other node takes it for dead.
    await fleet.heartbeat(nodeTimeoutMs);
    let beating: Promise<void> = Promise.resolve();
    const beat = setInterval(
      () => {
        beating = fleet
          .heartbeat(nodeTimeoutMs)
          .catch((error: unknown) => log.error("node heartbeat failed", { error: String(error) }));
      },
      Math.max(50, nodeTimeoutMs / 3),
    );
    beat.unref();
    cleanups.push(async () => {
      await fleet.stopSync();
      await fleet.leave();
    });
    cleanups.push(async () => {
      clearInterval(beat);
      await beating;
    });
    const endpoint = createOpampEndpoint({
      fleet,
      logger: log,
      enrollmentTokens: config.enrollmentTokens,
      maxMessageBytes: config.maxMessageBytes,
      heartbeatIntervalSeconds: config.heartbeatIntervalSeconds,
    });
    const opampAddr = parseAddress(config.opampAddress);
    const tls =
      config.tlsCert !== undefined && config.tlsKey !== undefined
        ? {
            cert: readFileSync(config.tlsCert),
            key: readFileSync(config.tlsKey),
            ...(config.clientCa !== undefined
              ? { ca: readFileSync(config.clientCa), requestCert: true, rejectUnauthorized: true }
              : {}),
          }
        : undefined;
    const listening = await endpoint.server.listen({
      host: opampAddr.host,
      port: opampAddr.port,
      ...(tls !== undefined ? { tls } : {}),
    });
    cleanups.push(async () => {
      await endpoint.server.close();
      await endpoint.settled();
    });

    const defaultUi = fileURLToPath(new URL("../ui/dist", PACKAGE_ROOT));
    const uiDir = config.uiDir ?? (existsSync(defaultUi) ? defaultUi : undefined);
    const { app, closeStreams } = await buildApi({
      fleet,
      storage,
      metrics,
      adminToken: admin.token,
      bodyLimitBytes: config.maxBodyBytes,
      uiDir,
      logger: logger.child({ component: "http" }),
      version: packageVersion(),
      nodeTimeoutMs,
    });
    const httpAddr = parseAddress(config.httpAddress);
    await app.listen({ host: httpAddr.host, port: httpAddr.port });
    cleanups.push(async () => {
      closeStreams();
      await app.close();
    });
    const actualHttp = app.server.address();
    const httpPort =
      typeof actualHttp === "object" && actualHttp !== null ? actualHttp.port : httpAddr.port;

    const sweepMs = Math.max(1000, (config.heartbeatIntervalSeconds * 1000) / 2);
    const sweeper = setInterval(() => {
      fleet
        .sweep()
        .catch((error: unknown) => log.error("liveness sweep failed", { error: String(error) }));
    }, sweepMs);
    sweeper.unref();
    cleanups.push(async () => clearInterval(sweeper));

    const base = `http://${urlHost(httpAddr.host)}:${httpPort}`;
    let closing: Promise<void> | undefined;
    return {
      opampUrl: listening.url,
      opampHttpUrl: listening.httpUrl,
      apiUrl: `${base}/api/v1`,
      uiUrl: `${base}/`,
      adminToken: admin.token,
      adminTokenFile: admin.file,
      storageKind: storage.dialect,
      nodeId,
      close: () => {
        closing ??= cleanup();
        return closing;
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
