/**
 * The OpenAPI 3.1 document of the REST API, generated from the routes'
 * TypeBox schemas as Fastify registers them, so it cannot drift from what
 * the server validates.
 */
import type { FastifyInstance, RouteOptions } from "fastify";

/** Route config read here: the success responses to document. */
export interface OpenApiRouteConfig {
  readonly summary?: string;
  readonly responses?: Readonly<
    Record<number, { readonly description: string; readonly schema?: unknown }>
  >;
}

interface Collected {
  readonly method: string;
  readonly url: string;
  readonly schema: Record<string, unknown> | undefined;
  readonly config: OpenApiRouteConfig | undefined;
}

function toOpenApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}

function parameters(schema: unknown, where: "path" | "query"): unknown[] {
  const s = schema as { properties?: Record<string, unknown>; required?: string[] } | undefined;
  if (s?.properties === undefined) return [];
  return Object.entries(s.properties).map(([name, prop]) => ({
    name,
    in: where,
    required: where === "path" || (s.required ?? []).includes(name),
    schema: prop,
  }));
}

/** Collects routes as they are added; call before registering any route. */
export function collectRoutes(app: FastifyInstance): Collected[] {
  const routes: Collected[] = [];
  app.addHook("onRoute", (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === "HEAD" || (!route.url.startsWith("/api/") && route.url !== "/metrics"))
        continue;
      routes.push({
        method: method.toLowerCase(),
        url: route.url,
        schema: route.schema as Record<string, unknown> | undefined,
        config: route.config as OpenApiRouteConfig | undefined,
      });
    }
  });
  return routes;
}

/** Builds the document from collected routes. */
export function buildOpenApi(
  routes: readonly Collected[],
  version: string,
  errorSchema: unknown,
): Record<string, unknown> {
  const error = (description: string) => ({
    description,
    content: { "application/json": { schema: errorSchema } },
  });
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = toOpenApiPath(route.url);
    const responses: Record<string, unknown> = {
      "401": error("Missing or wrong admin token"),
    };
    for (const [code, r] of Object.entries(
      route.config?.responses ?? { 200: { description: "OK" } },
    )) {
      responses[code] =
        r.schema === undefined
          ? { description: r.description }
          : { description: r.description, content: { "application/json": { schema: r.schema } } };
    }
    if (route.schema?.body !== undefined) {
      responses["400"] = error("Invalid JSON, YAML, selector or field");
      responses["413"] = error("Body too large");
    }
    if (route.url.includes(":id")) responses["404"] = error("Unknown id");
    paths[path] ??= {};
    paths[path][route.method] = {
      summary: route.config?.summary,
      parameters: [
        ...parameters(route.schema?.params, "path"),
        ...parameters(route.schema?.querystring, "query"),
      ],
      ...(route.schema?.body !== undefined
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: route.schema.body } },
            },
          }
        : {}),
      responses,
      security: [{ bearer: [] }],
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "opamp-server REST API", version },
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    paths,
  };
}
