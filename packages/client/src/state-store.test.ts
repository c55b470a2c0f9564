import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { formatInstanceUid, newInstanceUid } from "@opamp-ts/protocol";
import { OpampClient } from "./client.js";
import { FileStateStore, MemoryStateStore } from "./state-store.js";

describe("state stores", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "opamp-client-state-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test("C-22 the file store writes atomically: no temp files left, content replaced whole", async () => {
    const store = new FileStateStore(join(dir, "nested", "state.json"));
    assert.equal(await store.load(), undefined, "missing file = no state");
    await store.save({ instanceUid: "a" });
    await store.save({ instanceUid: "b", csrKey: "k" });
    assert.deepEqual(await store.load(), { instanceUid: "b", csrKey: "k" });
    assert.deepEqual(await readdir(join(dir, "nested")), ["state.json"]);
    assert.equal(store.durable, true);
  });

  test("a corrupt state file is a typed STATE_STORE error and is left untouched", async () => {
    const path = join(dir, "corrupt.json");
    await writeFile(path, "{ not json");
    const store = new FileStateStore(path);
    await assert.rejects(store.load(), { name: "OpampClientError", code: "STATE_STORE" });
    const client = new OpampClient({
      endpoint: "ws://127.0.0.1:1/v1/opamp",
      capabilities: 0n,
      agentDescription: { identifyingAttributes: {} },
      stateStore: store,
    });
    await assert.rejects(client.start(), { code: "STATE_STORE" });
    assert.equal(await readFile(path, "utf8"), "{ not json", "no data lost");
  });

  test("the memory store is not durable and returns copies", async () => {
    const store = new MemoryStateStore({ instanceUid: "x" });
    const loaded = await store.load();
    assert.equal(store.durable, false);
    assert.deepEqual(loaded, { instanceUid: "x" });
  });

  test("C-1 a new client generates a 16-byte UUID v7 instance uid and persists it", async () => {
    const store = new MemoryStateStore();
    const client = new OpampClient({
      endpoint: "http://127.0.0.1:1/v1/opamp",
      capabilities: 0n,
      agentDescription: { identifyingAttributes: {} },
      stateStore: store,
      timing: { backoff: { initialMs: 60_000 } },
    });
    await client.start();
    const uid = client.instanceUid;
    assert.equal(uid.length, 16);
    assert.equal(uid[6]! >> 4, 7, "version nibble 7");
    assert.equal(uid[8]! >> 6, 0b10, "RFC 9562 variant");
    await client.stop();
    assert.equal((await store.load())?.instanceUid, formatInstanceUid(uid));
  });

  test("C-1 an instance uid that is not 16 bytes is refused at construction", () => {
    assert.throws(
      () =>
        new OpampClient({
          endpoint: "ws://127.0.0.1:1/v1/opamp",
          capabilities: 0n,
          agentDescription: { identifyingAttributes: {} },
          instanceUid: new Uint8Array(26),
        }),
      { code: "INVALID_OPTIONS" },
    );
    assert.equal(newInstanceUid().length, 16);
  });
});
