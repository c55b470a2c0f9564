import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { OwnTelemetry } from "./collector-config.js";
import { SupervisorError } from "./errors.js";

/** What the supervisor keeps besides the client's own state (`client-state.json`). */
export interface SupervisorState {
  /** Base64 protobuf of the last remote config that the Collector ran healthy. */
  readonly lastGoodRemoteConfig?: string;
  /** Accepted own-telemetry destinations (spec §"Own Telemetry Reporting"). */
  readonly ownTelemetry?: OwnTelemetry;
  /** The Collector binary in use after an upgrade, and the one it replaced. */
  readonly agentBinary?: { readonly current: string; readonly previous?: string };
}

/** Paths inside `storage.directory`. */
export interface StoragePaths {
  readonly directory: string;
  readonly clientState: string;
  readonly supervisorState: string;
  readonly effectiveConfig: string;
  readonly bootstrapConfig: string;
  readonly agentLog: string;
  readonly binaries: string;
}

/** The file layout of `storage.directory` (see docs/supervisor.md, "Persistence"). */
export function storagePaths(directory: string): StoragePaths {
  return {
    directory,
    clientState: join(directory, "client-state.json"),
    supervisorState: join(directory, "supervisor-state.json"),
    effectiveConfig: join(directory, "effective.yaml"),
    bootstrapConfig: join(directory, "bootstrap.yaml"),
    agentLog: join(directory, "agent.log"),
    binaries: join(directory, "bin"),
  };
}

/**
 * Write a file atomically: a temporary file in the same directory, fsync,
 * then rename over the target, so a crash leaves the old or the new content,
 * never a torn file. Mode 0600: configs hold the per-run token and may hold
 * credentials.
 */
export async function writeFileAtomic(
  path: string,
  content: string | Uint8Array,
  mode = 0o600,
): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  const handle = await open(temporary, "w", mode);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** The supervisor's own persisted state, with atomic saves. */
export class SupervisorStore {
  private state: SupervisorState = {};

  constructor(readonly paths: StoragePaths) {}

  /** Create the storage directory and read the state; a corrupt file is an error, never silently dropped. */
  async open(): Promise<SupervisorState> {
    try {
      await mkdir(this.paths.directory, { recursive: true, mode: 0o700 });
      await mkdir(this.paths.binaries, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new SupervisorError("STORAGE", `cannot create ${this.paths.directory}`, {
        cause: error,
      });
    }
    let text: string;
    try {
      text = await readFile(this.paths.supervisorState, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return this.state;
      throw new SupervisorError("STORAGE", `cannot read ${this.paths.supervisorState}`, {
        cause: error,
      });
    }
    try {
      this.state = JSON.parse(text) as SupervisorState;
    } catch (error) {
      throw new SupervisorError("STORAGE", `${this.paths.supervisorState} is not valid JSON`, {
        cause: error,
      });
    }
    return this.state;
  }

  get current(): SupervisorState {
    return this.state;
  }

  async update(patch: Partial<SupervisorState>): Promise<void> {
    this.state = { ...this.state, ...patch };
    await writeFileAtomic(this.paths.supervisorState, `${JSON.stringify(this.state, null, 2)}\n`);
  }
}
