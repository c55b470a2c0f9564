import assert from "node:assert/strict";
import { test } from "node:test";
import type { Agent } from "../api/types.js";
import { makeAgent } from "../test-support/agents.js";
import { applyFleetEvent, describeFleetEvent } from "./fleet-events.js";

const map = (...agents: Agent[]) => new Map(agents.map((a) => [a.id, a]));

test("S-8 live updates: connected and changed events put the agent's latest view", () => {
  const agents = map();
  const a = makeAgent({ name: "new" });
  assert.equal(applyFleetEvent(agents, { type: "agent.connected", agentId: a.id, agent: a }), true);
  assert.equal(agents.get(a.id), a);
  const changed = { ...a, lastSeenAt: "2026-11-25T09:00:00.000Z" };
  applyFleetEvent(agents, { type: "agent.changed", agentId: a.id, agent: changed });
  assert.equal(agents.get(a.id)?.lastSeenAt, "2026-11-25T09:00:00.000Z");
});

test("S-8 live updates: a disconnect marks the agent disconnected and keeps it listed", () => {
  const a = makeAgent();
  const agents = map(a);
  assert.equal(applyFleetEvent(agents, { type: "agent.disconnected", agentId: a.id }), true);
  assert.equal(agents.get(a.id)?.connected, false);
  assert.equal(applyFleetEvent(agents, { type: "agent.disconnected", agentId: a.id }), false);
  assert.equal(applyFleetEvent(agents, { type: "agent.disconnected", agentId: "unknown" }), false);
});

test("S-17 live updates: a new instance uid re-keys the agent", () => {
  const a = makeAgent();
  const agents = map(a);
  applyFleetEvent(agents, { type: "agent.renamed", agentId: a.id, newAgentId: "new-id" });
  assert.equal(agents.has(a.id), false);
  assert.equal(agents.get("new-id")?.id, "new-id");
});

test("S-12 live updates: a config status event updates the agent's status, hash and message", () => {
  const a = makeAgent();
  const agents = map(a);
  applyFleetEvent(agents, {
    type: "agent.configStatus",
    agentId: a.id,
    status: { agentId: a.id, configHash: "abc", status: "FAILED", errorMessage: "bad", at: "t" },
  });
  assert.deepEqual(agents.get(a.id)?.remoteConfigStatus, {
    status: "FAILED",
    configHash: "abc",
    errorMessage: "bad",
  });
});

test("S-22 live updates: custom messages do not change the inventory", () => {
  const a = makeAgent();
  const agents = map(a);
  const event = {
    type: "agent.customMessage",
    agentId: a.id,
    capability: "c",
    messageType: "t",
    data: "",
  } as const;
  assert.equal(applyFleetEvent(agents, event), false);
});

test("UI recent events: each event reads as a sentence naming the agent, FAILED ones in red", () => {
  const a = makeAgent({ name: "edge-1" });
  const agents = map(a);
  assert.equal(
    describeFleetEvent({ type: "agent.connected", agentId: a.id, agent: a }, agents, 1).text,
    "edge-1 connected",
  );
  const failed = describeFleetEvent(
    {
      type: "agent.configStatus",
      agentId: a.id,
      status: {
        agentId: a.id,
        configHash: "0123456789",
        status: "FAILED",
        errorMessage: "no exporter",
        at: "t",
      },
    },
    agents,
    1,
  );
  assert.equal(failed.text, "edge-1: config 01234567 FAILED — no exporter");
  assert.equal(failed.tone, "bad");
  assert.equal(
    describeFleetEvent({ type: "agent.disconnected", agentId: "ffffffff-1" }, agents, 1).text,
    "ffffffff disconnected",
  );
});
