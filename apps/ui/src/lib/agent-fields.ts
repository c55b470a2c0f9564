/**
 * The columns people look for, read from an agent's attributes with the
 * OpenTelemetry semantic-convention names (service.*, host.*, os.*), and the
 * health state the overview and the table show.
 */
import type { Agent, Health, JsonValue } from "../api/types.js";

function text(value: JsonValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** An attribute from the identifying attributes, else the non-identifying ones. */
export function attribute(agent: Agent, key: string): string | undefined {
  return (
    text(agent.description.identifyingAttributes[key]) ??
    text(agent.description.nonIdentifyingAttributes[key])
  );
}

/**
 * A readable name: host.name (what tells two collectors of the same type
 * apart), else service.name, else the start of the instance uid.
 */
export function agentName(agent: Agent): string {
  return attribute(agent, "host.name") ?? attribute(agent, "service.name") ?? agent.id.slice(0, 8);
}

/** The agent type (service.name). */
export function agentType(agent: Agent): string {
  return attribute(agent, "service.name") ?? "unknown";
}

/** The agent version (service.version). */
export function agentVersion(agent: Agent): string {
  return attribute(agent, "service.version") ?? "unknown";
}

/** The host (host.name). */
export function agentHost(agent: Agent): string {
  return attribute(agent, "host.name") ?? "";
}

/** The operating system (os.type, else os.description). */
export function agentOs(agent: Agent): string {
  return attribute(agent, "os.type") ?? attribute(agent, "os.description") ?? "unknown";
}

/** Health as one word: unknown when not reported (C-24). */
export type HealthState = "healthy" | "unhealthy" | "unknown";

/** True when any component of the tree is unhealthy or reports an error. */
export function treeHasError(health: Health): boolean {
  if (!health.healthy || health.lastError !== "") return true;
  return Object.values(health.componentHealthMap).some(treeHasError);
}

/** The agent's health state. */
export function healthState(agent: Agent): HealthState {
  if (agent.health === null) return "unknown";
  return treeHasError(agent.health) ? "unhealthy" : "healthy";
}
