import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  AgentCapabilities,
  ConnectionSettingsStatuses,
  formatInstanceUid,
  type MessageInitShape,
  ServerCapabilities,
  type ServerToAgentSchema,
} from "@opamp-ts/protocol";
import { FileStateStore } from "./state-store.js";
import { TestCa } from "./test-support/certs.js";
import { caps, makeClient, TRANSPORTS } from "./test-support/fixtures.js";
import { ScriptedServer } from "./test-support/scripted-server.js";
import { parseTlsVersion, toNodeTlsOptions } from "./tls.js";

describe("TLS options", () => {
  test("C-32 TLS versions map from the spec's spelling to Node's and typos are refused", () => {
    assert.equal(parseTlsVersion("1.2"), "TLSv1.2");
    assert.equal(parseTlsVersion("TLSv1.3"), "TLSv1.3");
    assert.throws(() => parseTlsVersion("1.9"), { code: "INVALID_OPTIONS" });
    const options = toNodeTlsOptions({
      ca: "PEM",
      insecureSkipVerify: true,
      maxVersion: "1.3",
      cipherSuites: ["A", "B"],
    });
    assert.deepEqual(options.ca, ["PEM"]);
    assert.equal(options.rejectUnauthorized, false);
    assert.equal(options.minVersion, "TLSv1.2", "spec default minimum 1.2");
    assert.equal(options.maxVersion, "TLSv1.3");
    assert.equal(options.ciphers, "A:B");
  });
});

for (const transport of TRANSPORTS) {
  describe(`TLS over ${transport}`, () => {
    let ca: TestCa;
    let dir: string;
    before(async () => {
      ca = await TestCa.create();
      dir = await mkdtemp(join(tmpdir(), "opamp-client-tls-"));
    });
    after(() => rm(dir, { recursive: true, force: true }));

    test(`C-5 a server certificate from a custom CA is trusted only when that CA is configured (${transport})`, async () => {
      const server = await new ScriptedServer({ tls: await ca.server() }).listen();
      const untrusting = makeClient(server, transport);
      const failed = untrusting.once("connectFailed");
      await untrusting.start();
      const [error] = await failed;
      assert.equal(error.code, "CONNECT_FAILED");
      await untrusting.stop();
      const trusting = makeClient(server, transport, { tls: { ca: ca.certPem } });
      const connected = trusting.once("connected");
      await trusting.start();
      await connected;
      await trusting.stop();
      await server.close();
    });

    test(`C-5 mTLS: the client certificate is presented and required (${transport})`, async () => {
      const server = await new ScriptedServer({
        tls: { ...(await ca.server()), ca: ca.certPem, requestCert: true },
      }).listen();
      const without = makeClient(server, transport, { tls: { ca: ca.certPem } });
      const failed = without.once("connectFailed");
      await without.start();
      await failed;
      await without.stop();
      const clientCert = await ca.client("agent-1");
      const withCert = makeClient(server, transport, { tls: { ca: ca.certPem, ...clientCert } });
      const connected = withCert.once("connected");
      await withCert.start();
      await connected;
      assert.equal(server.received.at(-1)?.peerCommonName, "agent-1");
      await withCert.stop();
      await server.close();
    });

    test(`C-33 C-31 C-30 CSR flow: request, issued certificate installed after a verified reconnect (${transport})`, async () => {
      const serverPem = await ca.server();
      let issued: string | undefined;
      let offered = false;
      let endpoint = "";
      const server: ScriptedServer = await new ScriptedServer({
        tls: { ...serverPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: false },
        capabilities:
          BigInt(ServerCapabilities.ServerCapabilities_AcceptsStatus) |
          BigInt(ServerCapabilities.ServerCapabilities_OffersConnectionSettings) |
          BigInt(ServerCapabilities.ServerCapabilities_AcceptsConnectionSettingsRequest),
        reply: async (m): Promise<MessageInitShape<typeof ServerToAgentSchema> | undefined> => {
          const csr = m.connectionSettingsRequest?.opamp?.certificateRequest?.csr;
          if (csr !== undefined) issued = (await ca.signCsr(new TextDecoder().decode(csr))).cert;
          if (issued === undefined || offered) return undefined;
          offered = true;
          return {
            connectionSettings: {
              hash: new Uint8Array([9]),
              opamp: {
                destinationEndpoint: endpoint,
                certificate: { cert: new TextEncoder().encode(issued) },
                heartbeatIntervalSeconds: 3_600n,
              },
            },
          };
        },
      }).listen();
      endpoint = server.url(transport === "websocket" ? "ws" : "http");
      const client = makeClient(server, transport, {
        capabilities: caps(
          AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings,
          AgentCapabilities.AgentCapabilities_ReportsConnectionSettingsStatus,
        ),
        tls: { ca: ca.certPem },
        stateStore: new FileStateStore(join(dir, `csr-${transport}.json`)),
      });
      const connected = client.once("connected");
      await client.start();
      await connected;
      await client.requestCertificate();
      const request = await server.waitFor((m) => m.connectionSettingsRequest !== undefined);
      assert.match(
        new TextDecoder().decode(request.connectionSettingsRequest!.opamp!.certificateRequest!.csr),
        /BEGIN CERTIFICATE REQUEST/,
      );
      const applied = await server.waitFor(
        (m) =>
          m.connectionSettingsStatus?.status ===
          ConnectionSettingsStatuses.ConnectionSettingsStatuses_APPLIED,
      );
      assert.deepEqual([...applied.connectionSettingsStatus!.lastConnectionSettingsHash], [9]);
      const record = server.received.find((r) => r.message === applied)!;
      assert.ok(
        client.connectionSettings.tls.cert,
        "committed settings hold the issued certificate",
      );
      const uidText = formatInstanceUid(client.instanceUid);
      assert.equal(
        record.peerCommonName,
        uidText,
        "the CSR-issued certificate carries the instance uid",
      );
      await client.stop();
      await server.close();
    });
  });
}
