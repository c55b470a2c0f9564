/**
 * A control plane started in-process on loopback port 0 over a test
 * database, with a small REST client.
 */
import type { ServerConfig } from "../config.js";
import { type ServerHandle, start } from "../start.js";
import type { TestDatabase } from "./backends.js";

/** A REST call's status and parsed JSON body. */
export interface ApiResponse {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response fields by path and assert each one
  readonly body: any;
}

/** The running server and a REST helper. */
export interface RunningServer {
  readonly handle: ServerHandle;
  api(method: string, path: string, body?: unknown): Promise<ApiResponse>;
}

/** Starts the control plane on `db` with `overrides` applied to a test config. */
export async function startTestServer(
  db: TestDatabase,
  overrides: Partial<ServerConfig> = {},
): Promise<RunningServer> {
  const config: ServerConfig = {
    opampAddress: "127.0.0.1:0",
    httpAddress: "127.0.0.1:0",
    dataDir: db.dataDir,
    databaseUrl: db.databaseUrl,
    adminToken: "e2e-admin-token",
    tlsCert: undefined,
    tlsKey: undefined,
    clientCa: undefined,
    enrollmentTokens: [],
    heartbeatIntervalSeconds: 30,
    maxBodyBytes: 1024 * 1024,
    maxMessageBytes: 4 * 1024 * 1024,
    uiDir: undefined,
    logLevel: "silent",
    ...overrides,
  };
  const handle = await start(config);
  return {
    handle,
    api: async (method, path, body) => {
      const res = await fetch(`${handle.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${handle.adminToken}`,
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
    },
  };
}
