/**
 * `/api/v1/configurations` and `/api/v1/assignments`: named configurations
 * with immutable versions, bound to agents by label selector and priority.
 */
import { ControlPlaneError } from "../errors.js";
import type { ApiApp, ApiContext } from "./context.js";
import {
  AssignmentSchema,
  ConfigBody,
  ConfigurationSchema,
  IdParams,
  NewAssignmentBody,
  NewConfigurationBody,
  VersionParams,
  VersionSchema,
} from "./schemas.js";
import { requireSelector, requireValidConfig } from "./validate.js";

/** Registers configuration, version and assignment routes. */
export function registerConfigurationRoutes(app: ApiApp, ctx: ApiContext): void {
  const { storage, fleet } = ctx;
  const requireConfiguration = async (id: string) => {
    const config = await storage.getConfiguration(id);
    if (config === undefined) throw new ControlPlaneError("NOT_FOUND", `no configuration ${id}`);
    return config;
  };
  const requireVersion = async (configurationId: string, version: number) => {
    const found = await storage.getConfigurationVersion(configurationId, version);
    if (found === undefined) {
      throw new ControlPlaneError(
        "NOT_FOUND",
        `no version ${version} of configuration ${configurationId}`,
      );
    }
    return found;
  };

  app.post(
    "/api/v1/configurations",
    {
      schema: { body: NewConfigurationBody },
      config: {
        summary: "Create a configuration, optionally with its first version",
        responses: { 201: { description: "Created", schema: ConfigurationSchema } },
      },
    },
    async (request, reply) => {
      const { name, description, files } = request.body;
      if (files !== undefined) requireValidConfig(files);
      const created = await storage.createConfiguration({ name, description: description ?? "" });
      if (files !== undefined) await storage.addConfigurationVersion(created.id, files, "admin");
      await ctx.audit("configuration.create", created.id, { name });
      return reply.code(201).send(await requireConfiguration(created.id));
    },
  );

  app.get("/api/v1/configurations", { config: { summary: "List configurations" } }, async () => ({
    configurations: await storage.listConfigurations(),
  }));

  app.get(
    "/api/v1/configurations/:id",
    {
      schema: { params: IdParams },
      config: {
        summary: "One configuration",
        responses: { 200: { description: "The configuration", schema: ConfigurationSchema } },
      },
    },
    async (request) => requireConfiguration(request.params.id),
  );

  app.post(
    "/api/v1/configurations/:id/versions",
    {
      schema: { params: IdParams, body: ConfigBody },
      config: {
        summary: "Add an immutable version",
        responses: { 201: { description: "Created", schema: VersionSchema } },
      },
    },
    async (request, reply) => {
      await requireConfiguration(request.params.id);
      const files = requireValidConfig(request.body.files);
      const version = await storage.addConfigurationVersion(request.params.id, files, "admin");
      await ctx.audit("configuration.version.create", request.params.id, {
        version: version.version,
        hash: version.hash,
      });
      await fleet.reloadConfigurations();
      return reply.code(201).send(version);
    },
  );

  app.get(
    "/api/v1/configurations/:id/versions",
    { schema: { params: IdParams }, config: { summary: "List versions" } },
    async (request) => {
      await requireConfiguration(request.params.id);
      return { versions: await storage.listConfigurationVersions(request.params.id) };
    },
  );

  app.get(
    "/api/v1/configurations/:id/versions/:version",
    {
      schema: { params: VersionParams },
      config: {
        summary: "One version",
        responses: { 200: { description: "The version", schema: VersionSchema } },
      },
    },
    async (request) => requireVersion(request.params.id, request.params.version),
  );

  app.post(
    "/api/v1/assignments",
    {
      schema: { body: NewAssignmentBody },
      config: {
        summary: "Assign a configuration by label selector",
        responses: { 201: { description: "Created", schema: AssignmentSchema } },
      },
    },
    async (request, reply) => {
      const { configurationId, selector, priority } = request.body;
      requireSelector(selector);
      const config = await requireConfiguration(configurationId);
      const version = request.body.version ?? null;
      if (version !== null) await requireVersion(configurationId, version);
      if (version === null && config.latestVersion === 0) {
        throw new ControlPlaneError("CONFLICT", "the configuration has no version yet");
      }
      const assignment = await storage.createAssignment({
        configurationId,
        version,
        selector,
        priority: priority ?? 0,
      });
      await ctx.audit("assignment.create", assignment.id, {
        configurationId,
        version,
        selector,
        priority: assignment.priority,
      });
      await fleet.reloadConfigurations();
      return reply.code(201).send(assignment);
    },
  );

  app.get("/api/v1/assignments", { config: { summary: "List assignments" } }, async () => ({
    assignments: await storage.listAssignments(),
  }));

  app.delete(
    "/api/v1/assignments/:id",
    {
      schema: { params: IdParams },
      config: { summary: "Unassign", responses: { 204: { description: "Removed" } } },
    },
    async (request, reply) => {
      if (!(await storage.deleteAssignment(request.params.id))) {
        throw new ControlPlaneError("NOT_FOUND", `no assignment ${request.params.id}`);
      }
      await ctx.audit("assignment.delete", request.params.id, null);
      await fleet.reloadConfigurations();
      return reply.code(204).send();
    },
  );
}
