import assert from "node:assert/strict";
import { test } from "node:test";
import { makeAgent } from "../test-support/agents.js";
import { AgentQuery, type AgentQueryState, patchRows, STATUS_FILTERS } from "./agent-query.js";
import { ApiError } from "./errors.js";
import type { AgentListParams, AgentPage } from "./types.js";

/** A fake `queryAgents` whose answers the test releases one by one. */
function fakeApi() {
  const calls: {
    params: AgentListParams;
    resolve: (page: AgentPage) => void;
    reject: (e: unknown) => void;
  }[] = [];
  return {
    calls,
    api: {
      queryAgents: (params: AgentListParams) =>
        new Promise<AgentPage>((resolve, reject) => calls.push({ params, resolve, reject })),
    },
  };
}

async function waitUntil(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const page = (total: number): AgentPage => ({ agents: [], total });

test("UI agents table: typing is debounced into one server query with the last parameters", async () => {
  const { calls, api } = fakeApi();
  const states: AgentQueryState[] = [];
  const query = new AgentQuery(api, (s) => states.push(s), { debounceMs: 20 });
  query.setParams({ q: "e" });
  query.setParams({ q: "ed" });
  query.setParams({ q: "edge", statuses: ["failed"] });
  await waitUntil("the query", () => calls.length > 0);
  calls[0]!.resolve(page(3));
  await waitUntil("the answer", () => states.length > 0);
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0]!.params, { q: "edge", statuses: ["failed"] });
  assert.deepEqual(states, [{ page: page(3), error: undefined }]);
  query.dispose();
});

test("UI agents table: an answer to an older question is dropped when a newer one was asked", async () => {
  const { calls, api } = fakeApi();
  const states: AgentQueryState[] = [];
  const query = new AgentQuery(api, (s) => states.push(s), { debounceMs: 0 });
  query.setParams({ q: "old" });
  await waitUntil("the first query", () => calls.length === 1);
  query.setParams({ q: "new" });
  await waitUntil("the second query", () => calls.length === 2);
  calls[1]!.resolve(page(1));
  await waitUntil("the newer answer", () => states.length === 1);
  calls[0]!.resolve(page(99));
  // Let the older answer settle; it must not replace the newer one.
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(states, [{ page: page(1), error: undefined }]);
  query.dispose();
});

test("UI agents table: fleet changes re-ask the server at most once per refresh interval, with the current parameters", async () => {
  const { calls, api } = fakeApi();
  const states: AgentQueryState[] = [];
  const query = new AgentQuery(api, (s) => states.push(s), { debounceMs: 0, refreshMs: 10 });
  query.setParams({ sort: { key: "name", descending: true } });
  await waitUntil("the query", () => calls.length === 1);
  calls[0]!.resolve(page(1));
  for (let i = 0; i < 5; i++) query.fleetChanged();
  await waitUntil("the refresh", () => calls.length === 2);
  assert.deepEqual(calls[1]!.params, { sort: { key: "name", descending: true } });
  calls[1]!.resolve(page(2));
  await waitUntil("the refreshed answer", () => states.length === 2);
  query.fleetChanged();
  await waitUntil("a later refresh", () => calls.length === 3);
  calls[2]!.resolve(page(3));
  await waitUntil("the later answer", () => states.length === 3);
  assert.deepEqual(
    states.map((s) => s.page?.total),
    [1, 2, 3],
  );
  query.dispose();
});

test("REST 400: a refused query reaches the table as a message, with no rows", async () => {
  const { calls, api } = fakeApi();
  const states: AgentQueryState[] = [];
  const query = new AgentQuery(api, (s) => states.push(s), { debounceMs: 0 });
  query.setParams({ selector: "env in prod" });
  await waitUntil("the query", () => calls.length === 1);
  calls[0]!.reject(
    new ApiError("Filtering agents", "BAD_REQUEST", 400, "invalid selector at position 7"),
  );
  await waitUntil("the refusal", () => states.length === 1);
  assert.equal(states[0]!.page, undefined);
  assert.match(states[0]!.error ?? "", /Filtering agents failed: invalid selector at position 7/);
  query.dispose();
});

test("UI agents table: after dispose nothing is asked and late answers are ignored", async () => {
  const { calls, api } = fakeApi();
  const states: AgentQueryState[] = [];
  const query = new AgentQuery(api, (s) => states.push(s), { debounceMs: 0, refreshMs: 0 });
  query.setParams({ q: "a" });
  await waitUntil("the query", () => calls.length === 1);
  query.dispose();
  calls[0]!.resolve(page(1));
  query.fleetChanged();
  query.setParams({ q: "b" });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(calls.length, 1);
  assert.deepEqual(states, []);
});

test("S-8 UI agents table: server rows show the live copy of each agent from the event stream", () => {
  const a = makeAgent({ name: "a" });
  const b = makeAgent({ name: "b" });
  const liveB = { ...b, connected: false };
  const rows = patchRows([b, a], new Map([[b.id, liveB]]));
  assert.deepEqual(rows, [liveB, a]);
});

test("UI agents table: every status filter maps to server statuses the API accepts", () => {
  const accepted = new Set([
    "connected",
    "disconnected",
    "unhealthy",
    "applied",
    "applying",
    "failed",
  ]);
  assert.deepEqual(STATUS_FILTERS.find((f) => f.value === "all")?.statuses, []);
  for (const f of STATUS_FILTERS) {
    for (const s of f.statuses) assert.ok(accepted.has(s), `${f.value} → ${s}`);
  }
  assert.deepEqual(STATUS_FILTERS.find((f) => f.value === "config-failed")?.statuses, ["failed"]);
});
