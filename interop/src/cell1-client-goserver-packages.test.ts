// Interop matrix, cell 1 (packages): opamp-go's server offers packages to
// our OpampClient; the file is served by a loopback HTTP server here, and
// opamp-go decodes the PackageStatuses our client reports.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import type { VerifiedPackage } from "@opamp-ts/client";
import { formatInstanceUid, PackageStatusEnum } from "@opamp-ts/protocol";
import { requirePeers } from "./support/build.js";
import { GoServer } from "./support/goserver.js";
import { OUR_CUSTOM_CAPABILITY, OurAgent } from "./support/our-agent.js";

const peers = await requirePeers();
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const hex = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString("hex");
const CONTENT = Buffer.from("#!/bin/sh\necho addon 1.0.0\n");
const CONTENT_SHA256 = createHash("sha256").update(CONTENT).digest();

for (const transport of ["websocket", "http"] as const) {
  describe(`cell 1 packages: opamp-go server offers packages over ${transport}`, {
    skip: peers.skip,
  }, () => {
    let server: GoServer;
    let files: Server;
    let fileUrl: string;
    let agent: OurAgent;
    let id: string;
    const installed: VerifiedPackage[] = [];

    before(async () => {
      files = createServer((_req, res) => {
        res.writeHead(200, { "content-type": "application/octet-stream" });
        res.end(CONTENT);
      });
      await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
      fileUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}/addon.sh`;
      server = await GoServer.start(peers.binaries!.goserver, {
        customCapabilities: [OUR_CUSTOM_CAPABILITY],
      });
      agent = new OurAgent({
        endpoint: transport === "websocket" ? server.opampUrl : server.opampHttpUrl,
        packages: {
          installer: {
            install: async (pkg) => {
              installed.push(pkg);
              return { ok: true };
            },
          },
        },
      });
      await agent.start();
      id = formatInstanceUid(agent.client.instanceUid);
      await server.waitForMessage((m) => m.agent === id, { what: "the first status report" });
    });

    after(async () => {
      await agent?.stop();
      await server?.stop();
      files?.closeAllConnections();
      await new Promise<void>((resolve) => (files ? files.close(() => resolve()) : resolve()));
    });

    test("S-18 §6 an offered add-on is downloaded, hash-checked, installed and reported INSTALLED", async () => {
      const from = server.mark();
      const pkgHash = Buffer.from("addon-1.0.0");
      const sent = await server.offerPackages(id, {
        packages: {
          addon: {
            type: "PackageType_Addon",
            version: "1.0.0",
            hash: b64(pkgHash),
            file: { downloadUrl: fileUrl, contentHash: b64(CONTENT_SHA256) },
          },
        },
      });
      const report = await server.waitForMessage(
        (m) =>
          m.message.packageStatuses?.packages.addon?.status ===
          PackageStatusEnum.PackageStatusEnum_Installed,
        { after: from, what: "INSTALLED" },
      );
      const statuses = report.message.packageStatuses!;
      assert.equal(hex(statuses.serverProvidedAllPackagesHash), sent.hash);
      const status = statuses.packages.addon!;
      assert.equal(status.agentHasVersion, "1.0.0");
      assert.equal(hex(status.agentHasHash), hex(pkgHash));
      assert.equal(status.serverOfferedVersion, "1.0.0");
      assert.equal(installed.length, 1);
      assert.equal(installed[0]?.name, "addon");
      assert.equal(installed[0]?.version, "1.0.0");
    });

    test("S-18 C-40 a file whose content hash does not match is reported INSTALL_FAILED, not installed", async () => {
      const from = server.mark();
      const count = installed.length;
      await server.offerPackages(id, {
        packages: {
          addon: {
            type: "PackageType_Addon",
            version: "2.0.0",
            hash: b64(Buffer.from("addon-2.0.0")),
            file: { downloadUrl: fileUrl, contentHash: b64(Buffer.alloc(32, 7)) },
          },
        },
      });
      const report = await server.waitForMessage(
        (m) =>
          m.message.packageStatuses?.packages.addon?.status ===
          PackageStatusEnum.PackageStatusEnum_InstallFailed,
        { after: from, what: "INSTALL_FAILED" },
      );
      const status = report.message.packageStatuses!.packages.addon!;
      assert.equal(status.serverOfferedVersion, "2.0.0");
      assert.equal(status.agentHasVersion, "1.0.0");
      assert.match(status.errorMessage, /hash/);
      assert.equal(installed.length, count);
    });
  });
}
