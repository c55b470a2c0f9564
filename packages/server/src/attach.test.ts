import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import WebSocket, { WebSocketServer } from "ws";
import { OpampServer } from "./server.js";
import { agentMessage, post, postMessage, RawWsAgent } from "./test-support/harness.js";

async function listen(server: Server): Promise<number> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

describe("mounting beside an existing node:http app", () => {
  test("S-1 both transports on the OpAMP path of an app server, the app keeps its other routes", async () => {
    const app = createServer((req, res) => {
      res.writeHead(200, { "Content-Type": "text/plain" }).end(`app:${req.url}`);
    });
    const opamp = new OpampServer();
    opamp.attach(app);
    const port = await listen(app);
    try {
      const base = `127.0.0.1:${port}`;
      const home = await post(`http://${base}/health`, undefined, {}, "GET");
      assert.equal(home.body.toString(), "app:/health");
      const message = agentMessage();
      const { status, reply } = await postMessage(`http://${base}/v1/opamp`, message);
      assert.equal(status, 200);
      assert.deepEqual(reply.instanceUid, message.instanceUid);
      const agent = await RawWsAgent.connect(`ws://${base}/v1/opamp?tenant=a`);
      const ws = await agent.exchange(agentMessage());
      assert.equal(ws.errorResponse, undefined);
      agent.close();
      await agent.closed;
    } finally {
      await opamp.close();
      app.close();
      app.closeAllConnections();
    }
  });

  test("upgrades for other paths reach the app's own upgrade listeners, or get 404 when there are none", async () => {
    const app = createServer();
    const other = new WebSocketServer({ noServer: true });
    app.on("upgrade", (req, socket, head) => {
      if (req.url === "/chat") other.handleUpgrade(req, socket, head, (ws) => ws.send("hi"));
      else socket.destroy();
    });
    const opamp = new OpampServer({ path: "/opamp" });
    opamp.attach(app);
    const port = await listen(app);
    const bare = createServer();
    const bareOpamp = new OpampServer();
    bareOpamp.attach(bare);
    const barePort = await listen(bare);
    try {
      const chat = new WebSocket(`ws://127.0.0.1:${port}/chat`);
      const [greeting] = await once(chat, "message");
      assert.equal(String(greeting), "hi");
      chat.close();
      const missing = new WebSocket(`ws://127.0.0.1:${barePort}/elsewhere`);
      missing.on("error", () => {});
      const [, res] = (await once(missing, "unexpected-response")) as [
        unknown,
        { statusCode: number },
      ];
      assert.equal(res.statusCode, 404);
      missing.terminate();
    } finally {
      await opamp.close();
      await bareOpamp.close();
      other.close();
      for (const s of [app, bare]) {
        s.close();
        s.closeAllConnections();
      }
    }
  });

  test("close() gives the app its request listeners back", async () => {
    const app = createServer((_req, res) => res.end("app"));
    const opamp = new OpampServer();
    opamp.attach(app);
    await opamp.close();
    assert.equal(app.listenerCount("request"), 1);
    const port = await listen(app);
    try {
      const result = await post(`http://127.0.0.1:${port}/v1/opamp`, undefined, {}, "GET");
      assert.equal(result.body.toString(), "app");
    } finally {
      app.close();
      app.closeAllConnections();
    }
  });

  test("handleRequest and handleUpgrade return false for other paths so a framework can delegate", async () => {
    const opamp = new OpampServer();
    const app = createServer((req, res) => {
      if (!opamp.handleRequest(req, res)) res.end("fallthrough");
    });
    app.on("upgrade", (req, socket, head) => {
      if (!opamp.handleUpgrade(req, socket, head)) socket.destroy();
    });
    const port = await listen(app);
    try {
      const other = await post(`http://127.0.0.1:${port}/x`, undefined, {}, "GET");
      assert.equal(other.body.toString(), "fallthrough");
      const message = agentMessage();
      const { reply } = await postMessage(`http://127.0.0.1:${port}/v1/opamp`, message);
      assert.deepEqual(reply.instanceUid, message.instanceUid);
      const agent = await RawWsAgent.connect(`ws://127.0.0.1:${port}/v1/opamp`);
      await agent.exchange(agentMessage());
      agent.close();
      await agent.closed;
    } finally {
      await opamp.close();
      app.close();
      app.closeAllConnections();
    }
  });
});
