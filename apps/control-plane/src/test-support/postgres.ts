/**
 * A throwaway PostgreSQL for tests: one cluster per test process (started
 * lazily, stopped at exit), a fresh database per caller. `OPAMP_TEST_POSTGRES_URL`
 * points at an existing server instead. Missing binaries are a loud failure,
 * never a skip: CI installs Debian's `postgresql` package.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

const PG_BIN_DIRS = [
  "/usr/lib/postgresql/17/bin",
  "/usr/lib/postgresql/16/bin",
  "/usr/lib/postgresql/15/bin",
];

interface Cluster {
  readonly adminUrl: string;
  stop(): void;
}

let cluster: Promise<Cluster> | undefined;

function findBinDir(): string {
  const dir = PG_BIN_DIRS.find((d) => existsSync(join(d, "pg_ctl")));
  if (dir === undefined) {
    throw new Error(
      `PostgreSQL binaries not found in ${PG_BIN_DIRS.join(", ")}: install Debian's postgresql package or set OPAMP_TEST_POSTGRES_URL`,
    );
  }
  return dir;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function postgresIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
  return { uid, gid };
}

/** Runs a PostgreSQL binary, as the `postgres` OS user when we are root (initdb refuses root). */
function runPg(bin: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const [cmd, cmdArgs] = asRoot ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args];
  const result = spawnSync(cmd, cmdArgs, { encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`${bin} ${args.join(" ")} failed: ${result.stderr || result.stdout}`);
  }
}

async function startCluster(): Promise<Cluster> {
  const bin = findBinDir();
  const dir = mkdtempSync(join(tmpdir(), "opamp-pg-"));
  chmodSync(dir, 0o700);
  if (process.getuid?.() === 0) {
    const { uid, gid } = postgresIds();
    chownSync(dir, uid, gid);
  }
  const dataDir = join(dir, "data");
  const password = randomBytes(12).toString("hex");
  const pwFile = join(dir, "pw");
  execFileSync("sh", ["-c", `printf %s '${password}' > '${pwFile}'`]);
  if (process.getuid?.() === 0) {
    const { uid, gid } = postgresIds();
    chownSync(pwFile, uid, gid);
  }
  runPg(join(bin, "initdb"), [
    "-D",
    dataDir,
    "-U",
    "opamp",
    "--pwfile",
    pwFile,
    "-A",
    "scram-sha-256",
    "--no-sync",
    "-E",
    "UTF8",
  ]);
  const port = await freePort();
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c max_connections=200`;
  runPg(join(bin, "pg_ctl"), ["-D", dataDir, "-o", options, "-l", join(dir, "log"), "-w", "start"]);
  const stop = (): void => {
    spawnSync(
      process.getuid?.() === 0 ? "runuser" : join(bin, "pg_ctl"),
      process.getuid?.() === 0
        ? ["-u", "postgres", "--", join(bin, "pg_ctl"), "-D", dataDir, "-m", "immediate", "stop"]
        : ["-D", dataDir, "-m", "immediate", "stop"],
    );
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", stop);
  return { adminUrl: `postgres://opamp:${password}@127.0.0.1:${port}/postgres`, stop };
}

/**
 * A URL of a fresh, empty database. The cluster is shared by every caller in
 * this process and removed when the process exits.
 */
export async function freshPostgresDatabase(): Promise<string> {
  const base = process.env.OPAMP_TEST_POSTGRES_URL;
  let adminUrl: string;
  if (base !== undefined && base !== "") {
    adminUrl = base;
  } else {
    cluster ??= startCluster();
    adminUrl = (await cluster).adminUrl;
  }
  const name = `opamp_test_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
