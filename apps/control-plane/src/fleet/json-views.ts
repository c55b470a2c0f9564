/**
 * Conversions from OpAMP messages to the JSON views the inventory stores and
 * the REST API shows. 64-bit numbers stay exact (P-2): beyond 2^53 they
 * become decimal strings; bytes become base64.
 */
import {
  type AttributeValue,
  type AvailableComponents,
  type ComponentDetails,
  type ComponentHealth,
  type KeyValue,
  keyValuesToAttributes,
  PackageStatusEnum,
  type PackageStatuses,
  RemoteConfigStatuses,
} from "@opamp-ts/protocol";
import { toHex } from "../config-files.js";
import type { HealthView, JsonValue, RemoteConfigStatusName } from "../storage/types.js";

/** A JSON form of one attribute value. */
export function attributeToJson(value: AttributeValue): JsonValue {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(attributeToJson);
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(value as Record<string, AttributeValue>)) {
    out[k] = attributeToJson(v);
  }
  return out;
}

/** A JSON object of a `KeyValue` list (last duplicate wins). */
export function keyValuesToJson(list: readonly KeyValue[]): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(keyValuesToAttributes([...list])))
    out[k] = attributeToJson(v);
  return out;
}

/** The label form of an attribute value: strings as they are, others as JSON text. */
export function attributeLabel(value: JsonValue): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The JSON view of a health tree (spec §4.6). */
export function healthToJson(health: ComponentHealth): HealthView {
  const componentHealthMap: Record<string, HealthView> = {};
  for (const [name, child] of Object.entries(health.componentHealthMap)) {
    componentHealthMap[name] = healthToJson(child);
  }
  return {
    healthy: health.healthy,
    startTimeUnixNano: health.startTimeUnixNano.toString(),
    lastError: health.lastError,
    status: health.status,
    statusTimeUnixNano: health.statusTimeUnixNano.toString(),
    attributes: keyValuesToJson(health.attributes),
    componentHealthMap,
  };
}

/** The name of a `RemoteConfigStatuses` value; unknown numbers count as UNSET. */
export function remoteConfigStatusName(status: RemoteConfigStatuses): RemoteConfigStatusName {
  switch (status) {
    case RemoteConfigStatuses.RemoteConfigStatuses_APPLYING:
      return "APPLYING";
    case RemoteConfigStatuses.RemoteConfigStatuses_APPLIED:
      return "APPLIED";
    case RemoteConfigStatuses.RemoteConfigStatuses_FAILED:
      return "FAILED";
    default:
      return "UNSET";
  }
}

/** The JSON view of `PackageStatuses` (spec §5.7). */
export function packageStatusesToJson(statuses: PackageStatuses): JsonValue {
  const packages: Record<string, JsonValue> = {};
  for (const [name, p] of Object.entries(statuses.packages)) {
    packages[name] = {
      agentHasVersion: p.agentHasVersion,
      agentHasHash: toHex(p.agentHasHash),
      serverOfferedVersion: p.serverOfferedVersion,
      serverOfferedHash: toHex(p.serverOfferedHash),
      status: (PackageStatusEnum[p.status] ?? String(p.status)).replace(/^PackageStatusEnum_/, ""),
      errorMessage: p.errorMessage,
    };
  }
  return {
    packages,
    serverProvidedAllPackagesHash: toHex(statuses.serverProvidedAllPackagesHash),
    errorMessage: statuses.errorMessage,
  };
}

function componentToJson(details: ComponentDetails): JsonValue {
  const sub: Record<string, JsonValue> = {};
  for (const [name, child] of Object.entries(details.subComponentMap))
    sub[name] = componentToJson(child);
  return { metadata: keyValuesToJson(details.metadata), subComponents: sub };
}

/** The JSON view of `AvailableComponents` (spec §4.10). */
export function availableComponentsToJson(components: AvailableComponents): JsonValue {
  const out: Record<string, JsonValue> = {};
  for (const [name, c] of Object.entries(components.components)) out[name] = componentToJson(c);
  return { hash: toHex(components.hash), components: out };
}
