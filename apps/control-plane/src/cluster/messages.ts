/**
 * What control-plane nodes tell each other over the pub/sub. Messages name
 * agents by id and let receivers re-read the database, so they stay far
 * below the 8000-byte NOTIFY limit; only status entries and custom message
 * payloads travel inline.
 */
import type { FleetEvent } from "../fleet/events.js";

/** The fleet events that carry an agent document. */
type AgentDocumentEvent = Extract<FleetEvent, { readonly agent: unknown }>;

/**
 * A fleet event as it travels between nodes: agent documents are left out
 * (`agent.disconnected` already has none); every other event travels as is.
 */
export type BusEvent =
  | {
      readonly type: AgentDocumentEvent["type"] | "agent.disconnected";
      readonly agentId: string;
    }
  | Exclude<FleetEvent, AgentDocumentEvent | { readonly type: "agent.disconnected" }>;

/** One message between nodes; `origin` is the sending node's id. */
export type ClusterMessage =
  /** Something happened to an agent on the origin node: re-read it and re-emit the event. */
  | { readonly kind: "event"; readonly origin: string; readonly event: BusEvent }
  /**
   * A user set, cleared or retried an agent's config. The node holding the
   * agent pushes it; `force` (with the hash) means "even if it FAILED" (P-12).
   */
  | {
      readonly kind: "config";
      readonly origin: string;
      readonly agentId: string;
      readonly forceHash: string | null;
    }
  /** Assignments or configuration versions changed: reload them and push. */
  | { readonly kind: "configurations"; readonly origin: string }
  /** Own-telemetry destinations changed: reload them and offer (S-13). */
  | { readonly kind: "destinations"; readonly origin: string }
  /** A restart command (S-19) for an agent whose session `node` holds. */
  | {
      readonly kind: "restart";
      readonly origin: string;
      readonly node: string;
      readonly agentId: string;
    }
  /** A custom message (S-22) for an agent whose session `node` holds; `data` is base64. */
  | {
      readonly kind: "customMessage";
      readonly origin: string;
      readonly node: string;
      readonly agentId: string;
      readonly capability: string;
      readonly type: string;
      readonly data: string;
    };

/** The bus form of a local fleet event (agent documents dropped). */
export function toBusEvent(event: FleetEvent): BusEvent {
  switch (event.type) {
    case "agent.connected":
    case "agent.changed":
    case "agent.disconnected":
      return { type: event.type, agentId: event.agentId };
    default:
      return event;
  }
}
