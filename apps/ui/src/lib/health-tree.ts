/**
 * Flattens an agent's `ComponentHealth` tree (spec §4.6, C-24) into rows with
 * a depth, so the detail page can show it as an indented list and highlight
 * every component that is unhealthy or reports an error.
 */
import type { Health } from "../api/types.js";
import { nanosToMillis } from "./format.js";

/** One component of the tree. */
export interface HealthRow {
  /** Path from the root, e.g. "pipelines/metrics/receiver". "" for the root. */
  readonly path: string;
  readonly name: string;
  readonly depth: number;
  readonly healthy: boolean;
  readonly status: string;
  readonly lastError: string;
  /** Unhealthy or carrying an error message. */
  readonly problem: boolean;
  /** Milliseconds since the epoch of the status, when reported. */
  readonly statusTime: number | undefined;
  readonly startTime: number | undefined;
}

/** Rows of the tree, depth first, children sorted by name. */
export function flattenHealth(health: Health, name = "agent"): HealthRow[] {
  const rows: HealthRow[] = [];
  const walk = (node: Health, nodeName: string, path: string, depth: number) => {
    rows.push({
      path,
      name: nodeName,
      depth,
      healthy: node.healthy,
      status: node.status,
      lastError: node.lastError,
      problem: !node.healthy || node.lastError !== "",
      statusTime: nanosToMillis(node.statusTimeUnixNano),
      startTime: nanosToMillis(node.startTimeUnixNano),
    });
    for (const child of Object.keys(node.componentHealthMap).sort()) {
      walk(
        node.componentHealthMap[child]!,
        child,
        path === "" ? child : `${path}/${child}`,
        depth + 1,
      );
    }
  };
  walk(health, name, "", 0);
  return rows;
}

/** Number of components with a problem. */
export function countProblems(rows: readonly HealthRow[]): number {
  return rows.filter((r) => r.problem).length;
}
