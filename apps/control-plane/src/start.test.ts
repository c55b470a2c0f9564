import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer } from "node:net";
import { test } from "node:test";
import { BACKENDS } from "./test-support/backends.js";
import { startTestServer } from "./test-support/running-server.js";

test("a start that cannot listen fails and releases what it opened, so a retry works", async () => {
  const db = await BACKENDS[0]!.create();
  const blocker = createServer();
  blocker.listen(0, "127.0.0.1");
  await once(blocker, "listening");
  const port = (blocker.address() as { port: number }).port;
  try {
    await assert.rejects(
      startTestServer(db, { httpAddress: `127.0.0.1:${port}` }),
      /EADDRINUSE|listen/,
    );
    const server = await startTestServer(db);
    assert.equal((await server.api("GET", "/agents")).status, 200);
    await server.handle.close();
    await server.handle.close();
  } finally {
    blocker.close();
    db.cleanup();
  }
});
