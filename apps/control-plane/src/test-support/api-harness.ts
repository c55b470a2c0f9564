/**
 * An in-process REST API over a temp SQLite database, for route tests with
 * Fastify's `inject` (no sockets unless a test listens).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApi } from "../api/app.js";
import type { ApiApp } from "../api/context.js";
import { Fleet } from "../fleet/fleet.js";
import { Metrics } from "../metrics.js";
import { openStorage } from "../storage/open-storage.js";
import type { Storage } from "../storage/types.js";

/** The admin token the harness configures. */
export const TEST_TOKEN = "test-admin-token";

/** The app, its fleet and storage, and a teardown. */
export interface ApiHarness {
  readonly app: ApiApp;
  readonly fleet: Fleet;
  readonly storage: Storage;
  readonly metrics: Metrics;
  readonly auth: { authorization: string };
  close(): Promise<void>;
}

/** Builds the harness; `bodyLimitBytes` defaults to 64 KiB to make 413 easy to reach; `uiDir` is the web UI to serve. */
export async function apiHarness(bodyLimitBytes = 64 * 1024, uiDir?: string): Promise<ApiHarness> {
  const dir = mkdtempSync(join(tmpdir(), "opamp-api-"));
  const storage = await openStorage({ dataDir: dir });
  const metrics = new Metrics();
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const fleet = await Fleet.load(storage, {
    heartbeatIntervalSeconds: 30,
    metrics,
    logger: silent,
  });
  const { app, closeStreams } = await buildApi({
    fleet,
    storage,
    metrics,
    adminToken: TEST_TOKEN,
    bodyLimitBytes,
    version: "test",
    uiDir: uiDir ?? join(dir, "no-ui"),
  });
  await app.ready();
  return {
    app,
    fleet,
    storage,
    metrics,
    auth: { authorization: `Bearer ${TEST_TOKEN}` },
    close: async () => {
      closeStreams();
      await app.close();
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
