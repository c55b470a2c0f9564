/**
 * The two storage backends every storage-dependent test runs against: a
 * SQLite file in a temp dir and a fresh PostgreSQL database.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStorage } from "../storage/open-storage.js";
import type { Storage } from "../storage/types.js";
import { freshPostgresDatabase } from "./postgres.js";

/** Everything needed to (re)open one test database. */
export interface TestDatabase {
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  open(): Promise<Storage>;
  cleanup(): void;
}

/** A backend by name. */
export interface Backend {
  readonly name: "sqlite" | "postgres";
  create(): Promise<TestDatabase>;
}

function database(dataDir: string, databaseUrl: string | undefined): TestDatabase {
  return {
    dataDir,
    databaseUrl,
    open: () => openStorage({ dataDir, databaseUrl }),
    cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/** SQLite and PostgreSQL. */
export const BACKENDS: readonly Backend[] = [
  {
    name: "sqlite",
    create: async () => database(mkdtempSync(join(tmpdir(), "opamp-sqlite-")), undefined),
  },
  {
    name: "postgres",
    create: async () =>
      database(mkdtempSync(join(tmpdir(), "opamp-pgdata-")), await freshPostgresDatabase()),
  },
];
