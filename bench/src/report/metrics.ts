/**
 * Which numbers of each scenario the report shows, how they are labelled,
 * and which way is better; the first one of each scenario is charted.
 */
import type { ScenarioName } from "../scenarios/result.js";

/** One reported metric. */
export interface MetricSpec {
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  readonly better: "lower" | "higher";
  readonly digits: number;
}

/** Reported metrics per scenario, in table order. */
export const REPORTED: Readonly<Record<ScenarioName, readonly MetricSpec[]>> = {
  capacity: [
    { key: "rssPerAgentKiB", label: "RSS per agent", unit: "KiB", better: "lower", digits: 1 },
    { key: "rssMiB", label: "server RSS with all agents", unit: "MiB", better: "lower", digits: 0 },
    { key: "rssIdleMiB", label: "server RSS idle", unit: "MiB", better: "lower", digits: 0 },
    {
      key: "cpuCores",
      label: "CPU at 30 s heartbeats",
      unit: "% of a core",
      better: "lower",
      digits: 1,
    },
    { key: "agentsReady", label: "agents connected", unit: "", better: "higher", digits: 0 },
    { key: "connectSeconds", label: "time to connect all", unit: "s", better: "lower", digits: 1 },
  ],
  throughput: [
    {
      key: "reportsPerSecond",
      label: "status reports per second",
      unit: "/s",
      better: "higher",
      digits: 0,
    },
    { key: "serverCpuCores", label: "server CPU", unit: "% of a core", better: "lower", digits: 0 },
    {
      key: "loadgenCpuCores",
      label: "load generator CPU",
      unit: "% of a core",
      better: "lower",
      digits: 0,
    },
    { key: "serverRssMiB", label: "server RSS", unit: "MiB", better: "lower", digits: 0 },
    { key: "errors", label: "errors", unit: "", better: "lower", digits: 0 },
  ],
  "push-latency": [
    {
      key: "appliedP99Ms",
      label: "commit→APPLIED acknowledged p99",
      unit: "ms",
      better: "lower",
      digits: 0,
    },
    {
      key: "appliedP95Ms",
      label: "commit→APPLIED acknowledged p95",
      unit: "ms",
      better: "lower",
      digits: 0,
    },
    {
      key: "appliedP50Ms",
      label: "commit→APPLIED acknowledged p50",
      unit: "ms",
      better: "lower",
      digits: 0,
    },
    {
      key: "deliverP99Ms",
      label: "commit→config on agent socket p99",
      unit: "ms",
      better: "lower",
      digits: 0,
    },
    {
      key: "deliverP95Ms",
      label: "commit→config on agent socket p95",
      unit: "ms",
      better: "lower",
      digits: 0,
    },
    {
      key: "deliverP50Ms",
      label: "commit→config on agent socket p50",
      unit: "ms",
      better: "lower",
      digits: 0,
    },
    {
      key: "serverWriteP99Ms",
      label: "commit→server socket write p99 (in-process)",
      unit: "ms",
      better: "lower",
      digits: 0,
    },
    {
      key: "serverWriteP50Ms",
      label: "commit→server socket write p50 (in-process)",
      unit: "ms",
      better: "lower",
      digits: 0,
    },
    { key: "applied", label: "agents that applied", unit: "", better: "higher", digits: 0 },
  ],
  "reconnect-storm": [
    {
      key: "secondsUntilAllBack",
      label: "listening→all agents back",
      unit: "s",
      better: "lower",
      digits: 1,
    },
    {
      key: "secondsFromStopUntilAllBack",
      label: "stop→all agents back",
      unit: "s",
      better: "lower",
      digits: 1,
    },
    {
      key: "startSeconds",
      label: "process start→listening",
      unit: "s",
      better: "lower",
      digits: 1,
    },
    { key: "connectedAfter", label: "agents back", unit: "", better: "higher", digits: 0 },
    {
      key: "agentErrorsAfterRestart",
      label: "agent-side errors after restart",
      unit: "",
      better: "lower",
      digits: 0,
    },
    {
      key: "serverErrorLines",
      label: "server error log lines (storage included)",
      unit: "",
      better: "lower",
      digits: 0,
    },
  ],
};

/** Scale a metric for display (core fractions shown as percent). */
export function displayValue(spec: MetricSpec, value: number): number {
  return spec.unit === "% of a core" ? value * 100 : value;
}
