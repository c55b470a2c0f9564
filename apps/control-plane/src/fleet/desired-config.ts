/**
 * Which config an agent should run, and whether to offer it now. Pure: the
 * fleet passes in what storage holds.
 */
import { matchesSelector, type Selector } from "../selector/selector.js";
import type {
  Assignment,
  ConfigFiles,
  ConfigOverride,
  ConfigurationVersion,
} from "../storage/types.js";

/** An assignment with its parsed selector and the version it currently resolves to. */
export interface ResolvedAssignment {
  readonly assignment: Assignment;
  readonly selector: Selector;
  readonly version: ConfigurationVersion;
}

/** The config an agent should run and where it comes from. */
export interface DesiredConfig {
  readonly source: "override" | "assignment";
  readonly files: ConfigFiles;
  readonly hash: string;
  readonly assignmentId: string | null;
  readonly configurationId: string | null;
  readonly version: number | null;
}

/**
 * The agent's override if it has one, else the highest-priority assignment
 * whose selector matches its labels (ties: the older assignment wins, so
 * adding an assignment never silently steals agents at equal priority).
 */
export function resolveDesiredConfig(
  override: ConfigOverride | undefined,
  assignments: readonly ResolvedAssignment[],
  labels: Readonly<Record<string, string>>,
): DesiredConfig | undefined {
  if (override !== undefined) {
    return {
      source: "override",
      files: override.files,
      hash: override.hash,
      assignmentId: null,
      configurationId: null,
      version: null,
    };
  }
  let best: ResolvedAssignment | undefined;
  for (const candidate of assignments) {
    if (!matchesSelector(candidate.selector, labels)) continue;
    if (
      best === undefined ||
      candidate.assignment.priority > best.assignment.priority ||
      (candidate.assignment.priority === best.assignment.priority &&
        candidate.assignment.createdAt < best.assignment.createdAt)
    ) {
      best = candidate;
    }
  }
  if (best === undefined) return undefined;
  return {
    source: "assignment",
    files: best.version.files,
    hash: best.version.hash,
    assignmentId: best.assignment.id,
    configurationId: best.version.configurationId,
    version: best.version.version,
  };
}

/** What the fleet knows when deciding whether to offer a config. */
export interface OfferState {
  /** The agent declared `AcceptsRemoteConfig` (S-11). */
  readonly acceptsRemoteConfig: boolean;
  /** Hash (hex) of the agent's last reported `RemoteConfigStatus`. */
  readonly reportedHash: string;
  /** Hashes the agent reported FAILED (P-12). */
  readonly failedHashes: readonly string[];
  /** Hash already offered on the current connection and not yet answered. */
  readonly offeredHash: string | undefined;
  /** A user asked for this push explicitly (re-PUT or retry). */
  readonly force: boolean;
}

/**
 * S-12: offer when the agent's reported hash differs from the desired one;
 * never to an agent without `AcceptsRemoteConfig` (S-11); never twice on one
 * connection while waiting for an answer (P-11); and never a hash the agent
 * reported FAILED unless a user asks (P-12).
 */
export function shouldOfferConfig(desired: DesiredConfig | undefined, state: OfferState): boolean {
  if (desired === undefined || !state.acceptsRemoteConfig) return false;
  if (state.force) return true;
  if (state.reportedHash === desired.hash) return false;
  if (state.failedHashes.includes(desired.hash)) return false;
  return state.offeredHash !== desired.hash;
}
