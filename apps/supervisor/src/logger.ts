import type { Logger } from "@opamp-ts/client";
import type { LogLevel } from "./config.js";

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * The supervisor's log: one JSON object per line on stderr, filtered by
 * `telemetry.logs.level`. Same shape as the client and server libraries'
 * logger so both write through it.
 */
export function jsonLogger(
  level: LogLevel,
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const at =
    (name: LogLevel) =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (ORDER[name] < ORDER[level]) return;
      write(
        `${JSON.stringify({ time: new Date().toISOString(), level: name, msg: message, ...fields })}\n`,
      );
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
