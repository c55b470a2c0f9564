import { create } from "@bufbuild/protobuf";
import { OpampProtocolError } from "./errors.js";
import {
  type AnyValue,
  AnyValueSchema,
  ArrayValueSchema,
  type KeyValue,
  KeyValueListSchema,
  KeyValueSchema,
} from "./gen/opamp/v1/anyvalue_pb.js";

/**
 * A plain JavaScript view of an OpAMP `AnyValue` (digest §3.3), used for
 * agent descriptions, health attributes and component metadata.
 *
 * Mapping:
 * - `string` ↔ `string_value`, `boolean` ↔ `bool_value`, `Uint8Array` ↔ `bytes_value`,
 *   `null` ↔ an AnyValue with nothing set, arrays ↔ `array_value`,
 *   plain objects ↔ `kvlist_value`.
 * - Numbers: a safe integer becomes `int_value`, any other number
 *   `double_value`; a `bigint` becomes `int_value` (it must fit int64).
 *   Decoding gives a `number` for `double_value` and for an `int_value` within
 *   ±(2^53 − 1), and a `bigint` for larger integers, so no 64-bit value is
 *   ever rounded (P-2). A double with an integral value therefore comes back
 *   as an int after a round trip through JavaScript.
 */
export type AttributeValue =
  | string
  | boolean
  | number
  | bigint
  | Uint8Array
  | null
  | readonly AttributeValue[]
  | { readonly [key: string]: AttributeValue };

/** An attribute list as an object; for duplicate keys the last one wins. */
export type Attributes = Record<string, AttributeValue>;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Convert a JavaScript value to an `AnyValue`; throws `INVALID_ATTRIBUTE` for what has no mapping. */
export function toAnyValue(value: AttributeValue): AnyValue {
  return create(AnyValueSchema, { value: toOneof(value, "value") });
}

function toOneof(value: AttributeValue, path: string): AnyValue["value"] {
  switch (typeof value) {
    case "string":
      return { case: "stringValue", value };
    case "boolean":
      return { case: "boolValue", value };
    case "number":
      return Number.isSafeInteger(value)
        ? { case: "intValue", value: BigInt(value) }
        : { case: "doubleValue", value };
    case "bigint":
      if (value < INT64_MIN || value > INT64_MAX) {
        throw new OpampProtocolError("INVALID_ATTRIBUTE", `${path}: ${value} does not fit int64`);
      }
      return { case: "intValue", value };
    case "object":
      break;
    default:
      throw new OpampProtocolError(
        "INVALID_ATTRIBUTE",
        `${path}: ${typeof value} has no AnyValue form`,
      );
  }
  if (value === null) {
    return { case: undefined };
  }
  if (value instanceof Uint8Array) {
    return { case: "bytesValue", value };
  }
  if (Array.isArray(value)) {
    const values = (value as readonly AttributeValue[]).map((item, i) =>
      create(AnyValueSchema, { value: toOneof(item, `${path}[${i}]`) }),
    );
    return { case: "arrayValue", value: create(ArrayValueSchema, { values }) };
  }
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
    throw new OpampProtocolError(
      "INVALID_ATTRIBUTE",
      `${path}: only plain objects map to a key/value list`,
    );
  }
  const values = Object.entries(value as Attributes).map(([key, item]) =>
    create(KeyValueSchema, {
      key,
      value: create(AnyValueSchema, { value: toOneof(item, `${path}.${key}`) }),
    }),
  );
  return { case: "kvlistValue", value: create(KeyValueListSchema, { values }) };
}

/** Convert an `AnyValue` (or a missing one) to its JavaScript view. */
export function fromAnyValue(value: AnyValue | undefined): AttributeValue {
  const v = value?.value;
  switch (v?.case) {
    case undefined:
      return null;
    case "stringValue":
    case "boolValue":
    case "doubleValue":
    case "bytesValue":
      return v.value;
    case "intValue":
      return v.value >= BigInt(Number.MIN_SAFE_INTEGER) &&
        v.value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(v.value)
        : v.value;
    case "arrayValue":
      return v.value.values.map(fromAnyValue);
    case "kvlistValue":
      return keyValuesToAttributes(v.value.values);
  }
}

/** `KeyValue[]` (e.g. `identifying_attributes`) to an object. */
export function keyValuesToAttributes(list: readonly KeyValue[]): Attributes {
  const out: Attributes = {};
  for (const kv of list) {
    // defineProperty, not assignment: a key named "__proto__" from a remote
    // peer must become a plain property, not replace the object's prototype.
    Object.defineProperty(out, kv.key, {
      value: fromAnyValue(kv.value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** An object to `KeyValue[]`, keeping the object's key order. */
export function attributesToKeyValues(attributes: Attributes): KeyValue[] {
  return Object.entries(attributes).map(([key, value]) =>
    create(KeyValueSchema, { key, value: toAnyValue(value) }),
  );
}
