/**
 * Storage queries for several nodes on one database: which node owns an
 * agent's session, conditional writes that respect that ownership, and node
 * heartbeats.
 */
import type { Kysely } from "kysely";
import type { Database } from "./schema.js";
import type { AgentRecord, ClusterNode } from "./types.js";

/** Writes the agent record only while `owner` still holds the agent. */
export async function putAgentIfOwner(
  db: Kysely<Database>,
  agent: AgentRecord,
  owner: string,
): Promise<boolean> {
  const result = await db
    .updateTable("agents")
    .set({
      connected: agent.connected ? 1 : 0,
      last_seen_at: agent.lastSeenAt,
      data: JSON.stringify(agent),
      node_id: agent.nodeId ?? null,
    })
    .where("id", "=", agent.id)
    .where("node_id", "=", owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Distinct owners of the agents stored as connected. */
export async function listConnectedOwners(db: Kysely<Database>): Promise<(string | null)[]> {
  const rows = await db
    .selectFrom("agents")
    .select("node_id")
    .distinct()
    .where("connected", "=", 1)
    .execute();
  return rows.map((r) => r.node_id);
}

/** Marks the connected agents of `owner` disconnected, each only if still owned by it. */
export async function disconnectAgentsOf(
  db: Kysely<Database>,
  owner: string | null,
): Promise<string[]> {
  const rows = await db
    .selectFrom("agents")
    .select(["id", "data"])
    .where("connected", "=", 1)
    .where((eb) => (owner === null ? eb("node_id", "is", null) : eb("node_id", "=", owner)))
    .execute();
  const done: string[] = [];
  for (const row of rows) {
    const data = { ...(JSON.parse(row.data) as AgentRecord), connected: false };
    const result = await db
      .updateTable("agents")
      .set({ connected: 0, data: JSON.stringify(data) })
      .where("id", "=", row.id)
      .where("connected", "=", 1)
      .where((eb) => (owner === null ? eb("node_id", "is", null) : eb("node_id", "=", owner)))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) > 0) done.push(row.id);
  }
  return done;
}

/** Upserts a node's heartbeat row. */
export async function heartbeatNode(db: Kysely<Database>, node: ClusterNode): Promise<void> {
  await db
    .insertInto("nodes")
    .values({ id: node.id, started_at: node.startedAt, heartbeat_at: node.heartbeatAt })
    .onConflict((oc) =>
      oc.column("id").doUpdateSet({ started_at: node.startedAt, heartbeat_at: node.heartbeatAt }),
    )
    .execute();
}

/** Every node row, by id. */
export async function listNodes(db: Kysely<Database>): Promise<ClusterNode[]> {
  const rows = await db.selectFrom("nodes").selectAll().orderBy("id").execute();
  return rows.map((r) => ({ id: r.id, startedAt: r.started_at, heartbeatAt: r.heartbeat_at }));
}

/** Removes a node's row. */
export async function deleteNode(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom("nodes").where("id", "=", id).execute();
}
