import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  AgentCapabilities,
  AgentToServerFlags,
  combineBits,
  instanceUidEquals,
  isValidInstanceUid,
  ServerCapabilities,
  ServerErrorResponseType,
  ServerToAgentFlags,
  toAnyValue,
} from "@opamp-ts/protocol";
import { OpampServerError } from "./errors.js";
import type { OpampServerOptions } from "./options.js";
import { OpampServer } from "./server.js";
import { agentMessage, postMessage, RawWsAgent, startServer } from "./test-support/harness.js";

const A = AgentCapabilities;
const FULL_STATE = BigInt(ServerToAgentFlags.ServerToAgentFlags_ReportFullState);
const CONFIG_AGENT = combineBits(
  A.AgentCapabilities_ReportsStatus,
  A.AgentCapabilities_AcceptsRemoteConfig,
  A.AgentCapabilities_ReportsRemoteConfig,
);

async function withServer(
  options: OpampServerOptions,
  body: (url: string, httpUrl: string, server: OpampServer) => Promise<void>,
): Promise<void> {
  const running = await startServer(options);
  try {
    await body(running.url, running.httpUrl, running.server);
  } finally {
    await running.close();
  }
}

describe("server rules on every reply", () => {
  test("S-5 every message gets a reply echoing its instance_uid, duplicates included", async () => {
    await withServer({}, async (url) => {
      const agent = await RawWsAgent.connect(url);
      const message = agentMessage();
      const first = await agent.exchange(message);
      const duplicate = await agent.exchange(message);
      assert.deepEqual(first.instanceUid, message.instanceUid);
      assert.deepEqual(duplicate.instanceUid, message.instanceUid);
      agent.close();
    });
  });

  test("S-5 a hook that returns nothing still yields an acknowledgement with only the uid (and capabilities)", async () => {
    await withServer({ onMessage: () => undefined }, async (url) => {
      const agent = await RawWsAgent.connect(url);
      const message = agentMessage();
      await agent.exchange(message);
      const ack = await agent.exchange(
        agentMessage({ instanceUid: message.instanceUid, sequenceNum: 2n }),
      );
      assert.deepEqual(ack.instanceUid, message.instanceUid);
      assert.equal(ack.flags, 0n);
      assert.equal(ack.capabilities, 0n);
      assert.equal(ack.remoteConfig, undefined);
      agent.close();
    });
  });

  test("S-6 capabilities are set with AcceptsStatus on the first reply of each WebSocket connection only", async () => {
    const caps = BigInt(ServerCapabilities.ServerCapabilities_OffersRemoteConfig);
    await withServer({ capabilities: caps }, async (url) => {
      const message = agentMessage();
      for (let connection = 0; connection < 2; connection++) {
        const agent = await RawWsAgent.connect(url);
        const seq = BigInt(connection * 2 + 1);
        const first = await agent.exchange(
          agentMessage({ instanceUid: message.instanceUid, sequenceNum: seq }),
        );
        const second = await agent.exchange(
          agentMessage({ instanceUid: message.instanceUid, sequenceNum: seq + 1n }),
        );
        assert.equal(first.capabilities, caps | 1n);
        assert.equal(second.capabilities, 0n);
        agent.close();
        await agent.closed;
      }
    });
  });

  test("S-6 undefined capability bits are refused when the server is created", () => {
    assert.throws(
      () => new OpampServer({ capabilities: 1n << 40n }),
      (e: unknown) => e instanceof OpampServerError && e.code === "INVALID_OPTIONS",
    );
  });

  test("S-7 an error_response excludes every other field the hook put in the reply", async () => {
    await withServer(
      {
        onMessage: () => ({
          errorResponse: {
            type: ServerErrorResponseType.ServerErrorResponseType_Unavailable,
            errorMessage: "busy",
          },
          remoteConfig: { configHash: new Uint8Array([1]) },
          flags: FULL_STATE,
        }),
      },
      async (url) => {
        const agent = await RawWsAgent.connect(url);
        const reply = await agent.exchange(agentMessage({ capabilities: CONFIG_AGENT }));
        assert.equal(
          reply.errorResponse?.type,
          ServerErrorResponseType.ServerErrorResponseType_Unavailable,
        );
        assert.equal(reply.remoteConfig, undefined);
        assert.equal(reply.flags, 0n);
        assert.equal(reply.capabilities, 0n);
        // The capabilities still reach the agent on the next reply that carries no error (S-6).
        agent.close();
      },
    );
  });

  test("a throwing onMessage is answered with error_response Unknown and the server keeps serving", async () => {
    let calls = 0;
    await withServer(
      {
        onMessage: () => {
          calls++;
          if (calls === 1) throw new Error("database down");
          return undefined;
        },
      },
      async (url, _http, server) => {
        const agent = await RawWsAgent.connect(url);
        const failed = await agent.exchange(agentMessage());
        assert.equal(
          failed.errorResponse?.type,
          ServerErrorResponseType.ServerErrorResponseType_Unknown,
        );
        const message = agentMessage();
        const ok = await agent.exchange(message);
        assert.equal(ok.errorResponse, undefined);
        assert.equal(server.metrics().errors.hook_failed, 1);
        agent.close();
      },
    );
  });
});

describe("per-agent state and gap detection", () => {
  test("S-8 S-10 state is kept per instance uid and compressed reports leave omitted parts unchanged", async () => {
    await withServer({}, async (url, _http, server) => {
      const agent = await RawWsAgent.connect(url);
      const caps = combineBits(
        A.AgentCapabilities_ReportsStatus,
        A.AgentCapabilities_ReportsHealth,
      );
      const message = agentMessage({ capabilities: caps, health: { healthy: true, status: "ok" } });
      await agent.exchange(message);
      await agent.exchange(
        agentMessage({
          instanceUid: message.instanceUid,
          sequenceNum: 2n,
          capabilities: caps,
          agentDescription: undefined,
          health: { healthy: false, status: "degraded" },
        }),
      );
      const state = server.agents.get(message.instanceUid)!;
      assert.equal(state.sequenceNum, 2n);
      assert.equal(state.health?.status, "degraded");
      assert.deepEqual(
        state.agentDescription?.identifyingAttributes[0]?.value,
        toAnyValue("test-agent"),
      );
      assert.equal(state.capabilities, caps);
      assert.equal(state.connected, true);
      agent.close();
    });
  });

  test("S-9 an unknown agent whose first message is incomplete is asked for full state", async () => {
    await withServer({}, async (url) => {
      const agent = await RawWsAgent.connect(url);
      const reply = await agent.exchange(
        agentMessage({ agentDescription: undefined, sequenceNum: 41n }),
      );
      assert.equal(reply.flags & FULL_STATE, FULL_STATE);
      agent.close();
    });
  });

  test("S-9 an unknown agent missing a sub-message its capabilities promise (health) is asked for full state", async () => {
    await withServer({}, async (url) => {
      const agent = await RawWsAgent.connect(url);
      const caps = combineBits(
        A.AgentCapabilities_ReportsStatus,
        A.AgentCapabilities_ReportsHealth,
      );
      const reply = await agent.exchange(agentMessage({ capabilities: caps }));
      assert.equal(reply.flags & FULL_STATE, FULL_STATE);
      agent.close();
    });
  });

  test("S-9 P-11 a complete first report and in-sequence compressed reports never get ReportFullState", async () => {
    await withServer({}, async (url) => {
      const agent = await RawWsAgent.connect(url);
      const message = agentMessage();
      assert.equal((await agent.exchange(message)).flags, 0n);
      for (let seq = 2n; seq <= 5n; seq++) {
        const reply = await agent.exchange(
          agentMessage({
            instanceUid: message.instanceUid,
            sequenceNum: seq,
            agentDescription: undefined,
          }),
        );
        assert.equal(reply.flags, 0n, `seq ${seq}`);
      }
      agent.close();
    });
  });

  test("S-9 a sequence gap gets ReportFullState once, and the full report that answers it does not", async () => {
    await withServer({}, async (url, httpUrl) => {
      const message = agentMessage();
      await postMessage(httpUrl, message);
      const gap = await postMessage(
        httpUrl,
        agentMessage({
          instanceUid: message.instanceUid,
          sequenceNum: 5n,
          agentDescription: undefined,
        }),
      );
      assert.equal(gap.reply.flags & FULL_STATE, FULL_STATE);
      const full = await postMessage(
        httpUrl,
        agentMessage({ instanceUid: message.instanceUid, sequenceNum: 6n }),
      );
      assert.equal(full.reply.flags, 0n);
      const next = await postMessage(
        httpUrl,
        agentMessage({
          instanceUid: message.instanceUid,
          sequenceNum: 7n,
          agentDescription: undefined,
        }),
      );
      assert.equal(next.reply.flags, 0n);
      void url;
    });
  });

  test("S-17 RequestInstanceUid gets a new UUID v7 in agent_identification, the reply echoes the old uid, state is re-keyed", async () => {
    await withServer({}, async (url, _http, server) => {
      const agent = await RawWsAgent.connect(url);
      const message = agentMessage({
        flags: BigInt(AgentToServerFlags.AgentToServerFlags_RequestInstanceUid),
      });
      const reply = await agent.exchange(message);
      assert.deepEqual(reply.instanceUid, message.instanceUid);
      const fresh = reply.agentIdentification?.newInstanceUid;
      assert.ok(isValidInstanceUid(fresh));
      assert.equal((fresh[6]! & 0xf0) >> 4, 7);
      assert.equal(server.agents.get(message.instanceUid), undefined);
      assert.equal(server.agents.get(fresh)?.sequenceNum, 1n);
      // The agent continues under its new uid without a gap.
      const next = await agent.exchange(
        agentMessage({ instanceUid: fresh, sequenceNum: 2n, agentDescription: undefined }),
      );
      assert.equal(next.flags, 0n);
      agent.close();
    });
  });

  test("S-17 the same uid on two live WebSockets: the newcomer is assigned a new uid (default policy)", async () => {
    const seenByHook: Uint8Array[] = [];
    const onMessage = (_conn: unknown, m: { instanceUid: Uint8Array }) => {
      seenByHook.push(m.instanceUid);
      return undefined;
    };
    await withServer({ onMessage }, async (url, _http, server) => {
      const first = await RawWsAgent.connect(url);
      const clone = await RawWsAgent.connect(url);
      const message = agentMessage();
      await first.exchange(message);
      const reply = await clone.exchange(message);
      assert.deepEqual(reply.instanceUid, message.instanceUid);
      const fresh = reply.agentIdentification?.newInstanceUid;
      assert.ok(isValidInstanceUid(fresh));
      assert.ok(!instanceUidEquals(fresh, message.instanceUid));
      assert.equal(server.metrics().errors.duplicate_instance_uid, 1);
      // The original keeps its state and connection.
      assert.ok(server.agents.get(message.instanceUid)?.connected);
      assert.ok(server.agents.get(fresh));
      // The application hook saw the original under its uid and the newcomer under the new one.
      assert.deepEqual(seenByHook, [message.instanceUid, fresh]);
      first.close();
      clone.close();
    });
  });

  test("S-17 with the close-previous policy the older connection is closed", async () => {
    await withServer({ duplicateInstanceUid: "close-previous" }, async (url) => {
      const first = await RawWsAgent.connect(url);
      const second = await RawWsAgent.connect(url);
      const message = agentMessage();
      await first.exchange(message);
      const reply = await second.exchange(message);
      assert.equal(reply.agentIdentification, undefined);
      assert.equal((await first.closed).code, 1000);
      second.close();
    });
  });

  test("S-21 an unknown available-components hash asks for the full map; a cached hash does not", async () => {
    const caps = combineBits(
      A.AgentCapabilities_ReportsStatus,
      A.AgentCapabilities_ReportsAvailableComponents,
    );
    const ASK = BigInt(ServerToAgentFlags.ServerToAgentFlags_ReportAvailableComponents);
    await withServer({}, async (_url, httpUrl, server) => {
      const hash = new Uint8Array([1, 2, 3]);
      const a = agentMessage({ capabilities: caps, availableComponents: { hash } });
      const first = await postMessage(httpUrl, a);
      assert.equal(first.reply.flags & ASK, ASK);
      await postMessage(
        httpUrl,
        agentMessage({
          instanceUid: a.instanceUid,
          sequenceNum: 2n,
          capabilities: caps,
          availableComponents: { hash, components: { receivers: { metadata: [] } } },
        }),
      );
      const b = await postMessage(
        httpUrl,
        agentMessage({ capabilities: caps, availableComponents: { hash } }),
      );
      assert.equal(b.reply.flags & ASK, 0n);
      assert.ok(
        server.agents
          .list()
          .every((s) => s.availableComponents?.components.receivers !== undefined),
      );
    });
  });
});
