const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parse a Go-style duration (`"5s"`, `"250ms"`, `"1m30s"`, `"1.5s"`) into
 * milliseconds, as the Go supervisor's `time.Duration` keys accept. A bare
 * number is not accepted: Go would read it as nanoseconds, which is never
 * what a user means. Returns `undefined` for anything unparsable.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  if (trimmed === "0") return 0;
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
  let total = 0;
  let index = 0;
  while (index < trimmed.length) {
    part.lastIndex = index;
    const match = part.exec(trimmed);
    if (match === null) return undefined;
    total += Number(match[1]) * UNITS[match[2]!]!;
    index = part.lastIndex;
  }
  return Math.round(total);
}
