import { AgentCapabilities, hasBit, isValidInstanceUid } from "@opamp-ts/protocol";
import { OpampClientError } from "./errors.js";
import type { OpampClientOptions } from "./options.js";
import { parseProxy } from "./transport/proxy.js";

/**
 * Refuse inconsistent options at construction (DESIGN §3: a clear, typed
 * error): a declared capability needs its implementation, so the client never
 * advertises what it cannot do (C-8, C-21, C-23, C-25), and remote config is
 * opt-in through a handler (C-40).
 */
export function validateOptions(options: OpampClientOptions): void {
  let scheme: string;
  try {
    scheme = new URL(options.endpoint).protocol;
  } catch {
    throw new OpampClientError("INVALID_OPTIONS", `endpoint "${options.endpoint}" is not a URL`);
  }
  if (!["ws:", "wss:", "http:", "https:"].includes(scheme)) {
    throw new OpampClientError(
      "INVALID_OPTIONS",
      `endpoint scheme ${scheme} is not ws, wss, http or https`,
    );
  }
  if (options.instanceUid !== undefined && !isValidInstanceUid(options.instanceUid)) {
    throw new OpampClientError("INVALID_OPTIONS", "instanceUid must be exactly 16 bytes (C-1)");
  }
  if (options.proxy !== undefined) parseProxy(options.proxy);
  const caps = options.capabilities;
  if (
    hasBit(caps, AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig) &&
    options.onRemoteConfig === undefined
  ) {
    throw new OpampClientError(
      "INVALID_OPTIONS",
      "AcceptsRemoteConfig needs an onRemoteConfig handler (C-21)",
    );
  }
  if (
    hasBit(caps, AgentCapabilities.AgentCapabilities_AcceptsPackages) &&
    options.packages === undefined
  ) {
    throw new OpampClientError(
      "INVALID_OPTIONS",
      "AcceptsPackages needs packages.installer (C-25)",
    );
  }
  if (
    hasBit(caps, AgentCapabilities.AgentCapabilities_ReportsEffectiveConfig) &&
    options.effectiveConfig === undefined
  ) {
    throw new OpampClientError(
      "INVALID_OPTIONS",
      "ReportsEffectiveConfig needs an effectiveConfig provider (C-23)",
    );
  }
}
