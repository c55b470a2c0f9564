import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { OpampClientError } from "./errors.js";
import type { OpampConnectionSettings } from "./options.js";

/** Outcome of the last remote config, as persisted (C-22). */
export type PersistedConfigStatus = "applying" | "applied" | "failed";

/** A package the agent has, keyed by name in {@link PersistedPackages}. */
export interface PersistedPackage {
  readonly type: "topLevel" | "addon";
  readonly version: string;
  /** Base64 of the server's `PackageAvailable.hash`. */
  readonly hash: string;
}

/** The last install failure of a package, so the same offer is not retried (C-15). */
export interface PersistedPackageFailure {
  readonly version: string;
  readonly hash: string;
  readonly error: string;
}

/** Package state that survives restarts (§6.3). */
export interface PersistedPackages {
  /** Base64 of the last `all_packages_hash` received. */
  readonly allPackagesHash?: string;
  readonly installed: Readonly<Record<string, PersistedPackage>>;
  readonly failed?: Readonly<Record<string, PersistedPackageFailure>>;
}

/** Connection-settings state: the committed set, a candidate under test, the last offer's status. */
export interface PersistedConnectionSettings {
  /** The OpAMP settings last verified by a clean first reply (C-31 step 4). */
  readonly committed?: OpampConnectionSettings;
  /** Settings offered but not yet verified; resumed at start-up (C-31 step 1). */
  readonly candidate?: OpampConnectionSettings;
  /** Base64 of the last `ConnectionSettingsOffers.hash` processed (C-27). */
  readonly lastHash?: string;
  readonly status?: PersistedConfigStatus;
  readonly errorMessage?: string;
}

/**
 * Everything the client keeps across restarts. JSON-safe: bytes are base64,
 * the remote config is its protobuf encoding in base64.
 */
export interface PersistedState {
  /** Canonical UUID text of the instance uid (C-1, P-16). */
  readonly instanceUid?: string;
  readonly remoteConfig?: {
    /** Base64 protobuf of the last `AgentRemoteConfig` received. */
    readonly config: string;
    readonly status: PersistedConfigStatus;
    readonly errorMessage?: string;
  };
  readonly connectionSettings?: PersistedConnectionSettings;
  readonly packages?: PersistedPackages;
  /** PKCS#8 PEM of the key behind the last certificate request (C-33). */
  readonly csrKey?: string;
}

/**
 * Where the client keeps {@link PersistedState}. `durable` tells whether the
 * state survives a restart: a client with ephemeral storage refuses
 * certificate offers (C-31), because it would lose the key on restart.
 */
export interface StateStore {
  readonly durable: boolean;
  /** The stored state, or `undefined` when nothing was stored yet. */
  load(): Promise<PersistedState | undefined>;
  /** Replace the stored state. Must be atomic: a crash leaves the old or the new state. */
  save(state: PersistedState): Promise<void>;
}

/** A state store in memory: for tests and agents that do not need to resume. */
export class MemoryStateStore implements StateStore {
  readonly durable = false;
  private state: PersistedState | undefined;

  constructor(initial?: PersistedState) {
    this.state = initial === undefined ? undefined : structuredClone(initial);
  }

  async load(): Promise<PersistedState | undefined> {
    return this.state === undefined ? undefined : structuredClone(this.state);
  }

  async save(state: PersistedState): Promise<void> {
    this.state = structuredClone(state);
  }
}

/**
 * A state store in one JSON file, written atomically: temp file in the same
 * directory, fsync, rename over the old file, fsync the directory. A corrupt
 * file is reported as `STATE_STORE` and left untouched so nothing is lost.
 */
export class FileStateStore implements StateStore {
  readonly durable = true;

  constructor(readonly path: string) {}

  async load(): Promise<PersistedState | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new OpampClientError("STATE_STORE", `cannot read state file ${this.path}`, {
        cause: error,
      });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new OpampClientError("STATE_STORE", `state file ${this.path} is not valid JSON`, {
        cause: error,
      });
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new OpampClientError("STATE_STORE", `state file ${this.path} does not hold an object`);
    }
    return parsed as PersistedState;
  }

  async save(state: PersistedState): Promise<void> {
    const dir = dirname(this.path);
    const temp = `${this.path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      await mkdir(dir, { recursive: true });
      const handle = await open(temp, "w", 0o600);
      try {
        await handle.writeFile(`${JSON.stringify(state, null, 2)}\n`, "utf8");
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.path);
      await syncDirectory(dir);
    } catch (error) {
      await rm(temp, { force: true });
      throw new OpampClientError("STATE_STORE", `cannot write state file ${this.path}`, {
        cause: error,
      });
    }
  }
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}
