/**
 * Numbers and times for people: "10,240 agents", "3 min ago",
 * "2026-11-25 08:01:12". Timestamps from OpAMP are Unix nanoseconds as
 * decimal strings (P-2) and are converted without losing the date.
 */

const numberFormat = new Intl.NumberFormat("en-US");

/** 10240 → "10,240". */
export function formatCount(n: number): string {
  return numberFormat.format(n);
}

/** "1 agent", "3 agents". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** Share as a whole percent, "—" when the total is 0. */
export function percent(part: number, total: number): string {
  if (total === 0) return "—";
  return `${Math.round((part / total) * 100)}%`;
}

const UNITS: readonly [limitSeconds: number, divisor: number, unit: string][] = [
  [60, 1, "s"],
  [3600, 60, "min"],
  [86400, 3600, "h"],
  [86400 * 30, 86400, "d"],
  [86400 * 365, 86400 * 30, "mo"],
  [Number.POSITIVE_INFINITY, 86400 * 365, "y"],
];

/** "just now", "42 s ago", "3 min ago", "in 2 h"; "" for an unparsable time. */
export function formatRelative(at: string | number | Date, now: number = Date.now()): string {
  const t = at instanceof Date ? at.getTime() : typeof at === "number" ? at : Date.parse(at);
  if (!Number.isFinite(t)) return "";
  const seconds = Math.round((now - t) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 5) return "just now";
  for (const [limit, divisor, unit] of UNITS) {
    if (abs < limit) {
      const value = Math.floor(abs / divisor);
      return seconds >= 0 ? `${value} ${unit} ago` : `in ${value} ${unit}`;
    }
  }
  return "";
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** Local "YYYY-MM-DD HH:MM:SS"; "" for an unparsable time. */
export function formatDateTime(at: string | number | Date): string {
  const d = at instanceof Date ? at : new Date(at);
  if (!Number.isFinite(d.getTime())) return "";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Milliseconds of a Unix-nanosecond decimal string; undefined for 0 or garbage (unset, P-1). */
export function nanosToMillis(nanos: string): number | undefined {
  if (!/^\d+$/.test(nanos)) return undefined;
  const ms = Number(BigInt(nanos) / 1_000_000n);
  return ms > 0 ? ms : undefined;
}

/** First 8 hex digits of a hash, "none" when empty. */
export function shortHash(hash: string): string {
  return hash === "" ? "none" : hash.slice(0, 8);
}

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}
