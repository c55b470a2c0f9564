/**
 * How one event of `/api/v1/events` changes the UI's copy of the inventory,
 * and how it reads in the "recent events" list. Pure, so it is unit-tested
 * without a browser.
 */
import type { Agent, FleetEvent } from "../api/types.js";
import { agentName } from "./agent-fields.js";

/** Applies `event` to `agents` in place; returns true when the map changed. */
export function applyFleetEvent(agents: Map<string, Agent>, event: FleetEvent): boolean {
  switch (event.type) {
    case "agent.connected":
    case "agent.changed":
      agents.set(event.agent.id, event.agent);
      return true;
    case "agent.disconnected": {
      const agent = agents.get(event.agentId);
      if (agent === undefined || !agent.connected) return false;
      agents.set(event.agentId, { ...agent, connected: false });
      return true;
    }
    case "agent.renamed": {
      const agent = agents.get(event.agentId);
      if (agent === undefined) return false;
      agents.delete(event.agentId);
      agents.set(event.newAgentId, { ...agent, id: event.newAgentId });
      return true;
    }
    case "agent.configStatus": {
      const agent = agents.get(event.agentId);
      if (agent === undefined) return false;
      const { status, configHash, errorMessage } = event.status;
      agents.set(event.agentId, {
        ...agent,
        remoteConfigStatus: { status, configHash, errorMessage },
      });
      return true;
    }
    case "agent.customMessage":
      return false;
  }
}

/** One line of the recent-events list. */
export interface EventLine {
  readonly at: number;
  readonly agentId: string;
  readonly text: string;
  readonly tone: "good" | "bad" | "neutral";
}

/** Describes an event for people, naming the agent as the table does. */
export function describeFleetEvent(
  event: FleetEvent,
  agents: ReadonlyMap<string, Agent>,
  at: number,
): EventLine {
  const named = (id: string) => {
    const agent = agents.get(id);
    return agent === undefined ? id.slice(0, 8) : agentName(agent);
  };
  switch (event.type) {
    case "agent.connected":
      return {
        at,
        agentId: event.agentId,
        text: `${agentName(event.agent)} connected`,
        tone: "good",
      };
    case "agent.changed":
      return {
        at,
        agentId: event.agentId,
        text: `${agentName(event.agent)} reported a change`,
        tone: "neutral",
      };
    case "agent.disconnected":
      return {
        at,
        agentId: event.agentId,
        text: `${named(event.agentId)} disconnected`,
        tone: "bad",
      };
    case "agent.renamed":
      return {
        at,
        agentId: event.newAgentId,
        text: `${named(event.agentId)} got a new instance uid ${event.newAgentId.slice(0, 8)}`,
        tone: "neutral",
      };
    case "agent.configStatus": {
      const s = event.status;
      const text = `${named(event.agentId)}: config ${s.configHash.slice(0, 8)} ${s.status}${s.errorMessage !== "" ? ` — ${s.errorMessage}` : ""}`;
      return {
        at,
        agentId: event.agentId,
        text,
        tone: s.status === "FAILED" ? "bad" : s.status === "APPLIED" ? "good" : "neutral",
      };
    }
    case "agent.customMessage":
      return {
        at,
        agentId: event.agentId,
        text: `${named(event.agentId)} sent a ${event.capability} message (${event.messageType})`,
        tone: "neutral",
      };
  }
}
