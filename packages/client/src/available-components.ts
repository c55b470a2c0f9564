import { createHash } from "node:crypto";
import {
  type AvailableComponents,
  AvailableComponentsSchema,
  type ComponentDetails,
  create,
  KeyValueSchema,
  toBinary,
} from "@opamp-ts/protocol";
import type { AvailableComponentsInput } from "./options.js";

function canonical(
  components: Readonly<Record<string, ComponentDetails>>,
  hash: ReturnType<typeof createHash>,
): void {
  for (const name of Object.keys(components).sort()) {
    const details = components[name]!;
    hash.update(`${name.length}:${name}`);
    hash.update(`m${details.metadata.length}`);
    for (const kv of details.metadata) {
      const bytes = toBinary(KeyValueSchema, kv);
      hash.update(`${bytes.length}:`);
      hash.update(bytes);
    }
    hash.update("{");
    canonical(details.subComponentMap, hash);
    hash.update("}");
  }
}

/**
 * `AvailableComponents` with a deterministic SHA-256 hash over a canonical
 * form (names sorted at every level), so agents with the same components
 * report the same hash whatever the map order (C-35).
 */
export function availableComponents(input: AvailableComponentsInput): AvailableComponents {
  const hash = createHash("sha256");
  canonical(input, hash);
  return create(AvailableComponentsSchema, { components: { ...input }, hash: hash.digest() });
}
