import { newInstanceUid, parseInstanceUid } from "@opamp-ts/protocol";
import type { OpampClientError } from "./errors.js";
import { toClientError } from "./errors.js";
import type { PersistedState, StateStore } from "./state-store.js";

/**
 * The client's view of its persisted state: changes apply in memory at once
 * and are written to the store in order, one write at a time, so a later
 * snapshot never lands before an earlier one (C-22). Write failures are
 * reported, never thrown into background loops.
 */
export class StateKeeper {
  private current: PersistedState = {};
  private writes: Promise<void> = Promise.resolve();

  constructor(
    readonly store: StateStore,
    private readonly onError: (error: OpampClientError) => void,
  ) {}

  get state(): PersistedState {
    return this.current;
  }

  /** Read the stored state; throws `STATE_STORE` when it cannot be read. */
  async load(): Promise<PersistedState> {
    try {
      this.current = (await this.store.load()) ?? {};
    } catch (error) {
      throw toClientError("STATE_STORE", error, "cannot load the client state");
    }
    return this.current;
  }

  /**
   * The instance uid to use (C-1): the configured one, else the stored one,
   * else a new UUID v7. A stored value that does not parse is reported and
   * replaced.
   */
  instanceUid(configured: Uint8Array | undefined): Uint8Array {
    if (configured !== undefined) return configured;
    if (this.current.instanceUid !== undefined) {
      try {
        return parseInstanceUid(this.current.instanceUid);
      } catch (error) {
        this.onError(
          toClientError("STATE_STORE", error, "stored instance uid is invalid; generating one"),
        );
      }
    }
    return newInstanceUid();
  }

  /** Merge `patch` into the state and queue a write; resolves once written. */
  update(patch: Partial<PersistedState>): Promise<void> {
    this.current = { ...this.current, ...patch };
    const snapshot = this.current;
    this.writes = this.writes.then(() =>
      this.store.save(snapshot).catch((error: unknown) => {
        this.onError(toClientError("STATE_STORE", error, "cannot save the client state"));
      }),
    );
    return this.writes;
  }

  /** Resolves when every queued write has finished. */
  flushed(): Promise<void> {
    return this.writes;
  }
}
