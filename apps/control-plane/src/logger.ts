/**
 * The app's pino logger, and an adapter to the `{debug, info, warn, error}(msg, fields)`
 * shape the server library and the fleet take.
 */
import { type Logger as PinoLogger, pino } from "pino";
import type { FleetLogger } from "./fleet/fleet.js";

/** A pino logger writing JSON lines to stderr. */
export function createLogger(level: string): PinoLogger {
  return pino({ level, base: { service: "opamp-server" } }, pino.destination(2));
}

/** The library-facing view of a pino logger. */
export function libraryLogger(logger: PinoLogger): FleetLogger {
  return {
    debug: (msg, fields) => logger.debug(fields ?? {}, msg),
    info: (msg, fields) => logger.info(fields ?? {}, msg),
    warn: (msg, fields) => logger.warn(fields ?? {}, msg),
    error: (msg, fields) => logger.error(fields ?? {}, msg),
  };
}
