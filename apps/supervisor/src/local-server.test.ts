import assert from "node:assert/strict";
import { test } from "node:test";
import { silentLogger } from "@opamp-ts/server";
import WebSocket from "ws";
import { LocalServer } from "./local-server.js";

const handlers = {
  description: () => {},
  health: () => {},
  effectiveConfig: () => {},
  availableComponents: () => {},
  customCapabilities: () => {},
  customMessage: () => {},
};

function connect(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers });
    socket.on("open", () => {
      socket.close();
      resolve(101);
    });
    socket.on("unexpected-response", (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on("error", () => {});
  });
}

test("S-2 the local server admits only the Collector carrying this run's token", async (t) => {
  const server = new LocalServer("the-run-token", handlers, silentLogger);
  t.after(() => server.close());
  const url = await server.listen(0);
  assert.equal(await connect(url, {}), 401);
  assert.equal(await connect(url, { "x-opamp-supervisor-token": "the-run-tokeN" }), 401);
  assert.equal(await connect(url, { "x-opamp-supervisor-token": "the-run-token" }), 101);
});
