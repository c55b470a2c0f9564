import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { makeAgent } from "../test-support/agents.js";
import { ApiClient } from "./client.js";
import { FleetStore } from "./fleet-store.js";
import type { Agent, FleetEvent } from "./types.js";

/** A stand-in for the browser's EventSource, driven by the test. */
class FakeEventSource {
  static last: FakeEventSource | undefined;
  readonly url: string;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  readyState = 0;
  closed = false;
  private readonly listeners = new Map<string, ((m: { data: string }) => void)[]>();
  constructor(url: string) {
    this.url = url;
    FakeEventSource.last = this;
  }
  addEventListener(type: string, listener: (m: { data: string }) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  emit(event: FleetEvent): void {
    for (const l of this.listeners.get(event.type) ?? []) l({ data: JSON.stringify(event) });
  }
  close(): void {
    this.closed = true;
    this.readyState = 2;
  }
}

const realEventSource = (globalThis as { EventSource?: unknown }).EventSource;
beforeEach(() => {
  (globalThis as { EventSource?: unknown }).EventSource = FakeEventSource;
});
afterEach(() => {
  (globalThis as { EventSource?: unknown }).EventSource = realEventSource;
});

/** An API whose agent list answers when the test says so. */
function controlledApi() {
  const answers: ((agents: Agent[]) => void)[] = [];
  let calls = 0;
  const api = new ApiClient("tok", {
    baseUrl: "http://h",
    fetch: () => {
      calls += 1;
      return new Promise((resolve) => {
        answers.push((agents) =>
          resolve(new Response(JSON.stringify({ agents }), { status: 200 })),
        );
      });
    },
  });
  return { api, answer: (agents: Agent[]) => answers.shift()!(agents), calls: () => calls };
}

function nextNotification(store: FleetStore): Promise<void> {
  return new Promise((resolve) => {
    const off = store.subscribe(() => {
      off();
      resolve();
    });
  });
}

test("S-8 live store: loads the list, then applies stream events in one batched snapshot", async () => {
  const { api, answer } = controlledApi();
  const store = new FleetStore(api);
  store.start();
  assert.equal(FakeEventSource.last?.url, "http://h/api/v1/events?access_token=tok");
  const a = makeAgent({ name: "a" });
  let notified = nextNotification(store);
  answer([a]);
  await notified;
  assert.equal(store.getSnapshot().loaded, true);
  assert.equal(store.getSnapshot().agents.size, 1);

  const b = makeAgent({ name: "b" });
  notified = nextNotification(store);
  FakeEventSource.last!.emit({ type: "agent.connected", agentId: b.id, agent: b });
  FakeEventSource.last!.emit({ type: "agent.disconnected", agentId: a.id });
  await notified;
  const snap = store.getSnapshot();
  assert.equal(snap.agents.size, 2);
  assert.equal(snap.agents.get(a.id)?.connected, false);
  assert.deepEqual(
    snap.recent.map((r) => r.text),
    ["a disconnected", "b connected"],
  );
  store.stop();
  assert.equal(FakeEventSource.last!.closed, true);
});

test("S-8 live store: an event that arrives while the list is loading is not lost to the older list", async () => {
  const { api, answer } = controlledApi();
  const store = new FleetStore(api);
  store.start();
  const a = makeAgent({ name: "a" });
  FakeEventSource.last!.emit({ type: "agent.connected", agentId: a.id, agent: a });
  const notified = nextNotification(store);
  answer([]);
  await notified;
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.equal(store.getSnapshot().agents.get(a.id)?.id, a.id);
  store.stop();
});

test("S-8 live store: after the stream reconnects the list is loaded again and the state says so", async () => {
  const { api, answer, calls } = controlledApi();
  const store = new FleetStore(api);
  store.start();
  const source = FakeEventSource.last!;
  source.onopen?.();
  answer([]);
  source.onerror?.();
  await nextNotification(store);
  assert.equal(store.getSnapshot().live, "reconnecting");
  source.onopen?.();
  assert.equal(calls(), 2);
  const notified = nextNotification(store);
  answer([makeAgent()]);
  await notified;
  assert.equal(store.getSnapshot().live, "live");
  assert.equal(store.getSnapshot().agents.size, 1);
  store.stop();
});

test("S-22 live store: raw events reach listeners, e.g. custom message replies", async () => {
  const { api } = controlledApi();
  const store = new FleetStore(api);
  store.start();
  const seen: string[] = [];
  const off = store.onEvent((e) => seen.push(e.type));
  FakeEventSource.last!.emit({
    type: "agent.customMessage",
    agentId: "x",
    capability: "c",
    messageType: "t",
    data: "",
  });
  off();
  FakeEventSource.last!.emit({ type: "agent.disconnected", agentId: "x" });
  assert.deepEqual(seen, ["agent.customMessage"]);
  store.stop();
});

test("S-8 live store: a stream the browser gave up on (HTTP error) is opened again", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const { api } = controlledApi();
  const store = new FleetStore(api);
  store.start();
  const first = FakeEventSource.last!;
  first.readyState = 2;
  first.onerror?.();
  assert.equal(first.closed, true);
  t.mock.timers.tick(5_000);
  assert.notEqual(FakeEventSource.last, first);
  store.stop();
  const second = FakeEventSource.last!;
  second.readyState = 2;
  second.onerror?.();
  t.mock.timers.tick(5_000);
  assert.equal(FakeEventSource.last, second, "no new stream after stop()");
});
