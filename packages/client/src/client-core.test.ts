import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  AgentCapabilities,
  AgentToServerFlags,
  hasBit,
  keyValuesToAttributes,
  ServerToAgentFlags,
} from "@opamp-ts/protocol";
import { caps, makeClient, TRANSPORTS, withEffect } from "./test-support/fixtures.js";
import { ScriptedServer } from "./test-support/scripted-server.js";

const REPORTS_STATUS = BigInt(AgentCapabilities.AgentCapabilities_ReportsStatus);

for (const transport of TRANSPORTS) {
  describe(`core flow over ${transport}`, () => {
    let server: ScriptedServer;
    before(async () => {
      server = await new ScriptedServer().listen();
    });
    after(() => server.close());

    test(`C-6 C-5 C-23 first message is a full status report with description, capabilities and effective config (${transport})`, async () => {
      const start = server.count;
      const client = makeClient(server, transport, {
        capabilities: caps(
          AgentCapabilities.AgentCapabilities_ReportsEffectiveConfig,
          AgentCapabilities.AgentCapabilities_ReportsHealth,
        ),
        effectiveConfig: () => ({
          configMap: { "": { body: new TextEncoder().encode("a: 1"), contentType: "text/yaml" } },
        }),
      });
      const connected = client.once("connected");
      await client.start();
      await connected;
      const first = server.received[start]!.message;
      assert.equal(first.instanceUid.length, 16);
      assert.deepEqual(keyValuesToAttributes(first.agentDescription!.identifyingAttributes), {
        "service.name": "test-agent",
      });
      assert.ok(first.effectiveConfig, "C-23 effective config in the first report");
      assert.equal(
        new TextDecoder().decode(first.effectiveConfig!.configMap!.configMap[""]!.body),
        "a: 1",
      );
      await client.stop();
    });

    test(`C-8 P-6 capabilities with ReportsStatus are in every message, disconnect included (${transport})`, async () => {
      const start = server.count;
      const client = makeClient(server, transport, { capabilities: 0n });
      await client.start();
      await server.waitFor((_m, r) => server.received.indexOf(r) >= start);
      client.setHealth({ healthy: true });
      await client.stop();
      const mine = server.received.slice(start).map((r) => r.message);
      assert.ok(mine.length >= 2);
      for (const message of mine) assert.equal(message.capabilities, REPORTS_STATUS);
    });

    test(`C-7 P-15 sequence numbers grow by one per message and never reset (${transport})`, async () => {
      const start = server.count;
      const client = makeClient(server, transport, {
        capabilities: caps(AgentCapabilities.AgentCapabilities_ReportsHealth),
      });
      await client.start();
      for (let i = 0; i < 3; i++) {
        client.setHealth({ healthy: i % 2 === 0, status: `s${i}` });
        await server.waitFor((m) => m.health?.status === `s${i}`);
      }
      await client.stop();
      const seqs = server.received.slice(start).map((r) => r.message.sequenceNum);
      for (const [i, seq] of seqs.entries()) assert.equal(seq, seqs[0]! + BigInt(i));
    });

    test(`C-10 C-14 C-24 unchanged sub-messages are omitted and a changed health tree is sent whole (${transport})`, async () => {
      const client = makeClient(server, transport, {
        capabilities: caps(AgentCapabilities.AgentCapabilities_ReportsHealth),
      });
      await client.start();
      const uid = client.instanceUid;
      const mine = () =>
        server.received.filter((r) => Buffer.from(r.message.instanceUid).equals(Buffer.from(uid)));
      client.setHealth({
        healthy: true,
        status: "one",
        componentHealthMap: { a: { healthy: true } },
      });
      await server.waitFor((m) => m.health?.status === "one");
      client.setHealth({
        healthy: true,
        status: "two",
        componentHealthMap: { a: { healthy: true } },
      });
      const second = await server.waitFor((m) => m.health?.status === "two");
      assert.equal(second.agentDescription, undefined, "description unchanged: omitted");
      assert.ok(second.health?.componentHealthMap.a, "the changed sub-message is complete");
      assert.ok(mine()[0]!.message.agentDescription !== undefined, "the first report had it");
      await client.stop();
    });

    test(`C-11 P-14 ReportFullState makes the next message carry every sub-message again (${transport})`, async () => {
      let askFull = false;
      const local = await new ScriptedServer({
        reply: () =>
          askFull
            ? withEffect(
                () => {
                  askFull = false;
                },
                { flags: BigInt(ServerToAgentFlags.ServerToAgentFlags_ReportFullState) },
              )
            : undefined,
      }).listen();
      const client = makeClient(local, transport, {
        capabilities: caps(AgentCapabilities.AgentCapabilities_ReportsHealth),
        customCapabilities: ["io.example.cap"],
      });
      await client.start();
      client.setHealth({ healthy: true, status: "h" });
      await local.waitFor((m) => m.health?.status === "h");
      askFull = true;
      client.setHealth({ healthy: true, status: "h2" });
      const h2 = await local.waitFor((m) => m.health?.status === "h2");
      assert.equal(h2.agentDescription, undefined, "compressed before the request");
      const h2Index = local.received.findIndex((r) => r.message === h2);
      const full = await local.waitFor((_m, r) => local.received.indexOf(r) > h2Index);
      assert.ok(full.agentDescription, "description resent");
      assert.equal(full.health?.status, "h2", "health resent");
      assert.deepEqual(
        full.customCapabilities?.capabilities,
        ["io.example.cap"],
        "custom capabilities resent",
      );
      await client.stop();
      await local.close();
    });

    test(`C-13 P-11 a plain acknowledgement triggers no further report (${transport})`, async () => {
      const local = await new ScriptedServer().listen();
      const client = makeClient(local, transport, {
        capabilities: caps(AgentCapabilities.AgentCapabilities_ReportsHealth),
      });
      const connected = client.once("connected");
      await client.start();
      await connected;
      client.setHealth({ healthy: true, status: "marker" });
      const marker = await local.waitFor((m) => m.health?.status === "marker");
      // Only the first report preceded the marker: the ack of the first caused no echo.
      assert.equal(marker.sequenceNum, local.received[0]!.message.sequenceNum + 1n);
      await client.stop();
      await local.close();
    });

    test(`C-36 P-28 stop sends agent_disconnect as the last message (${transport})`, async () => {
      const local = await new ScriptedServer().listen();
      const client = makeClient(local, transport);
      const connected = client.once("connected");
      await client.start();
      await connected;
      await client.stop();
      const last = local.received.at(-1)!.message;
      assert.ok(last.agentDisconnect !== undefined, "agent_disconnect present (empty sub-message)");
      if (transport === "websocket")
        await local.waitFor(() => local.openWebSockets === 0).catch(() => {});
      await local.close();
    });

    test(`C-2 C-3 P-16 server-assigned uid is adopted, persisted, and the request flag cleared (${transport})`, async () => {
      const assigned = new Uint8Array(16).fill(7);
      assigned[6] = 0x70;
      const local = await new ScriptedServer({
        reply: (m) =>
          hasBit(m.flags, AgentToServerFlags.AgentToServerFlags_RequestInstanceUid)
            ? { agentIdentification: { newInstanceUid: assigned } }
            : undefined,
      }).listen();
      const { MemoryStateStore } = await import("./state-store.js");
      const store = new MemoryStateStore();
      const client = makeClient(local, transport, { requestInstanceUid: true, stateStore: store });
      const adopted = client.once("newInstanceUid");
      await client.start();
      const [uid] = await adopted;
      assert.deepEqual(uid, assigned);
      client.setAgentDescription({ identifyingAttributes: { "service.name": "renamed" } });
      const next = await local.waitFor(
        (m) =>
          m.agentDescription !== undefined &&
          keyValuesToAttributes(m.agentDescription.identifyingAttributes)["service.name"] ===
            "renamed",
      );
      assert.ok(
        Buffer.from(next.instanceUid).equals(assigned),
        "C-3 new uid used for all later messages",
      );
      assert.equal(
        hasBit(next.flags, AgentToServerFlags.AgentToServerFlags_RequestInstanceUid),
        false,
      );
      if (transport === "http") {
        const record = local.received.find((r) => r.message === next)!;
        assert.equal(record.headers["opamp-instance-uid"], "07070707-0707-7007-0707-070707070707");
      }
      await client.stop();
      assert.equal((await store.load())?.instanceUid, "07070707-0707-7007-0707-070707070707");
      await local.close();
    });
  });
}
