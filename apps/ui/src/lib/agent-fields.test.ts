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
  matchesSearch,
  matchesStatus,
  sortAgents,
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

test("UI table filter: status filters pick connected, disconnected, unhealthy, failed and applying agents", () => {
  const on = makeAgent();
  const off = makeAgent({ connected: false });
  const failed = makeAgent({
    remoteConfigStatus: { status: "FAILED", configHash: "aa", errorMessage: "x" },
  });
  const applying = makeAgent({
    remoteConfigStatus: { status: "APPLYING", configHash: "aa", errorMessage: "" },
  });
  const sick = makeAgent({ health: health(false) });
  const all = [on, off, failed, applying, sick];
  const ids = (f: Parameters<typeof matchesStatus>[1]) =>
    all.filter((a) => matchesStatus(a, f)).map((a) => a.id);
  assert.equal(ids("all").length, 5);
  assert.deepEqual(ids("disconnected"), [off.id]);
  assert.equal(ids("connected").length, 4);
  assert.deepEqual(ids("config-failed"), [failed.id]);
  assert.deepEqual(ids("config-applying"), [applying.id]);
  assert.deepEqual(ids("unhealthy"), [sick.id]);
});

test("UI table search: matches id, name, host and labels, case-insensitively", () => {
  const a = makeAgent({ name: "Edge-Collector", labels: { env: "prod" } });
  assert.equal(matchesSearch(a, "edge"), true);
  assert.equal(matchesSearch(a, a.id.slice(-6)), true);
  assert.equal(matchesSearch(a, "env=prod"), true);
  assert.equal(matchesSearch(a, "staging"), false);
  assert.equal(matchesSearch(a, "  "), true);
});

test("UI table sort: by name both ways, failed configs first, ties broken by id", () => {
  const b = makeAgent({ name: "b" });
  const a = makeAgent({ name: "a" });
  const c = makeAgent({
    name: "c",
    remoteConfigStatus: { status: "FAILED", configHash: "", errorMessage: "" },
  });
  assert.deepEqual(sortAgents([b, c, a], "name", false).map(agentName), ["a", "b", "c"]);
  assert.deepEqual(sortAgents([b, c, a], "name", true).map(agentName), ["c", "b", "a"]);
  assert.equal(sortAgents([a, b, c], "config", false)[0], c);
  const twins = [makeAgent({ name: "same" }), makeAgent({ name: "same" })];
  assert.deepEqual(sortAgents([...twins].reverse(), "name", false), twins);
});

test("UI table sort: 10,000 agents sort and filter without trouble", () => {
  const many = Array.from({ length: 10_000 }, (_, i) =>
    makeAgent({ name: `agent-${String(i).padStart(5, "0")}` }),
  );
  const sorted = sortAgents(many, "name", true);
  assert.equal(agentName(sorted[0]!), "agent-09999");
  assert.equal(many.filter((a) => matchesSearch(a, "agent-0999")).length, 10);
});
