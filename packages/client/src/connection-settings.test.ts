import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  AgentCapabilities,
  ConnectionSettingsStatuses,
  create,
  type MessageInitShape,
  OpAMPConnectionSettingsSchema,
  type ServerToAgentSchema,
} from "@opamp-ts/protocol";
import { candidateFromOffer } from "./connection-settings.js";
import type { OpampConnectionSettings } from "./options.js";
import { FileStateStore, MemoryStateStore } from "./state-store.js";
import { caps, makeClient, TRANSPORTS, withEffect } from "./test-support/fixtures.js";
import { ScriptedServer } from "./test-support/scripted-server.js";

const CURRENT: OpampConnectionSettings = {
  endpoint: "ws://127.0.0.1:1/v1/opamp",
  headers: { Authorization: "Bearer old", "X-Local": "1" },
  tls: { ca: "CA", cert: "OLD-CERT", key: "OLD-KEY" },
  heartbeatIntervalSeconds: 30,
};
const POLICY = {
  baseHeaders: { "X-Local": "1" },
  csrKey: undefined,
  allowInsecureTls: false,
  durableStorage: true,
};
const opampOffer = (init: MessageInitShape<typeof OpAMPConnectionSettingsSchema>) =>
  create(OpAMPConnectionSettingsSchema, init);

describe("candidate settings from an offer", () => {
  test("P-8 an empty destination_endpoint is refused", () => {
    const result = candidateFromOffer(CURRENT, opampOffer({}), POLICY);
    assert.equal(result.ok, false);
  });

  test("C-32 P-9 offered headers replace earlier offered ones, a missing certificate means none, tls absent keeps TLS", () => {
    const result = candidateFromOffer(
      CURRENT,
      opampOffer({
        destinationEndpoint: "http://127.0.0.1:2/v1/opamp",
        headers: { headers: [{ key: "Authorization", value: "Bearer new" }] },
      }),
      POLICY,
    );
    assert.ok(result.ok);
    assert.deepEqual(result.settings.headers, { "X-Local": "1", Authorization: "Bearer new" });
    assert.equal(result.settings.tls.cert, undefined);
    assert.equal(result.settings.tls.key, undefined);
    assert.equal(result.settings.tls.ca, "CA");
  });

  test("P-7 the offered heartbeat interval is taken as sent, 0 included", () => {
    const result = candidateFromOffer(
      CURRENT,
      opampOffer({ destinationEndpoint: "ws://h/v1/opamp", heartbeatIntervalSeconds: 0n }),
      POLICY,
    );
    assert.ok(result.ok);
    assert.equal(result.settings.heartbeatIntervalSeconds, 0);
  });

  test("C-40 an offer disabling TLS verification is refused unless local policy allows it", () => {
    const offer = opampOffer({
      destinationEndpoint: "wss://h/v1/opamp",
      tls: { insecureSkipVerify: true },
    });
    assert.equal(candidateFromOffer(CURRENT, offer, POLICY).ok, false);
    assert.equal(
      candidateFromOffer(CURRENT, offer, { ...POLICY, allowInsecureTls: true }).ok,
      true,
    );
  });

  test("C-31 certificate offers are refused with ephemeral storage; CSR certificates use the local key", () => {
    const cert = { cert: new TextEncoder().encode("CERT") };
    const offer = opampOffer({ destinationEndpoint: "wss://h/v1/opamp", certificate: cert });
    assert.equal(
      candidateFromOffer(CURRENT, offer, { ...POLICY, durableStorage: false }).ok,
      false,
    );
    assert.equal(candidateFromOffer(CURRENT, offer, POLICY).ok, false, "no key and no pending CSR");
    const withKey = candidateFromOffer(CURRENT, offer, { ...POLICY, csrKey: "CSR-KEY" });
    assert.ok(withKey.ok);
    assert.equal(withKey.settings.tls.key, "CSR-KEY");
    assert.equal(withKey.settings.tls.cert, "CERT");
  });

  test("C-32 an unsupported endpoint scheme, an empty or non-HTTP proxy are refused", () => {
    assert.equal(
      candidateFromOffer(CURRENT, opampOffer({ destinationEndpoint: "ftp://h/" }), POLICY).ok,
      false,
    );
    for (const url of ["", "socks5://p:1"]) {
      const result = candidateFromOffer(
        CURRENT,
        opampOffer({ destinationEndpoint: "ws://h/", proxy: { url } }),
        POLICY,
      );
      assert.equal(result.ok, false, `proxy "${url}" is refused`);
    }
  });

  test("C-32 an offered proxy is taken with its CONNECT headers; an absent one keeps the current proxy", () => {
    const offered = candidateFromOffer(
      CURRENT,
      opampOffer({
        destinationEndpoint: "ws://h/",
        proxy: {
          url: "127.0.0.1:3128",
          connectHeaders: { headers: [{ key: "Proxy-Authorization", value: "Basic eDp5" }] },
        },
      }),
      POLICY,
    );
    assert.ok(offered.ok);
    assert.deepEqual(offered.settings.proxy, {
      url: "127.0.0.1:3128",
      connectHeaders: { "Proxy-Authorization": "Basic eDp5" },
    });
    const kept = candidateFromOffer(
      offered.settings,
      opampOffer({ destinationEndpoint: "ws://other/" }),
      POLICY,
    );
    assert.ok(kept.ok);
    assert.deepEqual(kept.settings.proxy, offered.settings.proxy);
  });
});

const OPAMP_CAPS = caps(
  AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings,
  AgentCapabilities.AgentCapabilities_ReportsConnectionSettingsStatus,
  AgentCapabilities.AgentCapabilities_ReportsHealth,
);
const settingsStatus =
  (s: ConnectionSettingsStatuses) =>
  (m: { connectionSettingsStatus?: { status: ConnectionSettingsStatuses } }) =>
    m.connectionSettingsStatus?.status === s;

for (const transport of TRANSPORTS) {
  const other = transport === "websocket" ? "http" : "ws";
  describe(`OpAMP connection settings over ${transport}`, () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), "opamp-client-cs-"));
    });
    after(() => rm(dir, { recursive: true, force: true }));

    test(`C-31 C-30 P-20 C-36 an offered endpoint is verified, then committed and APPLIED reported there (${transport} → ${other})`, async () => {
      const target = await new ScriptedServer().listen();
      let offered = false;
      const origin = await new ScriptedServer({
        reply: () =>
          offered
            ? undefined
            : withEffect(
                () => {
                  offered = true;
                },
                {
                  connectionSettings: {
                    hash: new Uint8Array([1]),
                    opamp: {
                      destinationEndpoint: target.url(other),
                      headers: { headers: [{ key: "X-Token", value: "t2" }] },
                      heartbeatIntervalSeconds: 3_600n,
                    },
                  },
                },
              ),
      }).listen();
      const store = new FileStateStore(join(dir, `switch-${transport}.json`));
      const client = makeClient(origin, transport, { capabilities: OPAMP_CAPS, stateStore: store });
      const event = client.once("opampConnectionSettings");
      await client.start();
      const applying = await origin.waitFor(
        settingsStatus(ConnectionSettingsStatuses.ConnectionSettingsStatuses_APPLYING),
      );
      const disconnect = await origin.waitFor((m) => m.agentDisconnect !== undefined);
      assert.ok(
        disconnect.sequenceNum >= applying.sequenceNum,
        "APPLYING is reported before the old connection is left",
      );
      const applied = await target.waitFor(
        settingsStatus(ConnectionSettingsStatuses.ConnectionSettingsStatuses_APPLIED),
      );
      assert.deepEqual([...applied.connectionSettingsStatus!.lastConnectionSettingsHash], [1]);
      const [outcome] = await event;
      assert.equal(outcome.status, "applied");
      assert.equal(client.connectionSettings.endpoint, target.url(other));
      assert.equal(target.received[0]!.headers["x-token"], "t2", "offered headers are used");
      const stored = await store.load();
      assert.equal(stored?.connectionSettings?.committed?.endpoint, target.url(other));
      assert.equal(stored?.connectionSettings?.candidate, undefined);
      await client.stop();
      await origin.close();
      await target.close();
    });

    test(`C-31 P-20 an offered endpoint that does not answer is reverted and FAILED is reported (${transport})`, async () => {
      const dead = await new ScriptedServer().listen();
      const deadUrl = dead.url(transport === "websocket" ? "ws" : "http");
      await dead.close();
      let offered = false;
      const origin = await new ScriptedServer({
        reply: () =>
          offered
            ? undefined
            : withEffect(
                () => {
                  offered = true;
                },
                {
                  connectionSettings: {
                    hash: new Uint8Array([2]),
                    opamp: { destinationEndpoint: deadUrl },
                  },
                },
              ),
      }).listen();
      const client = makeClient(origin, transport, {
        capabilities: OPAMP_CAPS,
        stateStore: new MemoryStateStore(),
      });
      const event = client.once("opampConnectionSettings");
      await client.start();
      const failed = await origin.waitFor(
        settingsStatus(ConnectionSettingsStatuses.ConnectionSettingsStatuses_FAILED),
      );
      assert.deepEqual([...failed.connectionSettingsStatus!.lastConnectionSettingsHash], [2]);
      assert.ok(failed.connectionSettingsStatus!.errorMessage.length > 0);
      const [outcome] = await event;
      assert.equal(outcome.status, "failed");
      assert.equal(
        client.connectionSettings.endpoint,
        origin.url(transport === "websocket" ? "ws" : "http"),
      );
      await client.stop();
      await origin.close();
    });

    test(`C-31 a candidate left in the state store is verified again at start-up (${transport})`, async () => {
      const committedServer = await new ScriptedServer().listen();
      const candidateServer = await new ScriptedServer().listen();
      const scheme = transport === "websocket" ? "ws" : "http";
      const store = new FileStateStore(join(dir, `resume-${transport}.json`));
      const base = { headers: {}, tls: {}, heartbeatIntervalSeconds: 3_600 };
      await store.save({
        connectionSettings: {
          committed: { endpoint: committedServer.url(scheme), ...base },
          candidate: { endpoint: candidateServer.url(scheme), ...base },
          lastHash: Buffer.from([7]).toString("base64"),
          status: "applying",
        },
      });
      const client = makeClient(committedServer, transport, {
        capabilities: OPAMP_CAPS,
        stateStore: store,
      });
      await client.start();
      const applied = await candidateServer.waitFor(
        settingsStatus(ConnectionSettingsStatuses.ConnectionSettingsStatuses_APPLIED),
      );
      assert.deepEqual([...applied.connectionSettingsStatus!.lastConnectionSettingsHash], [7]);
      assert.equal(committedServer.count, 0, "the candidate was tried first");
      await client.stop();
      assert.equal(
        (await store.load())?.connectionSettings?.committed?.endpoint,
        candidateServer.url(scheme),
      );
      await committedServer.close();
      await candidateServer.close();
    });

    test(`C-26 P-19 C-28 C-29 C-27 offers are filtered by capability and a known hash is skipped (${transport})`, async () => {
      const offer = {
        connectionSettings: {
          hash: new Uint8Array([3]),
          ownMetrics: { destinationEndpoint: "https://otlp.example/v1/metrics" },
          ownTraces: { destinationEndpoint: "https://otlp.example/v1/traces" },
          ownLogs: { destinationEndpoint: "https://otlp.example/v1/logs" },
          otherConnections: {
            exporter: { destinationEndpoint: "db:5432", otherSettings: { a: "b" } },
          },
          opamp: { destinationEndpoint: "ws://127.0.0.1:9/never" },
        },
      } satisfies MessageInitShape<typeof ServerToAgentSchema>;
      const server = await new ScriptedServer({ reply: () => offer }).listen();
      const client = makeClient(server, transport, {
        capabilities: caps(
          AgentCapabilities.AgentCapabilities_ReportsOwnMetrics,
          AgentCapabilities.AgentCapabilities_AcceptsOtherConnectionSettings,
          AgentCapabilities.AgentCapabilities_ReportsConnectionSettingsStatus,
          AgentCapabilities.AgentCapabilities_ReportsHealth,
        ),
      });
      const telemetry: string[] = [];
      const others: string[] = [];
      let opampEvents = 0;
      client.on("ownTelemetrySettings", (kind, settings) =>
        telemetry.push(`${kind} ${settings.destinationEndpoint}`),
      );
      client.on("otherConnectionSettings", (name, settings) =>
        others.push(`${name} ${settings.otherSettings.a}`),
      );
      client.on("opampConnectionSettings", () => opampEvents++);
      await client.start();
      const applied = await server.waitFor(
        settingsStatus(ConnectionSettingsStatuses.ConnectionSettingsStatuses_APPLIED),
      );
      assert.deepEqual([...applied.connectionSettingsStatus!.lastConnectionSettingsHash], [3]);
      client.setHealth({ healthy: true, status: "marker" });
      await server.waitFor((m) => m.health?.status === "marker");
      assert.deepEqual(
        telemetry,
        ["metrics https://otlp.example/v1/metrics"],
        "traces/logs not declared",
      );
      assert.deepEqual(others, ["exporter b"]);
      assert.equal(opampEvents, 0, "opamp offer ignored without AcceptsOpAMPConnectionSettings");
      await client.stop();
      await server.close();
    });
  });
}
