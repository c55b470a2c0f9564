/**
 * The admin token of the REST API: given by the user, or generated once and
 * kept in `<data-dir>/admin-token` with mode 0600 so only the server's user
 * can read it.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The token and, when generated or read from disk, where it is kept. */
export interface AdminToken {
  readonly token: string;
  readonly file: string | undefined;
}

/** Returns `configured` if set, else the token in the data dir, creating it on first start. */
export function resolveAdminToken(configured: string | undefined, dataDir: string): AdminToken {
  if (configured !== undefined && configured !== "") return { token: configured, file: undefined };
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, "admin-token");
  try {
    const token = readFileSync(file, "utf8").trim();
    if (token !== "") return { token, file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const token = randomBytes(32).toString("base64url");
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { token, file };
}
