import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { formatInstanceUid, newInstanceUid } from "@opamp-ts/protocol";
import { configHash } from "../config-files.js";
import { type ApiHarness, apiHarness } from "../test-support/api-harness.js";
import { FakeConnection } from "../test-support/fake-connection.js";
import { fullReport, statusReport } from "../test-support/messages.js";

const YAML = { "collector.yaml": { body: "receivers:\n  otlp: {}\n", contentType: "text/yaml" } };

interface Listed {
  agents: { id: string }[];
  total: number;
}

describe("REST API agent search, status filter, sort and paging", () => {
  let h: ApiHarness;
  /** name → id */
  const ids: Record<string, string> = {};

  before(async () => {
    h = await apiHarness();
    const add = async (
      name: string,
      attributes: Record<string, string>,
      options: { healthy?: boolean; status?: "APPLIED" | "APPLYING" | "FAILED" } = {},
    ) => {
      const uid = newInstanceUid();
      const conn = new FakeConnection();
      await h.fleet.handleMessage(
        conn,
        fullReport(
          uid,
          1n,
          { "host.name": name, ...attributes },
          options.healthy === false
            ? { health: { healthy: false, lastError: "exporter down" } }
            : {},
        ),
      );
      if (options.status !== undefined) {
        await h.fleet.handleMessage(conn, statusReport(uid, 2n, "ab12", options.status, "bad"));
      }
      ids[name] = formatInstanceUid(uid);
      return conn;
    };
    await add("edge-alpha", { "service.name": "otelcol", "service.version": "1.2.0" });
    await add(
      "edge-beta",
      { "service.name": "fluent-bit", "service.version": "3.0.0" },
      { status: "FAILED" },
    );
    await add(
      "Core-Gamma",
      { "service.name": "otelcol", "service.version": "0.9.0", env: "prod" },
      { healthy: false, status: "APPLYING" },
    );
    await add(
      "core-delta",
      { "service.name": "vector", "service.version": "2.0.0" },
      {
        status: "APPLIED",
      },
    );
    const gone = await add("old-epsilon", { "service.name": "otelcol", "service.version": "1.0" });
    await h.fleet.handleDisconnected(gone);
  });
  after(async () => {
    await h.close();
  });

  const list = async (query: string): Promise<Listed> => {
    const res = await h.app.inject({
      method: "GET",
      url: `/api/v1/agents${query}`,
      headers: h.auth,
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as Listed;
  };
  const names = (listed: Listed) => {
    const byId = new Map(Object.entries(ids).map(([name, id]) => [id, name]));
    return listed.agents.map((a) => byId.get(a.id));
  };
  const refused = async (query: string, parameter: string) => {
    const res = await h.app.inject({
      method: "GET",
      url: `/api/v1/agents${query}`,
      headers: h.auth,
    });
    assert.equal(res.statusCode, 400, query);
    assert.equal(res.json().error, "Bad Request");
    assert.match(res.json().message, new RegExp(parameter), query);
  };

  test("without parameters every agent is listed by id with a total beside them", async () => {
    const all = await list("");
    assert.equal(all.total, 5);
    assert.equal(all.agents.length, 5);
    const listedIds = all.agents.map((a) => a.id);
    assert.deepEqual(listedIds, [...listedIds].sort());
  });

  test("?q= is a case-insensitive substring of the id, name-like attributes and labels", async () => {
    assert.deepEqual(names(await list("?q=EDGE&sort=name")), ["edge-alpha", "edge-beta"]);
    assert.deepEqual(names(await list("?q=core-gamma")), ["Core-Gamma"]);
    assert.deepEqual(names(await list("?q=fluent")), ["edge-beta"]);
    assert.deepEqual(names(await list("?q=env%3Dprod")), ["Core-Gamma"]);
    assert.deepEqual(names(await list("?q=3.0.0")), ["edge-beta"]);
    const id = ids["core-delta"]!;
    assert.deepEqual(names(await list(`?q=${id.slice(-12).toUpperCase()}`)), ["core-delta"]);
    const none = await list("?q=nothing-like-this");
    assert.deepEqual(none, { agents: [], total: 0 });
  });

  test("C-24 ?status= picks connected, disconnected, unhealthy, applied, applying and failed agents; several values mean any of them", async () => {
    assert.deepEqual(names(await list("?status=disconnected")), ["old-epsilon"]);
    assert.equal((await list("?status=connected")).total, 4);
    assert.deepEqual(names(await list("?status=unhealthy")), ["Core-Gamma"]);
    assert.deepEqual(names(await list("?status=applied")), ["core-delta"]);
    assert.deepEqual(names(await list("?status=applying")), ["Core-Gamma"]);
    assert.deepEqual(names(await list("?status=failed")), ["edge-beta"]);
    assert.deepEqual(names(await list("?status=failed,applied&sort=name")), [
      "core-delta",
      "edge-beta",
    ]);
  });

  test("?q=, ?status= and ?selector= combine (all must match)", async () => {
    assert.deepEqual(names(await list("?q=core&status=applied")), ["core-delta"]);
    assert.deepEqual(
      names(await list(`?selector=${encodeURIComponent("service.name=otelcol")}&q=edge`)),
      ["edge-alpha"],
    );
  });

  test("?sort= orders by a key, a leading '-' reverses it", async () => {
    const byName = ["Core-Gamma", "core-delta", "edge-alpha", "edge-beta", "old-epsilon"].sort(
      (a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1),
    );
    assert.deepEqual(names(await list("?sort=name")), byName);
    assert.deepEqual(names(await list("?sort=-name")), [...byName].reverse());
    assert.deepEqual(names(await list("?sort=version")), [
      "Core-Gamma",
      "old-epsilon",
      "edge-alpha",
      "core-delta",
      "edge-beta",
    ]);
    assert.deepEqual(names(await list("?sort=connected")).slice(0, 1), ["old-epsilon"]);
    assert.deepEqual(names(await list("?sort=-connected")).slice(-1), ["old-epsilon"]);
    assert.deepEqual(names(await list("?sort=configStatus")).slice(0, 2), [
      "edge-beta",
      "Core-Gamma",
    ]);
    assert.deepEqual(names(await list("?sort=type&q=edge")), ["edge-beta", "edge-alpha"]);
    assert.deepEqual(names(await list("?sort=health")).slice(0, 1), ["Core-Gamma"]);
    const bySeen = await list("?sort=-lastSeen");
    assert.equal(bySeen.total, 5);
  });

  test("?limit= and ?offset= page the sorted matches while total counts them all", async () => {
    const first = await list("?sort=name&limit=2");
    const second = await list("?sort=name&limit=2&offset=2");
    const last = await list("?sort=name&limit=2&offset=4");
    assert.equal(first.total, 5);
    assert.equal(second.total, 5);
    assert.deepEqual(
      [...names(first), ...names(second), ...names(last)],
      names(await list("?sort=name")),
    );
    assert.equal(last.agents.length, 1);
    assert.deepEqual(await list("?offset=10"), { agents: [], total: 5 });
    const filtered = await list("?q=edge&limit=1&sort=-name");
    assert.deepEqual(names(filtered), ["edge-beta"]);
    assert.equal(filtered.total, 2);
  });

  test("bad values are a 400 naming the parameter", async () => {
    await refused("?status=broken", "status");
    await refused("?status=connected,", "status");
    await refused("?sort=colour", "sort");
    await refused("?sort=-", "sort");
    await refused("?limit=0", "limit");
    await refused("?limit=1001", "limit");
    await refused("?limit=ten", "limit");
    await refused("?offset=-1", "offset");
    await refused("?offset=1.5", "offset");
    await refused(`?selector=${encodeURIComponent("env in prod")}`, "selector");
  });

  test("the OpenAPI document describes the list parameters and the total", async () => {
    const res = await h.app.inject({
      method: "GET",
      url: "/api/v1/openapi.json",
      headers: h.auth,
    });
    const op = res.json().paths["/api/v1/agents"].get;
    const params = (op.parameters as { name: string; in: string }[])
      .filter((p) => p.in === "query")
      .map((p) => p.name);
    assert.deepEqual(params.sort(), ["limit", "offset", "q", "selector", "sort", "status"]);
    const schema = op.responses["200"].content["application/json"].schema;
    assert.ok(schema.properties.total);
    const config = res.json().paths["/api/v1/agents/{id}/config"].get;
    assert.ok(config.responses["200"].content["application/json"].schema.properties.files);
  });

  test("S-12 GET /agents/{id}/config answers the override's files, hash and time; 404 without one or for an unknown agent", async () => {
    const id = ids["edge-alpha"]!;
    const get = (agent: string) =>
      h.app.inject({ method: "GET", url: `/api/v1/agents/${agent}/config`, headers: h.auth });
    const none = await get(id);
    assert.equal(none.statusCode, 404);
    assert.match(none.json().message, /no config override/);

    const put = await h.app.inject({
      method: "PUT",
      url: `/api/v1/agents/${id}/config`,
      headers: h.auth,
      payload: { files: YAML },
    });
    assert.equal(put.statusCode, 200);
    const got = await get(id);
    assert.equal(got.statusCode, 200);
    const body = got.json();
    assert.deepEqual(body.files, YAML);
    assert.equal(body.hash, configHash(YAML));
    assert.ok(!Number.isNaN(Date.parse(body.updatedAt)));

    const cleared = await h.app.inject({
      method: "DELETE",
      url: `/api/v1/agents/${id}/config`,
      headers: h.auth,
    });
    assert.equal(cleared.statusCode, 204);
    assert.equal((await get(id)).statusCode, 404);

    const unknown = await get("0190f1a2-0000-7000-8000-000000000000");
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.json().message, /no agent 0190f1a2-0000-7000-8000-000000000000/);
  });
});
