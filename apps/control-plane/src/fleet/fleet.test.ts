import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import {
  AgentCapabilities,
  AgentToServerFlags,
  CommandType,
  combineBits,
  formatInstanceUid,
  newInstanceUid,
  ServerToAgentFlags,
} from "@opamp-ts/protocol";
import { configHash, toHex } from "../config-files.js";
import { Metrics } from "../metrics.js";
import { openStorage } from "../storage/open-storage.js";
import type { Storage } from "../storage/types.js";
import { FakeConnection } from "../test-support/fake-connection.js";
import {
  COLLECTOR_CAPABILITIES,
  compressedReport,
  fullReport,
  statusReport,
} from "../test-support/messages.js";
import type { FleetEvent } from "./events.js";
import { Fleet } from "./fleet.js";

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const FULL_STATE = BigInt(ServerToAgentFlags.ServerToAgentFlags_ReportFullState);
const PROD = { "collector.yaml": { body: "exporters: {debug: {}}\n", contentType: "text/yaml" } };
const BROKEN = { "collector.yaml": { body: "exporters: [\n", contentType: "text/yaml" } };

describe("fleet", () => {
  let dir: string;
  let storage: Storage;
  let clock: number;
  let fleet: Fleet;
  let events: FleetEvent[];

  const load = async () => {
    fleet = await Fleet.load(storage, {
      heartbeatIntervalSeconds: 30,
      metrics: new Metrics(),
      logger: silent,
      now: () => clock,
    });
    events = [];
    fleet.events.subscribe((e) => events.push(e));
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "opamp-fleet-"));
    storage = await openStorage({ dataDir: dir });
    clock = Date.parse("2026-01-01T00:00:00Z");
    await load();
  });
  afterEach(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("S-10 an absent sub-message keeps the stored value, a present one replaces it", async () => {
    const uid = newInstanceUid();
    const conn = new FakeConnection();
    await fleet.handleMessage(
      conn,
      fullReport(uid, 1n, { "service.name": "otelcol", env: "prod" }),
    );
    await fleet.handleMessage(
      conn,
      compressedReport(uid, 2n, { health: { healthy: false, lastError: "boom" } }),
    );
    const agent = fleet.getAgent(formatInstanceUid(uid));
    assert.deepEqual(agent?.description.identifyingAttributes, {
      "service.name": "otelcol",
      env: "prod",
    });
    assert.equal(agent?.health?.healthy, false);
    assert.equal(agent?.health?.lastError, "boom");
    assert.deepEqual(agent?.labels, { "service.name": "otelcol", env: "prod" });
    assert.ok(agent?.capabilities.includes("AcceptsRemoteConfig"));
    assert.equal(events[0]?.type, "agent.connected");
  });

  test("S-9 a sequence gap asks for full state, consecutive numbers do not (P-11)", async () => {
    const uid = newInstanceUid();
    const conn = new FakeConnection();
    const first = await fleet.handleMessage(conn, fullReport(uid, 1n));
    assert.equal(first.flags ?? 0n, 0n);
    const next = await fleet.handleMessage(conn, compressedReport(uid, 2n));
    assert.equal(next.flags ?? 0n, 0n);
    const gap = await fleet.handleMessage(conn, compressedReport(uid, 5n));
    assert.equal((gap.flags ?? 0n) & FULL_STATE, FULL_STATE);
  });

  test("S-9 P-15 after a server restart an incomplete report from a known agent gets ReportFullState", async () => {
    const uid = newInstanceUid();
    await fleet.handleMessage(new FakeConnection(), fullReport(uid, 1n));
    await load();
    assert.equal(fleet.getAgent(formatInstanceUid(uid))?.connected, false);
    const reply = await fleet.handleMessage(new FakeConnection(), compressedReport(uid, 2n));
    assert.equal((reply.flags ?? 0n) & FULL_STATE, FULL_STATE);
    const complete = await fleet.handleMessage(
      new FakeConnection(),
      fullReport(newInstanceUid(), 9n),
    );
    assert.equal(complete.flags ?? 0n, 0n);
  });

  test("S-12 an override wins over assignments and is offered with its hash", async () => {
    const uid = newInstanceUid();
    const id = formatInstanceUid(uid);
    const conn = new FakeConnection("http");
    await fleet.handleMessage(conn, fullReport(uid, 1n, { env: "prod" }));
    const config = await storage.createConfiguration({ name: "prod", description: "" });
    const other = { "collector.yaml": { body: "other\n", contentType: "text/yaml" } };
    await storage.addConfigurationVersion(config.id, other, "test");
    await storage.createAssignment({
      configurationId: config.id,
      version: null,
      selector: "env=prod",
      priority: 1,
    });
    await fleet.reloadConfigurations();
    assert.equal(fleet.desiredConfig(id)?.hash, configHash(other));
    const override = await fleet.setOverride(id, PROD);
    assert.equal(override.hash, configHash(PROD));
    assert.equal(conn.sent.length, 0, "HTTP agents get offers on their next poll");
    const reply = await fleet.handleMessage(conn, compressedReport(uid, 2n));
    assert.equal(toHex(reply.remoteConfig?.configHash as Uint8Array), configHash(PROD));
    assert.equal(fleet.getAgent(id)?.desiredConfig?.source, "override");
  });

  test("the highest-priority matching assignment wins and changes are pushed to WebSocket agents at once", async () => {
    const uid = newInstanceUid();
    const conn = new FakeConnection("websocket");
    await fleet.handleMessage(conn, fullReport(uid, 1n, { env: "prod", region: "eu" }));
    const low = await storage.createConfiguration({ name: "low", description: "" });
    const high = await storage.createConfiguration({ name: "high", description: "" });
    await storage.addConfigurationVersion(low.id, BROKEN, "t");
    await storage.addConfigurationVersion(high.id, PROD, "t");
    await storage.createAssignment({
      configurationId: low.id,
      version: null,
      selector: "env=prod",
      priority: 1,
    });
    await storage.createAssignment({
      configurationId: high.id,
      version: null,
      selector: "region in (eu,us)",
      priority: 10,
    });
    await storage.createAssignment({
      configurationId: low.id,
      version: null,
      selector: "region=ap",
      priority: 99,
    });
    await fleet.reloadConfigurations();
    assert.equal(conn.sent.length, 1);
    assert.equal(toHex(conn.sent[0]?.remoteConfig?.configHash as Uint8Array), configHash(PROD));
    assert.deepEqual(conn.sent[0]?.instanceUid, uid);
    await fleet.reloadConfigurations();
    assert.equal(conn.sent.length, 1, "P-11 an offer awaiting an answer is not repeated");
  });

  test("S-11 no remote config to an agent without AcceptsRemoteConfig", async () => {
    const uid = newInstanceUid();
    const conn = new FakeConnection();
    const caps = combineBits(AgentCapabilities.AgentCapabilities_ReportsStatus);
    await fleet.handleMessage(conn, fullReport(uid, 1n, {}, { capabilities: caps }));
    await fleet.setOverride(formatInstanceUid(uid), PROD);
    const reply = await fleet.handleMessage(
      conn,
      compressedReport(uid, 2n, { capabilities: caps }),
    );
    assert.equal(reply.remoteConfig, undefined);
    assert.equal(conn.sent.length, 0);
  });

  test("P-12 a hash the agent reported FAILED is not pushed again, not even after reconnecting, until a user asks", async () => {
    const uid = newInstanceUid();
    const id = formatInstanceUid(uid);
    const conn = new FakeConnection();
    await fleet.handleMessage(conn, fullReport(uid, 1n));
    await fleet.setOverride(id, BROKEN);
    assert.equal(conn.sent.length, 1);
    const hash = configHash(BROKEN);
    await fleet.handleMessage(conn, statusReport(uid, 2n, hash, "FAILED", "yaml: bad"));
    assert.deepEqual(fleet.getAgent(id)?.remoteConfigStatus, {
      status: "FAILED",
      configHash: hash,
      errorMessage: "yaml: bad",
    });
    assert.ok(fleet.getAgent(id)?.failedConfigHashes.includes(hash));
    // The agent rolls back and reports its previous config; the failed hash must not come back.
    const rolledBack = await fleet.handleMessage(conn, statusReport(uid, 3n, "00", "APPLIED"));
    assert.equal(rolledBack.remoteConfig, undefined);
    await fleet.handleDisconnected(conn);
    const conn2 = new FakeConnection();
    const again = await fleet.handleMessage(
      conn2,
      fullReport(
        uid,
        4n,
        {},
        { remoteConfigStatus: statusReport(uid, 4n, "00", "APPLIED").remoteConfigStatus },
      ),
    );
    assert.equal(again.remoteConfig, undefined);
    // A user re-PUTs the same config: that is asking, so it is pushed.
    await fleet.setOverride(id, BROKEN);
    assert.equal(conn2.sent.length, 1);
    assert.equal(toHex(conn2.sent[0]?.remoteConfig?.configHash as Uint8Array), hash);
    const history = await fleet.configStatusHistory(id);
    assert.equal(history[0]?.status, "APPLIED");
    assert.equal(history[1]?.status, "FAILED");
  });

  test("S-17 P-16 RequestInstanceUid gets a new uid and the agent's records are re-keyed", async () => {
    const uid = newInstanceUid();
    const oldId = formatInstanceUid(uid);
    const conn = new FakeConnection();
    await fleet.handleMessage(conn, fullReport(uid, 1n));
    await fleet.setLabels(oldId, { team: "a" });
    const reply = await fleet.handleMessage(
      conn,
      compressedReport(uid, 2n, {
        flags: BigInt(AgentToServerFlags.AgentToServerFlags_RequestInstanceUid),
      }),
    );
    const newUid = reply.agentIdentification?.newInstanceUid as Uint8Array;
    assert.equal(newUid.length, 16);
    const newId = formatInstanceUid(newUid);
    assert.equal(fleet.getAgent(oldId), undefined);
    assert.deepEqual(fleet.getAgent(newId)?.userLabels, { team: "a" });
    assert.deepEqual(await storage.getLabels(newId), { team: "a" });
    const next = await fleet.handleMessage(conn, compressedReport(newUid, 3n));
    assert.equal(next.flags ?? 0n, 0n, "the session moved with the uid: no gap");
  });

  test("S-20 HTTP agents are disconnected after two heartbeat intervals of silence", async () => {
    const uid = newInstanceUid();
    const id = formatInstanceUid(uid);
    await fleet.handleMessage(new FakeConnection("http"), fullReport(uid, 1n));
    clock += 59_000;
    await fleet.sweep();
    assert.equal(fleet.getAgent(id)?.connected, true);
    clock += 2_000;
    await fleet.sweep();
    assert.equal(fleet.getAgent(id)?.connected, false);
    assert.ok(events.some((e) => e.type === "agent.disconnected" && e.agentId === id));
    assert.equal((await storage.getAgent(id))?.connected, false);
  });

  test("P-7 S-20 an HTTP agent's liveness follows its own polling interval once known", async () => {
    const slow = newInstanceUid();
    const fast = newInstanceUid();
    const conn = new FakeConnection("http");
    await fleet.handleMessage(conn, fullReport(slow, 1n));
    await fleet.handleMessage(conn, fullReport(fast, 1n));
    for (let seq = 2n; seq <= 6n; seq++) {
      clock += 6_000;
      await fleet.handleMessage(conn, compressedReport(fast, seq));
    }
    clock += 31_000;
    await fleet.sweep();
    assert.equal(
      fleet.getAgent(formatInstanceUid(slow))?.connected,
      false,
      "unknown interval: the server's 30 s applies",
    );
    for (let seq = 2n; seq <= 4n; seq++) {
      clock += seq === 2n ? 29_000 : 90_000; // polls 90 s apart from the first one
      await fleet.handleMessage(conn, compressedReport(slow, seq));
    }
    assert.equal(fleet.getAgent(formatInstanceUid(slow))?.connected, true);
    clock += 150_000;
    await fleet.sweep();
    assert.equal(fleet.getAgent(formatInstanceUid(slow))?.connected, true, "two of its 90 s");
    assert.equal(fleet.getAgent(formatInstanceUid(fast))?.connected, false);
    clock += 31_000;
    await fleet.sweep();
    assert.equal(fleet.getAgent(formatInstanceUid(slow))?.connected, false);
  });

  test("a node on a shared database marks only its own earlier sessions disconnected, and the agents of a silent node after the timeout", async () => {
    const options = (nodeId: string) => ({
      heartbeatIntervalSeconds: 30,
      metrics: new Metrics(),
      logger: silent,
      now: () => clock,
      nodeId,
      sharedDatabase: true,
    });
    const a = await Fleet.load(storage, options("a"));
    const b = await Fleet.load(storage, options("b"));
    const onA = newInstanceUid();
    const onB = newInstanceUid();
    await a.heartbeat(10_000);
    await b.heartbeat(10_000);
    await a.handleMessage(new FakeConnection(), fullReport(onA, 1n));
    await b.handleMessage(new FakeConnection(), fullReport(onB, 1n));
    assert.equal((await storage.getAgent(formatInstanceUid(onB)))?.nodeId, "b");

    await a.stopSync();
    const restartedA = await Fleet.load(storage, options("a"));
    assert.equal(restartedA.getAgent(formatInstanceUid(onA))?.connected, false);
    assert.equal(restartedA.getAgent(formatInstanceUid(onB))?.connected, true, "b's agent");

    clock += 9_000;
    await restartedA.heartbeat(10_000);
    assert.equal((await storage.getAgent(formatInstanceUid(onB)))?.connected, true);
    clock += 2_000;
    await restartedA.heartbeat(10_000);
    assert.equal((await storage.getAgent(formatInstanceUid(onB)))?.connected, false);
    assert.equal(restartedA.getAgent(formatInstanceUid(onB))?.connected, false);
    await b.stopSync();
    await restartedA.stopSync();
  });

  test("S-23 closing a WebSocket disconnects its agents; agent_disconnect does too (P-28)", async () => {
    const a = newInstanceUid();
    const b = newInstanceUid();
    const ws = new FakeConnection("websocket");
    await fleet.handleMessage(ws, fullReport(a, 1n));
    await fleet.handleDisconnected(ws);
    assert.equal(fleet.getAgent(formatInstanceUid(a))?.connected, false);
    const http = new FakeConnection("http");
    await fleet.handleMessage(http, fullReport(b, 1n));
    await fleet.handleMessage(http, compressedReport(b, 2n, { agentDisconnect: {} }));
    assert.equal(fleet.getAgent(formatInstanceUid(b))?.connected, false);
  });

  test("S-19 restart goes alone to WebSocket agents at once and to HTTP agents on their next poll", async () => {
    const ws = newInstanceUid();
    const http = newInstanceUid();
    const wsConn = new FakeConnection("websocket");
    const httpConn = new FakeConnection("http");
    await fleet.handleMessage(wsConn, fullReport(ws, 1n));
    await fleet.handleMessage(httpConn, fullReport(http, 1n));
    assert.deepEqual(await fleet.restart(formatInstanceUid(ws)), { ok: true });
    assert.equal(wsConn.sent[0]?.command?.type, CommandType.CommandType_Restart);
    assert.deepEqual(await fleet.restart(formatInstanceUid(http)), { ok: true });
    await fleet.setOverride(formatInstanceUid(http), PROD);
    const reply = await fleet.handleMessage(httpConn, compressedReport(http, 2n));
    assert.deepEqual(Object.keys(reply), ["command"]);
    const after = await fleet.handleMessage(httpConn, compressedReport(http, 3n));
    assert.ok(after.remoteConfig !== undefined);
    assert.equal((await fleet.restart("0190f1a2-0000-7000-8000-000000000000")).ok, false);
  });

  test("S-11 restart is refused for an agent without AcceptsRestartCommand", async () => {
    const uid = newInstanceUid();
    await fleet.handleMessage(
      new FakeConnection(),
      fullReport(
        uid,
        1n,
        {},
        { capabilities: BigInt(AgentCapabilities.AgentCapabilities_ReportsStatus) },
      ),
    );
    const result = await fleet.restart(formatInstanceUid(uid));
    assert.equal(result.ok, false);
    assert.equal(result.ok === false && result.reason, "unsupported");
  });

  test("S-22 custom messages go only to listed capabilities and replies become events", async () => {
    const uid = newInstanceUid();
    const id = formatInstanceUid(uid);
    const conn = new FakeConnection();
    await fleet.handleMessage(
      conn,
      fullReport(uid, 1n, {}, { customCapabilities: { capabilities: ["io.example.ping"] } }),
    );
    const refused = await fleet.sendCustomMessage(id, {
      capability: "other",
      type: "x",
      data: new Uint8Array(),
    });
    assert.equal(refused.ok, false);
    const sent = await fleet.sendCustomMessage(id, {
      capability: "io.example.ping",
      type: "ping",
      data: new Uint8Array([1]),
    });
    assert.deepEqual(sent, { ok: true });
    assert.equal(conn.sent[0]?.customMessage?.type, "ping");
    await fleet.handleMessage(
      conn,
      compressedReport(uid, 2n, {
        customMessage: { capability: "io.example.ping", type: "pong", data: new Uint8Array([2]) },
      }),
    );
    const event = events.find((e) => e.type === "agent.customMessage");
    assert.deepEqual(event, {
      type: "agent.customMessage",
      agentId: id,
      capability: "io.example.ping",
      messageType: "pong",
      data: Buffer.from([2]).toString("base64"),
    });
  });

  test("S-13 own-telemetry destinations are offered by selector to capable agents, once", async () => {
    const capable = newInstanceUid();
    const incapable = newInstanceUid();
    const conn = new FakeConnection();
    const caps =
      COLLECTOR_CAPABILITIES | BigInt(AgentCapabilities.AgentCapabilities_ReportsOwnMetrics);
    await fleet.handleMessage(
      conn,
      fullReport(capable, 1n, { env: "prod" }, { capabilities: caps }),
    );
    await fleet.handleMessage(conn, fullReport(incapable, 1n, { env: "prod" }));
    await storage.createTelemetryDestination({
      name: "otlp",
      selector: "env=prod",
      priority: 0,
      metrics: { endpoint: "http://otlp:4318/v1/metrics", headers: { authorization: "x" } },
      logs: null,
      traces: null,
    });
    await fleet.reloadDestinations();
    assert.equal(conn.sent.length, 1);
    const offer = conn.sent[0]?.connectionSettings;
    assert.equal(offer?.ownMetrics?.destinationEndpoint, "http://otlp:4318/v1/metrics");
    assert.deepEqual(conn.sent[0]?.instanceUid, capable);
    const reply = await fleet.handleMessage(
      conn,
      compressedReport(capable, 2n, { capabilities: caps }),
    );
    assert.equal(reply.connectionSettings, undefined, "S-25 not resent unchanged");
  });

  test("S-21 an unknown available-components hash asks for the full map", async () => {
    const uid = newInstanceUid();
    const reply = await fleet.handleMessage(
      new FakeConnection(),
      fullReport(uid, 1n, {}, { availableComponents: { hash: new Uint8Array([1, 2]) } }),
    );
    const bit = BigInt(ServerToAgentFlags.ServerToAgentFlags_ReportAvailableComponents);
    assert.equal((reply.flags ?? 0n) & bit, bit);
  });

  test("a command to a WebSocket that just closed is reported as not connected, not thrown", async () => {
    const uid = newInstanceUid();
    const conn = new FakeConnection();
    await fleet.handleMessage(conn, fullReport(uid, 1n));
    conn.failSends = true;
    const result = await fleet.restart(formatInstanceUid(uid));
    assert.equal(result.ok, false);
    assert.equal(result.ok === false && result.reason, "not_connected");
  });

  test("a new version reaches agents assigned to the latest version, not those pinned to a fixed one", async () => {
    const latest = newInstanceUid();
    const pinned = newInstanceUid();
    const latestConn = new FakeConnection();
    const pinnedConn = new FakeConnection();
    await fleet.handleMessage(latestConn, fullReport(latest, 1n, { track: "latest" }));
    await fleet.handleMessage(pinnedConn, fullReport(pinned, 1n, { track: "pinned" }));
    const config = await storage.createConfiguration({ name: "versions", description: "" });
    const v1 = await storage.addConfigurationVersion(config.id, PROD, "t");
    await storage.createAssignment({
      configurationId: config.id,
      version: null,
      selector: "track=latest",
      priority: 0,
    });
    await storage.createAssignment({
      configurationId: config.id,
      version: 1,
      selector: "track=pinned",
      priority: 0,
    });
    await fleet.reloadConfigurations();
    await fleet.handleMessage(latestConn, statusReport(latest, 2n, v1.hash, "APPLIED"));
    await fleet.handleMessage(pinnedConn, statusReport(pinned, 2n, v1.hash, "APPLIED"));
    const v2Files = { "collector.yaml": { body: "v2\n", contentType: "text/yaml" } };
    const v2 = await storage.addConfigurationVersion(config.id, v2Files, "t");
    await fleet.reloadConfigurations();
    assert.equal(toHex(latestConn.sent.at(-1)?.remoteConfig?.configHash as Uint8Array), v2.hash);
    assert.equal(pinnedConn.sent.length, 1, "the pinned agent got v1 only");
    assert.equal(fleet.getAgent(formatInstanceUid(pinned))?.desiredConfig?.version, 1);
    assert.equal(fleet.getAgent(formatInstanceUid(latest))?.desiredConfig?.version, 2);
  });
});
