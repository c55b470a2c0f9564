/**
 * The HTTP listener's application: REST API under `/api/v1` (admin bearer
 * token on every route), OpenAPI document, SSE, Prometheus `/metrics`,
 * `/healthz`, and the web UI at `/`.
 */
import { existsSync } from "node:fs";
import fastifyStatic from "@fastify/static";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyBaseLogger, type FastifyError } from "fastify";
import { ControlPlaneError } from "../errors.js";
import type { Fleet } from "../fleet/fleet.js";
import type { Metrics } from "../metrics.js";
import type { JsonValue, Storage } from "../storage/types.js";
import { adminAuth } from "./auth.js";
import type { ApiApp } from "./context.js";
import { buildOpenApi, collectRoutes } from "./openapi.js";
import { PLACEHOLDER_PAGE } from "./placeholder-page.js";
import { registerAgentRoutes } from "./routes-agents.js";
import { registerConfigurationRoutes } from "./routes-configurations.js";
import { registerEventRoutes } from "./routes-events.js";
import { registerNodeRoutes } from "./routes-nodes.js";
import { registerSettingsRoutes } from "./routes-settings.js";
import { ErrorResponse } from "./schemas.js";

/** What the API needs. */
export interface ApiOptions {
  readonly fleet: Fleet;
  readonly storage: Storage;
  readonly metrics: Metrics;
  readonly adminToken: string;
  /** Largest accepted request body; larger → 413. */
  readonly bodyLimitBytes: number;
  /** Built web UI (`apps/ui/dist`); a placeholder page is served when missing. */
  readonly uiDir?: string | undefined;
  readonly logger?: FastifyBaseLogger | undefined;
  readonly version: string;
  /** A node without a heartbeat for this long shows as not live in `/api/v1/nodes`. Default 30 s. */
  readonly nodeTimeoutMs?: number;
}

const STATUS_BY_CODE: Record<string, number> = {
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_SELECTOR: 400,
  INVALID_CONFIG: 400,
};

const REASON: Record<number, string> = {
  400: "Bad Request",
  404: "Not Found",
  409: "Conflict",
  413: "Payload Too Large",
  500: "Internal Server Error",
};

/** Builds (but does not start) the HTTP application. `closeStreams` ends open SSE streams. */
export async function buildApi(
  options: ApiOptions,
): Promise<{ app: ApiApp; closeStreams: () => void }> {
  const app = Fastify({
    bodyLimit: options.bodyLimitBytes,
    ...(options.logger !== undefined ? { loggerInstance: options.logger } : { logger: false }),
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as ApiApp;

  app.setErrorHandler((error: FastifyError | ControlPlaneError, request, reply) => {
    if (error instanceof ControlPlaneError && error.code in STATUS_BY_CODE) {
      const status = STATUS_BY_CODE[error.code]!;
      return reply.code(status).send({
        statusCode: status,
        error: REASON[status],
        message: error.message,
        ...error.location,
      });
    }
    const status = (error as FastifyError).statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, "request failed");
    return reply.code(status).send({
      statusCode: status,
      error: REASON[status] ?? "Error",
      message: status >= 500 ? "internal error" : error.message,
    });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      statusCode: 404,
      error: "Not Found",
      message: `no route ${request.method} ${request.url.split("?")[0]}`,
    }),
  );

  const routes = collectRoutes(app as never);
  app.addHook("onRequest", adminAuth(options.adminToken));

  const ctx = {
    fleet: options.fleet,
    storage: options.storage,
    metrics: options.metrics,
    audit: async (action: string, target: string, details: JsonValue) => {
      await options.storage.appendAudit({ actor: "admin", action, target, details });
    },
  };
  registerAgentRoutes(app, ctx);
  registerConfigurationRoutes(app, ctx);
  registerSettingsRoutes(app, ctx);
  registerNodeRoutes(app, ctx, options.nodeTimeoutMs ?? 30_000);
  const closeStreams = registerEventRoutes(app, ctx);

  app.get(
    "/metrics",
    { config: { summary: "Prometheus metrics (text format)" } },
    async (_request, reply) =>
      reply.type("text/plain; version=0.0.4").send(options.metrics.render(options.fleet.gauges())),
  );
  app.get("/healthz", { config: { public: true } }, async () => ({ status: "ok" }));
  app.get("/api/v1/openapi.json", { config: { summary: "This document" } }, async () =>
    buildOpenApi(routes, options.version, ErrorResponse),
  );

  if (options.uiDir !== undefined && existsSync(options.uiDir)) {
    await app.register(fastifyStatic, { root: options.uiDir, prefix: "/", decorateReply: false });
  } else {
    app.get("/", { config: { public: true } }, async (_request, reply) =>
      reply.type("text/html").send(PLACEHOLDER_PAGE),
    );
  }
  return { app, closeStreams };
}
