#!/usr/bin/env node
// Builds the Go interop peers (goserver, goagent: our programs over opamp-go's
// public packages) into interop/.bin/, reusing them when the cache key (Go
// version + go.mod + go.sum + every .go source) is unchanged. Module downloads
// go to the normal Go module cache.
//
//   node interop/scripts/build-peers.mjs          # build if needed
//   node interop/scripts/build-peers.mjs --force  # rebuild
//
// Exit codes: 0 ready, 1 build failed, 3 no Go toolchain on PATH. The last
// stdout line is a JSON object {"status","binDir","binaries","key","seconds"}.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";

const interopDir = new URL("..", import.meta.url).pathname;
const goDir = join(interopDir, "go");
const binDir = join(interopDir, ".bin");
const keyFile = join(binDir, "peers.key");
const lockDir = join(binDir, ".lock");
const PROGRAMS = ["goserver", "goagent"];
const force = process.argv.includes("--force");

function report(status, extra = {}) {
  const binaries = Object.fromEntries(PROGRAMS.map((p) => [p, join(binDir, p)]));
  console.log(JSON.stringify({ status, binDir, binaries, ...extra }));
}

function goVersion() {
  const result = spawnSync("go", ["env", "GOVERSION"], { encoding: "utf8" });
  if (result.error || result.status !== 0) return undefined;
  return result.stdout.trim();
}

function goSources(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) goSources(path, out);
    else if (entry.name.endsWith(".go") || entry.name === "go.mod" || entry.name === "go.sum") {
      out.push(path);
    }
  }
  return out;
}

function cacheKey(version) {
  const hash = createHash("sha256").update(`${version}\n`);
  for (const file of goSources(goDir, []).sort()) {
    hash.update(`${relative(goDir, file)}\n`).update(readFileSync(file));
  }
  return hash.digest("hex");
}

function upToDate(key) {
  if (force || !existsSync(keyFile)) return false;
  if (readFileSync(keyFile, "utf8").trim() !== key) return false;
  return PROGRAMS.every((p) => existsSync(join(binDir, p)));
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Serialises concurrent builds (test files run in parallel); a dead holder's lock is taken over. */
function acquireLock() {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, "pid"), String(process.pid));
      return;
    } catch (err) {
      if (err.code !== "EEXIST") throw err;
    }
    let holder = 0;
    try {
      holder = Number(readFileSync(join(lockDir, "pid"), "utf8"));
    } catch {
      const age = Date.now() - statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs;
      if (age < 5_000) holder = -1;
    }
    if (holder === 0 || (holder > 0 && !pidAlive(holder))) {
      rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${lockDir}`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  }
}

function build(key) {
  const started = process.hrtime.bigint();
  const staging = join(binDir, `.staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const result = spawnSync(
    "go",
    [
      "build",
      "-trimpath",
      "-buildvcs=false",
      "-o",
      `${staging}/`,
      ...PROGRAMS.map((p) => `./cmd/${p}`),
    ],
    {
      cwd: goDir,
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, CGO_ENABLED: "0" },
    },
  );
  if (result.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    return undefined;
  }
  for (const p of PROGRAMS) renameSync(join(staging, p), join(binDir, p));
  rmSync(staging, { recursive: true, force: true });
  writeFileSync(keyFile, `${key}\n`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const version = goVersion();
if (version === undefined) {
  console.error(
    "build-peers: no Go toolchain on PATH (install Go >= 1.24 to build the interop peers)",
  );
  report("no-go");
  process.exit(3);
}
mkdirSync(binDir, { recursive: true });
const key = cacheKey(version);
if (upToDate(key)) {
  report("cached", { key, go: version });
  process.exit(0);
}
acquireLock();
try {
  if (upToDate(key)) {
    report("cached", { key, go: version });
  } else {
    const seconds = build(key);
    if (seconds === undefined) {
      console.error("build-peers: go build failed");
      report("failed", { key, go: version });
      process.exitCode = 1;
    } else {
      console.error(
        `build-peers: built ${PROGRAMS.join(", ")} with ${version} in ${seconds.toFixed(1)} s`,
      );
      report("built", { key, go: version, seconds: Number(seconds.toFixed(1)) });
    }
  }
} finally {
  rmSync(lockDir, { recursive: true, force: true });
}
