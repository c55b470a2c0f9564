import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { AgentCapabilities, ConnectionSettingsStatuses } from "@opamp-ts/protocol";
import { FileStateStore } from "./state-store.js";
import { TestCa } from "./test-support/certs.js";
import { ConnectProxy } from "./test-support/connect-proxy.js";
import { caps, makeClient, TRANSPORTS, withEffect } from "./test-support/fixtures.js";
import { ScriptedServer } from "./test-support/scripted-server.js";
import { parseProxy } from "./transport/proxy.js";

const OPAMP_CAPS = caps(
  AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings,
  AgentCapabilities.AgentCapabilities_ReportsConnectionSettingsStatus,
);
const AUTH = `Basic ${Buffer.from("agent:secret").toString("base64")}`;

describe("proxy addresses", () => {
  test("C-32 a proxy is a URL or host:port; user info becomes Basic Proxy-Authorization; other schemes are refused", () => {
    const plain = parseProxy({ url: "127.0.0.1:3128" });
    assert.deepEqual([plain.host, plain.port, plain.secure], ["127.0.0.1", 3128, false]);
    const withUser = parseProxy({ url: "http://agent:secret@proxy.example" });
    assert.equal(withUser.port, 80);
    assert.equal(withUser.headers["Proxy-Authorization"], AUTH);
    assert.equal(parseProxy({ url: "https://proxy.example" }).port, 443);
    assert.throws(() => parseProxy({ url: "socks5://proxy.example:1080" }), {
      code: "INVALID_OPTIONS",
    });
  });

  test("a bad proxy option is refused at construction with INVALID_OPTIONS", async () => {
    const server = await new ScriptedServer().listen();
    assert.throws(() => makeClient(server, "http", { proxy: { url: "ftp://p:1" } }), {
      code: "INVALID_OPTIONS",
    });
    await server.close();
  });
});

for (const transport of TRANSPORTS) {
  const scheme = transport === "websocket" ? "ws" : "http";
  describe(`HTTP CONNECT proxy over ${transport}`, () => {
    let ca: TestCa;
    let dir: string;
    before(async () => {
      ca = await TestCa.create();
      dir = await mkdtemp(join(tmpdir(), "opamp-client-proxy-"));
    });
    after(() => rm(dir, { recursive: true, force: true }));

    test(`C-5 the proxy option tunnels the connection with the CONNECT headers (${transport})`, async () => {
      const server = await new ScriptedServer().listen();
      const proxy = await new ConnectProxy({ requireAuthorization: AUTH }).listen();
      const client = makeClient(server, transport, {
        proxy: { url: proxy.url(), connectHeaders: { "Proxy-Authorization": AUTH } },
      });
      const connected = client.once("connected");
      await client.start();
      await connected;
      assert.ok(proxy.tunnels >= 1, "the connection went through a tunnel");
      assert.equal(proxy.requests[0]!.target, `127.0.0.1:${server.port}`);
      assert.equal(server.received.length >= 1, true);
      await client.stop();
      await server.close();
      await proxy.close();
    });

    test(`C-5 TLS to the server runs inside the tunnel (${scheme}s through the proxy, ${transport})`, async () => {
      const server = await new ScriptedServer({ tls: await ca.server() }).listen();
      const proxy = await new ConnectProxy().listen();
      const client = makeClient(server, transport, {
        tls: { ca: ca.certPem },
        proxy: { url: proxy.url() },
      });
      const connected = client.once("connected");
      await client.start();
      await connected;
      assert.ok(server.url(scheme).startsWith(`${scheme}s://`));
      assert.ok(proxy.tunnels >= 1);
      await client.stop();
      await server.close();
      await proxy.close();
    });

    test(`C-5 a proxy answering 407 is reported as a connect failure naming the status (${transport})`, async () => {
      const server = await new ScriptedServer().listen();
      const proxy = await new ConnectProxy({ requireAuthorization: AUTH }).listen();
      const client = makeClient(server, transport, { proxy: { url: proxy.url() } });
      const failed = client.once("connectFailed");
      await client.start();
      const [error] = await failed;
      assert.equal(error.code, "CONNECT_FAILED");
      assert.match(error.message, /407/);
      assert.equal(proxy.tunnels, 0);
      assert.equal(server.count, 0, "nothing reached the server");
      await client.stop();
      await server.close();
      await proxy.close();
    });

    test(`C-31 C-32 an offered proxy is verified, then committed and APPLIED reported through it (${transport})`, async () => {
      const proxy = await new ConnectProxy({ requireAuthorization: AUTH }).listen();
      let offered = false;
      const server: ScriptedServer = await new ScriptedServer({
        reply: () =>
          offered
            ? undefined
            : withEffect(
                () => {
                  offered = true;
                },
                {
                  connectionSettings: {
                    hash: new Uint8Array([7]),
                    opamp: {
                      destinationEndpoint: server.url(scheme),
                      proxy: {
                        url: proxy.url().replace("http://", ""),
                        connectHeaders: {
                          headers: [{ key: "Proxy-Authorization", value: AUTH }],
                        },
                      },
                      heartbeatIntervalSeconds: 3_600n,
                    },
                  },
                },
              ),
      }).listen();
      const store = new FileStateStore(join(dir, `offer-${transport}.json`));
      const client = makeClient(server, transport, { capabilities: OPAMP_CAPS, stateStore: store });
      const event = client.once("opampConnectionSettings");
      await client.start();
      const [outcome] = await event;
      assert.equal(outcome.status, "applied");
      const applied = await server.waitFor(
        (m) =>
          m.connectionSettingsStatus?.status ===
          ConnectionSettingsStatuses.ConnectionSettingsStatuses_APPLIED,
      );
      assert.deepEqual([...applied.connectionSettingsStatus!.lastConnectionSettingsHash], [7]);
      assert.ok(proxy.tunnels >= 1, "the verified connection used the proxy");
      assert.equal(client.connectionSettings.proxy?.url, proxy.url().replace("http://", ""));
      assert.equal(
        (await store.load())?.connectionSettings?.committed?.proxy?.url,
        proxy.url().replace("http://", ""),
      );
      await client.stop();
      await server.close();
      await proxy.close();
    });

    test(`C-31 P-20 an offered proxy that refuses the tunnel (407) is reverted and FAILED reported (${transport})`, async () => {
      const proxy = await new ConnectProxy({ requireAuthorization: AUTH }).listen();
      let offered = false;
      const server: ScriptedServer = await new ScriptedServer({
        reply: () =>
          offered
            ? undefined
            : withEffect(
                () => {
                  offered = true;
                },
                {
                  connectionSettings: {
                    hash: new Uint8Array([8]),
                    opamp: { destinationEndpoint: server.url(scheme), proxy: { url: proxy.url() } },
                  },
                },
              ),
      }).listen();
      const client = makeClient(server, transport, {
        capabilities: OPAMP_CAPS,
        stateStore: new FileStateStore(join(dir, `refused-${transport}.json`)),
      });
      const event = client.once("opampConnectionSettings");
      await client.start();
      const [outcome] = await event;
      assert.equal(outcome.status, "failed");
      assert.match(outcome.status === "failed" ? outcome.reason : "", /407/);
      const failed = await server.waitFor(
        (m) =>
          m.connectionSettingsStatus?.status ===
          ConnectionSettingsStatuses.ConnectionSettingsStatuses_FAILED,
      );
      assert.match(failed.connectionSettingsStatus!.errorMessage, /407/);
      assert.equal(client.connectionSettings.proxy, undefined, "reverted to a direct connection");
      assert.equal(proxy.tunnels, 0);
      await client.stop();
      await server.close();
      await proxy.close();
    });
  });
}
