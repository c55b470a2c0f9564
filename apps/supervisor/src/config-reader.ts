import { parseDuration } from "./duration.js";
import { SupervisorError } from "./errors.js";

/**
 * Typed, path-aware reading of the parsed YAML of `supervisor.yaml`. Every
 * failure names the full key path (`agent::config_apply_timeout`, the Go
 * supervisor's notation) so the operator knows what to fix.
 */
export class ConfigReader {
  constructor(private readonly env: Readonly<Record<string, string | undefined>>) {}

  fail(path: string, problem: string): never {
    throw new SupervisorError("INVALID_CONFIG", `${path}: ${problem}`);
  }

  /** A mapping whose keys must all be in `known`; absent or null reads as empty. */
  section(value: unknown, path: string, known: readonly string[]): Record<string, unknown> {
    if (value === undefined || value === null) return {};
    if (typeof value !== "object" || Array.isArray(value)) this.fail(path, "must be a mapping");
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!known.includes(key)) {
        const where = path === "" ? key : `${path}::${key}`;
        this.fail(where, `unknown key (known keys here: ${known.join(", ")})`);
      }
    }
    return record;
  }

  string(value: unknown, path: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === "number" || typeof value === "boolean") return this.expand(String(value));
    if (typeof value !== "string") this.fail(path, "must be a string");
    return this.expand(value);
  }

  bool(value: unknown, path: string, fallback: boolean): boolean {
    if (value === undefined || value === null) return fallback;
    if (typeof value === "boolean") return value;
    if (typeof value === "string") {
      const text = this.expand(value).trim().toLowerCase();
      if (text === "true") return true;
      if (text === "false") return false;
    }
    this.fail(path, `must be true or false, got ${JSON.stringify(value)}`);
  }

  durationMs(value: unknown, path: string, fallback: number, allowZero = false): number {
    const text = this.string(value, path);
    if (text === undefined) return fallback;
    const ms = parseDuration(text);
    if (ms === undefined) this.fail(path, `"${text}" is not a duration (use e.g. 500ms, 5s, 1m)`);
    if (ms === 0 && !allowZero) this.fail(path, "must be positive");
    return ms;
  }

  integer(value: unknown, path: string, fallback: number, min: number, max: number): number {
    if (value === undefined || value === null) return fallback;
    const number = typeof value === "string" ? Number(this.expand(value)) : value;
    if (typeof number !== "number" || !Number.isInteger(number) || number < min || number > max) {
      this.fail(path, `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
    return number;
  }

  stringList(value: unknown, path: string): string[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) this.fail(path, "must be a list of strings");
    return value.map((item, index) => {
      const text = this.string(item, `${path}[${index}]`);
      if (text === undefined) this.fail(`${path}[${index}]`, "must be a string");
      return text;
    });
  }

  /** A string-to-string map; list values (HTTP headers in Go's `http.Header` form) are joined. */
  stringMap(value: unknown, path: string, joinLists = false): Record<string, string> {
    if (value === undefined || value === null) return {};
    if (typeof value !== "object" || Array.isArray(value)) this.fail(path, "must be a mapping");
    const out: Record<string, string> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (joinLists && Array.isArray(item)) {
        out[key] = this.stringList(item, `${path}::${key}`).join(", ");
        continue;
      }
      const text = this.string(item, `${path}::${key}`);
      if (text === undefined) this.fail(`${path}::${key}`, "must be a string");
      out[key] = text;
    }
    return out;
  }

  /** `${env:NAME}` and `${NAME}` are replaced by the environment, like the Go supervisor's confmap. */
  private expand(text: string): string {
    return text.replace(/\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      return this.env[name] ?? "";
    });
  }
}
