// Interop matrix, cell 2: opamp-go's client package (goagent) against our
// control plane (opamp-server), over WebSocket and plain HTTP. The agent is
// driven only through the control plane's REST API.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { requirePeers } from "./support/build.js";
import { ControlPlane } from "./support/control-plane.js";
import { GOAGENT_CUSTOM_CAPABILITY, GOAGENT_FAIL_MARKER, GoAgent } from "./support/goagent.js";
import { poll } from "./support/wait.js";

const peers = await requirePeers();

interface AgentRow {
  id: string;
  connected: boolean;
  transport: string | null;
  description: {
    identifyingAttributes: Record<string, unknown>;
    nonIdentifyingAttributes: Record<string, unknown>;
  };
  capabilities: string[];
  customCapabilities: string[];
  health: { healthy: boolean } | null;
  effectiveConfig: { files: Record<string, { body: string; contentType: string }> } | null;
  remoteConfigStatus: { status: string; configHash: string; errorMessage: string };
}

const VARIANTS = [
  { transport: "websocket", compression: false },
  { transport: "http", compression: false },
  // opamp-go's EnableCompression: gzip request bodies (S-4) / permessage-deflate.
  { transport: "websocket", compression: true },
  { transport: "http", compression: true },
] as const;

for (const { transport, compression } of VARIANTS) {
  const name = `${transport}${compression ? " with compression" : ""}`;
  describe(`cell 2: opamp-go agent -> our control plane over ${name}`, { skip: peers.skip }, () => {
    let cp: ControlPlane;
    let agent: GoAgent;

    const row = async (): Promise<AgentRow | undefined> => {
      const res = await cp.api("GET", "/agents");
      assert.equal(res.status, 200);
      return (res.body.agents as AgentRow[]).find((a) => a.id === agent.instanceUid);
    };

    before(async () => {
      // Short liveness window so a stopped HTTP agent is seen gone within seconds (S-20).
      cp = await ControlPlane.start({ heartbeatIntervalSeconds: 2 });
      agent = await GoAgent.start(peers.binaries!.goagent, {
        url: transport === "websocket" ? cp.handle.opampUrl : cp.handle.opampHttpUrl,
        identifying: { "service.name": "goagent", "service.instance.id": `cell-2-${transport}` },
        nonIdentifying: { "os.type": "linux" },
        heartbeatSeconds: 0.5,
        compression,
        ownTelemetry: true,
      });
    });

    after(async () => {
      await agent?.stop();
      await cp?.close();
    });

    test("S-8 the agent is listed by GET /api/v1/agents with its attributes, health and effective config", async () => {
      const listed = await poll("the agent in GET /agents", async () => {
        const r = await row();
        return r?.connected && r.health !== null && r.effectiveConfig !== null ? r : undefined;
      });
      assert.equal(listed.transport, transport);
      assert.deepEqual(listed.description.identifyingAttributes, {
        "service.name": "goagent",
        "service.instance.id": `cell-2-${transport}`,
      });
      assert.deepEqual(listed.description.nonIdentifyingAttributes, { "os.type": "linux" });
      assert.ok(listed.capabilities.includes("AcceptsRemoteConfig"), listed.capabilities.join(","));
      assert.deepEqual(listed.customCapabilities, [GOAGENT_CUSTOM_CAPABILITY]);
      assert.equal(listed.health?.healthy, true);
    });

    test("S-12 a config pushed with PUT /agents/{id}/config reaches opamp-go and shows APPLIED", async () => {
      const body = `receivers:\n  otlp: {}\n# ${transport}\n`;
      const from = agent.mark();
      const put = await cp.api("PUT", `/agents/${agent.instanceUid}/config`, {
        files: { "collector.yaml": { body, contentType: "text/yaml" } },
      });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      const received = await agent.waitFor(
        "remote-config",
        (e) => e.configHash === put.body.configHash,
        {
          after: from,
        },
      );
      assert.equal(received.status, "RemoteConfigStatuses_APPLIED");
      const shown = await poll("APPLIED in the API", async () => {
        const r = await row();
        return r?.remoteConfigStatus.status === "APPLIED" &&
          r.remoteConfigStatus.configHash === put.body.configHash
          ? r
          : undefined;
      });
      assert.equal(shown.remoteConfigStatus.errorMessage, "");
      const effective = await poll("the new effective config in the API", async () => {
        const r = await row();
        return r?.effectiveConfig?.files["collector.yaml"];
      });
      assert.equal(effective.body, body);
    });

    test("S-12 P-12 a config opamp-go rejects shows FAILED with the agent's message", async () => {
      const put = await cp.api("PUT", `/agents/${agent.instanceUid}/config`, {
        files: {
          "collector.yaml": { body: `x: ${GOAGENT_FAIL_MARKER}\n`, contentType: "text/yaml" },
        },
      });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      const shown = await poll("FAILED in the API", async () => {
        const r = await row();
        return r?.remoteConfigStatus.status === "FAILED" &&
          r.remoteConfigStatus.configHash === put.body.configHash
          ? r
          : undefined;
      });
      assert.match(shown.remoteConfigStatus.errorMessage, /contains the marker FAIL_ME/);
    });

    test("C-26 C-28 S-13 own-telemetry destinations set through the API reach opamp-go", async () => {
      const from = agent.mark();
      const res = await cp.api("POST", "/telemetry-destinations", {
        name: "interop",
        selector: "service.name=goagent",
        metrics: {
          endpoint: "http://127.0.0.1:4318/v1/metrics",
          headers: { "x-tenant": "interop" },
        },
        logs: { endpoint: "http://127.0.0.1:4318/v1/logs" },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const metrics = await agent.waitFor("own-telemetry-settings", (e) => e.signal === "metrics", {
        after: from,
      });
      assert.deepEqual(metrics.settings, {
        destinationEndpoint: "http://127.0.0.1:4318/v1/metrics",
        headers: { headers: [{ key: "x-tenant", value: "interop" }] },
      });
      const logs = await agent.waitFor("own-telemetry-settings", (e) => e.signal === "logs", {
        after: from,
      });
      assert.equal(
        (logs.settings as { destinationEndpoint: string }).destinationEndpoint,
        "http://127.0.0.1:4318/v1/logs",
      );
      const signals = agent.process.log.events
        .slice(from)
        .filter((e) => e.event === "own-telemetry-settings")
        .map((e) => e.signal);
      assert.ok(!signals.includes("traces"), `traces were not offered, got ${signals.join(",")}`);
    });

    test("S-19 a restart sent through the API reaches opamp-go as a Restart command", async () => {
      const from = agent.mark();
      const res = await cp.api("POST", `/agents/${agent.instanceUid}/restart`);
      assert.equal(res.status, 202, JSON.stringify(res.body));
      const command = await agent.waitFor("command", () => true, { after: from });
      // CommandType_Restart is 0, so protojson omits it (P-1): an empty command object is Restart.
      assert.deepEqual(command.command, {});
    });

    test("S-22 a custom message sent through the API reaches opamp-go and its echo comes back to the API", async (t) => {
      const from = agent.mark();
      const replies = await cp.stream(`/agents/${agent.instanceUid}/messages/stream`);
      t.after(() => replies.close());
      const res = await cp.api("POST", `/agents/${agent.instanceUid}/messages`, {
        capability: GOAGENT_CUSTOM_CAPABILITY,
        type: "ping",
        data: Buffer.from("from opamp-ts").toString("base64"),
      });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      const got = await agent.waitFor("custom-message", () => true, { after: from });
      const message = got.message as { capability: string; type: string; data: string };
      assert.equal(message.capability, GOAGENT_CUSTOM_CAPABILITY);
      assert.equal(message.type, "ping");
      assert.equal(Buffer.from(message.data, "base64").toString(), "from opamp-ts");
      await agent.waitFor("custom-message-echoed", () => true, { after: from });
      const echo = await replies.waitFor(
        (e) => e.event === "agent.customMessage",
        "the echo on the SSE stream",
      );
      const parsed = JSON.parse(echo.data) as {
        capability: string;
        messageType: string;
        data: string;
      };
      assert.equal(parsed.capability, GOAGENT_CUSTOM_CAPABILITY);
      assert.equal(parsed.messageType, "ping");
      assert.equal(Buffer.from(parsed.data, "base64").toString(), "from opamp-ts");
    });

    test("C-36 S-20 on SIGTERM opamp-go stops and the API shows the agent disconnected", async () => {
      const exit = await agent.stop();
      assert.equal(exit.code, 0);
      // WebSocket: agent_disconnect and the close. HTTP: opamp-go sends no
      // agent_disconnect (P-28), so the liveness sweep has to notice the silence.
      await poll("connected=false in the API", async () => {
        const r = await row();
        return r !== undefined && !r.connected ? r : undefined;
      });
    });
  });
}
