/**
 * `Storage` over Kysely: one implementation for SQLite and PostgreSQL. Every
 * write is a single committed statement or transaction before it resolves.
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { configHash } from "../config-files.js";
import { ControlPlaneError } from "../errors.js";
import * as cluster from "./cluster-queries.js";
import { isUniqueViolation, toConfiguration, toOverride, toVersion } from "./rows.js";
import type { Database } from "./schema.js";
import type {
  AgentRecord,
  Assignment,
  AuditEntry,
  ClusterNode,
  ConfigFiles,
  ConfigOverride,
  ConfigStatusEntry,
  Configuration,
  ConfigurationVersion,
  JsonValue,
  NewTelemetryDestination,
  RemoteConfigStatusName,
  Storage,
  TelemetryDestination,
} from "./types.js";

const now = (): string => new Date().toISOString();

/** The shared Kysely-backed storage; construct through `openStorage`. */
export class KyselyStorage implements Storage {
  constructor(
    private readonly db: Kysely<Database>,
    readonly dialect: "sqlite" | "postgres",
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

  async putAgent(agent: AgentRecord): Promise<void> {
    const row = {
      id: agent.id,
      connected: agent.connected ? 1 : 0,
      last_seen_at: agent.lastSeenAt,
      data: JSON.stringify(agent),
      node_id: agent.nodeId ?? null,
    };
    await this.db
      .insertInto("agents")
      .values(row)
      .onConflict((oc) =>
        oc.column("id").doUpdateSet({
          connected: row.connected,
          last_seen_at: row.last_seen_at,
          data: row.data,
          node_id: row.node_id,
        }),
      )
      .execute();
  }

  putAgentIfOwner(agent: AgentRecord, owner: string): Promise<boolean> {
    return cluster.putAgentIfOwner(this.db, agent, owner);
  }

  listConnectedOwners(): Promise<(string | null)[]> {
    return cluster.listConnectedOwners(this.db);
  }

  disconnectAgentsOf(owner: string | null): Promise<string[]> {
    return cluster.disconnectAgentsOf(this.db, owner);
  }

  heartbeatNode(node: ClusterNode): Promise<void> {
    return cluster.heartbeatNode(this.db, node);
  }

  listNodes(): Promise<ClusterNode[]> {
    return cluster.listNodes(this.db);
  }

  deleteNode(id: string): Promise<void> {
    return cluster.deleteNode(this.db, id);
  }

  async getAgent(id: string): Promise<AgentRecord | undefined> {
    const row = await this.db
      .selectFrom("agents")
      .select("data")
      .where("id", "=", id)
      .executeTakeFirst();
    return row === undefined ? undefined : (JSON.parse(row.data) as AgentRecord);
  }

  async listAgents(): Promise<AgentRecord[]> {
    const rows = await this.db.selectFrom("agents").select("data").orderBy("id").execute();
    return rows.map((r) => JSON.parse(r.data) as AgentRecord);
  }

  async renameAgent(oldId: string, newId: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const row = await tx
        .selectFrom("agents")
        .selectAll()
        .where("id", "=", oldId)
        .executeTakeFirst();
      if (row === undefined) return;
      const data = { ...(JSON.parse(row.data) as AgentRecord), id: newId };
      await tx.deleteFrom("agents").where("id", "=", newId).execute();
      await tx
        .updateTable("agents")
        .set({ id: newId, data: JSON.stringify(data) })
        .where("id", "=", oldId)
        .execute();
      await tx.deleteFrom("agent_labels").where("agent_id", "=", newId).execute();
      await tx
        .updateTable("agent_labels")
        .set({ agent_id: newId })
        .where("agent_id", "=", oldId)
        .execute();
      await tx.deleteFrom("overrides").where("agent_id", "=", newId).execute();
      await tx
        .updateTable("overrides")
        .set({ agent_id: newId })
        .where("agent_id", "=", oldId)
        .execute();
      await tx
        .updateTable("config_status_history")
        .set({ agent_id: newId })
        .where("agent_id", "=", oldId)
        .execute();
    });
  }

  async appendConfigStatus(entry: ConfigStatusEntry): Promise<void> {
    await this.db
      .insertInto("config_status_history")
      .values({
        agent_id: entry.agentId,
        config_hash: entry.configHash,
        status: entry.status,
        error_message: entry.errorMessage,
        at: entry.at,
      })
      .execute();
  }

  async listConfigStatusHistory(agentId: string, limit: number): Promise<ConfigStatusEntry[]> {
    const rows = await this.db
      .selectFrom("config_status_history")
      .selectAll()
      .where("agent_id", "=", agentId)
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      agentId: r.agent_id,
      configHash: r.config_hash,
      status: r.status as RemoteConfigStatusName,
      errorMessage: r.error_message,
      at: r.at,
    }));
  }

  async setLabels(agentId: string, labels: Readonly<Record<string, string>>): Promise<void> {
    const value = JSON.stringify(labels);
    await this.db
      .insertInto("agent_labels")
      .values({ agent_id: agentId, labels: value })
      .onConflict((oc) => oc.column("agent_id").doUpdateSet({ labels: value }))
      .execute();
  }

  async getLabels(agentId: string): Promise<Record<string, string>> {
    const row = await this.db
      .selectFrom("agent_labels")
      .select("labels")
      .where("agent_id", "=", agentId)
      .executeTakeFirst();
    return row === undefined ? {} : (JSON.parse(row.labels) as Record<string, string>);
  }

  async listAllLabels(): Promise<Map<string, Record<string, string>>> {
    const rows = await this.db.selectFrom("agent_labels").selectAll().execute();
    return new Map(rows.map((r) => [r.agent_id, JSON.parse(r.labels) as Record<string, string>]));
  }

  async createConfiguration(input: { name: string; description: string }): Promise<Configuration> {
    const row = {
      id: randomUUID(),
      name: input.name,
      description: input.description,
      created_at: now(),
    };
    try {
      await this.db.insertInto("configurations").values(row).execute();
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ControlPlaneError("CONFLICT", `a configuration named "${input.name}" exists`, {
          cause: error,
        });
      }
      throw error;
    }
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      createdAt: row.created_at,
      latestVersion: 0,
    };
  }

  private configurationsQuery() {
    return this.db
      .selectFrom("configurations as c")
      .leftJoin("configuration_versions as v", "v.configuration_id", "c.id")
      .select(["c.id", "c.name", "c.description", "c.created_at"])
      .select((eb) => eb.fn.max("v.version").as("latest"))
      .groupBy(["c.id", "c.name", "c.description", "c.created_at"]);
  }

  async getConfiguration(id: string): Promise<Configuration | undefined> {
    const row = await this.configurationsQuery().where("c.id", "=", id).executeTakeFirst();
    return row === undefined ? undefined : toConfiguration(row);
  }

  async listConfigurations(): Promise<Configuration[]> {
    const rows = await this.configurationsQuery().orderBy("c.name").execute();
    return rows.map(toConfiguration);
  }

  async addConfigurationVersion(
    configurationId: string,
    files: ConfigFiles,
    createdBy: string,
  ): Promise<ConfigurationVersion> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction().execute(async (tx) => {
          const exists = await tx
            .selectFrom("configurations")
            .select("id")
            .where("id", "=", configurationId)
            .executeTakeFirst();
          if (exists === undefined) {
            throw new ControlPlaneError("NOT_FOUND", `no configuration ${configurationId}`);
          }
          const max = await tx
            .selectFrom("configuration_versions")
            .select((eb) => eb.fn.max("version").as("latest"))
            .where("configuration_id", "=", configurationId)
            .executeTakeFirst();
          const version = Number(max?.latest ?? 0) + 1;
          const row = {
            configuration_id: configurationId,
            version,
            files: JSON.stringify(files),
            hash: configHash(files),
            created_at: now(),
            created_by: createdBy,
          };
          await tx.insertInto("configuration_versions").values(row).execute();
          return toVersion(row);
        });
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= 5) throw error;
      }
    }
  }

  async getConfigurationVersion(
    configurationId: string,
    version: number,
  ): Promise<ConfigurationVersion | undefined> {
    const row = await this.db
      .selectFrom("configuration_versions")
      .selectAll()
      .where("configuration_id", "=", configurationId)
      .where("version", "=", version)
      .executeTakeFirst();
    return row === undefined ? undefined : toVersion(row);
  }

  async listConfigurationVersions(configurationId: string): Promise<ConfigurationVersion[]> {
    const rows = await this.db
      .selectFrom("configuration_versions")
      .selectAll()
      .where("configuration_id", "=", configurationId)
      .orderBy("version")
      .execute();
    return rows.map(toVersion);
  }

  async createAssignment(input: Omit<Assignment, "id" | "createdAt">): Promise<Assignment> {
    const row = {
      id: randomUUID(),
      configuration_id: input.configurationId,
      version: input.version,
      selector: input.selector,
      priority: input.priority,
      created_at: now(),
    };
    await this.db.insertInto("assignments").values(row).execute();
    return { ...input, id: row.id, createdAt: row.created_at };
  }

  async listAssignments(): Promise<Assignment[]> {
    const rows = await this.db
      .selectFrom("assignments")
      .selectAll()
      .orderBy("created_at")
      .execute();
    return rows.map((r) => ({
      id: r.id,
      configurationId: r.configuration_id,
      version: r.version === null ? null : Number(r.version),
      selector: r.selector,
      priority: Number(r.priority),
      createdAt: r.created_at,
    }));
  }

  async deleteAssignment(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("assignments").where("id", "=", id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async setOverride(agentId: string, files: ConfigFiles): Promise<ConfigOverride> {
    const row = {
      agent_id: agentId,
      files: JSON.stringify(files),
      hash: configHash(files),
      updated_at: now(),
    };
    await this.db
      .insertInto("overrides")
      .values(row)
      .onConflict((oc) =>
        oc
          .column("agent_id")
          .doUpdateSet({ files: row.files, hash: row.hash, updated_at: row.updated_at }),
      )
      .execute();
    return { agentId, files, hash: row.hash, updatedAt: row.updated_at };
  }

  async getOverride(agentId: string): Promise<ConfigOverride | undefined> {
    const row = await this.db
      .selectFrom("overrides")
      .selectAll()
      .where("agent_id", "=", agentId)
      .executeTakeFirst();
    return row === undefined ? undefined : toOverride(row);
  }

  async listOverrides(): Promise<ConfigOverride[]> {
    const rows = await this.db.selectFrom("overrides").selectAll().execute();
    return rows.map(toOverride);
  }

  async deleteOverride(agentId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("overrides")
      .where("agent_id", "=", agentId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async createTelemetryDestination(input: NewTelemetryDestination): Promise<TelemetryDestination> {
    const destination: TelemetryDestination = { ...input, id: randomUUID(), createdAt: now() };
    await this.db
      .insertInto("telemetry_destinations")
      .values({
        id: destination.id,
        name: input.name,
        selector: input.selector,
        priority: input.priority,
        settings: JSON.stringify({
          metrics: input.metrics,
          logs: input.logs,
          traces: input.traces,
        }),
        created_at: destination.createdAt,
      })
      .execute();
    return destination;
  }

  async listTelemetryDestinations(): Promise<TelemetryDestination[]> {
    const rows = await this.db
      .selectFrom("telemetry_destinations")
      .selectAll()
      .orderBy("created_at")
      .execute();
    return rows.map((r) => {
      const settings = JSON.parse(r.settings) as Pick<
        TelemetryDestination,
        "metrics" | "logs" | "traces"
      >;
      return {
        id: r.id,
        name: r.name,
        selector: r.selector,
        priority: Number(r.priority),
        metrics: settings.metrics,
        logs: settings.logs,
        traces: settings.traces,
        createdAt: r.created_at,
      };
    });
  }

  async deleteTelemetryDestination(id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("telemetry_destinations")
      .where("id", "=", id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async appendAudit(entry: Omit<AuditEntry, "id" | "at">): Promise<AuditEntry> {
    const at = now();
    const row = await this.db
      .insertInto("audit_log")
      .values({
        at,
        actor: entry.actor,
        action: entry.action,
        target: entry.target,
        details: JSON.stringify(entry.details),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return { ...entry, id: Number(row.id), at };
  }

  async listAudit(options: { limit: number; before?: number }): Promise<AuditEntry[]> {
    let query = this.db
      .selectFrom("audit_log")
      .selectAll()
      .orderBy("id", "desc")
      .limit(options.limit);
    if (options.before !== undefined) query = query.where("id", "<", options.before);
    const rows = await query.execute();
    return rows.map((r) => ({
      id: Number(r.id),
      at: r.at,
      actor: r.actor,
      action: r.action,
      target: r.target,
      details: JSON.parse(r.details) as JsonValue,
    }));
  }

  async close(): Promise<void> {
    await this.db.destroy();
    await this.onClose();
  }
}
