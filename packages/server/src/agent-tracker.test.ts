import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AgentToServerSchema, create, newInstanceUid } from "@opamp-ts/protocol";
import { AgentTracker } from "./agent-tracker.js";
import type { AgentConnection } from "./connection.js";

function connection(id: string): AgentConnection {
  return { id, transport: "websocket", isOpen: true } as unknown as AgentConnection;
}

function message(instanceUid: Uint8Array, sequenceNum: bigint) {
  return create(AgentToServerSchema, { instanceUid, sequenceNum, capabilities: 1n });
}

describe("agent tracker connection index", () => {
  test("S-23 S-26 closing a stream disconnects exactly the agents it carries", () => {
    const tracker = new AgentTracker();
    const proxy = connection("proxy");
    const direct = connection("direct");
    const [a, b, c] = [newInstanceUid(), newInstanceUid(), newInstanceUid()];
    tracker.observe(message(a, 1n), proxy);
    tracker.observe(message(b, 1n), proxy);
    tracker.observe(message(c, 1n), direct);
    const affected = tracker.forgetConnection(proxy).map((s) => s.key);
    assert.equal(affected.length, 2);
    assert.equal(tracker.get(a)?.connected, false);
    assert.equal(tracker.get(b)?.connected, false);
    assert.equal(tracker.get(c)?.connected, true);
    assert.deepEqual(tracker.forgetConnection(proxy), []);
  });

  test("P-15 an agent that reconnected is not disconnected when its old stream closes late", () => {
    const tracker = new AgentTracker();
    const before = connection("before");
    const after = connection("after");
    const uid = newInstanceUid();
    tracker.observe(message(uid, 1n), before);
    tracker.observe(message(uid, 2n), after);
    assert.deepEqual(tracker.forgetConnection(before), []);
    assert.equal(tracker.get(uid)?.connected, true);
    assert.equal(tracker.get(uid)?.connection, after);
    assert.equal(tracker.forgetConnection(after).length, 1);
  });

  test("S-17 a re-keyed agent is still found through its connection", () => {
    const tracker = new AgentTracker();
    const conn = connection("c");
    const oldUid = newInstanceUid();
    const newUid = newInstanceUid();
    tracker.observe(message(oldUid, 1n), conn);
    tracker.rekey(oldUid, newUid);
    const affected = tracker.forgetConnection(conn);
    assert.equal(affected.length, 1);
    assert.equal(tracker.get(newUid)?.connected, false);
  });
});
