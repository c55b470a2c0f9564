/**
 * What every route module gets: the typed Fastify instance, the fleet, the
 * storage and an audit helper.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import type { Fleet } from "../fleet/fleet.js";
import type { Metrics } from "../metrics.js";
import type { JsonValue, Storage } from "../storage/types.js";

/** The Fastify instance with TypeBox typing. */
export type ApiApp = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** Shared services of the REST API. */
export interface ApiContext {
  readonly fleet: Fleet;
  readonly storage: Storage;
  readonly metrics: Metrics;
  /** Records a change in the audit log; the actor is the admin token holder. */
  audit(action: string, target: string, details: JsonValue): Promise<void>;
}
