// Interop matrix, cell 1: our OpampClient against opamp-go's server package
// (goserver), over WebSocket and plain HTTP. Every assertion reads what
// opamp-go decoded from our bytes, or what our client made of opamp-go's.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  CommandType,
  ConnectionSettingsStatuses,
  formatInstanceUid,
  fromAnyValue,
  RemoteConfigStatuses,
} from "@opamp-ts/protocol";
import { requirePeers } from "./support/build.js";
import { GoServer, type ReceivedMessage } from "./support/goserver.js";
import { OUR_CUSTOM_CAPABILITY, OUR_FAIL_MARKER, OurAgent } from "./support/our-agent.js";
import { within } from "./support/wait.js";

const peers = await requirePeers();
const hex = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString("hex");
const text = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString("utf8");

/** True for a message that carries nothing but the always-present fields (a heartbeat or poll). */
function isHeartbeat(m: ReceivedMessage): boolean {
  const msg = m.message;
  return (
    msg.agentDescription === undefined &&
    msg.health === undefined &&
    msg.effectiveConfig === undefined &&
    msg.remoteConfigStatus === undefined &&
    msg.customMessage === undefined &&
    msg.connectionSettingsStatus === undefined &&
    msg.agentDisconnect === undefined
  );
}

const VARIANTS = [
  { transport: "websocket", compression: false },
  { transport: "http", compression: false },
  // goserver with opamp-go's EnableCompression: it would accept permessage-deflate.
  // Our client does not offer it (perMessageDeflate: false), so this proves
  // the session works against a compressing server without negotiating it.
  { transport: "websocket", compression: true },
] as const;

for (const { transport, compression } of VARIANTS) {
  const name = `${transport}${compression ? " (server accepts permessage-deflate)" : ""}`;
  describe(`cell 1: our client -> opamp-go server over ${name}`, { skip: peers.skip }, () => {
    let server: GoServer;
    let second: GoServer;
    let agent: OurAgent;
    let id: string;
    const urlOf = (s: GoServer) => (transport === "websocket" ? s.opampUrl : s.opampHttpUrl);

    before(async () => {
      const binaries = peers.binaries!;
      server = await GoServer.start(binaries.goserver, {
        customCapabilities: [OUR_CUSTOM_CAPABILITY],
        compression,
      });
      second = await GoServer.start(binaries.goserver, {
        customCapabilities: [OUR_CUSTOM_CAPABILITY],
        compression,
      });
      agent = new OurAgent({
        endpoint: urlOf(server),
        heartbeatIntervalSeconds: 0.5,
        compressRequests: transport === "http",
      });
      await agent.start();
      id = formatInstanceUid(agent.client.instanceUid);
    });

    after(async () => {
      await agent?.stop();
      await server?.stop();
      await second?.stop();
    });

    test("C-6 C-8 the first status report carries the description and capabilities", async () => {
      const first = await server.waitForMessage((m) => m.agent === id, {
        what: "the first status report",
      });
      assert.equal(first.transport, transport);
      assert.equal(first.message.capabilities, agent.client.capabilities);
      const identifying = Object.fromEntries(
        (first.message.agentDescription?.identifyingAttributes ?? []).map((kv) => [
          kv.key,
          fromAnyValue(kv.value!),
        ]),
      );
      const nonIdentifying = Object.fromEntries(
        (first.message.agentDescription?.nonIdentifyingAttributes ?? []).map((kv) => [
          kv.key,
          fromAnyValue(kv.value!),
        ]),
      );
      assert.deepEqual(identifying, {
        "service.name": "interop-agent",
        "service.instance.id": "cell-1",
      });
      assert.deepEqual(nonIdentifying, { "os.type": "linux", "host.name": "interop-host" });
      assert.deepEqual(first.message.customCapabilities?.capabilities, [OUR_CUSTOM_CAPABILITY]);
      await server.waitForMessage((m) => m.agent === id && m.message.health?.healthy === true, {
        what: "the health report (C-24)",
      });
    });

    test("C-21 C-23 a remote config is reported APPLIED with opamp-go's hash and becomes the effective config", async () => {
      const from = server.mark();
      const body = `receivers:\n  otlp: {}\n# ${transport}\n`;
      const sent = await server.pushRemoteConfig(id, {
        "collector.yaml": { body, contentType: "text/yaml" },
      });
      const applied = await server.waitForMessage(
        (m) =>
          m.message.remoteConfigStatus?.status ===
          RemoteConfigStatuses.RemoteConfigStatuses_APPLIED,
        { after: from, what: "APPLIED" },
      );
      assert.equal(hex(applied.message.remoteConfigStatus?.lastRemoteConfigHash), sent.hash);
      const effective = await server.waitForMessage(
        (m) => m.message.effectiveConfig !== undefined,
        {
          after: from,
          what: "the new effective config",
        },
      );
      const file = effective.message.effectiveConfig?.configMap?.configMap["collector.yaml"];
      assert.equal(text(file?.body), body);
      assert.equal(file?.contentType, "text/yaml");
    });

    test("C-21 a config the agent rejects is reported FAILED with its message and the offered hash", async () => {
      const from = server.mark();
      const sent = await server.pushRemoteConfig(id, {
        "collector.yaml": { body: `x: ${OUR_FAIL_MARKER}\n` },
      });
      const failed = await server.waitForMessage(
        (m) =>
          m.message.remoteConfigStatus?.status === RemoteConfigStatuses.RemoteConfigStatuses_FAILED,
        { after: from, what: "FAILED" },
      );
      assert.equal(hex(failed.message.remoteConfigStatus?.lastRemoteConfigHash), sent.hash);
      assert.match(failed.message.remoteConfigStatus?.errorMessage ?? "", /FAIL_ME/);
    });

    test("C-11 ReportFullState is answered with every sub-message", async () => {
      const from = server.mark();
      await server.requestFullState(id);
      const full = await server.waitForMessage((m) => m.message.agentDescription !== undefined, {
        after: from,
        what: "the full state report",
      });
      const msg = full.message;
      assert.ok(msg.health?.healthy, "health");
      assert.ok(msg.effectiveConfig?.configMap, "effective config");
      assert.equal(
        msg.remoteConfigStatus?.status,
        RemoteConfigStatuses.RemoteConfigStatuses_FAILED,
        "last status",
      );
      assert.deepEqual(msg.customCapabilities?.capabilities, [OUR_CUSTOM_CAPABILITY]);
      assert.equal(msg.capabilities, agent.client.capabilities);
      assert.ok((msg.agentDescription?.identifyingAttributes.length ?? 0) > 0, "description");
    });

    test("C-19 P-1 a Restart command from opamp-go reaches the agent", async () => {
      const received = agent.client.once("command");
      await server.restart(id);
      const [command] = await within(received, "the command event");
      assert.equal(command.type, CommandType.CommandType_Restart);
    });

    test("C-34 custom messages flow both ways on the shared capability", async () => {
      const received = agent.client.once("customMessage");
      await server.sendCustomMessage(id, {
        capability: OUR_CUSTOM_CAPABILITY,
        type: "ping",
        data: Buffer.from("from opamp-go"),
      });
      const [incoming] = await within(received, "the customMessage event");
      assert.equal(incoming.capability, OUR_CUSTOM_CAPABILITY);
      assert.equal(incoming.type, "ping");
      assert.equal(text(incoming.data), "from opamp-go");

      const from = server.mark();
      await agent.client.sendCustomMessage({
        capability: OUR_CUSTOM_CAPABILITY,
        type: "pong",
        data: Buffer.from("from opamp-ts"),
      });
      const outgoing = await server.waitForMessage((m) => m.message.customMessage !== undefined, {
        after: from,
        what: "our custom message",
      });
      assert.equal(outgoing.message.customMessage?.capability, OUR_CUSTOM_CAPABILITY);
      assert.equal(outgoing.message.customMessage?.type, "pong");
      assert.equal(text(outgoing.message.customMessage?.data), "from opamp-ts");
    });

    test("C-20 C-7 heartbeats keep arriving with consecutive sequence numbers", async () => {
      const from = server.mark();
      const one = await server.waitForMessage(isHeartbeat, { after: from, what: "a heartbeat" });
      const two = await server.waitForMessage((m) => isHeartbeat(m) && m.seq > one.seq, {
        after: from,
        what: "a second heartbeat",
      });
      // Every message from the first heartbeat to the second, of any kind, counts by one.
      const run = server.received(id).filter((m) => m.seq >= one.seq && m.seq <= two.seq);
      run.forEach((m, i) => {
        assert.equal(m.message.sequenceNum, one.message.sequenceNum + BigInt(i));
      });
      assert.equal(two.message.capabilities, agent.client.capabilities);
    });

    if (transport === "http") {
      test("C-38 S-4 plain HTTP bodies are gzipped both ways", async () => {
        const from = server.mark();
        const poll = await server.waitForMessage((m) => m.agent === id, {
          after: from,
          what: "a poll",
        });
        assert.equal(poll.contentEncoding, "gzip");
        // opamp-go gzips its reply only for exactly "Accept-Encoding: gzip".
        assert.equal(poll.acceptEncoding, "gzip");
        const reply = await server.process.log.waitFor((e) => e.event === "http-response", {
          after: from,
          what: "opamp-go's HTTP reply",
        });
        assert.equal(reply.status, 200);
        assert.equal(reply.contentEncoding, "gzip");
        // The client read that gzipped reply: an offer sent through it arrives.
        const received = agent.client.once("command");
        await server.restart(id);
        await within(received, "the command carried by a gzipped reply");
      });
    }

    test("C-26 C-28 C-30 an own-metrics offer is surfaced and reported APPLIED", async () => {
      const received = agent.client.once("ownTelemetrySettings");
      const from = server.mark();
      const sent = await server.offerConnectionSettings(id, {
        ownMetrics: {
          destinationEndpoint: "http://127.0.0.1:4318/v1/metrics",
          headers: { headers: [{ key: "x-tenant", value: "interop" }] },
        },
      });
      const [kind, settings] = await within(received, "the ownTelemetrySettings event");
      assert.equal(kind, "metrics");
      assert.equal(settings.destinationEndpoint, "http://127.0.0.1:4318/v1/metrics");
      assert.deepEqual(
        settings.headers?.headers.map((h) => [h.key, h.value]),
        [["x-tenant", "interop"]],
      );
      const status = await server.waitForMessage(
        (m) =>
          m.message.connectionSettingsStatus?.status ===
          ConnectionSettingsStatuses.ConnectionSettingsStatuses_APPLIED,
        { after: from, what: "ConnectionSettingsStatus APPLIED" },
      );
      assert.equal(
        hex(status.message.connectionSettingsStatus?.lastConnectionSettingsHash),
        sent.hash,
      );
    });

    test("C-31 an OpAMP connection settings offer moves the agent to the offered server", async () => {
      const outcome = agent.client.once("opampConnectionSettings");
      const sent = await server.offerConnectionSettings(id, {
        opamp: { destinationEndpoint: urlOf(second), heartbeatIntervalSeconds: 1 },
      });
      const [event] = await within(outcome, "the opampConnectionSettings event");
      assert.equal(event.status, "applied");
      assert.equal(agent.client.connectionSettings.endpoint, urlOf(second));
      const status = await second.waitForMessage(
        (m) =>
          m.agent === id &&
          m.message.connectionSettingsStatus?.status ===
            ConnectionSettingsStatuses.ConnectionSettingsStatuses_APPLIED,
        { what: "APPLIED on the new server" },
      );
      assert.equal(
        hex(status.message.connectionSettingsStatus?.lastConnectionSettingsHash),
        sent.hash,
      );
    });

    test("C-31 a bad OpAMP connection settings offer is reverted and reported FAILED", async () => {
      const outcome = agent.client.once("opampConnectionSettings");
      const from = second.mark();
      // The control port of the first goserver answers HTTP but is no OpAMP endpoint.
      const bad = `${server.controlUrl.replace(/^http/, transport === "websocket" ? "ws" : "http")}/v1/opamp`;
      const sent = await second.offerConnectionSettings(id, {
        opamp: { destinationEndpoint: bad, heartbeatIntervalSeconds: 1 },
      });
      const [event] = await within(outcome, "the opampConnectionSettings event");
      assert.equal(event.status, "failed");
      assert.equal(agent.client.connectionSettings.endpoint, urlOf(second));
      const status = await second.waitForMessage(
        (m) =>
          m.agent === id &&
          m.message.connectionSettingsStatus?.status ===
            ConnectionSettingsStatuses.ConnectionSettingsStatuses_FAILED,
        { after: from, what: "FAILED back on the committed server" },
      );
      assert.equal(
        hex(status.message.connectionSettingsStatus?.lastConnectionSettingsHash),
        sent.hash,
      );
      assert.notEqual(status.message.connectionSettingsStatus?.errorMessage, "");
    });

    test("C-36 P-28 stop() sends agent_disconnect as the last message", async () => {
      const from = second.mark();
      await agent.stop();
      const last = await second.waitForMessage(
        (m) => m.agent === id && m.message.agentDisconnect !== undefined,
        {
          after: from,
          what: "agent_disconnect",
        },
      );
      const later = second.received(id).filter((m) => m.seq > last.seq);
      assert.deepEqual(later, []);
    });

    test("C-9 S-3 opamp-go decoded every message and saw every WebSocket end with a normal Close", async () => {
      if (transport === "websocket") {
        // goserver logs read errors before the disconnect of the same connection.
        for (const s of [server, second]) {
          await s.process.log.waitFor((e) => e.event === "disconnected" && e.agent === id, {
            what: "the agent's WebSocket to close",
          });
        }
      }
      assert.deepEqual(server.readErrors(), []);
      assert.deepEqual(second.readErrors(), []);
    });
  });
}
