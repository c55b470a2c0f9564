import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  type Attributes,
  type AttributeValue,
  attributesToKeyValues,
  fromAnyValue,
  keyValuesToAttributes,
  toAnyValue,
} from "./attributes.js";
import { isOpampProtocolError } from "./errors.js";

const attributeValue: fc.Arbitrary<AttributeValue> = fc.letrec<{ v: AttributeValue }>((tie) => ({
  v: fc.oneof(
    { maxDepth: 3 },
    fc.string(),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
    fc.maxSafeInteger(),
    fc
      .bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
      .filter((b) => b > 2n ** 53n || b < -(2n ** 53n)),
    fc.uint8Array({ maxLength: 8 }),
    fc.constant(null),
    fc.array(tie("v"), { maxLength: 3 }),
    fc.dictionary(
      fc.string().filter((k) => k !== "__proto__"),
      tie("v"),
      { maxKeys: 3 },
    ),
  ),
})).v;

/** Null-prototype objects are accepted on the way in and come back as plain objects. */
function withPlainObjects(value: AttributeValue): AttributeValue {
  if (Array.isArray(value)) {
    return value.map(withPlainObjects);
  }
  if (value !== null && typeof value === "object" && !(value instanceof Uint8Array)) {
    const plain: Record<string, AttributeValue> = {};
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(plain, key, {
        value: withPlainObjects(item),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return plain;
  }
  return value;
}

describe("AnyValue <-> JavaScript", () => {
  it("round-trips every mapped JavaScript value exactly", () => {
    fc.assert(
      fc.property(attributeValue, (value) => {
        assert.deepEqual(fromAnyValue(toAnyValue(value)), withPlainObjects(value));
      }),
      { numRuns: 500 },
    );
  });

  it("P-2 keeps int64 values beyond 2^53 as bigint and small ones as number", () => {
    assert.equal(fromAnyValue(toAnyValue(2n ** 62n)), 2n ** 62n);
    assert.equal(fromAnyValue(toAnyValue(12n)), 12);
    assert.equal(toAnyValue(12).value.case, "intValue");
    assert.equal(toAnyValue(1.5).value.case, "doubleValue");
    assert.equal(toAnyValue(2 ** 60).value.case, "doubleValue");
  });

  it("refuses values with no AnyValue form", () => {
    const bad: unknown[] = [2n ** 63n, undefined, () => 1, new Date(), Symbol("x")];
    for (const value of bad) {
      assert.throws(
        () => toAnyValue(value as AttributeValue),
        (e) => isOpampProtocolError(e, "INVALID_ATTRIBUTE"),
      );
    }
  });

  it("names the path of a bad nested value", () => {
    assert.throws(
      () => toAnyValue({ outer: [1, { inner: undefined as unknown as AttributeValue }] }),
      /value\.outer\[1\]\.inner/,
    );
  });

  it("keeps a remote key named __proto__ as a plain property", () => {
    const attributes = keyValuesToAttributes(
      attributesToKeyValues(JSON.parse('{"__proto__": "x"}')),
    );
    assert.equal(Object.getPrototypeOf(attributes), Object.prototype);
    assert.deepEqual(Object.keys(attributes), ["__proto__"]);
  });

  it("converts attribute lists both ways, keeping key order", () => {
    const attributes: Attributes = {
      "service.name": "otelcol",
      "service.version": "0.140.0",
      "host.cpus": 8,
    };
    const list = attributesToKeyValues(attributes);
    assert.deepEqual(
      list.map((kv) => kv.key),
      ["service.name", "service.version", "host.cpus"],
    );
    assert.deepEqual(keyValuesToAttributes(list), attributes);
  });
});
