import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import fc from "fast-check";
import { hashConfigMap } from "./config-hash.js";
import { AgentConfigMapSchema } from "./gen/opamp/v1/opamp_pb.js";

const encoder = new TextEncoder();

function configMap(files: Record<string, [string, string]>) {
  return create(AgentConfigMapSchema, {
    configMap: Object.fromEntries(
      Object.entries(files).map(([name, [body, contentType]]) => [
        name,
        { body: encoder.encode(body), contentType },
      ]),
    ),
  });
}

describe("config hash (S-12)", () => {
  it("is a 32-byte SHA-256 and matches the documented canonical encoding", () => {
    const hash = hashConfigMap(configMap({ "": ["a: 1\n", "text/yaml"] }));
    assert.equal(hash.length, 32);
    // Recomputed independently from the canonical encoding documented on hashConfigMap.
    const field = (b: Uint8Array) => {
      const len = Buffer.alloc(8);
      len.writeBigUInt64BE(BigInt(b.length));
      return Buffer.concat([len, b]);
    };
    const expected = createHash("sha256")
      .update("opamp-ts.config-map.v1")
      .update(field(encoder.encode("")))
      .update(field(encoder.encode("text/yaml")))
      .update(field(encoder.encode("a: 1\n")))
      .digest();
    assert.deepEqual(Buffer.from(hash), expected);
  });

  it("does not depend on map order", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.tuple(fc.string(), fc.string()), { maxKeys: 5 }),
        (files) => {
          const reversed = Object.fromEntries(Object.entries(files).reverse());
          assert.deepEqual(hashConfigMap(configMap(files)), hashConfigMap(configMap(reversed)));
        },
      ),
    );
  });

  it("changes when a name, a body or a content type changes, and moving bytes between fields", () => {
    const base = hashConfigMap(configMap({ a: ["x", "text/yaml"] }));
    assert.notDeepEqual(hashConfigMap(configMap({ b: ["x", "text/yaml"] })), base);
    assert.notDeepEqual(hashConfigMap(configMap({ a: ["y", "text/yaml"] })), base);
    assert.notDeepEqual(hashConfigMap(configMap({ a: ["x", "text/plain"] })), base);
    assert.notDeepEqual(
      hashConfigMap(configMap({ ab: ["", "x"] })),
      hashConfigMap(configMap({ a: ["bx", ""] })),
    );
  });

  it("treats a missing map like an empty one", () => {
    assert.deepEqual(hashConfigMap(undefined), hashConfigMap(configMap({})));
  });
});
