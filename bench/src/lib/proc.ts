/**
 * Resource usage of one process, read from Linux procfs so each benchmark
 * target is measured alone: resident memory from /proc/<pid>/status and CPU
 * time (user + system) from /proc/<pid>/stat.
 */
import { readFileSync } from "node:fs";

/** Kernel clock ticks per second (USER_HZ); 100 on every mainstream Linux build. */
export const CLOCK_TICKS_PER_SECOND = 100;

/** One reading of a process's memory and CPU time. */
export interface ProcSample {
  /** Resident set size in bytes (VmRSS). */
  readonly rssBytes: number;
  /** Peak resident set size in bytes (VmHWM). */
  readonly peakRssBytes: number;
  /** User + system CPU time in seconds since the process started. */
  readonly cpuSeconds: number;
  /** Threads of the process (Go servers use several). */
  readonly threads: number;
  /** When the sample was taken (ms since the epoch). */
  readonly at: number;
}

/** Parse the `VmRSS`, `VmHWM` and `Threads` lines of /proc/<pid>/status. */
export function parseStatus(text: string): {
  rssBytes: number;
  peakRssBytes: number;
  threads: number;
} {
  const kb = (key: string): number => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, "m").exec(text);
    return m ? Number(m[1]) * 1024 : 0;
  };
  const t = /^Threads:\s+(\d+)/m.exec(text);
  return { rssBytes: kb("VmRSS"), peakRssBytes: kb("VmHWM"), threads: t ? Number(t[1]) : 0 };
}

/**
 * CPU seconds (utime + stime) from a /proc/<pid>/stat line. The command name
 * (field 2) may hold spaces and parentheses, so fields are counted from the
 * last ")".
 */
export function parseStatCpuSeconds(text: string): number {
  const end = text.lastIndexOf(")");
  if (end === -1) throw new Error("not a /proc/<pid>/stat line");
  const fields = text
    .slice(end + 2)
    .trim()
    .split(/\s+/);
  // After the name: state(3) ppid(4) … utime(14) stime(15); index = field - 3.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error("bad stat fields");
  return (utime + stime) / CLOCK_TICKS_PER_SECOND;
}

/** Sample a live process; throws when it is gone. */
export function sampleProcess(pid: number): ProcSample {
  const status = parseStatus(readFileSync(`/proc/${pid}/status`, "utf8"));
  const cpuSeconds = parseStatCpuSeconds(readFileSync(`/proc/${pid}/stat`, "utf8"));
  return { ...status, cpuSeconds, at: Date.now() };
}

/** Share of one core used between two samples (1.0 = one core busy). */
export function cpuCores(before: ProcSample, after: ProcSample): number {
  const wall = (after.at - before.at) / 1000;
  return wall > 0 ? (after.cpuSeconds - before.cpuSeconds) / wall : 0;
}
