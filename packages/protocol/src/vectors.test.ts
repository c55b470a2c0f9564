import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import {
  decodeAgentToServer,
  decodeAgentToServerFrame,
  decodeServerToAgent,
  encodeAgentToServer,
  encodeAgentToServerFrame,
  encodeServerToAgent,
} from "./codec.js";
import {
  AgentCapabilities,
  AgentDisconnectSchema,
  AgentToServerSchema,
  CommandType,
  RetryInfoSchema,
  ServerCapabilities,
  ServerErrorResponseSchema,
  ServerErrorResponseType,
  ServerToAgentCommandSchema,
  ServerToAgentFlags,
  ServerToAgentSchema,
} from "./gen/opamp/v1/opamp_pb.js";
import { parseInstanceUid } from "./instance-uid.js";

// The hand-computed vectors of the digest §2.7, byte for byte.
const uid = parseInstanceUid("0190b7f8-bb85-72b5-8942-8533325b988a");
const uidField = "0a 10 01 90 b7 f8 bb 85 72 b5 89 42 85 33 32 5b 98 8a";

function hex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text.replaceAll(" ", ""), "hex"));
}

const heartbeatCaps = BigInt(
  AgentCapabilities.AgentCapabilities_ReportsStatus |
    AgentCapabilities.AgentCapabilities_ReportsHeartbeat,
);

describe("digest §2.7 wire vectors", () => {
  it("C-9 a WebSocket heartbeat is the 0x00 header, uid, sequence 5 and capabilities 0x2001", () => {
    const message = create(AgentToServerSchema, {
      instanceUid: uid,
      sequenceNum: 5n,
      capabilities: heartbeatCaps,
    });
    const expected = hex(`00 ${uidField} 10 05 20 81 40`);
    assert.deepEqual(encodeAgentToServerFrame(message), expected);
    const decoded = decodeAgentToServerFrame(expected);
    assert.deepEqual(decoded.instanceUid, uid);
    assert.equal(decoded.sequenceNum, 5n);
    assert.equal(decoded.capabilities, 0x2001n);
  });

  it("P-1 agent_disconnect is emitted as an empty sub-message (4a 00) and survives decoding", () => {
    const message = create(AgentToServerSchema, {
      instanceUid: uid,
      sequenceNum: 6n,
      capabilities: heartbeatCaps,
      agentDisconnect: create(AgentDisconnectSchema),
    });
    const expected = hex(`${uidField} 10 06 20 81 40 4a 00`);
    assert.deepEqual(encodeAgentToServer(message), expected);
    assert.ok(decodeAgentToServer(expected).agentDisconnect !== undefined);
  });

  it("S-9 ReportFullState with server capabilities 0x7", () => {
    const message = create(ServerToAgentSchema, {
      instanceUid: uid,
      flags: BigInt(ServerToAgentFlags.ServerToAgentFlags_ReportFullState),
      capabilities: BigInt(
        ServerCapabilities.ServerCapabilities_AcceptsStatus |
          ServerCapabilities.ServerCapabilities_OffersRemoteConfig |
          ServerCapabilities.ServerCapabilities_AcceptsEffectiveConfig,
      ),
    });
    const expected = hex(`${uidField} 30 01 38 07`);
    assert.deepEqual(encodeServerToAgent(message), expected);
    const decoded = decodeServerToAgent(expected);
    assert.equal(decoded.flags, 1n);
    assert.equal(decoded.capabilities, 7n);
  });

  it("P-1 a restart command (CommandType_Restart = 0) is an empty command message", () => {
    const message = create(ServerToAgentSchema, {
      instanceUid: uid,
      command: create(ServerToAgentCommandSchema, { type: CommandType.CommandType_Restart }),
    });
    const expected = hex(`${uidField} 4a 00`);
    assert.deepEqual(encodeServerToAgent(message), expected);
    const decoded = decodeServerToAgent(expected);
    assert.ok(decoded.command !== undefined);
    assert.equal(decoded.command.type, CommandType.CommandType_Restart);
  });

  it("P-2 UNAVAILABLE with retry_info of 30 s keeps the nanoseconds exact", () => {
    const message = create(ServerToAgentSchema, {
      instanceUid: uid,
      errorResponse: create(ServerErrorResponseSchema, {
        type: ServerErrorResponseType.ServerErrorResponseType_Unavailable,
        errorMessage: "busy",
        Details: {
          case: "retryInfo",
          value: create(RetryInfoSchema, { retryAfterNanoseconds: 30_000_000_000n }),
        },
      }),
    });
    const expected = hex(`${uidField} 12 10 08 02 12 04 62 75 73 79 1a 06 08 80 d8 8e e1 6f`);
    assert.deepEqual(encodeServerToAgent(message), expected);
    const details = decodeServerToAgent(expected).errorResponse?.Details;
    assert.equal(details?.case, "retryInfo");
    assert.equal(details?.value.retryAfterNanoseconds, 30_000_000_000n);
  });
});
