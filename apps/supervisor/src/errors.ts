/** What went wrong, as a stable code callers can branch on. */
export type SupervisorErrorCode =
  /** The supervisor config file is missing, unreadable, or has an unknown key or a bad value. */
  | "INVALID_CONFIG"
  /** The Collector could not be bootstrapped (no description within `agent.bootstrap_timeout`). */
  | "BOOTSTRAP"
  /** The storage directory cannot be read or written. */
  | "STORAGE"
  /** A Collector process could not be started or stopped. */
  | "PROCESS";

/**
 * The one error class of the supervisor (DESIGN §3). Expected outcomes such as
 * a rejected remote config are results, not errors; this is for what the
 * operator must fix.
 */
export class SupervisorError extends Error {
  override readonly name = "SupervisorError";

  constructor(
    readonly code: SupervisorErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
