import assert from "node:assert/strict";
import { test } from "node:test";
import { makeAgent } from "../test-support/agents.js";
import {
  agentHost,
  agentName,
  agentOs,
  agentType,
  agentVersion,
  healthState,
} from "./agent-fields.js";

const health = (healthy: boolean, lastError = "", children = {}) => ({
  healthy,
  startTimeUnixNano: "0",
  lastError,
  status: "",
  statusTimeUnixNano: "0",
  attributes: {},
  componentHealthMap: children,
});

test("S-8 UI columns: name (host.name), type (service.name), version, host and OS come from semantic-convention attributes", () => {
  const a = makeAgent({ name: "edge-7", type: "otelcol-contrib" });
  assert.equal(agentName(a), "edge-7");
  assert.equal(agentType(a), "otelcol-contrib");
  assert.equal(agentVersion(a), "1.0.0");
  assert.equal(agentHost(a), "edge-7");
  const noHost = makeAgent({ type: "fluent-bit" });
  const { "host.name": _host, ...rest } = noHost.description.nonIdentifyingAttributes;
  const serviceOnly = {
    ...noHost,
    description: { ...noHost.description, nonIdentifyingAttributes: rest },
  };
  assert.equal(agentName(serviceOnly), "fluent-bit");
  assert.equal(agentOs(a), "linux");
  const bare = makeAgent({
    description: { identifyingAttributes: {}, nonIdentifyingAttributes: {} },
  });
  assert.equal(agentName(bare), bare.id.slice(0, 8));
  assert.equal(agentType(bare), "unknown");
  assert.equal(agentOs(bare), "unknown");
});

test("C-24 UI health: unknown without a report, unhealthy when any component is unhealthy or has an error", () => {
  assert.equal(healthState(makeAgent()), "unknown");
  assert.equal(healthState(makeAgent({ health: health(true) })), "healthy");
  assert.equal(healthState(makeAgent({ health: health(false) })), "unhealthy");
  assert.equal(
    healthState(
      makeAgent({ health: health(true, "", { exporter: health(true, "connection refused") }) }),
    ),
    "unhealthy",
  );
});
