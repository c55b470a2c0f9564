import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  AgentCapabilities,
  formatInstanceUid,
  type MessageInitShape,
  newInstanceUid,
  ServerCapabilities,
  type ServerToAgentSchema,
} from "@opamp-ts/protocol";
import type { OpampClient } from "./client.js";
import type { OpampClientOptions } from "./options.js";
import { FileStateStore } from "./state-store.js";
import { TestCa } from "./test-support/certs.js";
import { caps, makeClient, TRANSPORTS, type TransportName } from "./test-support/fixtures.js";
import { ScriptedServer } from "./test-support/scripted-server.js";

type ReplyInit = MessageInitShape<typeof ServerToAgentSchema>;

const CAPS = caps(
  AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings,
  AgentCapabilities.AgentCapabilities_ReportsConnectionSettingsStatus,
);
const SERVER_CAPS =
  BigInt(ServerCapabilities.ServerCapabilities_AcceptsStatus) |
  BigInt(ServerCapabilities.ServerCapabilities_OffersConnectionSettings) |
  BigInt(ServerCapabilities.ServerCapabilities_AcceptsConnectionSettingsRequest);

/** A renewal decided before this returns would have sent its CSR by then (one writer, C-14). */
async function roundTrip(client: OpampClient, server: ScriptedServer): Promise<void> {
  client.setAgentDescription({ identifyingAttributes: { "service.name": "round-trip" } });
  await server.waitFor((m) =>
    (m.agentDescription?.identifyingAttributes ?? []).some(
      (kv) => kv.value?.value.value === "round-trip",
    ),
  );
}

describe("certificate renewal after a new instance uid", () => {
  let ca: TestCa;
  let dir: string;
  before(async () => {
    ca = await TestCa.create();
    dir = await mkdtemp(join(tmpdir(), "opamp-client-renew-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /**
   * A server that signs every CSR and offers the certificate, and assigns
   * `newUid` once the agent connects with a certificate naming `assignWhenCn`.
   */
  async function setup(
    transport: TransportName,
    newUid: Uint8Array,
    overrides: Partial<OpampClientOptions>,
    assignWhenCn: () => string | undefined,
  ) {
    const subjects: string[] = [];
    let assigned = false;
    let endpoint = "";
    const server: ScriptedServer = await new ScriptedServer({
      tls: { ...(await ca.server()), ca: ca.certPem, requestCert: true, rejectUnauthorized: false },
      capabilities: SERVER_CAPS,
      reply: async (m): Promise<ReplyInit | undefined> => {
        const csr = m.connectionSettingsRequest?.opamp?.certificateRequest?.csr;
        if (csr !== undefined) {
          const { cert, subject } = await ca.signCsr(new TextDecoder().decode(csr));
          subjects.push(subject);
          return {
            connectionSettings: {
              hash: new Uint8Array([subjects.length]),
              opamp: {
                destinationEndpoint: endpoint,
                certificate: { cert: new TextEncoder().encode(cert) },
                heartbeatIntervalSeconds: 3_600n,
              },
            },
          };
        }
        const cn = server.received.at(-1)?.peerCommonName;
        if (!assigned && cn !== undefined && cn === assignWhenCn()) {
          assigned = true;
          return { agentIdentification: { newInstanceUid: newUid } };
        }
        return undefined;
      },
    }).listen();
    endpoint = server.url(transport === "websocket" ? "ws" : "http");
    const client = makeClient(server, transport, {
      capabilities: CAPS,
      tls: { ca: ca.certPem },
      stateStore: new FileStateStore(join(dir, `${transport}-${formatInstanceUid(newUid)}.json`)),
      ...overrides,
    });
    return { server, client, subjects };
  }

  for (const transport of TRANSPORTS) {
    test(`C-3 C-33 P-16 a CSR-issued certificate naming the old uid is renewed for the new uid (${transport})`, async () => {
      const newUid = newInstanceUid();
      const newText = formatInstanceUid(newUid);
      let oldText: string | undefined;
      const { server, client, subjects } = await setup(transport, newUid, {}, () => oldText);
      const connected = client.once("connected");
      await client.start();
      oldText = formatInstanceUid(client.instanceUid);
      await connected;
      await client.requestCertificate();
      const renewed = await server.waitFor((_m, r) => r.peerCommonName === newText, 20_000);
      assert.deepEqual([...renewed.instanceUid], [...newUid], "the new uid is in use");
      assert.deepEqual(subjects, [`CN=${oldText}`, `CN=${newText}`]);
      assert.ok(
        server.received.some((r) => r.peerCommonName === oldText),
        "the first certificate named the old uid",
      );
      await client.idle();
      assert.equal(
        client.connectionSettings.tls.key,
        (await new FileStateStore(join(dir, `${transport}-${newText}.json`)).load())?.csrKey,
      );
      await client.stop();
      await server.close();
    });
  }

  test("C-3 P-16 with renewCertificateOnNewUid false the certificate is kept and no CSR is sent", async () => {
    const newUid = newInstanceUid();
    let oldText: string | undefined;
    const { server, client, subjects } = await setup(
      "websocket",
      newUid,
      { renewCertificateOnNewUid: false },
      () => oldText,
    );
    const adopted = client.once("newInstanceUid");
    const connected = client.once("connected");
    await client.start();
    oldText = formatInstanceUid(client.instanceUid);
    await connected;
    await client.requestCertificate();
    await adopted;
    await client.idle();
    await roundTrip(client, server);
    assert.deepEqual(subjects, [`CN=${oldText}`], "one CSR only");
    await client.stop();
    await server.close();
  });

  test("C-3 P-16 a configured client certificate (not from the CSR flow) is not renewed", async () => {
    const uid = newInstanceUid();
    const newUid = newInstanceUid();
    const own = await ca.client(formatInstanceUid(uid));
    const { server, client, subjects } = await setup(
      "websocket",
      newUid,
      { instanceUid: uid, tls: { ca: ca.certPem, cert: own.cert, key: own.key } },
      () => formatInstanceUid(uid),
    );
    const adopted = client.once("newInstanceUid");
    await client.start();
    await adopted;
    await client.idle();
    await roundTrip(client, server);
    assert.deepEqual(subjects, [], "no CSR was sent");
    assert.equal(server.received.filter((r) => r.message.connectionSettingsRequest).length, 0);
    assert.equal(client.connectionSettings.tls.cert, own.cert);
    await client.stop();
    await server.close();
  });
});
