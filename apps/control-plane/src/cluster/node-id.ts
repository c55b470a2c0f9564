/**
 * The node id: which control-plane process holds an agent's session. It must
 * survive a restart, so that a restarting node marks exactly its own earlier
 * sessions disconnected: given by the user, or generated once (host name plus
 * random suffix) and kept in `<data-dir>/node-id`.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { ControlPlaneError } from "../errors.js";

const VALID = /^[A-Za-z0-9._:-]{1,100}$/;

/** Returns `configured` if set, else the id in the data dir, creating it on first start. */
export function resolveNodeId(configured: string | undefined, dataDir: string): string {
  if (configured !== undefined && configured !== "") {
    if (!VALID.test(configured)) {
      throw new ControlPlaneError(
        "CONFIG",
        `node id "${configured}" must be 1-100 letters, digits, '.', '_', ':' or '-'`,
      );
    }
    return configured;
  }
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, "node-id");
  try {
    const id = readFileSync(file, "utf8").trim();
    if (VALID.test(id)) return id;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const host =
    hostname()
      .replace(/[^A-Za-z0-9._-]/g, "-")
      .slice(0, 60) || "node";
  const id = `${host}-${randomBytes(4).toString("hex")}`;
  writeFileSync(file, `${id}\n`);
  return id;
}
