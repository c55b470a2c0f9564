import { appendFileSync } from "node:fs";
import type { Logger } from "@opamp-ts/client";
import type { LogLevel } from "./config.js";

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Write one line to `stdout`, `stderr` or (appending) a file; a failing file never stops the supervisor. */
function writeTo(path: string, line: string): void {
  if (path === "stdout") process.stdout.write(line);
  else if (path === "stderr") process.stderr.write(line);
  else {
    try {
      appendFileSync(path, line);
    } catch {
      process.stderr.write(line);
    }
  }
}

/**
 * The supervisor's log: one JSON object per line, filtered by
 * `telemetry.logs.level`, written to each of `telemetry.logs.output_paths`
 * (default stderr). Same shape as the client and server libraries' logger so
 * both write through it.
 */
export function jsonLogger(level: LogLevel, outputPaths: readonly string[] = ["stderr"]): Logger {
  const at =
    (name: LogLevel) =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (ORDER[name] < ORDER[level]) return;
      const line = `${JSON.stringify({ time: new Date().toISOString(), level: name, msg: message, ...fields })}\n`;
      for (const path of outputPaths) writeTo(path, line);
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
