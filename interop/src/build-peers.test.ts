// The peer build script: binaries are reused while their inputs are unchanged.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { requirePeers } from "./support/build.js";

const peers = await requirePeers();
const script = fileURLToPath(new URL("../scripts/build-peers.mjs", import.meta.url));

describe("build-peers.mjs", { skip: peers.skip }, () => {
  test("a second run with unchanged inputs reuses the binaries", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [script], { encoding: "utf8" });
    const last = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as {
      status: string;
      binaries: Record<string, string>;
      key: string;
    };
    assert.equal(last.status, "cached");
    assert.match(last.key, /^[0-9a-f]{64}$/);
    assert.deepEqual(Object.keys(last.binaries).sort(), ["goagent", "goserver"]);
    for (const path of Object.values(last.binaries)) assert.ok(existsSync(path), path);
    assert.deepEqual(last.binaries, peers.binaries);
  });
});
