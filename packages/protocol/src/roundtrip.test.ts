import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, equals } from "@bufbuild/protobuf";
import fc from "fast-check";
import {
  decodeAgentToServer,
  decodeAgentToServerFrame,
  decodeServerToAgent,
  decodeServerToAgentFrame,
  encodeAgentToServer,
  encodeAgentToServerFrame,
  encodeServerToAgent,
  encodeServerToAgentFrame,
} from "./codec.js";
import { AgentToServerSchema, ServerToAgentSchema } from "./gen/opamp/v1/opamp_pb.js";
import { agentToServer, serverToAgent } from "./test-support/arbitraries.js";

describe("round trips over random messages", () => {
  it("AgentToServer survives HTTP encoding and WebSocket framing unchanged", () => {
    fc.assert(
      fc.property(agentToServer, (message) => {
        assert.ok(
          equals(AgentToServerSchema, decodeAgentToServer(encodeAgentToServer(message)), message),
        );
        const framed = encodeAgentToServerFrame(message);
        assert.equal(framed[0], 0);
        assert.ok(equals(AgentToServerSchema, decodeAgentToServerFrame(framed), message));
      }),
      { numRuns: 300 },
    );
  });

  it("ServerToAgent survives HTTP encoding and WebSocket framing unchanged", () => {
    fc.assert(
      fc.property(serverToAgent, (message) => {
        assert.ok(
          equals(ServerToAgentSchema, decodeServerToAgent(encodeServerToAgent(message)), message),
        );
        const framed = encodeServerToAgentFrame(message);
        assert.equal(framed[0], 0);
        assert.ok(equals(ServerToAgentSchema, decodeServerToAgentFrame(framed), message));
      }),
      { numRuns: 300 },
    );
  });

  it("P-1 present-but-empty sub-messages stay present after a round trip", () => {
    fc.assert(
      fc.property(agentToServer, serverToAgent, (a2s, s2a) => {
        const a = decodeAgentToServer(encodeAgentToServer(a2s));
        assert.equal(a.agentDisconnect !== undefined, a2s.agentDisconnect !== undefined);
        const s = decodeServerToAgent(encodeServerToAgent(s2a));
        assert.equal(s.command !== undefined, s2a.command !== undefined);
      }),
      { numRuns: 100 },
    );
  });

  it("P-2 64-bit values at the edges stay exact", () => {
    const unsignedEdges = [0n, 1n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n];
    for (const value of unsignedEdges) {
      const decoded = decodeAgentToServer(
        encodeAgentToServer(
          create(AgentToServerSchema, {
            sequenceNum: value,
            capabilities: value,
            flags: value,
            health: { startTimeUnixNano: value, statusTimeUnixNano: value },
          }),
        ),
      );
      assert.equal(decoded.sequenceNum, value);
      assert.equal(decoded.capabilities, value);
      assert.equal(decoded.flags, value);
      assert.equal(decoded.health?.startTimeUnixNano, value);
      assert.equal(decoded.health?.statusTimeUnixNano, value);
    }
    for (const value of [-(2n ** 63n), -1n, 2n ** 63n - 1n]) {
      const decoded = decodeAgentToServer(
        encodeAgentToServer(
          create(AgentToServerSchema, {
            agentDescription: {
              identifyingAttributes: [{ key: "k", value: { value: { case: "intValue", value } } }],
            },
          }),
        ),
      );
      assert.deepEqual(decoded.agentDescription?.identifyingAttributes[0]?.value?.value, {
        case: "intValue",
        value,
      });
    }
  });
});
