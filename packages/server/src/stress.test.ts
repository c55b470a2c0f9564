import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { test } from "node:test";
import WebSocket from "ws";
import {
  agentMessage,
  postMessage,
  RawWsAgent,
  startServer,
  waitFor,
} from "./test-support/harness.js";

const COUNT = 1000;

test("1,000 connections opened and dropped at once leave the server up and serving", async () => {
  const running = await startServer();
  try {
    // Half are WebSocket handshakes dropped at random points, half raw TCP sockets
    // that send part of a request and vanish.
    const sockets: Array<Promise<void>> = [];
    for (let i = 0; i < COUNT / 2; i++) {
      sockets.push(
        new Promise<void>((resolve) => {
          const ws = new WebSocket(running.url);
          ws.on("error", () => resolve());
          ws.on("close", () => resolve());
          ws.on("open", () => ws.terminate());
          if (i % 3 === 0) setImmediate(() => ws.terminate());
        }),
      );
      sockets.push(
        new Promise<void>((resolve) => {
          const socket: Socket = connect(running.port, "127.0.0.1");
          socket.on("error", () => resolve());
          socket.on("close", () => resolve());
          socket.on("connect", () => {
            socket.write(
              "POST /v1/opamp HTTP/1.1\r\nContent-Type: application/x-protobuf\r\nContent-Length: 50\r\n\r\nxx",
            );
            socket.destroy();
          });
        }),
      );
    }
    await Promise.all(sockets);
    await waitFor(
      () => running.server.metrics().transports.websocket.connectionsCurrent === 0,
      "all sockets to close",
    );
    const m = running.server.metrics().transports.websocket;
    assert.equal(m.connectionsOpened, m.connectionsClosed);
    // Still serving both transports.
    const agent = await RawWsAgent.connect(running.url);
    const message = agentMessage();
    assert.deepEqual((await agent.exchange(message)).instanceUid, message.instanceUid);
    agent.close();
    const http = agentMessage();
    const { status, reply } = await postMessage(running.httpUrl, http);
    assert.equal(status, 200);
    assert.deepEqual(reply.instanceUid, http.instanceUid);
  } finally {
    await running.close();
  }
});
