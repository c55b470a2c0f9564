import { createHash } from "node:crypto";
import type { AgentConfigMap } from "./gen/opamp/v1/opamp_pb.js";

const encoder = new TextEncoder();

/**
 * A deterministic SHA-256 of an `AgentConfigMap`, for servers to fill
 * `AgentRemoteConfig.config_hash` (S-12). Map order on the wire does not
 * matter (digest §3.6 item 5): the same files always give the same hash.
 *
 * Canonical encoding, version 1. Entries are sorted by the UTF-8 bytes of
 * their names (unsigned byte order). The hash input is the ASCII tag
 * `opamp-ts.config-map.v1` followed, per entry, by three length-prefixed
 * fields: name, content type and body, each as a big-endian uint64 byte
 * length and then the bytes (name and content type in UTF-8). Length
 * prefixes make the encoding injective, so different maps never share an
 * input.
 */
export function hashConfigMap(configMap: AgentConfigMap | undefined): Uint8Array {
  const hash = createHash("sha256");
  hash.update("opamp-ts.config-map.v1");
  const entries = Object.entries(configMap?.configMap ?? {}).map(([name, file]) => ({
    name: encoder.encode(name),
    contentType: encoder.encode(file.contentType),
    body: file.body,
  }));
  entries.sort((a, b) => Buffer.compare(a.name, b.name));
  for (const entry of entries) {
    writeField(hash, entry.name);
    writeField(hash, entry.contentType);
    writeField(hash, entry.body);
  }
  return new Uint8Array(hash.digest());
}

function writeField(hash: ReturnType<typeof createHash>, bytes: Uint8Array): void {
  const length = Buffer.alloc(8);
  length.writeBigUInt64BE(BigInt(bytes.length));
  hash.update(length);
  hash.update(bytes);
}
