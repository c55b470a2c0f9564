/**
 * Own-telemetry destinations offered through `ConnectionSettingsOffers`
 * (spec §5.5, S-13): the highest-priority destination whose selector matches
 * the agent, limited to the kinds of telemetry the agent reports (S-11).
 */
import { createHash } from "node:crypto";
import {
  AgentCapabilities,
  type ConnectionSettingsOffers,
  ConnectionSettingsOffersSchema,
  create,
  HeaderSchema,
  HeadersSchema,
  hasBit,
  type MessageInitShape,
  type TelemetryConnectionSettingsSchema,
} from "@opamp-ts/protocol";
import { matchesSelector, type Selector } from "../selector/selector.js";
import type { TelemetryDestination, TelemetryEndpoint } from "../storage/types.js";

/** A destination with its parsed selector. */
export interface ResolvedDestination {
  readonly destination: TelemetryDestination;
  readonly selector: Selector;
}

/** The offer for one agent and its hash (hex), or undefined when nothing applies. */
export interface TelemetryOffer {
  readonly hash: string;
  readonly offers: ConnectionSettingsOffers;
}

function settings(
  endpoint: TelemetryEndpoint,
): MessageInitShape<typeof TelemetryConnectionSettingsSchema> {
  return {
    destinationEndpoint: endpoint.endpoint,
    headers: create(HeadersSchema, {
      headers: Object.entries(endpoint.headers)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, value]) => create(HeaderSchema, { key, value })),
    }),
  };
}

/** Builds the offer for an agent with capability mask `capabilities` and labels `labels`. */
export function resolveTelemetryOffer(
  destinations: readonly ResolvedDestination[],
  labels: Readonly<Record<string, string>>,
  capabilities: bigint,
): TelemetryOffer | undefined {
  let best: ResolvedDestination | undefined;
  for (const d of destinations) {
    if (!matchesSelector(d.selector, labels)) continue;
    if (best === undefined || d.destination.priority > best.destination.priority) best = d;
  }
  if (best === undefined) return undefined;
  const { metrics, logs, traces } = best.destination;
  const parts = {
    metrics:
      metrics !== null &&
      hasBit(capabilities, AgentCapabilities.AgentCapabilities_ReportsOwnMetrics)
        ? metrics
        : null,
    logs:
      logs !== null && hasBit(capabilities, AgentCapabilities.AgentCapabilities_ReportsOwnLogs)
        ? logs
        : null,
    traces:
      traces !== null && hasBit(capabilities, AgentCapabilities.AgentCapabilities_ReportsOwnTraces)
        ? traces
        : null,
  };
  if (parts.metrics === null && parts.logs === null && parts.traces === null) return undefined;
  const canonical = JSON.stringify(parts, (_k, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : v,
  );
  const digest = createHash("sha256").update(canonical).digest();
  const offers = create(ConnectionSettingsOffersSchema, {
    hash: new Uint8Array(digest),
    ...(parts.metrics !== null ? { ownMetrics: settings(parts.metrics) } : {}),
    ...(parts.logs !== null ? { ownLogs: settings(parts.logs) } : {}),
    ...(parts.traces !== null ? { ownTraces: settings(parts.traces) } : {}),
  });
  return { hash: digest.toString("hex"), offers };
}
