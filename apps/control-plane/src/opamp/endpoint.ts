/**
 * The OpAMP endpoint of the control plane: `@opamp-ts/server` wired to the
 * fleet, with agent enrollment tokens checked before any upgrade (S-2).
 */
import type { IncomingMessage } from "node:http";
import { combineBits, ServerCapabilities } from "@opamp-ts/protocol";
import { type ConnectingDecision, OpampServer } from "@opamp-ts/server";
import { bearerToken, tokenMatches } from "../api/auth.js";
import type { Fleet, FleetLogger } from "../fleet/fleet.js";

/** What the control plane offers agents (S-6). */
export const CONTROL_PLANE_CAPABILITIES = combineBits(
  ServerCapabilities.ServerCapabilities_AcceptsStatus,
  ServerCapabilities.ServerCapabilities_OffersRemoteConfig,
  ServerCapabilities.ServerCapabilities_AcceptsEffectiveConfig,
  ServerCapabilities.ServerCapabilities_AcceptsPackagesStatus,
  ServerCapabilities.ServerCapabilities_OffersConnectionSettings,
);

/** Options of the endpoint. */
export interface OpampEndpointOptions {
  readonly fleet: Fleet;
  readonly logger: FleetLogger;
  /** When non-empty, agents must send `Authorization: Bearer <one of these>`; 401 otherwise. */
  readonly enrollmentTokens: readonly string[];
  /** Largest accepted OpAMP message in bytes. */
  readonly maxMessageBytes: number;
  /** HTTP agents count as gone after twice this many seconds without a poll (S-20). */
  readonly heartbeatIntervalSeconds: number;
}

/** The admission decision for one upgrade or poll (S-2). */
export function admitAgent(
  request: IncomingMessage,
  tokens: readonly string[],
): ConnectingDecision {
  if (tokens.length === 0) return { accept: true };
  const presented = bearerToken(request.headers.authorization);
  if (presented !== undefined && tokens.some((t) => tokenMatches(presented, t)))
    return { accept: true };
  return {
    accept: false,
    status: 401,
    headers: { "WWW-Authenticate": 'Bearer realm="opamp"' },
    message: "missing or unknown enrollment token",
  };
}

/** The OpAMP server and a way to wait for fleet work it started. */
export interface OpampEndpoint {
  readonly server: OpampServer;
  /** Resolves once every disconnect the server reported has been stored. */
  settled(): Promise<void>;
}

/** Creates the endpoint; call `server.listen()` or `server.attach()` next. */
export function createOpampEndpoint(options: OpampEndpointOptions): OpampEndpoint {
  const { fleet, logger } = options;
  const pending = new Set<Promise<void>>();
  const server = new OpampServer({
    capabilities: CONTROL_PLANE_CAPABILITIES,
    limits: { maxReceiveBytes: options.maxMessageBytes },
    logger,
    duplicateInstanceUid: "close-previous",
    http: { agentTimeoutMs: 2 * options.heartbeatIntervalSeconds * 1000 },
    onConnecting: (request) => admitAgent(request, options.enrollmentTokens),
    onMessage: (conn, msg) => fleet.handleMessage(conn, msg),
    onDisconnected: (conn) => {
      const p = fleet
        .handleDisconnected(conn)
        .catch((error: unknown) =>
          logger.error("recording a disconnect failed", { error: String(error) }),
        )
        .finally(() => pending.delete(p));
      pending.add(p);
    },
  });
  return {
    server,
    settled: async () => {
      while (pending.size > 0) await Promise.all([...pending]);
      await fleet.drain();
    },
  };
}
