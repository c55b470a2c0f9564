/**
 * `/api/v1/agents`: the inventory, per-agent config override, labels,
 * restart and custom messages.
 */
import { ControlPlaneError } from "../errors.js";
import type { CommandResult } from "../fleet/fleet.js";
import { applyAgentQuery, parseAgentQuery } from "./agent-query.js";
import type { ApiApp, ApiContext } from "./context.js";
import type { AgentOverride, AgentPage, ErrorBody } from "./json-types.js";
import {
  AgentIdParams,
  AgentList,
  AgentListQuery,
  AgentOverrideSchema,
  AgentSchema,
  ConfigBody,
  ConfigHashResponse,
  CustomMessageBody,
  ErrorResponse,
  LabelsBody,
} from "./schemas.js";
import { requireSelector, requireValidConfig } from "./validate.js";

function commandError(result: CommandResult & { ok: false }): ControlPlaneError {
  return result.reason === "not_found"
    ? new ControlPlaneError("NOT_FOUND", result.message)
    : new ControlPlaneError("CONFLICT", result.message);
}

/** Registers the agent routes. */
export function registerAgentRoutes(app: ApiApp, ctx: ApiContext): void {
  const { fleet } = ctx;
  const requireAgent = (id: string) => {
    const agent = fleet.getAgent(id);
    if (agent === undefined) throw new ControlPlaneError("NOT_FOUND", `no agent ${id}`);
    return agent;
  };

  app.get(
    "/api/v1/agents",
    {
      schema: { querystring: AgentListQuery },
      config: {
        summary: "List agents: label selector, search, status filter, sort and paging",
        responses: {
          200: { description: "Agents", schema: AgentList },
          400: { description: "A query parameter is invalid", schema: ErrorResponse },
        },
      },
    },
    async (request, reply) => {
      const { selector: text, ...rest } = request.query;
      const selector = text === undefined ? undefined : requireSelector(text);
      const parsed = parseAgentQuery(rest);
      if (!parsed.ok) {
        return reply.code(400).send({
          statusCode: 400,
          error: "Bad Request",
          message: `querystring/${parsed.parameter}: ${parsed.message}`,
        } satisfies ErrorBody);
      }
      return applyAgentQuery(fleet.listAgents(selector), parsed.query) satisfies AgentPage;
    },
  );

  app.get(
    "/api/v1/agents/:id",
    {
      schema: { params: AgentIdParams },
      config: {
        summary: "One agent",
        responses: { 200: { description: "The agent", schema: AgentSchema } },
      },
    },
    async (request) => requireAgent(request.params.id),
  );

  app.get(
    "/api/v1/agents/:id/config-history",
    {
      schema: { params: AgentIdParams },
      config: { summary: "Remote config status history, newest first" },
    },
    async (request) => {
      requireAgent(request.params.id);
      return { history: await fleet.configStatusHistory(request.params.id) };
    },
  );

  app.get(
    "/api/v1/agents/:id/config",
    {
      schema: { params: AgentIdParams },
      config: {
        summary: "The agent's config override (404 when it has none)",
        responses: { 200: { description: "The override", schema: AgentOverrideSchema } },
      },
    },
    async (request) => {
      const { id } = request.params;
      requireAgent(id);
      const override = await ctx.storage.getOverride(id);
      if (override === undefined) {
        throw new ControlPlaneError(
          "NOT_FOUND",
          `agent ${id} has no config override; it runs the config of its assignments`,
        );
      }
      const body: AgentOverride = {
        files: override.files,
        hash: override.hash,
        updatedAt: override.updatedAt,
      };
      return body;
    },
  );

  app.put(
    "/api/v1/agents/:id/config",
    {
      schema: { params: AgentIdParams, body: ConfigBody },
      config: {
        summary: "Set the agent's config override and push it",
        responses: { 200: { description: "The new config hash", schema: ConfigHashResponse } },
      },
    },
    async (request) => {
      requireAgent(request.params.id);
      const files = requireValidConfig(request.body.files);
      const override = await fleet.setOverride(request.params.id, files);
      await ctx.audit("agent.config.set", request.params.id, {
        configHash: override.hash,
        files: Object.keys(files),
      });
      return { configHash: override.hash };
    },
  );

  app.delete(
    "/api/v1/agents/:id/config",
    {
      schema: { params: AgentIdParams },
      config: { summary: "Remove the override", responses: { 204: { description: "Removed" } } },
    },
    async (request, reply) => {
      requireAgent(request.params.id);
      await fleet.clearOverride(request.params.id);
      await ctx.audit("agent.config.clear", request.params.id, null);
      return reply.code(204).send();
    },
  );

  app.post(
    "/api/v1/agents/:id/config/retry",
    {
      schema: { params: AgentIdParams },
      config: {
        summary: "Push the desired config again although the agent reported it FAILED",
      },
    },
    async (request) => {
      requireAgent(request.params.id);
      const desired = await fleet.retryConfig(request.params.id);
      if (desired === undefined)
        throw new ControlPlaneError("CONFLICT", "the agent has no desired config");
      await ctx.audit("agent.config.retry", request.params.id, { configHash: desired.hash });
      return { configHash: desired.hash };
    },
  );

  app.put(
    "/api/v1/agents/:id/labels",
    {
      schema: { params: AgentIdParams, body: LabelsBody },
      config: { summary: "Replace the agent's user labels" },
    },
    async (request) => {
      requireAgent(request.params.id);
      const agent = await fleet.setLabels(request.params.id, request.body.labels);
      await ctx.audit("agent.labels.set", request.params.id, request.body.labels);
      return agent;
    },
  );

  app.post(
    "/api/v1/agents/:id/restart",
    {
      schema: { params: AgentIdParams },
      config: {
        summary: "Send a restart command (agents with AcceptsRestartCommand)",
        responses: { 202: { description: "Sent or queued" } },
      },
    },
    async (request, reply) => {
      const result = await fleet.restart(request.params.id);
      if (!result.ok) throw commandError(result);
      await ctx.audit("agent.restart", request.params.id, null);
      return reply.code(202).send({ status: "sent" });
    },
  );

  app.post(
    "/api/v1/agents/:id/messages",
    {
      schema: { params: AgentIdParams, body: CustomMessageBody },
      config: {
        summary: "Send a custom message for a custom capability the agent lists",
        responses: { 202: { description: "Sent or queued" } },
      },
    },
    async (request, reply) => {
      const { capability, type, data } = request.body;
      const result = await fleet.sendCustomMessage(request.params.id, {
        capability,
        type,
        data: new Uint8Array(Buffer.from(data, "base64")),
      });
      if (!result.ok) throw commandError(result);
      await ctx.audit("agent.message.send", request.params.id, { capability, type });
      return reply.code(202).send({ status: "sent" });
    },
  );
}
