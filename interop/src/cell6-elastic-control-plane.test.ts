// Interop matrix, cell 6: @elastic/opamp-client-node (plain HTTP only)
// against our control plane. The agent is driven only through the REST API.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  createOpAMPClient,
  RemoteConfigStatuses as ElasticStatuses,
} from "@elastic/opamp-client-node";
import { AgentCapabilities, combineBits, formatInstanceUid } from "@opamp-ts/protocol";
import { ControlPlane } from "./support/control-plane.js";
import { poll } from "./support/wait.js";

const quiet = {
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
  fatal() {},
  child() {
    return quiet;
  },
};

interface AgentRow {
  id: string;
  connected: boolean;
  transport: string | null;
  description: {
    identifyingAttributes: Record<string, unknown>;
    nonIdentifyingAttributes: Record<string, unknown>;
  };
  remoteConfigStatus: { status: string; configHash: string; errorMessage: string };
}

const FAIL_MARKER = "FAIL_ME";

describe("cell 6: @elastic/opamp-client-node -> our control plane over http", () => {
  let cp: ControlPlane;
  let client: ReturnType<typeof createOpAMPClient>;
  let id: string;
  const bodies: string[] = [];

  const row = async (): Promise<AgentRow | undefined> => {
    const res = await cp.api("GET", "/agents");
    assert.equal(res.status, 200);
    return (res.body.agents as AgentRow[]).find((a) => a.id === id);
  };

  before(async () => {
    cp = await ControlPlane.start();
    client = createOpAMPClient({
      endpoint: cp.handle.opampHttpUrl,
      log: quiet,
      heartbeatIntervalSeconds: 0.5,
      capabilities: combineBits(
        AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig,
        AgentCapabilities.AgentCapabilities_ReportsRemoteConfig,
      ),
      onMessage: ({ remoteConfig }) => {
        if (remoteConfig === undefined) return;
        const files: Array<{ body: Uint8Array }> = Object.values(
          remoteConfig.config?.configMap ?? {},
        );
        const texts = files.map((f) => new TextDecoder().decode(f.body));
        bodies.push(...texts);
        const failed = texts.some((t) => t.includes(FAIL_MARKER));
        client.setRemoteConfigStatus({
          status: failed
            ? ElasticStatuses.RemoteConfigStatuses_FAILED
            : ElasticStatuses.RemoteConfigStatuses_APPLIED,
          lastRemoteConfigHash: remoteConfig.configHash,
          errorMessage: failed ? `refused: ${FAIL_MARKER}` : "",
        } as Parameters<typeof client.setRemoteConfigStatus>[0]);
      },
    });
    client.setAgentDescription({
      identifyingAttributes: { "service.name": "elastic-agent" },
      nonIdentifyingAttributes: { "os.type": "linux" },
    });
    client.start();
    id = formatInstanceUid(client.getInstanceUid());
  });

  after(async () => {
    await client?.shutdown();
    await cp?.close();
  });

  test("S-1 S-8 the agent is listed with its description", async () => {
    const listed = await poll("the agent in GET /agents", async () => {
      const r = await row();
      return r?.connected ? r : undefined;
    });
    assert.equal(listed.transport, "http");
    assert.deepEqual(listed.description.identifyingAttributes, { "service.name": "elastic-agent" });
    assert.deepEqual(listed.description.nonIdentifyingAttributes, { "os.type": "linux" });
  });

  test("S-12 a config pushed through the API reaches the agent and shows APPLIED", async () => {
    const body = '{"log_level":"debug"}';
    const put = await cp.api("PUT", `/agents/${id}/config`, {
      files: { "elastic.json": { body, contentType: "application/json" } },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    await poll("APPLIED in the API", async () => {
      const r = await row();
      return r?.remoteConfigStatus.status === "APPLIED" &&
        r.remoteConfigStatus.configHash === put.body.configHash
        ? r
        : undefined;
    });
    assert.ok(bodies.includes(body));
  });

  test("S-12 P-12 a config the agent refuses shows FAILED with its message", async () => {
    const put = await cp.api("PUT", `/agents/${id}/config`, {
      files: {
        "elastic.json": { body: `{"x":"${FAIL_MARKER}"}`, contentType: "application/json" },
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
    assert.equal(shown.remoteConfigStatus.errorMessage, `refused: ${FAIL_MARKER}`);
  });
});
