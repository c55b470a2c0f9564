/**
 * Conversions between the REST/storage form of a config (`ConfigFiles`, text
 * bodies) and the wire form (`AgentConfigMap`, byte bodies), and the content
 * hash servers must send with every remote config (S-12).
 */
import {
  AgentConfigFileSchema,
  type AgentConfigMap,
  AgentConfigMapSchema,
  create,
  hashConfigMap,
} from "@opamp-ts/protocol";
import type { ConfigFiles } from "./storage/types.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: false });

/** The wire form of `files`. */
export function toConfigMap(files: ConfigFiles): AgentConfigMap {
  const configMap: AgentConfigMap["configMap"] = {};
  for (const [name, file] of Object.entries(files)) {
    configMap[name] = create(AgentConfigFileSchema, {
      body: encoder.encode(file.body),
      contentType: file.contentType,
    });
  }
  return create(AgentConfigMapSchema, { configMap });
}

/** The text form of a wire config; bodies that are not UTF-8 show replacement characters. */
export function fromConfigMap(map: AgentConfigMap | undefined): ConfigFiles {
  const files: Record<string, { body: string; contentType: string }> = {};
  for (const [name, file] of Object.entries(map?.configMap ?? {})) {
    files[name] = { body: decoder.decode(file.body), contentType: file.contentType };
  }
  return files;
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/** Bytes of a hex string (the inverse of `toHex`). */
export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, "hex"));
}

/** The content hash of `files` as hex: `hashConfigMap` over the wire form (S-12). */
export function configHash(files: ConfigFiles): string {
  return toHex(hashConfigMap(toConfigMap(files)));
}
