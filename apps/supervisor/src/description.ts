import type { AgentDescriptionInput } from "@opamp-ts/client";
import { type AgentDescription, type Attributes, keyValuesToAttributes } from "@opamp-ts/protocol";

/** `agent.description` of the supervisor config. */
export interface DescriptionOverrides {
  readonly identifyingAttributes: Readonly<Record<string, string>>;
  readonly nonIdentifyingAttributes: Readonly<Record<string, string>>;
}

/**
 * The description reported upstream (spec `AgentDescription`, C-10): what the
 * Collector itself reports (`service.name`, `service.version`,
 * `service.instance.id`, host and OS attributes), with the configured
 * attributes on top. `service.instance.id` always stays the instance uid.
 */
export function mergeDescription(
  reported: AgentDescription | undefined,
  overrides: DescriptionOverrides,
  instanceUid: string,
): AgentDescriptionInput {
  const identifying: Attributes = {
    ...(reported === undefined ? {} : keyValuesToAttributes(reported.identifyingAttributes)),
    ...overrides.identifyingAttributes,
    "service.instance.id": instanceUid,
  };
  const nonIdentifying: Attributes = {
    ...(reported === undefined ? {} : keyValuesToAttributes(reported.nonIdentifyingAttributes)),
    ...overrides.nonIdentifyingAttributes,
  };
  if (identifying["service.name"] === undefined) identifying["service.name"] = "otelcol";
  return { identifyingAttributes: identifying, nonIdentifyingAttributes: nonIdentifying };
}
