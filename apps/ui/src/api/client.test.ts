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
