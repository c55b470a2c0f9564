/**
 * `/api/v1/nodes`: the control-plane processes sharing the database, with
 * their heartbeats, so an operator sees which nodes are alive and which one
 * answered.
 */
import { Type } from "typebox";
import type { ApiApp, ApiContext } from "./context.js";
import { NodeSchema } from "./schemas.js";

/** Registers the node routes; `timeoutMs` is the node heartbeat timeout. */
export function registerNodeRoutes(app: ApiApp, ctx: ApiContext, timeoutMs: number): void {
  app.get(
    "/api/v1/nodes",
    {
      config: {
        summary: "Control-plane nodes sharing this database",
        responses: {
          200: { description: "Nodes", schema: Type.Object({ nodes: Type.Array(NodeSchema) }) },
        },
      },
    },
    async () => ({ nodes: await ctx.fleet.listNodes(timeoutMs) }),
  );
}
