/**
 * Server-sent event streams for live views: `/api/v1/events` (every fleet
 * event) and `/api/v1/agents/{id}/messages/stream` (one agent's custom
 * message replies). Streams end when the server closes.
 */
import type { FastifyReply } from "fastify";
import type { FleetEvent } from "../fleet/events.js";
import type { ApiApp, ApiContext } from "./context.js";
import { AgentIdParams } from "./schemas.js";

const KEEPALIVE_MS = 15_000;

/** Registers the SSE routes; returns a function ending every open stream. */
export function registerEventRoutes(app: ApiApp, ctx: ApiContext): () => void {
  const open = new Set<() => void>();

  const stream = (reply: FastifyReply, accept: (e: FleetEvent) => boolean): void => {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    raw.write(": connected\n\n");
    const unsubscribe = ctx.fleet.events.subscribe((event) => {
      if (accept(event)) raw.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    });
    const keepalive = setInterval(() => raw.write(": keepalive\n\n"), KEEPALIVE_MS);
    keepalive.unref();
    const end = (): void => {
      clearInterval(keepalive);
      unsubscribe();
      open.delete(end);
      if (!raw.writableEnded) raw.end();
    };
    open.add(end);
    raw.on("close", end);
  };

  app.get(
    "/api/v1/events",
    {
      config: {
        tokenInQuery: true,
        summary:
          "Server-sent events: agent.connected, agent.changed, agent.disconnected, agent.renamed, agent.configStatus, agent.customMessage",
        responses: { 200: { description: "text/event-stream" } },
      },
    },
    async (_request, reply) => stream(reply, () => true),
  );

  app.get(
    "/api/v1/agents/:id/messages/stream",
    {
      schema: { params: AgentIdParams },
      config: {
        tokenInQuery: true,
        summary: "Server-sent events: the agent's custom message replies",
        responses: { 200: { description: "text/event-stream" } },
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      stream(reply, (e) => e.type === "agent.customMessage" && e.agentId === id);
    },
  );

  return () => {
    for (const end of [...open]) end();
  };
}
