/**
 * Opens the configured database: PostgreSQL for a `postgres://` URL, else an
 * embedded SQLite file in the data directory.
 *
 * SQLite durability: WAL journal with `synchronous=FULL`. In WAL mode a
 * commit is written to the WAL file before `run()` returns, so a SIGKILL of
 * this process cannot lose it even with `NORMAL`; `FULL` also fsyncs the WAL
 * on every commit, so an acknowledged change survives an OS crash or power
 * loss too. The price is one fsync per commit, which is acceptable for a
 * control plane whose writes are API changes and agent status changes.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { KyselyStorage } from "./kysely-storage.js";
import { migrateToLatest } from "./migrations.js";
import type { Database } from "./schema.js";
import type { Storage } from "./types.js";

/** Where to keep data. */
export interface StorageOptions {
  /** A `postgres://` or `postgresql://` URL selects PostgreSQL. */
  readonly databaseUrl?: string | undefined;
  /** Directory of the SQLite file `opamp.db` when no database URL is set. */
  readonly dataDir: string;
  /**
   * Called for errors of idle PostgreSQL connections (the server restarted,
   * the network dropped); the pool replaces them. Without a handler such an
   * error would end the process.
   */
  readonly onBackgroundError?: (error: Error) => void;
}

/** True when the URL selects PostgreSQL. */
export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//.test(url);
}

/** Opens and migrates the database. */
export async function openStorage(options: StorageOptions): Promise<Storage> {
  if (isPostgresUrl(options.databaseUrl)) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
    pool.on("error", (error) => options.onBackgroundError?.(error));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    try {
      await migrateToLatest(db as Kysely<unknown>, "postgres");
    } catch (error) {
      await db.destroy();
      throw error;
    }
    return new KyselyStorage(db, "postgres");
  }
  mkdirSync(options.dataDir, { recursive: true });
  const sqlite = new BetterSqlite3(join(options.dataDir, "opamp.db"));
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrateToLatest(db as Kysely<unknown>, "sqlite");
  return new KyselyStorage(db, "sqlite");
}
