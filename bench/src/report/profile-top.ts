/**
 * Summarise a V8 `.cpuprofile` (from `node --cpu-prof`): the functions with
 * the most self time, and the most total (inclusive) time, as a table.
 *
 *   node --conditions=source --import tsx bench/src/report/profile-top.ts <file.cpuprofile> [N]
 */
import { readFileSync } from "node:fs";

/** The parts of a V8 CPU profile this summary reads. */
export interface CpuProfile {
  readonly nodes: ReadonlyArray<{
    readonly id: number;
    readonly callFrame: {
      readonly functionName: string;
      readonly url: string;
      readonly lineNumber: number;
    };
    readonly children?: readonly number[];
  }>;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** One row of the summary. */
export interface HotSpot {
  readonly name: string;
  readonly selfMs: number;
  readonly totalMs: number;
  readonly selfShare: number;
}

function label(frame: CpuProfile["nodes"][number]["callFrame"]): string {
  const file = frame.url
    .replace(/^file:\/\//, "")
    .replace(/^.*\/(node_modules|packages|apps|bench)\//, "$1/");
  return `${frame.functionName || "(anonymous)"} ${file}:${frame.lineNumber + 1}`;
}

/** Self and inclusive time per function (by name and location), most self time first. */
export function hotSpots(profile: CpuProfile, limit = 25): HotSpot[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    all += dt;
    const node = byId.get(id);
    if (node === undefined) return;
    const key = label(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (n === undefined) break;
      const k = label(n.callFrame);
      if (!seen.has(k)) {
        seen.add(k);
        total.set(k, (total.get(k) ?? 0) + dt);
      }
    }
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, selfMs]) => ({
      name,
      selfMs,
      totalMs: total.get(name) ?? 0,
      selfShare: all > 0 ? selfMs / all : 0,
    }));
}

/** Inclusive time of every function, most first (where the time goes, callers included). */
export function inclusive(profile: CpuProfile, limit = 25): Array<[string, number]> {
  const spots = hotSpots(profile, Number.POSITIVE_INFINITY);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  for (const n of byId.values()) totals.set(label(n.callFrame), 0);
  for (const s of spots) totals.set(s.name, s.totalMs);
  return [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit);
}

if (
  process.argv[1] !== undefined &&
  import.meta.url.endsWith(process.argv[1].split("/").pop() as string)
) {
  const file = process.argv[2];
  if (file === undefined) {
    process.stderr.write("usage: profile-top.ts <file.cpuprofile> [N]\n");
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const n = Number(process.argv[3] ?? 25);
  process.stdout.write("self ms | self % | total ms | function\n");
  for (const s of hotSpots(profile, n)) {
    process.stdout.write(
      `${s.selfMs.toFixed(0).padStart(7)} | ${(s.selfShare * 100).toFixed(1).padStart(5)}% | ${s.totalMs.toFixed(0).padStart(8)} | ${s.name}\n`,
    );
  }
}
