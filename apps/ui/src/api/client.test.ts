import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiClient } from "./client.js";
import { ApiError, codeForStatus, describeError } from "./errors.js";

type Call = { url: string; init: RequestInit | undefined };

function fakeFetch(status: number, body: string, calls: Call[] = []) {
  return async (url: string, init?: RequestInit) => {
    calls.push({ url, init });
    return new Response(body === "" ? null : body, { status });
  };
}

test("S-2 REST client: every request carries the admin bearer token and JSON bodies", async () => {
  const calls: Call[] = [];
  const api = new ApiClient("tok en", {
    baseUrl: "http://h",
    fetch: fakeFetch(200, '{"agents":[]}', calls),
  });
  assert.deepEqual(await api.listAgents("env=prod,tier in (a,b)"), []);
  assert.equal(calls[0]?.url, "http://h/api/v1/agents?selector=env%3Dprod%2Ctier%20in%20(a%2Cb)");
  const headers = calls[0]?.init?.headers as Record<string, string>;
  assert.equal(headers.authorization, "Bearer tok en");
  await api.setLabels("id/1", { env: "prod" }).catch(() => undefined);
  assert.equal(calls[1]?.url, "http://h/api/v1/agents/id%2F1/labels");
  assert.equal(calls[1]?.init?.method, "PUT");
  assert.equal(calls[1]?.init?.body, '{"labels":{"env":"prod"}}');
});

test("S-2 REST client: a 401 says the admin token was refused", async () => {
  const api = new ApiClient("bad", {
    fetch: fakeFetch(
      401,
      '{"statusCode":401,"error":"Unauthorized","message":"missing or wrong admin token"}',
    ),
  });
  await assert.rejects(api.verify(), (error: unknown) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.code, "UNAUTHORIZED");
    assert.equal(error.message, "Signing in failed: the admin token was refused (401)");
    return true;
  });
});

test("REST 400: a refused config keeps the server's message, file, line and column", async () => {
  const body = JSON.stringify({
    statusCode: 400,
    error: "Bad Request",
    message: "c.yaml: invalid YAML at line 2, column 3: bad",
    file: "c.yaml",
    line: 2,
    column: 3,
  });
  const api = new ApiClient("t", { fetch: fakeFetch(400, body) });
  await assert.rejects(
    api.addVersion("cfg", { "c.yaml": { body: "x", contentType: "text/yaml" } }),
    (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.code, "BAD_REQUEST");
      assert.equal(
        error.message,
        "Saving the new version failed: c.yaml: invalid YAML at line 2, column 3: bad (400)",
      );
      assert.deepEqual(error.location, { file: "c.yaml", line: 2, column: 3 });
      return true;
    },
  );
});

test("REST client: unreachable servers, non-JSON answers and bodiless errors still say what failed", async () => {
  const down = new ApiClient("t", {
    fetch: async () => {
      throw new TypeError("fetch failed");
    },
  });
  await assert.rejects(
    down.listConfigurations(),
    /Loading configurations failed: the server could not be reached/,
  );
  const html = new ApiClient("t", { fetch: fakeFetch(200, "<html>") });
  await assert.rejects(
    html.listAudit(),
    (e: unknown) => e instanceof ApiError && e.code === "BAD_RESPONSE",
  );
  const bare = new ApiClient("t", { fetch: fakeFetch(502, "") });
  await assert.rejects(
    bare.restart("a"),
    /Sending the restart command failed: the server answered 502 \(502\)/,
  );
});

test("REST client: 204 answers resolve without a body", async () => {
  const api = new ApiClient("t", { fetch: fakeFetch(204, "") });
  await api.deleteAssignment("x");
  await api.clearAgentConfig("x");
});

test("REST client: statuses map to error codes and any thrown value gets a message", () => {
  assert.equal(codeForStatus(404), "NOT_FOUND");
  assert.equal(codeForStatus(409), "CONFLICT");
  assert.equal(codeForStatus(413), "TOO_LARGE");
  assert.equal(codeForStatus(422), "BAD_REQUEST");
  assert.equal(codeForStatus(500), "SERVER");
  assert.equal(describeError("plain"), "plain");
  assert.equal(describeError(new Error("boom")), "boom");
});

test("REST client: the event stream URL carries the token in the query (EventSource cannot send headers)", () => {
  const api = new ApiClient("a b&c", { baseUrl: "http://h" });
  assert.equal(api.streamUrl("/events"), "http://h/api/v1/events?access_token=a%20b%26c");
});

test("REST client: the agents table's search, statuses, selector, sort and paging go to the server as query parameters", async () => {
  const calls: Call[] = [];
  const api = new ApiClient("t", {
    baseUrl: "http://h",
    fetch: fakeFetch(200, '{"agents":[],"total":42}', calls),
  });
  const page = await api.queryAgents({
    q: " Edge & co ",
    selector: "env in (a,b)",
    statuses: ["failed", "applying"],
    sort: { key: "lastSeen", descending: true },
    limit: 50,
    offset: 100,
  });
  assert.deepEqual(page, { agents: [], total: 42 });
  const url = new URL(calls[0]?.url ?? "");
  assert.equal(url.pathname, "/api/v1/agents");
  assert.equal(url.searchParams.get("q"), "Edge & co");
  assert.equal(url.searchParams.get("selector"), "env in (a,b)");
  assert.equal(url.searchParams.get("status"), "failed,applying");
  assert.equal(url.searchParams.get("sort"), "-lastSeen");
  assert.equal(url.searchParams.get("limit"), "50");
  assert.equal(url.searchParams.get("offset"), "100");
  await api.queryAgents({ q: "  ", statuses: [], sort: { key: "name", descending: false } });
  assert.equal(calls[1]?.url, "http://h/api/v1/agents?sort=name");
  await api.queryAgents({});
  assert.equal(calls[2]?.url, "http://h/api/v1/agents");
});

test("REST 400: a refused agents query says it was filtering and keeps the server's message", async () => {
  const body = JSON.stringify({
    statusCode: 400,
    error: "Bad Request",
    message: "querystring/status: invalid status",
  });
  const api = new ApiClient("t", { fetch: fakeFetch(400, body) });
  await assert.rejects(
    api.queryAgents({ q: "x" }),
    /Filtering agents failed: querystring\/status: invalid status \(400\)/,
  );
});

test("REST client: an agent's override is read back, undefined when it has none (404)", async () => {
  const override = {
    files: { "c.yaml": { body: "a: 1\n", contentType: "text/yaml" } },
    hash: "ab",
    updatedAt: "2026-11-25T08:00:00.000Z",
  };
  const calls: Call[] = [];
  const api = new ApiClient("t", {
    baseUrl: "http://h",
    fetch: fakeFetch(200, JSON.stringify(override), calls),
  });
  assert.deepEqual(await api.getAgentOverride("id/1"), override);
  assert.equal(calls[0]?.url, "http://h/api/v1/agents/id%2F1/config");
  const none = new ApiClient("t", {
    fetch: fakeFetch(404, '{"statusCode":404,"error":"Not Found","message":"no override"}'),
  });
  assert.equal(await none.getAgentOverride("x"), undefined);
  const broken = new ApiClient("t", { fetch: fakeFetch(500, "") });
  await assert.rejects(broken.getAgentOverride("x"), /Loading the agent's config override failed/);
});
