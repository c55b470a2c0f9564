import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { ControlPlaneError } from "../errors.js";
import { openStorage } from "../storage/open-storage.js";
import { freshPostgresDatabase } from "../test-support/postgres.js";
import { waitFor } from "../test-support/wait.js";
import { resolveNodeId } from "./node-id.js";
import { MAX_NOTIFY_BYTES, PostgresPubSub } from "./postgres-pubsub.js";
import { LocalPubSub, type PubSubSubscriber } from "./pubsub.js";

const silent = { debug() {}, info() {}, warn() {}, error() {} };

type Msg = { n: number; text?: string };

function collector() {
  const got: Msg[] = [];
  let resyncs = 0;
  const subscriber: PubSubSubscriber<Msg> = {
    message: (m) => got.push(m),
    resync: () => {
      resyncs += 1;
    },
  };
  return { got, subscriber, resyncs: () => resyncs };
}

describe("in-process pub/sub", () => {
  test("delivers copies in order to every subscriber until it unsubscribes", async () => {
    const bus = new LocalPubSub<Msg>();
    const one = collector();
    const two = collector();
    const stop = bus.subscribe(one.subscriber);
    bus.subscribe({
      message: () => {
        throw new Error("a broken subscriber");
      },
      resync: () => undefined,
    });
    bus.subscribe(two.subscriber);
    const sent = { n: 1 };
    await bus.publish(sent);
    await bus.publish({ n: 2 });
    await waitFor("both messages", () => (two.got.length === 2 ? true : undefined));
    assert.deepEqual(one.got, [{ n: 1 }, { n: 2 }]);
    assert.notEqual(one.got[0], sent, "subscribers get a JSON copy, as over a broker");
    stop();
    await bus.publish({ n: 3 });
    await waitFor("the third message", () => (two.got.length === 3 ? true : undefined));
    assert.equal(one.got.length, 2);
    await bus.close();
  });
});

describe("PostgreSQL LISTEN/NOTIFY pub/sub", () => {
  let url: string;
  before(async () => {
    url = await freshPostgresDatabase();
    // The spill table comes with the storage migrations.
    const dir = mkdtempSync(join(tmpdir(), "opamp-pubsub-"));
    const storage = await openStorage({ dataDir: dir, databaseUrl: url });
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const open = () =>
    PostgresPubSub.open<Msg>({
      connectionString: url,
      channel: "opamp_test",
      logger: silent,
      minBackoffMs: 20,
      maxBackoffMs: 200,
    });

  test("a message published on one connection reaches subscribers of every instance, in order", async () => {
    const first = await open();
    const second = await open();
    try {
      const a = collector();
      const b = collector();
      first.subscribe(a.subscriber);
      second.subscribe(b.subscriber);
      for (let n = 1; n <= 5; n++) await first.publish({ n });
      await waitFor("five messages on the second", () => (b.got.length === 5 ? true : undefined));
      await waitFor("five messages on the first", () => (a.got.length === 5 ? true : undefined));
      assert.deepEqual(
        b.got.map((m) => m.n),
        [1, 2, 3, 4, 5],
      );
    } finally {
      await first.close();
      await second.close();
    }
  });

  test("a message larger than the 8000-byte NOTIFY limit is stored aside and arrives whole, in order", async () => {
    const bus = await open();
    try {
      const c = collector();
      bus.subscribe(c.subscriber);
      const big = "x".repeat(MAX_NOTIFY_BYTES * 3);
      await bus.publish({ n: 1, text: big });
      await bus.publish({ n: 2 });
      await waitFor("both messages", () => (c.got.length === 2 ? true : undefined));
      assert.equal(c.got[0]?.text, big);
      assert.equal(c.got[1]?.n, 2);
    } finally {
      await bus.close();
    }
  });

  test("a lost listener connection is re-established with backoff, subscribers are told to resync, and delivery resumes", async () => {
    const bus = await open();
    const other = await open();
    try {
      const c = collector();
      bus.subscribe(c.subscriber);
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        const killed = await admin.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()",
        );
        assert.ok((killed.rowCount ?? 0) >= 1, "a listener connection was cut");
      } finally {
        await admin.end();
      }
      await waitFor("a resync", () => (c.resyncs() >= 1 ? true : undefined));
      assert.equal(bus.listening, true);
      await other.publish({ n: 42 });
      await waitFor("delivery after reconnecting", () =>
        c.got.some((m) => m.n === 42) ? true : undefined,
      );
    } finally {
      await bus.close();
      await other.close();
    }
  });

  test("an invalid channel name is refused with a PUBSUB error", async () => {
    await assert.rejects(
      PostgresPubSub.open({ connectionString: url, channel: "bad channel;", logger: silent }),
      (e) => e instanceof ControlPlaneError && e.code === "PUBSUB",
    );
  });
});

describe("node id", () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test("a generated node id is kept in the data dir and reused, so a restart is the same node", () => {
    const dir = mkdtempSync(join(tmpdir(), "opamp-node-id-"));
    dirs.push(dir);
    const first = resolveNodeId(undefined, dir);
    assert.match(first, /^[A-Za-z0-9._:-]+$/);
    assert.equal(readFileSync(join(dir, "node-id"), "utf8").trim(), first);
    assert.equal(resolveNodeId(undefined, dir), first);
    assert.equal(resolveNodeId("node-7", dir), "node-7");
  });

  test("a configured node id with characters outside the allowed set is a CONFIG error", () => {
    assert.throws(
      () => resolveNodeId("bad id", tmpdir()),
      (e) => e instanceof ControlPlaneError && e.code === "CONFIG",
    );
  });
});
