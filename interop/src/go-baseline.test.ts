// Cell 0 of the interop matrix: opamp-go's client (goagent) against opamp-go's
// server (goserver). Nothing of ours is on the wire; this proves the peers and
// the harness behave before the other cells blame our code.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { RemoteConfigStatuses } from "@opamp-ts/protocol";
import { requirePeers } from "./support/build.js";
import { GOAGENT_CUSTOM_CAPABILITY, GOAGENT_FAIL_MARKER, GoAgent } from "./support/goagent.js";
import { GoServer } from "./support/goserver.js";

const peers = await requirePeers();

for (const transport of ["websocket", "http"] as const) {
  describe(`opamp-go agent -> opamp-go server over ${transport}`, { skip: peers.skip }, () => {
    let server: GoServer;
    let agent: GoAgent;

    before(async () => {
      const binaries = peers.binaries!;
      server = await GoServer.start(binaries.goserver);
      agent = await GoAgent.start(binaries.goagent, {
        url: transport === "websocket" ? server.opampUrl : server.opampHttpUrl,
        identifying: { "service.name": "baseline" },
        heartbeatSeconds: 0.5,
      });
    });

    after(async () => {
      await agent?.stop();
      await server?.stop();
    });

    test("C-6 the first status report carries the description", async () => {
      const first = await server.waitForMessage((m) => m.agent === agent.instanceUid);
      assert.equal(first.transport, transport);
      const attrs = first.message.agentDescription?.identifyingAttributes ?? [];
      assert.deepEqual(
        attrs.map((kv) => [kv.key, kv.value?.value.value]),
        [["service.name", "baseline"]],
      );
    });

    test("the control API lists the agent and its messages as the log shows them", async () => {
      const agents = await server.agents();
      const listed = agents.find((a) => a.id === agent.instanceUid);
      assert.equal(listed?.transport, transport);
      const logged = server.received(agent.instanceUid);
      const fromApi = await server.messages(agent.instanceUid);
      assert.ok(fromApi.length >= logged.length && logged.length > 0);
      assert.deepEqual(
        fromApi.slice(0, logged.length).map((m) => m.seq),
        logged.map((m) => m.seq),
      );
      assert.deepEqual(fromApi[0]?.message, logged[0]?.json);
      const later = await server.messages(agent.instanceUid, logged.at(-1)!.seq);
      assert.ok(later.every((m) => m.seq > logged.at(-1)!.seq));
    });

    test("the control API rejects unknown agents and bodies that are not protojson", async () => {
      const unknown = await fetch(
        `${server.controlUrl}/agents/00000000-0000-7000-8000-000000000000/restart`,
        {
          method: "POST",
        },
      );
      assert.equal(unknown.status, 404);
      assert.match(((await unknown.json()) as { error: string }).error, /unknown agent/);
      const bad = await fetch(`${server.controlUrl}/agents/${agent.instanceUid}/remote-config`, {
        method: "POST",
        body: '{"config": 42}',
      });
      assert.equal(bad.status, 400);
      assert.match(
        ((await bad.json()) as { error: string }).error,
        /not protojson AgentRemoteConfig/,
      );
    });

    test("C-21 a marked remote config is reported FAILED with the offered hash", async () => {
      const from = server.mark();
      const sent = await server.pushRemoteConfig(agent.instanceUid, {
        "": { body: `bad: ${GOAGENT_FAIL_MARKER}\n`, contentType: "text/yaml" },
      });
      const status = await server.waitForMessage(
        (m) =>
          m.message.remoteConfigStatus?.status === RemoteConfigStatuses.RemoteConfigStatuses_FAILED,
        { after: from, what: "a FAILED remote config status" },
      );
      assert.equal(
        Buffer.from(status.message.remoteConfigStatus!.lastRemoteConfigHash).toString("hex"),
        sent.hash,
      );
      assert.match(status.message.remoteConfigStatus!.errorMessage, /FAIL_ME/);
    });

    test("C-34 custom messages are echoed on the declared capability", async () => {
      const from = server.mark();
      await server.sendCustomMessage(agent.instanceUid, {
        capability: GOAGENT_CUSTOM_CAPABILITY,
        type: "ping",
        data: Buffer.from("baseline"),
      });
      const echo = await server.waitForMessage((m) => m.message.customMessage !== undefined, {
        after: from,
        what: "the echoed custom message",
      });
      assert.equal(echo.message.customMessage?.type, "ping");
      assert.equal(Buffer.from(echo.message.customMessage!.data).toString(), "baseline");
    });

    test("C-36 SIGTERM stops the agent with agent_disconnect (WebSocket) and exit 0", async () => {
      const from = server.mark();
      const exit = await agent.stop();
      assert.equal(exit.code, 0);
      if (transport === "websocket") {
        await server.waitForMessage((m) => m.message.agentDisconnect !== undefined, {
          after: from,
          what: "agent_disconnect",
        });
      }
    });
  });
}
