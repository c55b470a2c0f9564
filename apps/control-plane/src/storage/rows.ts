/**
 * Row ↔ record conversions shared by the storage methods, and detection of
 * unique-constraint violations in both databases.
 */
import type { ConfigFiles, ConfigOverride, Configuration, ConfigurationVersion } from "./types.js";

/** True for a unique or primary-key violation (PostgreSQL 23505, SQLite constraint codes). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return (
    e?.code === "23505" ||
    e?.code === "SQLITE_CONSTRAINT_UNIQUE" ||
    e?.code === "SQLITE_CONSTRAINT_PRIMARYKEY"
  );
}

/** A configuration row (with its highest version) as a record. */
export function toConfiguration(row: {
  id: string;
  name: string;
  description: string;
  created_at: string;
  latest: unknown;
}): Configuration {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    createdAt: row.created_at,
    latestVersion: Number(row.latest ?? 0),
  };
}

/** A version row as a record. */
export function toVersion(row: {
  configuration_id: string;
  version: number;
  files: string;
  hash: string;
  created_at: string;
  created_by: string;
}): ConfigurationVersion {
  return {
    configurationId: row.configuration_id,
    version: Number(row.version),
    files: JSON.parse(row.files) as ConfigFiles,
    hash: row.hash,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

/** An override row as a record. */
export function toOverride(row: {
  agent_id: string;
  files: string;
  hash: string;
  updated_at: string;
}): ConfigOverride {
  return {
    agentId: row.agent_id,
    files: JSON.parse(row.files) as ConfigFiles,
    hash: row.hash,
    updatedAt: row.updated_at,
  };
}
