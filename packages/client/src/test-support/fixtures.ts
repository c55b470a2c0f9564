import { AgentCapabilities, combineBits } from "@opamp-ts/protocol";
import { OpampClient } from "../client.js";
import type { OpampClientError } from "../errors.js";
import type { OpampClientOptions } from "../options.js";
import type { ScriptedServer } from "./scripted-server.js";

/** Both transports, for tests that must hold on each. */
export const TRANSPORTS = ["websocket", "http"] as const;
/** "websocket" or "http". */
export type TransportName = (typeof TRANSPORTS)[number];

/** Fast timing for tests; production defaults are far larger. */
export const FAST_TIMING = {
  backoff: { initialMs: 10, maxMs: 100, jitter: 0.5 },
  pingIntervalMs: 0,
  requestTimeoutMs: 5_000,
  connectionSettingsVerifyTimeoutMs: 5_000,
  downloadProgressIntervalMs: 0,
} as const;

/** A capability mask from enum members. */
export const caps = (...bits: AgentCapabilities[]): bigint => combineBits(...bits);

/** A client pointed at `server` over `transport` with fast timing. */
export function makeClient(
  server: ScriptedServer,
  transport: TransportName,
  overrides: Partial<OpampClientOptions> = {},
): OpampClient {
  return new OpampClient({
    endpoint: server.url(transport === "websocket" ? "ws" : "http"),
    capabilities: caps(AgentCapabilities.AgentCapabilities_ReportsStatus),
    agentDescription: { identifyingAttributes: { "service.name": "test-agent" } },
    heartbeatIntervalSeconds: 3_600,
    timing: FAST_TIMING,
    ...overrides,
  });
}

/** Collect `clientError` and `connectFailed` events, for assertions and debugging. */
export function collectErrors(client: OpampClient): OpampClientError[] {
  const errors: OpampClientError[] = [];
  client.on("clientError", (error) => errors.push(error));
  client.on("connectFailed", (error) => errors.push(error));
  return errors;
}

/** Poll `condition` until true (no timing assertions: only a generous upper bound). */
export async function until(
  condition: () => boolean,
  timeoutMs = 10_000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Run `effect`, then return `value`: for one-shot scripted replies. */
export function withEffect<T>(effect: () => void, value: T): T {
  effect();
  return value;
}
