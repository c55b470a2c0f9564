// Interop matrix, cell 1 (edge cases): our OpampClient against opamp-go's
// server package where servers in the field differ from the happy path:
// no capabilities in replies, a server-assigned instance uid, error
// responses, and offers for capabilities the agent never declared.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  AgentToServerFlags,
  formatInstanceUid,
  newInstanceUid,
  RemoteConfigStatuses,
  ServerErrorResponseType,
} from "@opamp-ts/protocol";
import { requirePeers } from "./support/build.js";
import { GoServer } from "./support/goserver.js";
import { OUR_CUSTOM_CAPABILITY, OurAgent } from "./support/our-agent.js";
import { poll, within } from "./support/wait.js";

const peers = await requirePeers();
const hex = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString("hex");

for (const transport of ["websocket", "http"] as const) {
  describe(`cell 1 edges: our client -> opamp-go server over ${transport}`, {
    skip: peers.skip,
  }, () => {
    let server: GoServer;
    let agent: OurAgent;
    let id: string;

    before(async () => {
      server = await GoServer.start(peers.binaries!.goserver, {
        customCapabilities: [OUR_CUSTOM_CAPABILITY],
        omitCapabilities: true,
      });
      agent = new OurAgent({
        endpoint: transport === "websocket" ? server.opampUrl : server.opampHttpUrl,
      });
      await agent.start();
      id = formatInstanceUid(agent.client.instanceUid);
      await server.waitForMessage((m) => m.agent === id, { what: "the first status report" });
    });

    after(async () => {
      await agent?.stop();
      await server?.stop();
    });

    test("P-30 a server that never sets capabilities still gets its remote config APPLIED", async () => {
      const from = server.mark();
      const sent = await server.pushRemoteConfig(id, { "a.yaml": { body: "a: 1\n" } });
      const applied = await server.waitForMessage(
        (m) =>
          m.message.remoteConfigStatus?.status ===
          RemoteConfigStatuses.RemoteConfigStatuses_APPLIED,
        { after: from, what: "APPLIED" },
      );
      assert.equal(hex(applied.message.remoteConfigStatus?.lastRemoteConfigHash), sent.hash);
    });

    test("C-18 C-26 offers for undeclared capabilities are ignored, declared ones surfaced", async () => {
      const telemetry: string[] = [];
      const packages: unknown[] = [];
      const offTelemetry = agent.client.on("ownTelemetrySettings", (kind) => telemetry.push(kind));
      const offPackages = agent.client.on("packagesAvailable", (offer) => packages.push(offer));
      try {
        await server.offerConnectionSettings(id, {
          ownTraces: { destinationEndpoint: "http://127.0.0.1:4318/v1/traces" },
          ownLogs: { destinationEndpoint: "http://127.0.0.1:4318/v1/logs" },
          ownMetrics: { destinationEndpoint: "http://127.0.0.1:4318/v1/metrics" },
        });
        await server.offerPackages(id, {
          packages: { agent: { type: "PackageType_TopLevel", version: "1.2.3", hash: "AQID" } },
        });
        // Messages are processed in order: once this custom message is seen,
        // both offers before it have been handled.
        const marker = agent.client.once("customMessage");
        await server.sendCustomMessage(id, {
          capability: OUR_CUSTOM_CAPABILITY,
          type: "sync",
          data: new Uint8Array(),
        });
        await within(marker, "the custom message sent after the offers");
        assert.deepEqual(telemetry, ["metrics"]);
        assert.deepEqual(packages, []);
      } finally {
        offTelemetry();
        offPackages();
      }
    });

    test("C-16 an Unavailable error_response is surfaced and the client keeps reporting", async () => {
      const surfaced = agent.client.once("serverError");
      await server.send(id, {
        errorResponse: {
          type: "ServerErrorResponseType_Unavailable",
          errorMessage: "busy",
          retryInfo: { retryAfterNanoseconds: "200000000" },
        },
      });
      const [error] = await within(surfaced, "the serverError event");
      assert.equal(error.type, ServerErrorResponseType.ServerErrorResponseType_Unavailable);
      assert.equal(error.errorMessage, "busy");
      const from = server.mark();
      agent.client.setHealth({ healthy: false, status: "degraded", lastError: "after retry" });
      const health = await server.waitForMessage(
        (m) => m.agent === id && m.message.health?.status === "degraded",
        {
          after: from,
          what: "a report after the error",
        },
      );
      assert.equal(health.message.health?.lastError, "after retry");
    });

    test("C-3 P-16 a server-assigned instance uid is adopted for every later message", async () => {
      const assigned = newInstanceUid();
      const adopted = agent.client.once("newInstanceUid");
      const from = server.mark();
      await server.send(id, {
        agentIdentification: { newInstanceUid: Buffer.from(assigned).toString("base64") },
      });
      const [uid] = await within(adopted, "the newInstanceUid event");
      assert.equal(hex(uid), hex(assigned));
      assert.equal(hex(agent.client.instanceUid), hex(assigned));
      const next = await server.waitForMessage((m) => m.agent === formatInstanceUid(assigned), {
        after: from,
        what: "a message under the new uid",
      });
      assert.equal(hex(next.message.instanceUid), hex(assigned));
      id = formatInstanceUid(assigned);
    });
  });
}

for (const transport of ["websocket", "http"] as const) {
  describe(`cell 1 edges: opamp-go server without custom capabilities over ${transport}`, {
    skip: peers.skip,
  }, () => {
    let server: GoServer;
    let agent: OurAgent;

    before(async () => {
      server = await GoServer.start(peers.binaries!.goserver);
      agent = new OurAgent({
        endpoint: transport === "websocket" ? server.opampUrl : server.opampHttpUrl,
      });
      await agent.start();
    });

    after(async () => {
      await agent?.stop();
      await server?.stop();
    });

    test("C-34 S-22 no custom message is sent on a capability the server's (empty) list lacks", async () => {
      // opamp-go puts its custom_capabilities list, empty here, on the first
      // reply, together with the server capabilities.
      await poll("the first reply processed", () => agent.client.serverCapabilities);
      await assert.rejects(
        agent.client.sendCustomMessage({
          capability: OUR_CUSTOM_CAPABILITY,
          type: "x",
          data: new Uint8Array(),
        }),
        /does not support custom capability/,
      );
    });
  });
}

describe("cell 1 edges: opamp-go server drops the WebSocket", { skip: peers.skip }, () => {
  let server: GoServer;
  let agent: OurAgent;

  before(async () => {
    server = await GoServer.start(peers.binaries!.goserver, {
      customCapabilities: [OUR_CUSTOM_CAPABILITY],
    });
    agent = new OurAgent({ endpoint: server.opampUrl });
    await agent.start();
  });

  after(async () => {
    await agent?.stop();
    await server?.stop();
  });

  test("C-37 P-15 the client reconnects and its sequence numbers carry on", async () => {
    const id = formatInstanceUid(agent.client.instanceUid);
    const prior = await server.waitForMessage((m) => m.agent === id, { what: "a first message" });
    const from = server.mark();
    const reconnected = agent.client.once("connected");
    await server.disconnect(id);
    await within(reconnected, "the reconnection");
    const next = await server.waitForMessage((m) => m.agent === id, {
      after: from,
      what: "a message on the new connection",
    });
    const between = server.received(id).filter((m) => m.seq > prior.seq && m.seq < next.seq);
    const last = between.at(-1) ?? prior;
    // Not reset to 0 (P-15). Strictly +1 cannot be required: a heartbeat
    // written just as the socket closed is lost and still counted.
    assert.ok(
      next.message.sequenceNum > last.message.sequenceNum,
      `sequence_num went from ${last.message.sequenceNum} to ${next.message.sequenceNum}`,
    );
    const from2 = server.mark();
    const sent = await server.pushRemoteConfig(id, {
      "after-reconnect.yaml": { body: "ok: true\n" },
    });
    assert.equal(sent.delivery, "sent");
    const applied = await server.waitForMessage(
      (m) =>
        m.message.remoteConfigStatus?.status === RemoteConfigStatuses.RemoteConfigStatuses_APPLIED,
      { after: from2, what: "APPLIED on the new connection" },
    );
    assert.equal(hex(applied.message.remoteConfigStatus?.lastRemoteConfigHash), sent.hash);
  });
});

for (const transport of ["websocket", "http"] as const) {
  describe(`cell 1 edges: our client asks opamp-go server for a uid over ${transport}`, {
    skip: peers.skip,
  }, () => {
    let server: GoServer;
    let agent: OurAgent;

    before(async () => {
      server = await GoServer.start(peers.binaries!.goserver, {
        customCapabilities: [OUR_CUSTOM_CAPABILITY],
      });
      agent = new OurAgent({
        endpoint: transport === "websocket" ? server.opampUrl : server.opampHttpUrl,
        requestInstanceUid: true,
      });
      await agent.start();
    });

    after(async () => {
      await agent?.stop();
      await server?.stop();
    });

    test("C-2 C-3 C-4 the uid asked for is adopted and the flag is cleared", async () => {
      const requestBit = BigInt(AgentToServerFlags.AgentToServerFlags_RequestInstanceUid);
      const asking = await server.waitForMessage((m) => (m.message.flags & requestBit) !== 0n, {
        what: "a message with RequestInstanceUid",
      });
      const reply = await server.process.log.waitFor(
        (e) => e.event === "sent" && e.agent === asking.agent && e.message !== undefined,
        { what: "the reply with agent_identification" },
      );
      const identification = (reply.message as { agentIdentification?: { newInstanceUid: string } })
        .agentIdentification;
      assert.ok(identification, "goserver assigned a uid");
      const assigned = new Uint8Array(Buffer.from(identification.newInstanceUid, "base64"));
      // C-4: the reply that carries the new uid is still addressed to the old one.
      assert.equal(
        Buffer.from((reply.message as { instanceUid: string }).instanceUid, "base64").toString(
          "hex",
        ),
        hex(asking.message.instanceUid),
      );
      const adopted = await server.waitForMessage((m) => m.agent === formatInstanceUid(assigned), {
        what: "a message under the assigned uid",
      });
      assert.equal(adopted.message.flags & requestBit, 0n);
      assert.equal(hex(agent.client.instanceUid), hex(assigned));
    });
  });
}
