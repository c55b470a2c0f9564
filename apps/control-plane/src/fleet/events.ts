/**
 * Live fleet events for the SSE stream and the UI: what changed, for which agent.
 */
import type { ConfigStatusEntry } from "../storage/types.js";
import type { AgentView } from "./agent-view.js";

/** One fleet event. */
export type FleetEvent =
  | { readonly type: "agent.connected"; readonly agentId: string; readonly agent: AgentView }
  | { readonly type: "agent.changed"; readonly agentId: string; readonly agent: AgentView }
  | { readonly type: "agent.disconnected"; readonly agentId: string }
  | { readonly type: "agent.renamed"; readonly agentId: string; readonly newAgentId: string }
  | {
      readonly type: "agent.configStatus";
      readonly agentId: string;
      readonly status: ConfigStatusEntry;
    }
  | {
      readonly type: "agent.customMessage";
      readonly agentId: string;
      readonly capability: string;
      readonly messageType: string;
      /** The payload, base64. */
      readonly data: string;
    };

/** A subscriber; must not throw (errors are caught and dropped by the bus). */
export type FleetListener = (event: FleetEvent) => void;

/** Fan-out of fleet events to subscribers. */
export class FleetEvents {
  private readonly listeners = new Set<FleetListener>();

  /** Subscribes; returns the unsubscribe function. */
  subscribe(listener: FleetListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Delivers to every subscriber; a failing subscriber does not stop the others. */
  emit(event: FleetEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A broken subscriber (e.g. a closed SSE stream) must not break the fleet.
      }
    }
  }
}
