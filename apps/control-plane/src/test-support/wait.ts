/**
 * Waiting for an eventually-true condition without timed assertions: polls
 * until the check passes, failing only after a generous deadline.
 */
import { setTimeout as sleep } from "node:timers/promises";

/** Polls `check` every 25 ms until it returns a value other than undefined. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}${last !== undefined ? `: ${String(last)}` : ""}`,
      );
    }
    await sleep(25);
  }
}
