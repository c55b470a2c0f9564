import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AgentToServerSchema,
  decodeAgentToServer,
  decodeAgentToServerFrame,
  newInstanceUid,
  toBinary,
} from "@opamp-ts/protocol";
import {
  AGENT_CAPABILITIES,
  effectiveConfigYaml,
  fullReport,
  statusReport,
  withSequenceNum,
} from "./messages.js";

const agent = { uid: newInstanceUid(), index: 7, startNanos: 1_000_000n };

describe("simulated agent messages", () => {
  it("S-9 a first report carries everything the capabilities promise", () => {
    const m = fullReport(agent, 0n, undefined);
    assert.equal(m.capabilities, AGENT_CAPABILITIES);
    assert.ok(m.agentDescription && m.agentDescription.identifyingAttributes.length > 0);
    assert.ok(m.health?.healthy);
    assert.ok(m.effectiveConfig?.configMap);
    assert.ok(m.remoteConfigStatus);
  });

  it("the effective config is a few kilobytes, like a Collector's", () => {
    const bytes = new TextEncoder().encode(effectiveConfigYaml(3)).length;
    assert.ok(bytes > 2000 && bytes < 4000, `${bytes} bytes`);
  });

  it("a report encoded once decodes with the appended sequence number (HTTP body)", () => {
    const body = toBinary(AgentToServerSchema, statusReport(agent, 0n, false));
    for (const seq of [0n, 1n, 127n, 128n, 300n, 2n ** 40n]) {
      const decoded = decodeAgentToServer(withSequenceNum(body, seq, false));
      assert.equal(decoded.sequenceNum, seq);
      assert.equal(decoded.health?.healthy, false);
      assert.deepEqual(decoded.instanceUid, agent.uid);
    }
  });

  it("with the WebSocket header it is a valid OpAMP WebSocket message (0x00 header)", () => {
    const body = toBinary(AgentToServerSchema, statusReport(agent, 0n, true));
    const frame = withSequenceNum(body, 42n, true);
    assert.equal(frame[0], 0);
    assert.equal(decodeAgentToServerFrame(frame).sequenceNum, 42n);
  });
});
