/**
 * Retry timing: exponential backoff with jitter (spec §"Establishing
 * connection", C-37) and the server's throttling hints: HTTP `Retry-After`
 * in both delta-seconds and HTTP-date form, and `RetryInfo` nanoseconds (P-26).
 */

/** Backoff tuning; defaults suit production, tests pass small values. */
export interface BackoffOptions {
  /** First delay after a failure. Default 1 000 ms. */
  readonly initialMs?: number;
  /** Upper bound of a delay before jitter. Default 5 minutes. */
  readonly maxMs?: number;
  /** Growth factor between attempts. Default 2. */
  readonly multiplier?: number;
  /** Fraction of the delay randomised, 0..1. Default 0.5 (delay × [0.5, 1.0]). */
  readonly jitter?: number;
}

/** Exponential backoff with jitter. One instance per retry loop; reset on success. */
export class Backoff {
  private attempt = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly multiplier: number;
  private readonly jitter: number;

  constructor(
    options: BackoffOptions = {},
    private readonly random: () => number = Math.random,
  ) {
    this.initialMs = options.initialMs ?? 1_000;
    this.maxMs = options.maxMs ?? 300_000;
    this.multiplier = options.multiplier ?? 2;
    this.jitter = Math.min(Math.max(options.jitter ?? 0.5, 0), 1);
  }

  /** The delay before the next attempt; each call grows the next one. */
  next(): number {
    const base = Math.min(this.initialMs * this.multiplier ** this.attempt, this.maxMs);
    this.attempt++;
    return Math.round(base * (1 - this.jitter * this.random()));
  }

  /** Number of delays handed out since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** Start again from the initial delay (after a successful connection). */
  reset(): void {
    this.attempt = 0;
  }
}

/**
 * Parse an HTTP `Retry-After` value (RFC 9110 §10.2.3): delta-seconds or an
 * HTTP-date. Returns milliseconds to wait, or `undefined` when absent or
 * unparseable. A date in the past yields 0.
 */
export function parseRetryAfter(
  value: string | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** `RetryInfo.retry_after_nanoseconds` (uint64) to milliseconds, rounding up. */
export function retryInfoToMs(nanoseconds: bigint): number {
  const ms = (nanoseconds + 999_999n) / 1_000_000n;
  return ms > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(ms);
}

/**
 * Delay before retrying after throttling: the larger of our own backoff and
 * the server's hint (P-26), so a server cannot make us retry faster than our
 * backoff would.
 */
export function throttleDelay(backoff: Backoff, hintMs: number | undefined): number {
  const own = backoff.next();
  return hintMs === undefined ? own : Math.max(own, hintMs);
}
