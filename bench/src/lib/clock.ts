/**
 * A clock with sub-millisecond resolution that every process on the machine
 * shares: the orchestrator stamps a commit, the load generator stamps what
 * its agents receive, and the difference is a latency. Linux's
 * CLOCK_MONOTONIC (`process.hrtime`) is system-wide; the epoch-based
 * `performance.timeOrigin + performance.now()` is not safe here, because each
 * process fixes its origin from the wall clock at start and the two clocks
 * drift apart by hundreds of milliseconds on a busy VM.
 */

/** Milliseconds on the system-wide monotonic clock, fractional. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
