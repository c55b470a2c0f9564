/**
 * Admin bearer-token authentication for every REST route and `/metrics`
 * (401 without it); the web UI's static files are public.
 * Compared in constant time. Browsers' EventSource cannot send headers, so
 * routes marked `config.tokenInQuery` (the event streams) also accept the
 * token as `?access_token=`.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** True when `presented` equals `expected`, in constant time. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  return timingSafeEqual(digest(presented), digest(expected));
}

/** The bearer token of an `Authorization` header, if any. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1];
}

/** Route config flags this module reads. */
export interface AuthRouteConfig {
  /** Also accept `?access_token=` (SSE from browsers). */
  readonly tokenInQuery?: boolean;
  /** No token needed (health check, UI). */
  readonly public?: boolean;
}

/** A Fastify `onRequest` hook refusing requests without the admin token. */
export function adminAuth(adminToken: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const config = request.routeOptions.config as AuthRouteConfig | undefined;
    const path = request.url.split("?")[0] ?? "";
    if (config?.public === true || !(path.startsWith("/api/") || path === "/metrics")) return;
    let presented = bearerToken(request.headers.authorization);
    if (presented === undefined && config?.tokenInQuery === true) {
      const fromQuery = (request.query as Record<string, unknown> | undefined)?.access_token;
      if (typeof fromQuery === "string") presented = fromQuery;
    }
    if (!tokenMatches(presented, adminToken)) {
      await reply
        .code(401)
        .header("www-authenticate", 'Bearer realm="opamp-server"')
        .send({ statusCode: 401, error: "Unauthorized", message: "missing or wrong admin token" });
    }
  };
}
