/**
 * Schema migrations shared by SQLite and PostgreSQL. The only dialect
 * difference is how an auto-increment key is declared.
 */
import { type Kysely, type Migration, type MigrationProvider, Migrator } from "kysely";
import { ControlPlaneError } from "../errors.js";

type Dialect = "sqlite" | "postgres";

function initial(dialect: Dialect): Migration {
  const serial = (db: Kysely<unknown>, table: string) =>
    dialect === "postgres"
      ? db.schema.createTable(table).addColumn("id", "serial", (c) => c.primaryKey())
      : db.schema
          .createTable(table)
          .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement());
  return {
    async up(db) {
      await db.schema
        .createTable("agents")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("connected", "integer", (c) => c.notNull())
        .addColumn("last_seen_at", "text", (c) => c.notNull())
        .addColumn("data", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("agent_labels")
        .addColumn("agent_id", "text", (c) => c.primaryKey())
        .addColumn("labels", "text", (c) => c.notNull())
        .execute();
      await serial(db, "config_status_history")
        .addColumn("agent_id", "text", (c) => c.notNull())
        .addColumn("config_hash", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("error_message", "text", (c) => c.notNull())
        .addColumn("at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("config_status_history_agent")
        .on("config_status_history")
        .columns(["agent_id", "id"])
        .execute();
      await db.schema
        .createTable("configurations")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull().unique())
        .addColumn("description", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("configuration_versions")
        .addColumn("configuration_id", "text", (c) => c.notNull().references("configurations.id"))
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("files", "text", (c) => c.notNull())
        .addColumn("hash", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("created_by", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("configuration_versions_pk", ["configuration_id", "version"])
        .execute();
      await db.schema
        .createTable("assignments")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("configuration_id", "text", (c) => c.notNull().references("configurations.id"))
        .addColumn("version", "integer")
        .addColumn("selector", "text", (c) => c.notNull())
        .addColumn("priority", "integer", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("overrides")
        .addColumn("agent_id", "text", (c) => c.primaryKey())
        .addColumn("files", "text", (c) => c.notNull())
        .addColumn("hash", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("telemetry_destinations")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("selector", "text", (c) => c.notNull())
        .addColumn("priority", "integer", (c) => c.notNull())
        .addColumn("settings", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await serial(db, "audit_log")
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("actor", "text", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("target", "text", (c) => c.notNull())
        .addColumn("details", "text", (c) => c.notNull())
        .execute();
    },
  };
}

/**
 * Several nodes on one database: which node holds each agent's live session
 * (`agents.node_id`), node heartbeats, and pub/sub payloads too large for a
 * PostgreSQL NOTIFY.
 */
function cluster(dialect: Dialect): Migration {
  return {
    async up(db) {
      await db.schema.alterTable("agents").addColumn("node_id", "text").execute();
      await db.schema
        .createIndex("agents_connected_node")
        .on("agents")
        .columns(["connected", "node_id"])
        .execute();
      await db.schema
        .createTable("nodes")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("started_at", "text", (c) => c.notNull())
        .addColumn("heartbeat_at", "text", (c) => c.notNull())
        .execute();
      const payloads =
        dialect === "postgres"
          ? db.schema
              .createTable("pubsub_payloads")
              .addColumn("id", "serial", (c) => c.primaryKey())
          : db.schema
              .createTable("pubsub_payloads")
              .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement());
      await payloads
        .addColumn("body", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
    },
  };
}

class StaticProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return { "0001_initial": initial(this.dialect), "0002_cluster": cluster(this.dialect) };
  }
}

/** Brings the schema to the newest version; throws `STORAGE` when a migration fails. */
export async function migrateToLatest(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const migrator = new Migrator({ db, provider: new StaticProvider(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new ControlPlaneError("STORAGE", `database migration ${failed} failed`, { cause: error });
  }
}
