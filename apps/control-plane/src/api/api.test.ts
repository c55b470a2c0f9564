import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { AgentCapabilities, formatInstanceUid, newInstanceUid } from "@opamp-ts/protocol";
import { configHash } from "../config-files.js";
import { type ApiHarness, apiHarness } from "../test-support/api-harness.js";
import { FakeConnection } from "../test-support/fake-connection.js";
import { fullReport } from "../test-support/messages.js";

const YAML = { "collector.yaml": { body: "receivers:\n  otlp: {}\n", contentType: "text/yaml" } };

describe("REST API", () => {
  let h: ApiHarness;
  let agentId: string;
  let conn: FakeConnection;

  before(async () => {
    h = await apiHarness();
    const uid = newInstanceUid();
    agentId = formatInstanceUid(uid);
    conn = new FakeConnection();
    await h.fleet.handleMessage(
      conn,
      fullReport(uid, 1n, { "service.name": "otelcol", env: "prod" }),
    );
  });
  after(async () => {
    await h.close();
  });

  const call = (method: "GET" | "PUT" | "POST" | "DELETE", url: string, payload?: unknown) =>
    h.app.inject({
      method,
      url,
      headers: h.auth,
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });

  test("S-2 every API route and /metrics answer 401 without or with a wrong admin token", async () => {
    for (const url of [
      "/api/v1/agents",
      "/api/v1/openapi.json",
      "/metrics",
      "/api/v1/audit",
      "/api/v1/nope",
    ]) {
      const none = await h.app.inject({ method: "GET", url });
      assert.equal(none.statusCode, 401, url);
      assert.match(none.headers["www-authenticate"] as string, /Bearer/);
      const wrong = await h.app.inject({
        method: "GET",
        url,
        headers: { authorization: "Bearer wrong" },
      });
      assert.equal(wrong.statusCode, 401, url);
    }
    const ui = await h.app.inject({ method: "GET", url: "/" });
    assert.equal(ui.statusCode, 200);
    assert.match(ui.body, /opamp-server/);
  });

  test("GET /api/v1/agents lists agents in the documented shape", async () => {
    const res = await call("GET", "/api/v1/agents");
    assert.equal(res.statusCode, 200);
    const { agents } = res.json() as { agents: Record<string, unknown>[] };
    const agent = agents.find((a) => a.id === agentId);
    assert.ok(agent);
    assert.equal(agent.connected, true);
    assert.deepEqual(agent.description, {
      identifyingAttributes: { "service.name": "otelcol", env: "prod" },
      nonIdentifyingAttributes: {},
    });
    assert.ok((agent.capabilities as string[]).includes("AcceptsRemoteConfig"));
    assert.equal((agent.health as { healthy: boolean }).healthy, true);
    assert.equal(agent.effectiveConfig, null);
    assert.deepEqual(agent.remoteConfigStatus, {
      status: "UNSET",
      configHash: "",
      errorMessage: "",
    });
    assert.deepEqual(agent.labels, { "service.name": "otelcol", env: "prod" });
  });

  test("GET /api/v1/agents?selector filters and a bad selector is a 400 with its position", async () => {
    const match = await call(
      "GET",
      `/api/v1/agents?selector=${encodeURIComponent("env in (prod,dev)")}`,
    );
    assert.equal((match.json() as { agents: unknown[] }).agents.length, 1);
    const none = await call("GET", `/api/v1/agents?selector=${encodeURIComponent("env!=prod")}`);
    assert.equal((none.json() as { agents: unknown[] }).agents.length, 0);
    const bad = await call("GET", `/api/v1/agents?selector=${encodeURIComponent("env in prod")}`);
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().position, 7);
    assert.match(bad.json().message, /position 7/);
  });

  test("GET /api/v1/agents/{id} answers one agent, 404 for an unknown id", async () => {
    assert.equal((await call("GET", `/api/v1/agents/${agentId}`)).json().id, agentId);
    const unknown = await call("GET", "/api/v1/agents/0190f1a2-0000-7000-8000-000000000000");
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().error, "Not Found");
  });

  test("S-12 PUT /api/v1/agents/{id}/config answers the new hash, pushes it and is audited", async () => {
    const res = await call("PUT", `/api/v1/agents/${agentId}/config`, { files: YAML });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { configHash: configHash(YAML) });
    assert.equal(conn.sent.at(-1)?.remoteConfig !== undefined, true);
    const agent = (await call("GET", `/api/v1/agents/${agentId}`)).json();
    assert.deepEqual(agent.desiredConfig, {
      source: "override",
      hash: configHash(YAML),
      configurationId: null,
      version: null,
    });
    const audit = (await call("GET", "/api/v1/audit?limit=5")).json() as {
      entries: { action: string; target: string }[];
    };
    assert.ok(audit.entries.some((e) => e.action === "agent.config.set" && e.target === agentId));
  });

  test("invalid YAML is a 400 with line and column, and nothing is stored", async () => {
    const before = (await call("GET", `/api/v1/agents/${agentId}`)).json().desiredConfig;
    const res = await call("PUT", `/api/v1/agents/${agentId}/config`, {
      files: { "collector.yaml": { body: "receivers:\n  otlp: [\n", contentType: "text/yaml" } },
    });
    assert.equal(res.statusCode, 400);
    const body = res.json();
    assert.equal(body.file, "collector.yaml");
    assert.equal(typeof body.line, "number");
    assert.equal(typeof body.column, "number");
    assert.match(body.message, /line \d+, column \d+/);
    assert.deepEqual((await call("GET", `/api/v1/agents/${agentId}`)).json().desiredConfig, before);
  });

  test("invalid JSON, a wrong body shape and an oversize body are 400, 400 and 413", async () => {
    const badJson = await h.app.inject({
      method: "PUT",
      url: `/api/v1/agents/${agentId}/config`,
      headers: { ...h.auth, "content-type": "application/json" },
      payload: "{not json",
    });
    assert.equal(badJson.statusCode, 400);
    const badShape = await call("PUT", `/api/v1/agents/${agentId}/config`, { files: "nope" });
    assert.equal(badShape.statusCode, 400);
    assert.match(badShape.json().message, /files/);
    const huge = await call("PUT", `/api/v1/agents/${agentId}/config`, {
      files: { "a.yaml": { body: "x".repeat(70 * 1024), contentType: "text/yaml" } },
    });
    assert.equal(huge.statusCode, 413);
    const unknown = await call(
      "PUT",
      "/api/v1/agents/0190f1a2-0000-7000-8000-000000000000/config",
      { files: YAML },
    );
    assert.equal(unknown.statusCode, 404);
  });

  test("PUT /api/v1/agents/{id}/labels sets user labels; keys a selector cannot name are refused", async () => {
    const res = await call("PUT", `/api/v1/agents/${agentId}/labels`, { labels: { team: "obs" } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().labels.team, "obs");
    const selected = await call("GET", "/api/v1/agents?selector=team%3Dobs");
    assert.equal((selected.json() as { agents: unknown[] }).agents.length, 1);
    const bad = await call("PUT", `/api/v1/agents/${agentId}/labels`, {
      labels: { "bad key": "x" },
    });
    assert.equal(bad.statusCode, 400);
  });

  test("S-19 restart answers 202 for a capable agent and 409 for one without AcceptsRestartCommand", async () => {
    const ok = await call("POST", `/api/v1/agents/${agentId}/restart`);
    assert.equal(ok.statusCode, 202);
    const uid = newInstanceUid();
    await h.fleet.handleMessage(
      new FakeConnection(),
      fullReport(
        uid,
        1n,
        {},
        { capabilities: BigInt(AgentCapabilities.AgentCapabilities_ReportsStatus) },
      ),
    );
    const refused = await call("POST", `/api/v1/agents/${formatInstanceUid(uid)}/restart`);
    assert.equal(refused.statusCode, 409);
    assert.equal(
      (await call("POST", "/api/v1/agents/0190f1a2-0000-7000-8000-000000000000/restart"))
        .statusCode,
      404,
    );
  });

  test("configurations, versions and assignments: create, list, get, new version, assign, unassign", async () => {
    const created = await call("POST", "/api/v1/configurations", {
      name: "base",
      description: "all",
      files: YAML,
    });
    assert.equal(created.statusCode, 201);
    const config = created.json();
    assert.equal(config.latestVersion, 1);
    assert.equal((await call("POST", "/api/v1/configurations", { name: "base" })).statusCode, 409);
    assert.ok(
      (await call("GET", "/api/v1/configurations"))
        .json()
        .configurations.some((c: { id: string }) => c.id === config.id),
    );
    assert.equal((await call("GET", `/api/v1/configurations/${config.id}`)).json().name, "base");
    assert.equal((await call("GET", "/api/v1/configurations/nope")).statusCode, 404);

    const v2Files = { "collector.yaml": { body: "receivers: {}\n", contentType: "text/yaml" } };
    const v2 = await call("POST", `/api/v1/configurations/${config.id}/versions`, {
      files: v2Files,
    });
    assert.equal(v2.statusCode, 201);
    assert.equal(v2.json().version, 2);
    assert.equal(v2.json().hash, configHash(v2Files));
    assert.equal(
      (await call("GET", `/api/v1/configurations/${config.id}/versions`)).json().versions.length,
      2,
    );
    assert.deepEqual(
      (await call("GET", `/api/v1/configurations/${config.id}/versions/1`)).json().files,
      YAML,
    );
    assert.equal(
      (await call("GET", `/api/v1/configurations/${config.id}/versions/9`)).statusCode,
      404,
    );
    const badYaml = await call("POST", `/api/v1/configurations/${config.id}/versions`, {
      files: { "c.yaml": { body: "a: [", contentType: "text/yaml" } },
    });
    assert.equal(badYaml.statusCode, 400);

    const badSelector = await call("POST", "/api/v1/assignments", {
      configurationId: config.id,
      selector: "env in (",
      priority: 1,
    });
    assert.equal(badSelector.statusCode, 400);
    assert.equal(typeof badSelector.json().position, "number");
    assert.equal(
      (await call("POST", "/api/v1/assignments", { configurationId: "nope", selector: "" }))
        .statusCode,
      404,
    );
    const assigned = await call("POST", "/api/v1/assignments", {
      configurationId: config.id,
      version: 1,
      selector: "env=prod",
      priority: 3,
    });
    assert.equal(assigned.statusCode, 201);
    const assignment = assigned.json();
    assert.ok(
      (await call("GET", "/api/v1/assignments"))
        .json()
        .assignments.some((a: { id: string }) => a.id === assignment.id),
    );
    assert.equal((await call("DELETE", `/api/v1/assignments/${assignment.id}`)).statusCode, 204);
    assert.equal((await call("DELETE", `/api/v1/assignments/${assignment.id}`)).statusCode, 404);
  });

  test("own-telemetry destinations: create by selector, list, delete", async () => {
    const created = await call("POST", "/api/v1/telemetry-destinations", {
      name: "otlp",
      selector: "env=prod",
      metrics: { endpoint: "http://otlp:4318/v1/metrics", headers: { "x-key": "1" } },
    });
    assert.equal(created.statusCode, 201);
    assert.equal(
      (await call("GET", "/api/v1/telemetry-destinations")).json().destinations.length,
      1,
    );
    assert.equal(
      (await call("DELETE", `/api/v1/telemetry-destinations/${created.json().id}`)).statusCode,
      204,
    );
    const bad = await call("POST", "/api/v1/telemetry-destinations", {
      name: "x",
      selector: "!",
      metrics: null,
    });
    assert.equal(bad.statusCode, 400);
  });

  test("the OpenAPI document lists every route with its schemas", async () => {
    const doc = (await call("GET", "/api/v1/openapi.json")).json();
    assert.equal(doc.openapi, "3.1.0");
    for (const path of [
      "/api/v1/agents",
      "/api/v1/agents/{id}",
      "/api/v1/agents/{id}/config",
      "/api/v1/agents/{id}/labels",
      "/api/v1/agents/{id}/restart",
      "/api/v1/agents/{id}/messages",
      "/api/v1/configurations",
      "/api/v1/configurations/{id}/versions",
      "/api/v1/assignments/{id}",
      "/api/v1/events",
      "/api/v1/audit",
    ]) {
      assert.ok(doc.paths[path] !== undefined, path);
    }
    assert.ok(
      doc.paths["/api/v1/agents/{id}/config"].put.requestBody.content["application/json"].schema
        .properties.files,
    );
  });

  test("/metrics shows agents by state and config statuses in Prometheus text format", async () => {
    const res = await call("GET", "/metrics");
    assert.equal(res.statusCode, 200);
    assert.match(res.headers["content-type"] as string, /text\/plain/);
    assert.match(res.body, /opamp_agents\{state="connected"\} [1-9]/);
    assert.match(res.body, /opamp_agent_config_status\{status="UNSET"\}/);
    assert.match(res.body, /opamp_messages_received_total\{transport="websocket"\} [1-9]/);
    assert.match(res.body, /opamp_config_push_latency_seconds_count/);
  });

  test("GET /api/v1/events streams fleet events as server-sent events", async () => {
    const address = await h.app.listen({ host: "127.0.0.1", port: 0 });
    const received = new Promise<string>((resolve, reject) => {
      const req = get(
        `${address}/api/v1/events?access_token=${encodeURIComponent(h.auth.authorization.slice(7))}`,
        (res) => {
          assert.equal(res.headers["content-type"], "text/event-stream");
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            text += chunk;
            if (text.includes("event: agent.connected")) {
              req.destroy();
              resolve(text);
            } else if (text.includes(": connected")) {
              void h.fleet.handleMessage(new FakeConnection(), fullReport(newInstanceUid(), 1n));
            }
          });
        },
      );
      req.on("error", reject);
    });
    const text = await received;
    const data = /event: agent.connected\ndata: (.*)\n/.exec(text)?.[1];
    assert.equal(JSON.parse(data ?? "{}").type, "agent.connected");
  });
});

test("a built web UI is served at / without a token while the API still needs one", async () => {
  const dir = mkdtempSync(join(tmpdir(), "opamp-ui-"));
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>fleet ui</title>");
  const h = await apiHarness(64 * 1024, dir);
  try {
    const page = await h.app.inject({ method: "GET", url: "/" });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /fleet ui/);
    assert.equal((await h.app.inject({ method: "GET", url: "/api/v1/agents" })).statusCode, 401);
  } finally {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
