import {
  type AgentDescription,
  AgentDescriptionSchema,
  attributesToKeyValues,
  create,
} from "@opamp-ts/protocol";
import type { AgentDescriptionInput } from "./options.js";

/** The `AgentDescription` message for plain attribute objects (spec §3.1). */
export function toAgentDescription(description: AgentDescriptionInput): AgentDescription {
  return create(AgentDescriptionSchema, {
    identifyingAttributes: attributesToKeyValues(description.identifyingAttributes),
    nonIdentifyingAttributes: attributesToKeyValues(description.nonIdentifyingAttributes ?? {}),
  });
}
