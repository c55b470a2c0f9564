/**
 * The logger the client writes to. Same shape as the server library's, so one
 * adapter (pino, console) serves both. Libraries never log on their own
 * (DESIGN §2): the default discards everything.
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const noop = (): void => {};

/** A logger that drops everything; the default. */
export const noopLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
