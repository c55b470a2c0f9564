import assert from "node:assert/strict";
import { get } from "node:http";
import { after, before, describe, test } from "node:test";
import { OpampClient } from "@opamp-ts/client";
import { AgentCapabilities, formatInstanceUid, newInstanceUid } from "@opamp-ts/protocol";
import { BACKENDS, type TestDatabase } from "../test-support/backends.js";
import { COLLECTOR_CAPABILITIES } from "../test-support/messages.js";
import { type RunningServer, startTestServer } from "../test-support/running-server.js";
import { waitFor } from "../test-support/wait.js";

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const ECHO = "io.opamp-ts.test.echo";

describe("commands, messages and settings end to end", () => {
  let db: TestDatabase;
  let server: RunningServer;
  before(async () => {
    db = await BACKENDS[0]!.create();
    server = await startTestServer(db);
  });
  after(async () => {
    await server.handle.close();
    db.cleanup();
  });

  const newClient = (extra: Partial<ConstructorParameters<typeof OpampClient>[0]> = {}) =>
    new OpampClient({
      endpoint: server.handle.opampUrl,
      capabilities: COLLECTOR_CAPABILITIES,
      agentDescription: { identifyingAttributes: { "service.name": "commands" } },
      logger: silent,
      onRemoteConfig: () => ({ status: "applied" }),
      ...extra,
    });

  const listed = (id: string) =>
    waitFor(`agent ${id} listed`, async () => {
      const res = await server.api("GET", `/agents/${id}`);
      return res.status === 200 && res.body.connected ? res.body : undefined;
    });

  test("S-19 POST /agents/{id}/restart reaches the agent as a restart command", async () => {
    const client = newClient();
    const command = new Promise<number>((resolve) => client.on("command", (c) => resolve(c.type)));
    await client.start();
    try {
      await listed(formatInstanceUid(client.instanceUid));
      const res = await server.api(
        "POST",
        `/agents/${formatInstanceUid(client.instanceUid)}/restart`,
      );
      assert.equal(res.status, 202);
      assert.equal(await command, 0, "CommandType_Restart");
    } finally {
      await client.stop();
    }
  });

  test("S-22 a custom message reaches the agent and its reply arrives on the message stream", async () => {
    const client = newClient({ customCapabilities: [ECHO] });
    client.on("customMessage", (m) => {
      void client.sendCustomMessage({ capability: ECHO, type: "pong", data: m.data });
    });
    await client.start();
    try {
      const id = formatInstanceUid(client.instanceUid);
      await waitFor("the custom capability", async () => {
        const agent = await listed(id);
        return agent.customCapabilities.includes(ECHO) ? true : undefined;
      });
      const streamUrl = `${server.handle.apiUrl}/agents/${id}/messages/stream?access_token=${server.handle.adminToken}`;
      const reply = new Promise<Record<string, string>>((resolve, reject) => {
        const req = get(streamUrl, (res) => {
          let text = "";
          let sent = false;
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            text += chunk;
            if (!sent && text.includes(": connected")) {
              sent = true;
              void server.api("POST", `/agents/${id}/messages`, {
                capability: ECHO,
                type: "ping",
                data: Buffer.from("hello").toString("base64"),
              });
            }
            const data = /event: agent\.customMessage\ndata: (.*)\n/.exec(text)?.[1];
            if (data !== undefined) {
              req.destroy();
              resolve(JSON.parse(data));
            }
          });
        });
        req.on("error", reject);
      });
      const event = await reply;
      assert.equal(event.messageType, "pong");
      assert.equal(event.capability, ECHO);
      assert.equal(Buffer.from(event.data!, "base64").toString(), "hello");
      const refused = await server.api("POST", `/agents/${id}/messages`, {
        capability: "unlisted",
        type: "x",
      });
      assert.equal(refused.status, 409);
    } finally {
      await client.stop();
    }
  });

  test("S-13 an own-telemetry destination matching the agent is offered to it", async () => {
    const created = await server.api("POST", "/telemetry-destinations", {
      name: "self-metrics",
      selector: "service.name=telemetry",
      metrics: { endpoint: "http://127.0.0.1:4318/v1/metrics", headers: { "x-tenant": "a" } },
    });
    assert.equal(created.status, 201);
    const client = newClient({
      capabilities:
        COLLECTOR_CAPABILITIES | BigInt(AgentCapabilities.AgentCapabilities_ReportsOwnMetrics),
      agentDescription: { identifyingAttributes: { "service.name": "telemetry" } },
    });
    const offered = new Promise<string>((resolve) =>
      client.on("ownTelemetrySettings", (kind, settings) => {
        if (kind === "metrics") resolve(settings.destinationEndpoint);
      }),
    );
    await client.start();
    try {
      assert.equal(await offered, "http://127.0.0.1:4318/v1/metrics");
    } finally {
      await client.stop();
    }
  });

  test("S-17 an agent asking for a new instance uid is listed under the new one only", async () => {
    const oldUid = newInstanceUid();
    const oldId = formatInstanceUid(oldUid);
    const client = newClient({ requestInstanceUid: true, instanceUid: oldUid });
    const assigned = new Promise<Uint8Array>((resolve) => client.on("newInstanceUid", resolve));
    await client.start();
    try {
      const newId = formatInstanceUid(await assigned);
      assert.notEqual(newId, oldId);
      await listed(newId);
      const ids = (
        (await server.api("GET", "/agents")).body.agents as { id: string; connected: boolean }[]
      )
        .filter((a) => a.connected)
        .map((a) => a.id);
      assert.ok(ids.includes(newId));
      assert.equal(
        (await server.api("GET", `/agents/${oldId}`)).status,
        404,
        "re-keyed, not copied",
      );
      assert.equal(formatInstanceUid(client.instanceUid), newId);
    } finally {
      await client.stop();
    }
  });
});
