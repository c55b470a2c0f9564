/**
 * The REST shape of an agent: the stored record plus its labels and the
 * config it should run.
 */
import type { AgentRecord } from "../storage/types.js";
import type { DesiredConfig } from "./desired-config.js";

/** The config the server wants an agent to run, as the REST API shows it. */
export interface DesiredConfigView {
  readonly source: "override" | "assignment";
  readonly hash: string;
  readonly configurationId: string | null;
  readonly version: number | null;
}

/** An agent as `GET /api/v1/agents` shows it. */
export interface AgentView extends Omit<AgentRecord, "failedConfigHashes" | "capabilitiesMask"> {
  readonly labels: Readonly<Record<string, string>>;
  readonly userLabels: Readonly<Record<string, string>>;
  readonly failedConfigHashes: readonly string[];
  readonly desiredConfig: DesiredConfigView | null;
}

/** Builds the view. */
export function toAgentView(
  record: AgentRecord,
  labels: Readonly<Record<string, string>>,
  userLabels: Readonly<Record<string, string>>,
  desired: DesiredConfig | undefined,
): AgentView {
  const { capabilitiesMask: _mask, ...rest } = record;
  return {
    ...rest,
    labels,
    userLabels,
    desiredConfig:
      desired === undefined
        ? null
        : {
            source: desired.source,
            hash: desired.hash,
            configurationId: desired.configurationId,
            version: desired.version,
          },
  };
}
