import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  AgentCapabilities,
  type AgentToServer,
  create,
  DownloadableFileSchema,
  PackageStatusEnum,
  PackageType,
} from "@opamp-ts/protocol";
import { DownloadServer } from "../test-support/download-server.js";
import { caps, makeClient } from "../test-support/fixtures.js";
import { ScriptedServer } from "../test-support/scripted-server.js";
import { type DownloadProgress, downloadFile } from "./download.js";
import type { PackageInstaller, VerifiedPackage } from "./types.js";

const BODY = randomBytes(256 * 1024);
const HALF = BODY.length / 2;
const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest();
const PKG_CAPS = caps(
  AgentCapabilities.AgentCapabilities_AcceptsPackages,
  AgentCapabilities.AgentCapabilities_ReportsPackageStatuses,
);

const file = (url: string, contentHash: Uint8Array = sha256(BODY)) =>
  create(DownloadableFileSchema, { downloadUrl: url, contentHash });

class KeepingInstaller implements PackageInstaller {
  readonly contents: Buffer[] = [];
  async install(pkg: VerifiedPackage) {
    this.contents.push(await readFile(pkg.path));
    return { ok: true as const };
  }
}

describe("package downloads", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "opamp-client-dl-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const options = (maxBytes = 1024 ** 2) => {
    const progress: DownloadProgress[] = [];
    return {
      progress,
      options: {
        dir,
        name: "agent",
        tls: {},
        maxBytes,
        timeoutMs: 5_000,
        onProgress: (p: DownloadProgress) => progress.push(p),
      },
    };
  };

  test("§6.3 a dropped download resumes with Range: bytes=N- and the file hashes right", async () => {
    const server = await new DownloadServer({ body: BODY, dropFirstAfter: HALF }).listen();
    const { progress, options: opts } = options();
    const result = await downloadFile(file(server.url()), opts);
    assert.ok(result.ok, result.ok ? "" : result.reason);
    assert.equal(server.requests.length, 2);
    assert.equal(server.requests[0]!.range, undefined);
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(String(server.requests[1]!.range))?.[1]);
    assert.ok(resumedAt > 0 && resumedAt <= HALF, `resumed at ${resumedAt}`);
    assert.ok((await readFile(result.path)).equals(BODY));
    assert.ok(
      progress.some((p) => p.bytes > 0 && p.bytes < BODY.length && p.total === BODY.length),
    );
    await rm(result.path);
    await server.close();
  });

  test("§6.3 a server without Range support is read again from byte zero", async () => {
    const server = await new DownloadServer({
      body: BODY,
      dropFirstAfter: HALF,
      supportsRange: false,
    }).listen();
    const { options: opts } = options();
    const result = await downloadFile(file(server.url()), opts);
    assert.ok(result.ok, result.ok ? "" : result.reason);
    assert.equal(server.requests.length, 2);
    assert.match(String(server.requests[1]!.range), /^bytes=\d+-$/, "a resume was attempted");
    assert.equal(result.bytes, BODY.length, "the 200 answer replaced the partial file");
    assert.ok((await readFile(result.path)).equals(BODY));
    await rm(result.path);
    await server.close();
  });

  test("C-39 §6.3 a file over the limit fails while streaming, without Content-Length, and leaves no file", async () => {
    const server = await new DownloadServer({ body: BODY, chunked: true }).listen();
    const { options: opts } = options(HALF);
    const result = await downloadFile(file(server.url()), opts);
    assert.equal(result.ok, false);
    assert.match(result.ok ? "" : result.reason, new RegExp(`exceeds the limit of ${HALF} bytes`));
    assert.deepEqual(await readdir(dir), [], "the partial file is removed");
    await server.close();
  });

  test("§6.6 a hash mismatch after a resumed download fails and leaves no file", async () => {
    const server = await new DownloadServer({ body: BODY, dropFirstAfter: HALF }).listen();
    const { options: opts } = options();
    const result = await downloadFile(file(server.url(), sha256(Buffer.from("other"))), opts);
    assert.equal(result.ok, false);
    assert.match(result.ok ? "" : result.reason, /content hash mismatch/);
    assert.deepEqual(await readdir(dir), []);
    await server.close();
  });

  test("§6.3 a server that stops answering fails after the stalled attempts with the cause", async () => {
    const probe = await new DownloadServer({ body: BODY }).listen();
    const url = probe.url();
    await probe.close();
    const { options: opts } = options();
    const result = await downloadFile(file(url), { ...opts, maxStalledAttempts: 2 });
    assert.equal(result.ok, false);
    assert.match(result.ok ? "" : result.reason, /ECONNREFUSED/);
  });
});

describe("package syncer with streamed downloads", () => {
  const statusOf = (m: AgentToServer) => m.packageStatuses?.packages.agent;

  async function run(
    download: DownloadServer,
    maxBytes?: number,
    onServer: (server: ScriptedServer) => void = () => {},
  ) {
    let offer = true;
    const server = await new ScriptedServer({
      reply: () => {
        if (!offer) return undefined;
        offer = false;
        return {
          packagesAvailable: {
            allPackagesHash: new Uint8Array([1]),
            packages: {
              agent: {
                type: PackageType.PackageType_TopLevel,
                version: "2.0.0",
                hash: new Uint8Array([2]),
                file: { downloadUrl: download.url(), contentHash: sha256(BODY) },
              },
            },
          },
        };
      },
    }).listen();
    onServer(server);
    const installer = new KeepingInstaller();
    const dir = await mkdtemp(join(tmpdir(), "opamp-client-sync-"));
    const client = makeClient(server, "websocket", {
      capabilities: PKG_CAPS,
      packages: { installer, downloadDir: dir, ...(maxBytes === undefined ? {} : { maxBytes }) },
    });
    await client.start();
    const final = await server.waitFor((m) => {
      const status = statusOf(m)?.status;
      return (
        status === PackageStatusEnum.PackageStatusEnum_Installed ||
        status === PackageStatusEnum.PackageStatusEnum_InstallFailed
      );
    });
    await client.idle();
    const leftovers = await readdir(dir);
    await client.stop();
    await server.close();
    await rm(dir, { recursive: true, force: true });
    return { final: statusOf(final)!, installer, server, leftovers };
  }

  test("C-25 §6.3 §6.4 a download dropped half-way resumes with Range, installs, and DOWNLOADING carried progress", async () => {
    let midway!: Promise<unknown>;
    const download = await new DownloadServer({
      body: BODY,
      dropFirstAfter: HALF,
      // The resumed request waits until the server has seen a mid-download report.
      holdLater: () => midway.then(() => undefined),
    }).listen();
    const { final, installer, server, leftovers } = await run(download, undefined, (s) => {
      midway = s.waitFor((m) => (statusOf(m)?.downloadDetails?.downloadPercent ?? 0) > 0);
    });
    assert.equal(final.status, PackageStatusEnum.PackageStatusEnum_Installed);
    assert.equal(installer.contents.length, 1);
    assert.ok(installer.contents[0]!.equals(BODY));
    assert.match(String(download.requests[1]?.range), /^bytes=[1-9]\d*-$/);
    const details = server.received
      .map((r) => statusOf(r.message))
      .filter((s) => s?.status === PackageStatusEnum.PackageStatusEnum_Downloading)
      .map((s) => s!.downloadDetails!);
    assert.ok(
      details.some((d) => d.downloadPercent > 0 && d.downloadPercent < 100),
      "a DOWNLOADING report with a percentage between 0 and 100",
    );
    assert.ok(
      details.some((d) => d.downloadBytesPerSecond > 0),
      "a transfer rate was reported",
    );
    assert.deepEqual(leftovers, [], "the downloaded file is removed after install");
    await download.close();
  });

  test("C-25 §6.3 an oversize package is INSTALL_FAILED with the limit in the reason, never installed", async () => {
    const download = await new DownloadServer({ body: BODY }).listen();
    const { final, installer, leftovers } = await run(download, 1024);
    assert.equal(final.status, PackageStatusEnum.PackageStatusEnum_InstallFailed);
    assert.match(final.errorMessage, /over the limit of 1024 bytes/);
    assert.equal(installer.contents.length, 0);
    assert.deepEqual(leftovers, []);
    await download.close();
  });
});
