import assert from "node:assert/strict";
import { createHash, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import type { Server } from "node:http";
import { join } from "node:path";
import { test } from "node:test";
import { PackageStatusEnum, PackageType, RemoteConfigStatuses } from "@opamp-ts/protocol";
import { E2E, requireCollector } from "./test-support/collector.js";
import { e2eFixture, type startTestSupervisor, tempDir } from "./test-support/harness.js";
import { freePort, pipelineConfig, sendSpan, waitForFileContaining } from "./test-support/otlp.js";
import { serveFile, type Upstream } from "./test-support/upstream.js";

interface UpgradeFixture {
  readonly upstream: Upstream;
  readonly supervisor: Awaited<ReturnType<typeof startTestSupervisor>>;
  readonly privateKey: KeyObject;
  readonly port: number;
  readonly out: string;
  readonly servers: Server[];
}

async function setUp(
  t: { after(fn: () => Promise<void>): void },
  collector: string,
  name: string,
): Promise<UpgradeFixture> {
  const dir = await tempDir(name);
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const keyFile = join(dir.path, "signing.pub.pem");
  await writeFile(keyFile, publicKey.export({ type: "spki", format: "pem" }));
  const servers: Server[] = [];
  const { dir: storage, upstream, start } = await e2eFixture(t, name);
  t.after(async () => {
    for (const server of servers) server.close();
    await dir.remove();
  });
  const supervisor = await start({
    collector,
    storage: join(storage, "storage"),
    capabilities: { accepts_packages: true, reports_package_statuses: true },
    agent: { package: { public_key_files: [keyFile] } },
  });
  const port = await freePort();
  const out = join(storage, "traces.json");
  const offer = await upstream.pushConfig(pipelineConfig(port, out));
  await upstream.waitForStatus(
    offer.configHash,
    RemoteConfigStatuses.RemoteConfigStatuses_APPLIED,
    "APPLIED",
  );
  return { upstream, supervisor, privateKey, port, out, servers };
}

async function offerBinary(
  f: UpgradeFixture,
  content: Uint8Array,
  version: string,
  signWith?: KeyObject,
) {
  const served = await serveFile(content);
  f.servers.push(served.server);
  const hash = createHash("sha256").update(content).digest();
  const signature = sign(null, content, signWith ?? f.privateKey);
  await f.upstream.pushPackages({
    packages: {
      "": {
        type: PackageType.PackageType_TopLevel,
        version,
        hash,
        file: { downloadUrl: served.url, contentHash: hash, signature },
      },
    },
    allPackagesHash: createHash("sha256").update(version).update(hash).digest(),
  } as never);
}

const finalStatus = (f: UpgradeFixture, version: string) =>
  f.upstream.waitFor((m) => {
    const status = m.packageStatuses?.packages[""];
    return (
      status?.serverOfferedVersion === version &&
      (status.status === PackageStatusEnum.PackageStatusEnum_Installed ||
        status.status === PackageStatusEnum.PackageStatusEnum_InstallFailed)
    );
  }, `final status of package ${version}`);

test(
  "C-25 a signed top-level package with a new Collector binary is installed beside the old one and runs",
  E2E,
  async (t) => {
    const collector = await requireCollector(t);
    if (collector === undefined) return;
    const f = await setUp(t, collector, "upgrade-ok");
    const before = f.supervisor.collectorPid;
    const wrapper = new TextEncoder().encode(`#!/bin/sh\n# v2 wrapper\nexec '${collector}' "$@"\n`);
    await offerBinary(f, wrapper, "v2.0.0");
    const done = await finalStatus(f, "v2.0.0");
    const status = done.packageStatuses?.packages[""];
    assert.equal(
      status?.status,
      PackageStatusEnum.PackageStatusEnum_Installed,
      status?.errorMessage,
    );
    assert.equal(status?.agentHasVersion, "v2.0.0");
    assert.notEqual(
      f.supervisor.collectorPid,
      before,
      "the Collector was restarted on the new binary",
    );
    assert.notEqual(f.supervisor.collectorExecutable, collector);
    assert.deepEqual(new Uint8Array(await readFile(f.supervisor.collectorExecutable)), wrapper);
    assert.equal(await sendSpan(f.port, "span-after-upgrade"), 200);
    await waitForFileContaining(f.out, "span-after-upgrade");
  },
);

test(
  "C-25 P-18 a new binary that does not become healthy is switched back and reported INSTALL_FAILED",
  E2E,
  async (t) => {
    const collector = await requireCollector(t);
    if (collector === undefined) return;
    const f = await setUp(t, collector, "upgrade-broken");
    const broken = new TextEncoder().encode(
      "#!/bin/sh\necho 'broken collector build: refusing to start' >&2\nexit 1\n",
    );
    await offerBinary(f, broken, "v9.9.9");
    const done = await finalStatus(f, "v9.9.9");
    const status = done.packageStatuses?.packages[""];
    assert.equal(status?.status, PackageStatusEnum.PackageStatusEnum_InstallFailed);
    assert.match(status?.errorMessage ?? "", /broken collector build/);
    assert.match(status?.errorMessage ?? "", /switched back/);
    assert.notEqual(f.supervisor.collectorPid, undefined, "the old Collector runs again");
    assert.equal(f.supervisor.collectorExecutable, collector);
    assert.equal(await sendSpan(f.port, "span-after-failed-upgrade"), 200);
    await waitForFileContaining(f.out, "span-after-failed-upgrade");
  },
);

test(
  "C-40 a package whose signature is not from a trusted key is refused without touching the running Collector",
  E2E,
  async (t) => {
    const collector = await requireCollector(t);
    if (collector === undefined) return;
    const f = await setUp(t, collector, "upgrade-badsig");
    const before = f.supervisor.collectorPid;
    const wrapper = new TextEncoder().encode(`#!/bin/sh\nexec '${collector}' "$@"\n`);
    await offerBinary(f, wrapper, "v3.0.0", generateKeyPairSync("ed25519").privateKey);
    const done = await finalStatus(f, "v3.0.0");
    const status = done.packageStatuses?.packages[""];
    assert.equal(status?.status, PackageStatusEnum.PackageStatusEnum_InstallFailed);
    assert.match(status?.errorMessage ?? "", /signature/);
    assert.equal(f.supervisor.collectorPid, before);
    assert.equal(f.supervisor.collectorExecutable, collector);
  },
);
