import assert from "node:assert/strict";
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { readFile } from "node:fs/promises";
import { describe, test } from "node:test";
import {
  AgentCapabilities,
  type AgentToServer,
  type MessageInitShape,
  PackageStatusEnum,
  PackageType,
  type ServerToAgentSchema,
} from "@opamp-ts/protocol";
import { MemoryStateStore } from "../state-store.js";
import { caps, makeClient, TRANSPORTS } from "../test-support/fixtures.js";
import { ScriptedServer } from "../test-support/scripted-server.js";
import { Ed25519PackageVerifier } from "./ed25519-verifier.js";
import type { PackageInstaller, VerifiedPackage } from "./types.js";

const PKG_CAPS = caps(
  AgentCapabilities.AgentCapabilities_AcceptsPackages,
  AgentCapabilities.AgentCapabilities_ReportsPackageStatuses,
  AgentCapabilities.AgentCapabilities_ReportsHealth,
);
const { publicKey, privateKey } = generateKeyPairSync("ed25519");
const PUBLIC_PEM = publicKey.export({ type: "spki", format: "pem" }).toString();
const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest();

class RecordingInstaller implements PackageInstaller {
  readonly installed: { pkg: VerifiedPackage; content: string }[] = [];
  readonly removed: string[] = [];
  async install(pkg: VerifiedPackage) {
    this.installed.push({ pkg, content: await readFile(pkg.path, "utf8") });
    return { ok: true as const };
  }
  async remove(name: string) {
    this.removed.push(name);
    return { ok: true as const };
  }
}

interface FileSpec {
  name: string;
  body: string;
  type?: PackageType;
  version?: string;
  hashByte: number;
  contentHash?: Uint8Array;
  signature?: Uint8Array;
}

function packagesOffer(
  server: ScriptedServer,
  allHash: number,
  files: FileSpec[],
): MessageInitShape<typeof ServerToAgentSchema> {
  return {
    packagesAvailable: {
      allPackagesHash: new Uint8Array([allHash]),
      packages: Object.fromEntries(
        files.map((f) => {
          const body = Buffer.from(f.body);
          return [
            f.name,
            {
              type: f.type ?? PackageType.PackageType_Addon,
              version: f.version ?? "1.0.0",
              hash: new Uint8Array([f.hashByte]),
              file: {
                downloadUrl: server.fileUrl(f.name),
                contentHash: f.contentHash ?? sha256(body),
                signature: f.signature ?? sign(null, body, privateKey),
                headers: { headers: [{ key: "Authorization", value: "Bearer dl" }] },
              },
            },
          ];
        }),
      ),
    },
  };
}

const statusOf = (m: AgentToServer, name: string) => m.packageStatuses?.packages[name];

for (const transport of TRANSPORTS) {
  describe(`packages over ${transport}`, () => {
    test(`C-25 §6 download with offered headers, DOWNLOADING with details, verify, install, INSTALLED (${transport})`, async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let offer: MessageInitShape<typeof ServerToAgentSchema> | undefined;
      const server = await new ScriptedServer({
        files: { addon: { body: Buffer.from("addon-bytes"), gate: () => gate } },
        reply: () => {
          const o = offer;
          offer = undefined;
          return o;
        },
      }).listen();
      offer = packagesOffer(server, 1, [{ name: "addon", body: "addon-bytes", hashByte: 11 }]);
      const installer = new RecordingInstaller();
      const client = makeClient(server, transport, {
        capabilities: PKG_CAPS,
        packages: { installer, verifier: new Ed25519PackageVerifier({ publicKeys: [PUBLIC_PEM] }) },
      });
      await client.start();
      const downloading = await server.waitFor(
        (m) => statusOf(m, "addon")?.status === PackageStatusEnum.PackageStatusEnum_Downloading,
      );
      assert.ok(
        statusOf(downloading, "addon")!.downloadDetails,
        "download_details while downloading",
      );
      assert.deepEqual([...statusOf(downloading, "addon")!.serverOfferedHash], [11]);
      release();
      const installed = await server.waitFor(
        (m) => statusOf(m, "addon")?.status === PackageStatusEnum.PackageStatusEnum_Installed,
      );
      assert.equal(statusOf(installed, "addon")!.agentHasVersion, "1.0.0");
      assert.deepEqual([...installed.packageStatuses!.serverProvidedAllPackagesHash], [1]);
      assert.equal(installer.installed[0]?.content, "addon-bytes");
      assert.equal(
        server.uploads[0]?.headers.authorization,
        "Bearer dl",
        "offered download headers used",
      );
      await client.stop();
      await server.close();
    });
  });
}

describe("packages: failures and policies", () => {
  const run = async (
    files: FileSpec[],
    fileBodies: Record<string, string>,
    options: { requireSignature?: boolean } = {},
  ) => {
    let offer: MessageInitShape<typeof ServerToAgentSchema> | undefined;
    const server = await new ScriptedServer({
      files: Object.fromEntries(
        Object.entries(fileBodies).map(([k, v]) => [k, { body: Buffer.from(v) }]),
      ),
      reply: () => {
        const o = offer;
        offer = undefined;
        return o;
      },
    }).listen();
    offer = packagesOffer(server, 2, files);
    const installer = new RecordingInstaller();
    const client = makeClient(server, "websocket", {
      capabilities: PKG_CAPS,
      packages: {
        installer,
        verifier: new Ed25519PackageVerifier({
          publicKeys: [PUBLIC_PEM],
          requireSignature: options.requireSignature ?? true,
        }),
      },
    });
    await client.start();
    return { server, client, installer };
  };

  test("C-25 §6.6 a download whose SHA-256 does not match content_hash is INSTALL_FAILED and not installed", async () => {
    const { server, client, installer } = await run(
      [
        {
          name: "p",
          body: "expected",
          hashByte: 1,
          contentHash: sha256(Buffer.from("something else")),
        },
      ],
      { p: "expected" },
    );
    const failed = await server.waitFor(
      (m) => statusOf(m, "p")?.status === PackageStatusEnum.PackageStatusEnum_InstallFailed,
    );
    assert.match(statusOf(failed, "p")!.errorMessage, /content hash mismatch/);
    assert.equal(installer.installed.length, 0);
    await client.stop();
    await server.close();
  });

  test("C-40 §6.6 a bad signature is INSTALL_FAILED and not installed", async () => {
    const { server, client, installer } = await run(
      [
        {
          name: "p",
          body: "payload",
          hashByte: 1,
          signature: sign(null, Buffer.from("other"), privateKey),
        },
      ],
      { p: "payload" },
    );
    const failed = await server.waitFor(
      (m) => statusOf(m, "p")?.status === PackageStatusEnum.PackageStatusEnum_InstallFailed,
    );
    assert.match(statusOf(failed, "p")!.errorMessage, /signature/);
    assert.equal(installer.installed.length, 0);
    await client.stop();
    await server.close();
  });

  test("C-40 an unsigned package is refused when signatures are required", async () => {
    const { server, client, installer } = await run(
      [{ name: "p", body: "payload", hashByte: 1, signature: new Uint8Array() }],
      { p: "payload" },
    );
    const failed = await server.waitFor(
      (m) => statusOf(m, "p")?.status === PackageStatusEnum.PackageStatusEnum_InstallFailed,
    );
    assert.match(statusOf(failed, "p")!.errorMessage, /no signature/);
    assert.equal(installer.installed.length, 0);
    await client.stop();
    await server.close();
  });

  test("C-15 P-18 same aggregate hash is not processed twice; a top-level package not offered is kept, an add-on removed", async () => {
    const topLevel = {
      name: "agent",
      body: "agent-v1",
      hashByte: 1,
      type: PackageType.PackageType_TopLevel,
    };
    const addon = { name: "plugin", body: "plugin-v1", hashByte: 2 };
    const offers: MessageInitShape<typeof ServerToAgentSchema>[] = [];
    const server = await new ScriptedServer({
      files: {
        agent: { body: Buffer.from("agent-v1") },
        plugin: { body: Buffer.from("plugin-v1") },
      },
      reply: () => offers.shift(),
    }).listen();
    const first = packagesOffer(server, 1, [topLevel, addon]);
    offers.push(first, first);
    const installer = new RecordingInstaller();
    const store = new MemoryStateStore();
    const client = makeClient(server, "http", {
      capabilities: PKG_CAPS,
      stateStore: store,
      packages: { installer, verifier: new Ed25519PackageVerifier({ publicKeys: [PUBLIC_PEM] }) },
    });
    await client.start();
    await server.waitFor(
      (m) =>
        statusOf(m, "plugin")?.status === PackageStatusEnum.PackageStatusEnum_Installed &&
        statusOf(m, "agent")?.status === PackageStatusEnum.PackageStatusEnum_Installed,
    );
    client.setHealth({ healthy: true, status: "marker" });
    await server.waitFor((m) => m.health?.status === "marker");
    await client.idle();
    assert.equal(server.uploads.length, 2, "the repeated offer caused no new download");
    offers.push(packagesOffer(server, 9, []));
    client.setHealth({ healthy: true, status: "marker2" });
    await server.waitFor(
      (m) =>
        m.packageStatuses !== undefined && m.packageStatuses.serverProvidedAllPackagesHash[0] === 9,
    );
    assert.deepEqual(installer.removed, ["plugin"]);
    const state = await store.load();
    assert.ok(state?.packages?.installed.agent, "top-level package kept");
    assert.equal(state?.packages?.installed.plugin, undefined);
    await client.stop();
    await server.close();
  });

  test("C-6 C-22 package state survives a restart and is reported in the first message", async () => {
    const { mkdtemp, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { FileStateStore } = await import("../state-store.js");
    const dir = await mkdtemp(join(tmpdir(), "opamp-client-pkg-"));
    const store = new FileStateStore(join(dir, "state.json"));
    let offer: MessageInitShape<typeof ServerToAgentSchema> | undefined;
    const server = await new ScriptedServer({
      files: { addon: { body: Buffer.from("bytes") } },
      reply: () => {
        const o = offer;
        offer = undefined;
        return o;
      },
    }).listen();
    offer = packagesOffer(server, 4, [
      { name: "addon", body: "bytes", hashByte: 5, version: "2.0.0" },
    ]);
    const options = {
      capabilities: PKG_CAPS,
      stateStore: store,
      packages: {
        installer: new RecordingInstaller(),
        verifier: new Ed25519PackageVerifier({ publicKeys: [PUBLIC_PEM] }),
      },
    };
    const first = makeClient(server, "websocket", options);
    await first.start();
    await server.waitFor(
      (m) => statusOf(m, "addon")?.status === PackageStatusEnum.PackageStatusEnum_Installed,
    );
    await first.stop();
    const restartAt = server.count;
    const second = makeClient(server, "http", options);
    await second.start();
    const report = await server.waitFor((_m, r) => server.received.indexOf(r) >= restartAt);
    assert.equal(statusOf(report, "addon")?.status, PackageStatusEnum.PackageStatusEnum_Installed);
    assert.equal(statusOf(report, "addon")?.agentHasVersion, "2.0.0");
    assert.deepEqual([...report.packageStatuses!.serverProvidedAllPackagesHash], [4]);
    await second.stop();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
});
