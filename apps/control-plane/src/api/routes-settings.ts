/**
 * `/api/v1/telemetry-destinations` (own-telemetry settings offered by
 * selector, S-13) and `/api/v1/audit` (who changed what, when).
 */

import { Type } from "typebox";
import { ControlPlaneError } from "../errors.js";
import type { TelemetryEndpoint } from "../storage/types.js";
import type { ApiApp, ApiContext } from "./context.js";
import { AuditEntrySchema, AuditQuery, IdParams, NewTelemetryDestinationBody } from "./schemas.js";
import { requireSelector } from "./validate.js";

function endpoint(
  input: { endpoint: string; headers?: Record<string, string> } | null | undefined,
): TelemetryEndpoint | null {
  return input == null ? null : { endpoint: input.endpoint, headers: input.headers ?? {} };
}

/** Registers telemetry-destination and audit routes. */
export function registerSettingsRoutes(app: ApiApp, ctx: ApiContext): void {
  const { storage, fleet } = ctx;

  app.post(
    "/api/v1/telemetry-destinations",
    {
      schema: { body: NewTelemetryDestinationBody },
      config: {
        summary: "Offer own-telemetry destinations to agents matching a selector",
        responses: { 201: { description: "Created" } },
      },
    },
    async (request, reply) => {
      const body = request.body;
      requireSelector(body.selector);
      const destination = await storage.createTelemetryDestination({
        name: body.name,
        selector: body.selector,
        priority: body.priority ?? 0,
        metrics: endpoint(body.metrics),
        logs: endpoint(body.logs),
        traces: endpoint(body.traces),
      });
      await ctx.audit("telemetry-destination.create", destination.id, {
        name: body.name,
        selector: body.selector,
      });
      await fleet.reloadDestinations();
      return reply.code(201).send(destination);
    },
  );

  app.get(
    "/api/v1/telemetry-destinations",
    { config: { summary: "List own-telemetry destinations" } },
    async () => ({
      destinations: await storage.listTelemetryDestinations(),
    }),
  );

  app.delete(
    "/api/v1/telemetry-destinations/:id",
    {
      schema: { params: IdParams },
      config: { summary: "Remove a destination", responses: { 204: { description: "Removed" } } },
    },
    async (request, reply) => {
      if (!(await storage.deleteTelemetryDestination(request.params.id))) {
        throw new ControlPlaneError("NOT_FOUND", `no telemetry destination ${request.params.id}`);
      }
      await ctx.audit("telemetry-destination.delete", request.params.id, null);
      await fleet.reloadDestinations();
      return reply.code(204).send();
    },
  );

  app.get(
    "/api/v1/audit",
    {
      schema: { querystring: AuditQuery },
      config: {
        summary: "The audit log, newest first",
        responses: {
          200: {
            description: "Entries",
            schema: Type.Object({ entries: Type.Array(AuditEntrySchema) }),
          },
        },
      },
    },
    async (request) => ({
      entries: await storage.listAudit({
        limit: request.query.limit ?? 100,
        ...(request.query.before !== undefined ? { before: request.query.before } : {}),
      }),
    }),
  );
}
