import assert from "node:assert/strict";
import { request as httpsRequest } from "node:https";
import { after, before, describe, test } from "node:test";
import { OpampClient } from "@opamp-ts/client";
import {
  AgentToServerSchema,
  create,
  decodeServerToAgent,
  encodeAgentToServer,
  formatInstanceUid,
  newInstanceUid,
  PROTOBUF_CONTENT_TYPE,
} from "@opamp-ts/protocol";
import WebSocket from "ws";
import { BACKENDS, type TestDatabase } from "../test-support/backends.js";
import { makeTestCerts, type TestCerts } from "../test-support/certs.js";
import { COLLECTOR_CAPABILITIES } from "../test-support/messages.js";
import { type RunningServer, startTestServer } from "../test-support/running-server.js";
import { waitFor } from "../test-support/wait.js";

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const sqlite = BACKENDS.find((b) => b.name === "sqlite")!;

function poll(url: string, headers: Record<string, string> = {}, body?: Uint8Array) {
  const msg = create(AgentToServerSchema, {
    instanceUid: newInstanceUid(),
    sequenceNum: 1n,
    capabilities: 1n,
  });
  return fetch(url, {
    method: "POST",
    headers: { "content-type": PROTOBUF_CONTENT_TYPE, ...headers },
    body: body ?? encodeAgentToServer(msg),
  });
}

function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on("open", () => {
      resolve(101);
      ws.close();
    });
    ws.on("error", (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

describe("OpAMP endpoint", () => {
  describe("with enrollment tokens", () => {
    let db: TestDatabase;
    let server: RunningServer;
    before(async () => {
      db = await sqlite.create();
      server = await startTestServer(db, { enrollmentTokens: ["enroll-1", "enroll-2"] });
    });
    after(async () => {
      await server.handle.close();
      db.cleanup();
    });

    test("S-2 a poll or upgrade without a known enrollment token gets 401", async () => {
      assert.equal((await poll(server.handle.opampHttpUrl)).status, 401);
      assert.equal(
        (await poll(server.handle.opampHttpUrl, { authorization: "Bearer nope" })).status,
        401,
      );
      assert.equal(await upgradeStatus(server.handle.opampUrl), 401);
      assert.equal(
        await upgradeStatus(server.handle.opampUrl, { authorization: "Bearer wrong" }),
        401,
      );
      assert.equal(
        (await poll(server.handle.opampHttpUrl, { authorization: "Bearer enroll-2" })).status,
        200,
      );
      assert.equal(
        await upgradeStatus(server.handle.opampUrl, { authorization: "Bearer enroll-1" }),
        101,
      );
    });

    test("S-2 a client with a valid enrollment token is admitted and listed", async () => {
      const client = new OpampClient({
        endpoint: server.handle.opampUrl,
        capabilities: COLLECTOR_CAPABILITIES,
        agentDescription: { identifyingAttributes: { "service.name": "enrolled" } },
        headers: { authorization: "Bearer enroll-1" },
        logger: silent,
        onRemoteConfig: () => ({ status: "applied" }),
      });
      await client.start();
      try {
        const id = formatInstanceUid(client.instanceUid);
        await waitFor("the enrolled agent", async () =>
          (await server.api("GET", `/agents/${id}`)).status === 200 ? true : undefined,
        );
      } finally {
        await client.stop();
      }
    });
  });

  describe("with bad traffic", () => {
    let db: TestDatabase;
    let server: RunningServer;
    before(async () => {
      db = await sqlite.create();
      server = await startTestServer(db);
    });
    after(async () => {
      await server.handle.close();
      db.cleanup();
    });

    test("S-7 a malformed message gets an error and the server keeps serving", async () => {
      const bad = await poll(
        server.handle.opampHttpUrl,
        {},
        new Uint8Array([0xff, 0xff, 0xff, 0x01]),
      );
      if (bad.status === 200) {
        const reply = decodeServerToAgent(new Uint8Array(await bad.arrayBuffer()));
        assert.ok(reply.errorResponse !== undefined, "a 200 must carry an error_response");
      } else {
        assert.equal(bad.status, 400);
      }
      const good = await poll(server.handle.opampHttpUrl);
      assert.equal(good.status, 200);
      const reply = decodeServerToAgent(new Uint8Array(await good.arrayBuffer()));
      assert.equal(reply.errorResponse, undefined);
      assert.equal((await server.api("GET", "/agents")).status, 200);
    });
  });

  describe("over TLS with client certificates (mTLS)", () => {
    let db: TestDatabase;
    let server: RunningServer;
    let certs: TestCerts;
    before(async () => {
      certs = makeTestCerts();
      db = await sqlite.create();
      server = await startTestServer(db, {
        tlsCert: certs.serverCertFile,
        tlsKey: certs.serverKeyFile,
        clientCa: certs.caFile,
      });
    });
    after(async () => {
      await server.handle.close();
      db.cleanup();
      certs.cleanup();
    });

    const tlsPoll = (withClientCert: boolean) =>
      new Promise<number>((resolve, reject) => {
        const msg = create(AgentToServerSchema, {
          instanceUid: newInstanceUid(),
          sequenceNum: 1n,
          capabilities: 1n,
        });
        const req = httpsRequest(
          server.handle.opampHttpUrl,
          {
            method: "POST",
            ca: certs.ca,
            headers: { "content-type": PROTOBUF_CONTENT_TYPE },
            ...(withClientCert ? { cert: certs.clientCert, key: certs.clientKey } : {}),
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on("error", reject);
        req.end(encodeAgentToServer(msg));
      });

    test("the endpoint is https/wss and accepts an agent presenting a certificate from the client CA", async () => {
      assert.match(server.handle.opampUrl, /^wss:/);
      assert.match(server.handle.opampHttpUrl, /^https:/);
      assert.equal(await tlsPoll(true), 200);
    });

    test("an agent without a client certificate is refused at the TLS handshake", async () => {
      await assert.rejects(tlsPoll(false));
    });
  });
});
