/**
 * The three servers the benchmarks compare, each started as its own process
 * so its memory and CPU are measured alone: (a) the bare `@opamp-ts/server`
 * library, (b) the `opamp-server` control plane on SQLite, (c) an opamp-go
 * server (`bench/go/cmd/benchserver`). All expose the same operations here:
 * count connected agents, push a new config to everyone, stop.
 */
import { type ChildProcess, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { nowMs } from "../lib/clock.js";
import { nodeScript, REPO_ROOT, spawnLimited, stopProcess, waitForLine } from "../lib/spawn.js";

/** Which server. */
export type TargetKind = "library" | "control-plane" | "opamp-go";

/** Every target, in report order. */
export const TARGET_KINDS: readonly TargetKind[] = ["library", "control-plane", "opamp-go"];

/** How to start a target. */
export interface TargetOptions {
  /** OpAMP port; 0 picks one (a restart passes the first port again). */
  readonly port?: number;
  /** CPUs to pin the server to. */
  readonly cpus?: string;
  /** Node targets: write a CPU profile into this directory on exit. */
  readonly cpuProfileDir?: string;
  /** Control plane: keep the data directory of a previous start (restart). */
  readonly keepData?: boolean;
  /** Library target, experiment: listen with this accept backlog instead of Node's 511. */
  readonly backlog?: number;
}

/** The outcome of a push, as the orchestrator saw it. */
export interface PushOutcome {
  /** When the orchestrator asked for the change (ms since epoch). */
  readonly committedAt: number;
  /** Commit→socket-write times measured inside the server, when it can tell. */
  readonly serverWriteMs: number[] | undefined;
}

/** A running target. */
export interface RunningTarget {
  readonly kind: TargetKind;
  readonly pid: number;
  readonly port: number;
  readonly wsUrl: string;
  readonly httpUrl: string;
  /** Bearer token agents must send, if any. */
  readonly agentToken: string | undefined;
  /** Agents the server counts as connected. */
  connected(): Promise<number>;
  /** Memory break-down the server reports about itself (MiB), where it can. */
  memory(): Promise<Record<string, number>>;
  /** Make `files` the config of every agent and push it to the connected ones. */
  push(files: Record<string, string>): Promise<PushOutcome>;
  /** Lines on stderr at error level since start. */
  errorLines(): number;
  stop(): Promise<void>;
}

const WORK_DIR = join(REPO_ROOT, "bench", ".work");
const GO_BINARY = join(REPO_ROOT, "bench", ".bin", "benchserver");
const ADMIN_TOKEN = "bench-admin-token";

/** Build the opamp-go server when missing; returns the binary path. */
export function ensureGoServer(): string {
  if (existsSync(GO_BINARY)) return GO_BINARY;
  const result = spawnSync("go", ["build", "-o", GO_BINARY, "./cmd/benchserver"], {
    cwd: join(REPO_ROOT, "bench", "go"),
    stdio: "inherit",
  });
  if (result.status !== 0) throw new Error("go build of bench/go/cmd/benchserver failed");
  return GO_BINARY;
}

function profileFlags(options: TargetOptions): string[] {
  return options.cpuProfileDir !== undefined
    ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`]
    : [];
}

function countErrors(child: ChildProcess): () => number {
  let errors = 0;
  let tail = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    const lines = (tail + chunk.toString("utf8")).split("\n");
    tail = lines.pop() ?? "";
    for (const line of lines) {
      // pino JSON: level 50 = error, 60 = fatal; anything else on stderr that says error.
      if (/"level":(50|60)/.test(line) || /^error/i.test(line)) errors++;
    }
  });
  return () => errors;
}

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok)
    throw new Error(`${init?.method ?? "GET"} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Targets that print `{"event":"listening","opampUrl",…,"controlUrl"}` and speak the bench control API. */
async function startWithControlApi(
  kind: TargetKind,
  argv: string[],
  options: TargetOptions,
): Promise<RunningTarget> {
  const child = spawnLimited(argv, options.cpus !== undefined ? { cpus: options.cpus } : {});
  const errorLines = countErrors(child);
  const output = await waitForLine(child, /"event":"listening"/, 60_000).catch(async (error) => {
    await stopProcess(child, 5000);
    throw error;
  });
  const info = JSON.parse(output.split("\n").pop() as string) as {
    opampUrl: string;
    opampHttpUrl: string;
    controlUrl: string;
  };
  child.stdout?.resume();
  return {
    kind,
    pid: child.pid as number,
    port: Number(new URL(info.opampUrl).port),
    wsUrl: info.opampUrl,
    httpUrl: info.opampHttpUrl,
    agentToken: undefined,
    connected: async () =>
      (await getJson<{ connections: number }>(`${info.controlUrl}/stats`)).connections,
    memory: async () => {
      const stats = await getJson<{ memory?: Record<string, number> }>(`${info.controlUrl}/stats`);
      return Object.fromEntries(
        Object.entries(stats.memory ?? {}).map(([k, v]) => [`${k}MiB`, v / 2 ** 20]),
      );
    },
    push: async (files) => {
      const committedAt = nowMs();
      const result = await getJson<{ writeMs?: number[] }>(`${info.controlUrl}/push`, {
        method: "POST",
        body: JSON.stringify({ files }),
      });
      return { committedAt, serverWriteMs: result.writeMs };
    },
    errorLines,
    stop: () => stopProcess(child),
  };
}

async function startControlPlane(options: TargetOptions): Promise<RunningTarget> {
  const dataDir = join(WORK_DIR, "control-plane-data");
  if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const argv = [
    ...nodeScript("apps/control-plane/src/bin.ts", profileFlags(options)),
    "--opamp-address",
    `127.0.0.1:${options.port ?? 0}`,
    "--http-address",
    "127.0.0.1:0",
    "--data-dir",
    dataDir,
    "--admin-token",
    ADMIN_TOKEN,
    "--log-level",
    "warn",
  ];
  const child = spawnLimited(argv, options.cpus !== undefined ? { cpus: options.cpus } : {});
  const errorLines = countErrors(child);
  const text = await waitForLine(child, /REST API:/, 300_000).catch(async (error) => {
    await stopProcess(child, 5000);
    throw error;
  });
  child.stdout?.resume();
  const api = /REST API:\s+(\S+)/.exec(text)?.[1];
  const ws = /OpAMP endpoint:\s+(\S+) \(plain HTTP: (\S+)\)/.exec(text);
  if (api === undefined || ws === null)
    throw new Error(`cannot read the control plane's URLs from: ${text}`);
  const wsUrl = (ws[1] as string).replace("localhost", "127.0.0.1");
  const httpUrl = (ws[2] as string).replace("localhost", "127.0.0.1");
  const auth = { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" };
  let configurationId: string | undefined;
  return {
    kind: "control-plane",
    pid: child.pid as number,
    port: Number(new URL(wsUrl).port),
    wsUrl,
    httpUrl,
    agentToken: undefined,
    connected: async () => {
      const res = await fetch(api.replace(/\/api\/v1$/, "/metrics"), { headers: auth });
      const m = /opamp_agents\{state="connected"\} (\d+)/.exec(await res.text());
      return m ? Number(m[1]) : 0;
    },
    memory: async () => ({}),
    push: async (files) => {
      const body = Object.fromEntries(
        Object.entries(files).map(([name, text]) => [
          name,
          { body: text, contentType: "text/yaml" },
        ]),
      );
      if (configurationId === undefined) {
        const committedAt = nowMs();
        const created = await getJson<{ id: string }>(`${api}/configurations`, {
          method: "POST",
          headers: auth,
          body: JSON.stringify({ name: `bench-${Date.now()}`, files: body }),
        });
        configurationId = created.id;
        await getJson(`${api}/assignments`, {
          method: "POST",
          headers: auth,
          body: JSON.stringify({ configurationId, selector: "", priority: 0 }),
        });
        return { committedAt, serverWriteMs: undefined };
      }
      const committedAt = nowMs();
      await getJson(`${api}/configurations/${configurationId}/versions`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ files: body }),
      });
      return { committedAt, serverWriteMs: undefined };
    },
    errorLines,
    stop: () => stopProcess(child, 30_000),
  };
}

/** Start one target; resolves once it accepts agents. */
export async function startTarget(
  kind: TargetKind,
  options: TargetOptions = {},
): Promise<RunningTarget> {
  mkdirSync(WORK_DIR, { recursive: true });
  switch (kind) {
    case "library":
      return startWithControlApi(
        kind,
        [
          ...nodeScript("bench/src/targets/library-server.ts", profileFlags(options)),
          "--port",
          String(options.port ?? 0),
          ...(options.backlog !== undefined ? ["--backlog", String(options.backlog)] : []),
        ],
        options,
      );
    case "opamp-go":
      return startWithControlApi(
        kind,
        [ensureGoServer(), "-port", String(options.port ?? 0)],
        options,
      );
    case "control-plane":
      return startControlPlane(options);
  }
}
