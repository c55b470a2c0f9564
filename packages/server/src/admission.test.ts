import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { after, before, describe, test } from "node:test";
import {
  AgentCapabilities,
  encodeAgentToServer,
  PROTOBUF_CONTENT_TYPE,
  ServerCapabilities,
  ServerErrorResponseType,
} from "@opamp-ts/protocol";
import WebSocket from "ws";
import { peerCertificateOf } from "./admission.js";
import type { AgentConnection } from "./connection.js";
import type { ConnectingDecision } from "./options.js";
import { OpampServer } from "./server.js";
import { makeTestCerts, type TestCerts } from "./test-support/certs.js";
import {
  agentMessage,
  postMessage,
  RawWsAgent,
  type Running,
  startServer,
} from "./test-support/harness.js";

/** Upgrade attempt that resolves with the HTTP status and headers of a refusal. */
function refusedUpgrade(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once("unexpected-response", (_req, res) => {
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
      res.resume();
      ws.terminate();
    });
    ws.once("open", () => reject(new Error("upgrade unexpectedly accepted")));
    ws.on("error", () => {});
  });
}

const TOKENS: Record<string, string> = { "good-token": "tenant-a", "other-token": "tenant-b" };

describe("admission (onConnecting)", () => {
  let running: Running;
  const revoked = new Set<string>();
  let busy = false;
  const seen: AgentConnection[] = [];
  let messagesHandled = 0;

  function onConnecting(req: IncomingMessage): ConnectingDecision {
    if (busy) {
      return { accept: false, status: 503, headers: { "Retry-After": "30" }, message: "busy" };
    }
    if (req.headers["x-throttle"] === "1") {
      return { accept: false, status: 429, headers: { "Retry-After": "45" } };
    }
    const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    const tenant = TOKENS[token];
    if (tenant === undefined || revoked.has(token)) {
      return {
        accept: false,
        status: 401,
        headers: { "WWW-Authenticate": "Bearer" },
        message: "bad token",
      };
    }
    if (req.headers["x-explode"] === "1") {
      throw new Error("auth backend down");
    }
    return { accept: true, context: { tenant, token } };
  }

  before(async () => {
    running = await startServer({
      onConnecting,
      onConnected: (c) => seen.push(c),
      onMessage: () => {
        messagesHandled++;
        return undefined;
      },
    });
  });
  after(() => running.close());

  test("S-2 a WebSocket upgrade with bad credentials is refused with 401 before any upgrade", async () => {
    const before = seen.length;
    const refused = await refusedUpgrade(running.url, { Authorization: "Bearer nope" });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers["www-authenticate"], "Bearer");
    assert.equal(seen.length, before);
    assert.equal(running.server.metrics().transports.websocket.connectionsOpened, before);
  });

  test("S-2 a plain-HTTP request with bad credentials gets 401 and its body is never processed", async () => {
    const handled = messagesHandled;
    const raw = await fetch(running.httpUrl, {
      method: "POST",
      headers: { "Content-Type": PROTOBUF_CONTENT_TYPE, Authorization: "Bearer nope" },
      body: encodeAgentToServer(agentMessage()),
    });
    assert.equal(raw.status, 401);
    assert.equal(messagesHandled, handled);
  });

  test("S-2 accepted connections carry the context onConnecting returned", async () => {
    const agent = await RawWsAgent.connect(running.url, { Authorization: "Bearer good-token" });
    await agent.exchange(agentMessage());
    assert.deepEqual(seen.at(-1)!.context, { tenant: "tenant-a", token: "good-token" });
    agent.close();
    const message = agentMessage();
    const { status } = await postMessage(running.httpUrl, message, {
      Authorization: "Bearer other-token",
    });
    assert.equal(status, 200);
    assert.deepEqual(running.server.agents.get(message.instanceUid)!.connection!.context, {
      tenant: "tenant-b",
      token: "other-token",
    });
  });

  test("S-7 throttling: 429 and 503 with Retry-After on both transports", async () => {
    const ws429 = await refusedUpgrade(running.url, {
      Authorization: "Bearer good-token",
      "X-Throttle": "1",
    });
    assert.equal(ws429.status, 429);
    assert.equal(ws429.headers["retry-after"], "45");
    busy = true;
    try {
      const ws503 = await refusedUpgrade(running.url, {});
      assert.equal(ws503.status, 503);
      assert.equal(ws503.headers["retry-after"], "30");
      const http503 = await fetch(running.httpUrl, {
        method: "POST",
        headers: { "Content-Type": PROTOBUF_CONTENT_TYPE },
        body: encodeAgentToServer(agentMessage()),
      });
      assert.equal(http503.status, 503);
      assert.equal(http503.headers.get("retry-after"), "30");
    } finally {
      busy = false;
    }
  });

  test("a throwing onConnecting refuses with 500 and the server keeps serving", async () => {
    const refused = await refusedUpgrade(running.url, {
      Authorization: "Bearer good-token",
      "X-Explode": "1",
    });
    assert.equal(refused.status, 500);
    const agent = await RawWsAgent.connect(running.url, { Authorization: "Bearer good-token" });
    const message = agentMessage();
    assert.deepEqual((await agent.exchange(message)).instanceUid, message.instanceUid);
    agent.close();
  });

  test("S-16 revoked credentials: the live connection is closed and later connections are refused with 401", async () => {
    const agent = await RawWsAgent.connect(running.url, { Authorization: "Bearer good-token" });
    await agent.exchange(agentMessage());
    // Revoke: mark the credential, disconnect everything that used it.
    revoked.add("good-token");
    try {
      for (const conn of seen) {
        if ((conn.context as { token?: string }).token === "good-token" && conn.isOpen)
          conn.close();
      }
      assert.equal((await agent.closed).code, 1000);
      const refused = await refusedUpgrade(running.url, { Authorization: "Bearer good-token" });
      assert.equal(refused.status, 401);
    } finally {
      revoked.delete("good-token");
    }
  });
});

describe("TLS and mTLS when listening on its own", () => {
  let certs: TestCerts;
  before(() => {
    certs = makeTestCerts();
  });

  test("TLS: wss:// and https:// URLs serve both transports", async () => {
    const server = new OpampServer();
    const { url, httpUrl } = await server.listen({
      host: "127.0.0.1",
      port: 0,
      tls: { cert: certs.serverCert, key: certs.serverKey },
    });
    try {
      assert.match(url, /^wss:\/\//);
      assert.match(httpUrl, /^https:\/\//);
      const ws = new WebSocket(url, { ca: certs.caCert });
      await new Promise((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("error", reject);
      });
      ws.close();
      const message = agentMessage();
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpsRequest(
          httpUrl,
          {
            method: "POST",
            ca: certs.caCert,
            headers: { "Content-Type": PROTOBUF_CONTENT_TYPE },
            agent: false,
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on("error", reject);
        req.end(encodeAgentToServer(message));
      });
      assert.equal(status, 200);
    } finally {
      await server.close();
    }
  });

  test("mTLS: the client certificate is exposed on the connection; a client without one is refused", async () => {
    const seen: AgentConnection[] = [];
    const server = new OpampServer({ onConnected: (c) => seen.push(c) });
    const { url } = await server.listen({
      host: "127.0.0.1",
      port: 0,
      tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.caCert, requestCert: true },
    });
    try {
      const ws = new WebSocket(url, {
        ca: certs.caCert,
        cert: certs.clientCert,
        key: certs.clientKey,
      });
      await new Promise((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("error", reject);
      });
      const peer = seen.at(-1)!.peerCertificate!;
      assert.equal(peer.authorized, true);
      assert.equal(peer.certificate.subject.CN, "agent-1");
      ws.close();
      const anonymous = new WebSocket(url, { ca: certs.caCert });
      const failure = await new Promise<Error>((resolve) => {
        anonymous.once("error", resolve);
        anonymous.once("open", () => resolve(new Error("accepted")));
      });
      assert.notEqual(failure.message, "accepted");
    } finally {
      await server.close();
    }
  });

  test("S-14 trust on first use: an unknown certificate is admitted as pending, then offered credentials through conn.send", async () => {
    const ACCEPTS_OPAMP_SETTINGS = BigInt(
      AgentCapabilities.AgentCapabilities_ReportsStatus |
        AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings,
    );
    const pending: AgentConnection[] = [];
    const server = new OpampServer({
      capabilities: BigInt(ServerCapabilities.ServerCapabilities_OffersConnectionSettings),
      onConnecting: (req) => {
        const peer = peerCertificateOf(req);
        if (peer === undefined) return { accept: false, status: 401 };
        return {
          accept: true,
          context: { approved: peer.authorized, fingerprint: peer.certificate.fingerprint256 },
        };
      },
      onMessage: (conn) => {
        if (!(conn.context as { approved: boolean }).approved) pending.push(conn);
        return undefined;
      },
    });
    const { url } = await server.listen({
      host: "127.0.0.1",
      port: 0,
      tls: {
        cert: certs.serverCert,
        key: certs.serverKey,
        ca: certs.caCert,
        requestCert: true,
        rejectUnauthorized: false,
      },
    });
    try {
      const ws = new WebSocket(url, {
        ca: certs.caCert,
        cert: certs.strangerCert,
        key: certs.strangerKey,
      });
      const frames: Buffer[] = [];
      ws.on("message", (d: Buffer) => frames.push(d));
      await new Promise((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("error", reject);
      });
      const { encodeAgentToServerFrame, decodeServerToAgentFrame } = await import(
        "@opamp-ts/protocol"
      );
      ws.send(encodeAgentToServerFrame(agentMessage({ capabilities: ACCEPTS_OPAMP_SETTINGS })));
      await waitUntil(() => pending.length === 1 && frames.length === 1);
      const conn = pending[0]!;
      assert.match((conn.context as { fingerprint: string }).fingerprint, /^[0-9A-F:]+$/);
      // An operator approves: the server offers a client certificate through the offer flow.
      await conn.send({
        connectionSettings: {
          hash: new Uint8Array([7]),
          opamp: {
            destinationEndpoint: url,
            certificate: {
              cert: new TextEncoder().encode(certs.clientCert),
              caCert: new TextEncoder().encode(certs.caCert),
            },
          },
        },
      });
      await waitUntil(() => frames.length === 2);
      const offer = decodeServerToAgentFrame(new Uint8Array(frames[1]!));
      assert.equal(offer.connectionSettings?.opamp?.destinationEndpoint, url);
      assert.equal(
        new TextDecoder().decode(offer.connectionSettings?.opamp?.certificate?.cert),
        certs.clientCert,
      );
      ws.close();
    } finally {
      await server.close();
    }
  });

  test("S-15 a CSR in connection_settings_request is answered through onMessage with a certificate, or a BadRequest alone", async () => {
    const CAPS = BigInt(
      AgentCapabilities.AgentCapabilities_ReportsStatus |
        AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings,
    );
    const running = await startServer({
      capabilities: BigInt(
        ServerCapabilities.ServerCapabilities_AcceptsConnectionSettingsRequest |
          ServerCapabilities.ServerCapabilities_OffersConnectionSettings,
      ),
      onMessage: (_conn, msg) => {
        const csr = msg.connectionSettingsRequest?.opamp?.certificateRequest?.csr;
        if (csr === undefined) return undefined;
        if (new TextDecoder().decode(csr) !== "valid-csr") {
          return {
            errorResponse: {
              type: ServerErrorResponseType.ServerErrorResponseType_BadRequest,
              errorMessage: "bad CSR",
            },
            remoteConfig: { configHash: new Uint8Array([1]) },
          };
        }
        return {
          connectionSettings: {
            hash: new Uint8Array([1]),
            opamp: {
              destinationEndpoint: "wss://example/v1/opamp",
              certificate: { cert: new Uint8Array([1, 2]) },
            },
          },
        };
      },
    });
    try {
      const request = (csr: string) =>
        agentMessage({
          capabilities: CAPS,
          connectionSettingsRequest: {
            opamp: { certificateRequest: { csr: new TextEncoder().encode(csr) } },
          },
        });
      const ok = await postMessage(running.httpUrl, request("valid-csr"));
      assert.equal(ok.reply.capabilities & 0x40n, 0x40n);
      assert.deepEqual(
        ok.reply.connectionSettings?.opamp?.certificate?.cert,
        new Uint8Array([1, 2]),
      );
      const bad = await postMessage(running.httpUrl, request("garbage"));
      assert.equal(
        bad.reply.errorResponse?.type,
        ServerErrorResponseType.ServerErrorResponseType_BadRequest,
      );
      assert.equal(bad.reply.remoteConfig, undefined);
      assert.equal(bad.reply.capabilities, 0n);
    } finally {
      await running.close();
    }
  });
});

async function waitUntil(predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}
