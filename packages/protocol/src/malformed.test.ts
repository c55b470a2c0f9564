import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  decodeAgentToServer,
  decodeAgentToServerFrame,
  decodeServerToAgent,
  decodeServerToAgentFrame,
  encodeAgentToServer,
  encodeServerToAgentFrame,
} from "./codec.js";
import { isOpampProtocolError, OpampProtocolError, type ProtocolErrorCode } from "./errors.js";
import { decodeWsFrame, encodeWsFrame } from "./framing.js";
import { AgentToServerSchema, ServerToAgentSchema } from "./gen/opamp/v1/opamp_pb.js";
import { create } from "./index.js";

function throwsCode(fn: () => unknown, code: ProtocolErrorCode): void {
  assert.throws(fn, (error: unknown) => isOpampProtocolError(error, code));
}

describe("WebSocket frame header (P-3)", () => {
  it("C-9 an empty payload after the header is a valid all-default message", () => {
    const message = decodeAgentToServerFrame(new Uint8Array([0]));
    assert.equal(message.sequenceNum, 0n);
    assert.equal(message.instanceUid.length, 0);
  });

  it("S-3 an empty WebSocket message has no header and is rejected", () => {
    throwsCode(() => decodeWsFrame(new Uint8Array()), "TRUNCATED_HEADER");
  });

  it("S-3 a varint header cut short is rejected as truncated", () => {
    throwsCode(() => decodeWsFrame(new Uint8Array([0x80])), "TRUNCATED_HEADER");
    throwsCode(() => decodeWsFrame(new Uint8Array([0xff, 0xff, 0xff])), "TRUNCATED_HEADER");
  });

  it("S-3 a varint header longer than 10 bytes is rejected", () => {
    throwsCode(() => decodeWsFrame(new Uint8Array(11).fill(0x80)), "TRUNCATED_HEADER");
  });

  it("S-3 a non-zero header is rejected, one byte or many", () => {
    throwsCode(() => decodeWsFrame(new Uint8Array([0x01, 0x0a])), "UNSUPPORTED_HEADER");
    throwsCode(() => decodeWsFrame(new Uint8Array([0x81, 0x01, 0x0a])), "UNSUPPORTED_HEADER");
  });

  it("P-3 a header-less legacy payload is rejected by default and accepted on request", () => {
    const payload = encodeAgentToServer(create(AgentToServerSchema, { sequenceNum: 9n }));
    throwsCode(() => decodeAgentToServerFrame(payload), "UNSUPPORTED_HEADER");
    assert.equal(decodeAgentToServerFrame(payload, { legacyHeader: "accept" }).sequenceNum, 9n);
  });

  it("S-3 a non-canonical varint zero (0x80 0x00) still counts as the header 0", () => {
    const payload = encodeAgentToServer(create(AgentToServerSchema, { sequenceNum: 3n }));
    const frame = new Uint8Array([0x80, 0x00, ...payload]);
    assert.equal(decodeAgentToServerFrame(frame).sequenceNum, 3n);
  });

  it("P-3 encoding adds exactly one 0x00 byte", () => {
    assert.deepEqual(encodeWsFrame(new Uint8Array([1, 2])), new Uint8Array([0, 1, 2]));
  });
});

describe("malformed protobuf", () => {
  it("a truncated length-delimited field is MALFORMED_MESSAGE with the cause kept", () => {
    const error = (() => {
      try {
        decodeAgentToServer(new Uint8Array([0x0a, 0x10, 0x01, 0x02]));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(error instanceof OpampProtocolError);
    assert.equal(error.code, "MALFORMED_MESSAGE");
    assert.ok(error.cause !== undefined);
  });

  it("an invalid wire type is MALFORMED_MESSAGE", () => {
    throwsCode(() => decodeServerToAgent(new Uint8Array([0x0f, 0x00])), "MALFORMED_MESSAGE");
  });

  it("random garbage either decodes or fails with an OpampProtocolError, never anything else", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        for (const decode of [
          decodeAgentToServer,
          decodeServerToAgent,
          decodeAgentToServerFrame,
          decodeServerToAgentFrame,
        ]) {
          try {
            decode(bytes);
          } catch (error) {
            assert.ok(error instanceof OpampProtocolError, String(error));
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("unknown fields from a newer peer are ignored and kept", () => {
    // Field 99, varint 1: a field this schema does not know.
    const bytes = new Uint8Array([0x98, 0x06, 0x01, 0x10, 0x04]);
    const message = decodeAgentToServer(bytes);
    assert.equal(message.sequenceNum, 4n);
    assert.deepEqual(encodeAgentToServer(message).length, bytes.length);
  });
});

describe("message size limits", () => {
  it("C-39 S-3 a received message over the limit is MESSAGE_TOO_LARGE before decoding", () => {
    const big = encodeAgentToServer(
      create(AgentToServerSchema, { customMessage: { data: new Uint8Array(2048) } }),
    );
    throwsCode(() => decodeAgentToServer(big, { maxBytes: 1024 }), "MESSAGE_TOO_LARGE");
    assert.ok(decodeAgentToServer(big, { maxBytes: 4096 }).customMessage);
  });

  it("C-39 S-3 the WebSocket limit covers the header byte too", () => {
    const frame = encodeServerToAgentFrame(
      create(ServerToAgentSchema, { instanceUid: new Uint8Array(16) }),
    );
    throwsCode(
      () => decodeServerToAgentFrame(frame, { maxBytes: frame.length - 1 }),
      "MESSAGE_TOO_LARGE",
    );
    assert.ok(decodeServerToAgentFrame(frame, { maxBytes: frame.length }));
  });

  it("C-39 S-3 a message over the send limit is never encoded", () => {
    const message = create(ServerToAgentSchema, { customMessage: { data: new Uint8Array(100) } });
    throwsCode(() => encodeServerToAgentFrame(message, { maxBytes: 50 }), "MESSAGE_TOO_LARGE");
  });
});
