import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  AgentCapabilities,
  ComponentDetailsSchema,
  create,
  fromAnyValue,
} from "@opamp-ts/protocol";
import { caps, makeClient, TRANSPORTS } from "./test-support/fixtures.js";
import { ScriptedServer } from "./test-support/scripted-server.js";

const A = AgentCapabilities;
const CAPS = caps(
  A.AgentCapabilities_ReportsHealth,
  A.AgentCapabilities_ReportsEffectiveConfig,
  A.AgentCapabilities_ReportsAvailableComponents,
);

for (const transport of TRANSPORTS) {
  describe(`setters before start over ${transport}`, () => {
    test(`C-6 values set before start() are all in the first full report (${transport})`, async () => {
      const server = await new ScriptedServer().listen();
      let configVersion = "v1";
      const client = makeClient(server, transport, {
        capabilities: CAPS,
        effectiveConfig: () => ({
          configMap: { "": { body: new TextEncoder().encode(configVersion) } },
        }),
      });
      client.setHealth({ healthy: false, status: "starting" });
      client.setAgentDescription({
        identifyingAttributes: { "service.name": "configured-before-start" },
        nonIdentifyingAttributes: { "os.type": "linux" },
      });
      client.setCustomCapabilities(["io.example.early"]);
      client.setAvailableComponents({
        receivers: create(ComponentDetailsSchema, { metadata: [], subComponentMap: {} }),
      });
      configVersion = "v2";
      client.updateEffectiveConfig();
      await client.start();
      const first = await server.waitFor(() => true);
      assert.equal(first.sequenceNum, 0n, "the first message of the client");
      assert.equal(first.health?.status, "starting");
      assert.equal(first.health?.healthy, false);
      const name = first.agentDescription?.identifyingAttributes.find(
        (kv) => kv.key === "service.name",
      );
      assert.equal(fromAnyValue(name!.value!), "configured-before-start");
      assert.equal(first.agentDescription?.nonIdentifyingAttributes.length, 1);
      assert.deepEqual(first.customCapabilities?.capabilities, ["io.example.early"]);
      assert.equal(first.availableComponents?.hash.length, 32);
      const body = first.effectiveConfig?.configMap?.configMap[""]?.body;
      assert.equal(new TextDecoder().decode(body), "v2");
      await client.stop();
      await server.close();
    });

    test(`P-23 C-6 capabilities changed before start() are declared in the first report (${transport})`, async () => {
      const server = await new ScriptedServer().listen();
      const client = makeClient(server, transport, {
        capabilities: CAPS,
        effectiveConfig: () => ({ configMap: {} }),
      });
      client.setCapabilities(caps(A.AgentCapabilities_ReportsHealth));
      client.setHealth({ healthy: true, status: "ok" });
      await client.start();
      const first = await server.waitFor(() => true);
      assert.equal(first.capabilities, client.capabilities);
      assert.equal(
        (first.capabilities & BigInt(A.AgentCapabilities_ReportsEffectiveConfig)) !== 0n,
        false,
      );
      assert.equal(first.health?.status, "ok");
      await client.stop();
      await server.close();
    });
  });
}

describe("calls that need a running client", () => {
  test("C-34 C-33 custom messages, remote-config results and CSRs before start() are refused with INVALID_STATE", async () => {
    const server = await new ScriptedServer().listen();
    const client = makeClient(server, "http", {
      customCapabilities: ["io.example.chat"],
      onRemoteConfig: () => ({ status: "applied" }),
    });
    assert.throws(
      () =>
        client.sendCustomMessage({
          capability: "io.example.chat",
          type: "t",
          data: new Uint8Array(),
        }),
      { code: "INVALID_STATE" },
    );
    await assert.rejects(client.setRemoteConfigStatus({ status: "applied" }), {
      code: "INVALID_STATE",
    });
    await assert.rejects(client.requestCertificate(), { code: "INVALID_STATE" });
    assert.throws(() => client.instanceUid, { code: "INVALID_STATE" });
    assert.equal(server.count, 0, "nothing was sent");
    await server.close();
  });
});
