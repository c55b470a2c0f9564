import assert from "node:assert/strict";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { SupervisorStore, storagePaths, writeFileAtomic } from "./storage.js";
import { tempDir } from "./test-support/harness.js";

test("writeFileAtomic replaces the file whole, mode 0600, leaving no temporary file", async (t) => {
  const dir = await tempDir("atomic");
  t.after(() => dir.remove());
  const path = join(dir.path, "effective.yaml");
  await writeFileAtomic(path, "a: 1\n");
  await writeFileAtomic(path, "b: 2\n");
  assert.equal(await readFile(path, "utf8"), "b: 2\n");
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.deepEqual(await readdir(dir.path), ["effective.yaml"]);
});

test("a corrupt supervisor-state.json is a STORAGE error and is left as it was, never silently reset", async (t) => {
  const dir = await tempDir("corrupt");
  t.after(() => dir.remove());
  const paths = storagePaths(dir.path);
  await writeFile(paths.supervisorState, "{ not json");
  await assert.rejects(
    new SupervisorStore(paths).open(),
    (error: unknown) => (error as { code?: string }).code === "STORAGE",
  );
  assert.equal(await readFile(paths.supervisorState, "utf8"), "{ not json");
});

test("state survives a reopen: last good config, own telemetry and the binary switch", async (t) => {
  const dir = await tempDir("reopen");
  t.after(() => dir.remove());
  const paths = storagePaths(dir.path);
  const store = new SupervisorStore(paths);
  await store.open();
  await store.update({ lastGoodRemoteConfig: "AAEC" });
  await store.update({ agentBinary: { current: "/b/new", previous: "/b/old" } });
  const again = await new SupervisorStore(paths).open();
  assert.deepEqual(again, {
    lastGoodRemoteConfig: "AAEC",
    agentBinary: { current: "/b/new", previous: "/b/old" },
  });
});
