import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { OpampClient } from "@opamp-ts/client";
import { type AgentRemoteConfig, formatInstanceUid } from "@opamp-ts/protocol";
import { configHash, fromConfigMap, toConfigMap, toHex } from "../config-files.js";
import type { ConfigFiles } from "../storage/types.js";
import { BACKENDS, type TestDatabase } from "../test-support/backends.js";
import { COLLECTOR_CAPABILITIES } from "../test-support/messages.js";
import { type RunningServer, startTestServer } from "../test-support/running-server.js";
import { waitFor } from "../test-support/wait.js";

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** A real `@opamp-ts/client` agent that applies any config whose body does not contain "fail". */
function agent(endpoint: string, name: string, headers: Record<string, string> = {}) {
  let effective: ConfigFiles = {
    "collector.yaml": { body: "initial: true\n", contentType: "text/yaml" },
  };
  const applied: AgentRemoteConfig[] = [];
  const client = new OpampClient({
    endpoint,
    capabilities: COLLECTOR_CAPABILITIES | 4n /* ReportsEffectiveConfig */,
    agentDescription: {
      identifyingAttributes: { "service.name": name },
      nonIdentifyingAttributes: { "os.type": "linux" },
    },
    headers,
    heartbeatIntervalSeconds: 1,
    logger: silent,
    effectiveConfig: () => toConfigMap(effective),
    onRemoteConfig: (config) => {
      applied.push(config);
      const files = fromConfigMap(config.config);
      if (Object.values(files).some((f) => f.body.includes("fail"))) {
        return { status: "failed", errorMessage: "refused by test agent" };
      }
      effective = files;
      return { status: "applied" };
    },
  });
  return { client, applied, id: () => formatInstanceUid(client.instanceUid) };
}

for (const backend of BACKENDS) {
  describe(`end to end on ${backend.name}`, () => {
    let db: TestDatabase;
    let server: RunningServer;
    before(async () => {
      db = await backend.create();
      server = await startTestServer(db);
    });
    after(async () => {
      await server.handle.close();
      db.cleanup();
    });

    for (const transport of ["websocket", "http"] as const) {
      test(`S-12 a ${transport} client appears, receives a pushed config, reports APPLIED and the API shows it`, async () => {
        const endpoint =
          transport === "websocket" ? server.handle.opampUrl : server.handle.opampHttpUrl;
        const a = agent(endpoint, `e2e-${transport}`);
        await a.client.start();
        try {
          const id = a.id();
          const listed = await waitFor("the agent in GET /agents", async () => {
            const res = await server.api("GET", "/agents");
            return (res.body.agents as { id: string; connected: boolean }[]).find(
              (x) => x.id === id && x.connected,
            );
          });
          assert.equal(listed.id, id);
          const shown = await server.api("GET", `/agents/${id}`);
          assert.equal(shown.body.transport, transport);
          assert.deepEqual(shown.body.description.identifyingAttributes, {
            "service.name": `e2e-${transport}`,
          });
          assert.ok(shown.body.capabilities.includes("AcceptsRemoteConfig"));

          const files = {
            "collector.yaml": {
              body: `exporters:\n  debug: {}\n# ${transport}\n`,
              contentType: "text/yaml",
            },
          };
          const put = await server.api("PUT", `/agents/${id}/config`, { files });
          assert.equal(put.status, 200);
          assert.equal(put.body.configHash, configHash(files));

          await waitFor("the config at the agent", () =>
            a.applied.find((c) => toHex(c.configHash) === put.body.configHash),
          );
          const applied = await waitFor("APPLIED in the API", async () => {
            const res = await server.api("GET", `/agents/${id}`);
            const s = res.body.remoteConfigStatus;
            return s.status === "APPLIED" && s.configHash === put.body.configHash
              ? res.body
              : undefined;
          });
          assert.equal(applied.remoteConfigStatus.errorMessage, "");
          await waitFor("the effective config in the API", async () => {
            const res = await server.api("GET", `/agents/${id}`);
            return res.body.effectiveConfig?.files["collector.yaml"]?.body ===
              files["collector.yaml"].body
              ? true
              : undefined;
          });
        } finally {
          await a.client.stop();
        }
      });
    }

    test("P-12 a config the agent reports FAILED shows FAILED with its message and is not pushed again", async () => {
      const a = agent(server.handle.opampUrl, "e2e-failing");
      await a.client.start();
      try {
        const id = a.id();
        await waitFor("the agent", async () =>
          (await server.api("GET", `/agents/${id}`)).status === 200 ? true : undefined,
        );
        const files = { "collector.yaml": { body: "fail: true\n", contentType: "text/yaml" } };
        const put = await server.api("PUT", `/agents/${id}/config`, { files });
        const failed = await waitFor("FAILED in the API", async () => {
          const res = await server.api("GET", `/agents/${id}`);
          return res.body.remoteConfigStatus.status === "FAILED" ? res.body : undefined;
        });
        assert.equal(failed.remoteConfigStatus.configHash, put.body.configHash);
        assert.equal(failed.remoteConfigStatus.errorMessage, "refused by test agent");
        const history = await server.api("GET", `/agents/${id}/config-history`);
        assert.ok(history.body.history.some((h: { status: string }) => h.status === "FAILED"));
        const pushes = a.applied.length;
        await server.api("PUT", `/agents/${id}/labels`, { labels: { touched: "yes" } });
        const after = await server.api("GET", `/agents/${id}`);
        assert.equal(after.body.labels.touched, "yes");
        assert.equal(
          a.applied.length,
          pushes,
          "no re-push of the failed hash after an unrelated change",
        );
      } finally {
        await a.client.stop();
      }
    });

    test("a configuration assigned by selector reaches the matching agent", async () => {
      const a = agent(server.handle.opampUrl, "e2e-assigned");
      await a.client.start();
      try {
        const id = a.id();
        await waitFor("the agent", async () =>
          (await server.api("GET", `/agents/${id}`)).status === 200 ? true : undefined,
        );
        const files = { "collector.yaml": { body: "assigned: true\n", contentType: "text/yaml" } };
        const config = await server.api("POST", "/configurations", {
          name: `assigned-${backend.name}`,
          files,
        });
        assert.equal(config.status, 201);
        const assignment = await server.api("POST", "/assignments", {
          configurationId: config.body.id,
          selector: "service.name=e2e-assigned,os.type in (linux)",
          priority: 5,
        });
        assert.equal(assignment.status, 201);
        await waitFor("APPLIED from the assignment", async () => {
          const res = await server.api("GET", `/agents/${id}`);
          return res.body.remoteConfigStatus.status === "APPLIED" &&
            res.body.remoteConfigStatus.configHash === configHash(files)
            ? true
            : undefined;
        });
        const shown = await server.api("GET", `/agents/${id}`);
        assert.equal(shown.body.desiredConfig.source, "assignment");
        assert.equal(shown.body.desiredConfig.version, 1);
      } finally {
        await a.client.stop();
      }
    });
  });
}
