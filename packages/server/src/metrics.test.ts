import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeAgentToServerFrame } from "@opamp-ts/protocol";
import {
  agentMessage,
  post,
  postMessage,
  RawWsAgent,
  startServer,
  waitFor,
} from "./test-support/harness.js";

test("metrics count connections, messages and bytes by transport and errors by kind", async () => {
  const running = await startServer();
  try {
    const agent = await RawWsAgent.connect(running.url);
    const message = agentMessage();
    await agent.exchange(message);
    agent.ws.send("text");
    await agent.closed;
    await postMessage(running.httpUrl, agentMessage());
    await post(running.httpUrl, Buffer.from("{}"), { "Content-Type": "application/json" });
    await waitFor(
      () => running.server.metrics().transports.websocket.connectionsClosed === 1,
      "the close",
    );
    const m = running.server.metrics();
    const ws = m.transports.websocket;
    assert.equal(ws.connectionsOpened, 1);
    assert.equal(ws.connectionsCurrent, 0);
    assert.equal(ws.messagesReceived, 1);
    assert.equal(ws.bytesReceived, encodeAgentToServerFrame(message).length);
    assert.equal(ws.messagesSent, 1);
    assert.ok(ws.bytesSent > 16);
    const http = m.transports.http;
    assert.equal(http.requests, 2);
    assert.equal(http.connectionsOpened, 1);
    assert.equal(http.connectionsCurrent, 1);
    assert.equal(http.messagesReceived, 1);
    assert.equal(http.messagesSent, 1);
    assert.equal(m.errors.text_frame, 1);
    assert.equal(m.errors.not_opamp, 1);
    assert.equal(m.agentsTracked, 2);
    // A snapshot is a copy, not a live view.
    assert.notEqual(running.server.metrics().transports.http, http);
  } finally {
    await running.close();
  }
});
