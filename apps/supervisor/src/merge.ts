import type { AgentConfigMap } from "@opamp-ts/protocol";
import { parse } from "yaml";
import type { Placeholder } from "./config.js";

/** A Collector config as a plain YAML mapping. */
export type ConfigMap = Record<string, unknown>;

const isMap = (value: unknown): value is ConfigMap =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Deep, key-by-key merge where `overlay` wins, like the Go supervisor's koanf
 * merge, with its one special rule: `service::extensions` lists are
 * concatenated (without duplicates) instead of replaced, so a remote config
 * cannot drop the extensions a local file or the supervisor enabled.
 */
export function deepMerge(
  base: ConfigMap,
  overlay: ConfigMap,
  path: readonly string[] = [],
): ConfigMap {
  const out: ConfigMap = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    const current = out[key];
    const here = [...path, key];
    if (isMap(current) && isMap(value)) {
      out[key] = deepMerge(current, value, here);
    } else if (
      here.join(".") === "service.extensions" &&
      Array.isArray(current) &&
      Array.isArray(value)
    ) {
      out[key] = [...current, ...value.filter((item) => !current.includes(item))];
    } else {
      out[key] = value;
    }
  }
  return out;
}

/**
 * The `agent.config_files` order with every placeholder in place: a missing
 * `$OWN_TELEMETRY_CONFIG` goes first, missing `$OPAMP_EXTENSION_CONFIG` and
 * `$REMOTE_CONFIG` go last, in that order (the Go supervisor's default).
 */
export function mergeOrder(configFiles: readonly string[]): string[] {
  const order = [...configFiles];
  if (!order.includes("$OWN_TELEMETRY_CONFIG")) order.unshift("$OWN_TELEMETRY_CONFIG");
  if (!order.includes("$OPAMP_EXTENSION_CONFIG")) order.push("$OPAMP_EXTENSION_CONFIG");
  if (!order.includes("$REMOTE_CONFIG")) order.push("$REMOTE_CONFIG");
  return order;
}

/** Parse one YAML body into a mapping; an empty body is an empty mapping. */
export function parseYamlMap(
  text: string,
): { ok: true; map: ConfigMap } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    return { ok: false, reason: (error as Error).message.split("\n")[0] ?? "invalid YAML" };
  }
  if (value === null || value === undefined) return { ok: true, map: {} };
  if (!isMap(value)) return { ok: false, reason: "the document is not a mapping" };
  return { ok: true, map: value };
}

/**
 * Merge the files of a remote `AgentConfigMap`: sorted by file name with the
 * unnamed file (`""`) last, as the Go supervisor does. An invalid file fails
 * the whole config (the apply is reported FAILED with the reason).
 */
export function mergeRemoteConfig(
  remote: AgentConfigMap | undefined,
): { ok: true; map: ConfigMap } | { ok: false; reason: string } {
  const names = Object.keys(remote?.configMap ?? {}).sort((a, b) => {
    if (a === "") return 1;
    if (b === "") return -1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
  let merged: ConfigMap = {};
  for (const name of names) {
    const file = remote!.configMap[name]!;
    const parsed = parseYamlMap(new TextDecoder().decode(file.body));
    if (!parsed.ok) return { ok: false, reason: `remote config file "${name}": ${parsed.reason}` };
    merged = deepMerge(merged, parsed.map);
  }
  return { ok: true, map: merged };
}

/** What {@link composeConfig} merges. */
export interface ComposeInput {
  /** `agent.config_files` as configured (absolute paths and placeholders). */
  readonly configFiles: readonly string[];
  /** Reads a local file; the default reads from disk. */
  readonly readFile: (path: string) => string;
  readonly remote: ConfigMap;
  readonly ownTelemetry: ConfigMap;
  /** The supervisor-owned section: applied in order and again last, replacing what others set. */
  readonly supervisorOwned: ConfigMap;
}

/** The merged Collector config, or why it could not be built. */
export type ComposeResult =
  | { readonly ok: true; readonly config: ConfigMap; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/**
 * Build the Collector's effective config (Go supervisor §"config merge"): the
 * entries of {@link mergeOrder} merged in order, later ones winning; then the
 * supervisor-owned parts (the opamp extension, its `service::extensions`
 * entry, the health-check extension) are put back on top so that neither a
 * local file nor a remote config can cut the supervisor off its Collector.
 * A local file that cannot be read or parsed fails the composition: running a
 * config without it would be a silent change of behaviour.
 */
export function composeConfig(input: ComposeInput): ComposeResult {
  let merged: ConfigMap = {};
  const warnings: string[] = [];
  for (const entry of mergeOrder(input.configFiles)) {
    const placeholder = entry as Placeholder;
    if (placeholder === "$OWN_TELEMETRY_CONFIG") merged = deepMerge(merged, input.ownTelemetry);
    else if (placeholder === "$OPAMP_EXTENSION_CONFIG")
      merged = deepMerge(merged, input.supervisorOwned);
    else if (placeholder === "$REMOTE_CONFIG") merged = deepMerge(merged, input.remote);
    else {
      let text: string;
      try {
        text = input.readFile(entry);
      } catch (error) {
        return {
          ok: false,
          reason: `cannot read agent config file ${entry}: ${(error as Error).message}`,
        };
      }
      const parsed = parseYamlMap(text);
      if (!parsed.ok) return { ok: false, reason: `agent config file ${entry}: ${parsed.reason}` };
      merged = deepMerge(merged, parsed.map);
    }
  }
  const owned = input.supervisorOwned;
  const extensions = isMap(merged.extensions) ? { ...merged.extensions } : {};
  for (const [id, section] of Object.entries(isMap(owned.extensions) ? owned.extensions : {})) {
    if (id in extensions && JSON.stringify(extensions[id]) !== JSON.stringify(section)) {
      warnings.push(
        `extensions::${id} is owned by the supervisor; the configured value was replaced`,
      );
    }
    extensions[id] = section;
  }
  merged = deepMerge(merged, { service: isMap(owned.service) ? owned.service : {} });
  merged.extensions = extensions;
  return { ok: true, config: merged, warnings };
}
