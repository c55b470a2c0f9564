/**
 * Benchmark target (a): the bare `@opamp-ts/server` library in its own
 * process, doing what a minimal management server does: keep every agent's
 * state (the library's tracker), answer every message, offer the current
 * remote config to agents that have not applied it (S-12) and push a new one
 * to every connected agent on request. A loopback JSON control API on another
 * port reports counts and takes pushes. Prints one JSON line with its URLs.
 *
 *   node --conditions=source --import tsx bench/src/targets/library-server.ts [--port N]
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import {
  AgentCapabilities,
  type AgentRemoteConfig,
  hasBit,
  ServerCapabilities,
} from "@opamp-ts/protocol";
import {
  type AgentConnection,
  createRemoteConfig,
  OpampServer,
  remoteConfigNeeded,
  type ServerToAgentInit,
} from "@opamp-ts/server";
import { nowMs } from "../lib/clock.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    host: { type: "string", default: "127.0.0.1" },
    // Experiment: mount on an own node:http server listening with this accept
    // backlog (listen() uses Node's default of 511) to measure its effect.
    backlog: { type: "string" },
  },
});

let current: AgentRemoteConfig | undefined;
const connections = new Set<AgentConnection>();

const server: OpampServer = new OpampServer({
  capabilities:
    BigInt(ServerCapabilities.ServerCapabilities_OffersRemoteConfig) |
    BigInt(ServerCapabilities.ServerCapabilities_AcceptsEffectiveConfig),
  websocket: { pingIntervalMs: 30_000 },
  onConnected: (conn) => {
    connections.add(conn);
  },
  onDisconnected: (conn) => {
    connections.delete(conn);
  },
  onMessage: (_conn, msg): ServerToAgentInit | undefined => {
    if (current === undefined) return undefined;
    if (!hasBit(msg.capabilities, AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig))
      return undefined;
    const agent = server.agents.get(msg.instanceUid);
    return agent !== undefined && remoteConfigNeeded(agent.remoteConfigStatus, current)
      ? { remoteConfig: current }
      : undefined;
  },
});

/** What a push did; `writeMs` are commit→socket-write times measured inside the server. */
interface PushResult {
  hash: string;
  sent: number;
  failed: number;
  writeMs: number[];
}

async function push(files: Record<string, string>): Promise<PushResult> {
  const committed = nowMs();
  const encoder = new TextEncoder();
  const configMap: Record<string, { body: Uint8Array; contentType: string }> = {};
  for (const [name, body] of Object.entries(files)) {
    configMap[name] = { body: encoder.encode(body), contentType: "text/yaml" };
  }
  const config = createRemoteConfig({ configMap });
  current = config;
  let sent = 0;
  let failed = 0;
  const writeMs: number[] = [];
  await Promise.all(
    [...connections].map((conn) =>
      conn.send({ remoteConfig: config }).then(
        () => {
          sent++;
          writeMs.push(nowMs() - committed);
        },
        () => {
          failed++;
        },
      ),
    ),
  );
  return { hash: Buffer.from(config.configHash).toString("hex"), sent, failed, writeMs };
}

const control = createServer((req, res) => {
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
  };
  if (req.method === "GET" && req.url === "/stats") {
    const m = server.metrics();
    reply(200, {
      connections: m.transports.websocket.connectionsCurrent + m.transports.http.connectionsCurrent,
      agents: m.agentsTracked,
      messages: m.transports.websocket.messagesReceived + m.transports.http.messagesReceived,
      errors: m.errors,
      memory: process.memoryUsage(),
    });
    return;
  }
  if (req.method === "POST" && req.url === "/push") {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let files: Record<string, string>;
      try {
        files = (
          JSON.parse(Buffer.concat(chunks).toString("utf8")) as { files: Record<string, string> }
        ).files;
      } catch {
        reply(400, { error: "body must be {files: {name: text}}" });
        return;
      }
      push(files).then(
        (result) => reply(200, result),
        (error: unknown) => reply(500, { error: String(error) }),
      );
    });
    return;
  }
  reply(404, { error: "not found" });
});

async function listenOpamp(): Promise<{ url: string; httpUrl: string; close?: () => void }> {
  if (values.backlog === undefined)
    return server.listen({ host: values.host, port: Number(values.port) });
  const http = createServer({ headersTimeout: 30_000, requestTimeout: 0 });
  server.attach(http);
  http.listen({ host: values.host, port: Number(values.port), backlog: Number(values.backlog) });
  await new Promise((resolve) => http.once("listening", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `ws://${values.host}:${port}${server.path}`,
    httpUrl: `http://${values.host}:${port}${server.path}`,
    close: () => {
      http.closeAllConnections();
      http.close();
    },
  };
}

const listening = await listenOpamp();
control.listen(0, "127.0.0.1");
await new Promise((resolve) => control.once("listening", resolve));
process.stdout.write(
  `${JSON.stringify({
    event: "listening",
    opampUrl: listening.url,
    opampHttpUrl: listening.httpUrl,
    controlUrl: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
  })}\n`,
);

const shutdown = () => {
  control.close();
  server
    .close()
    .finally(() => listening.close?.())
    .then(
      () => process.exit(0),
      () => process.exit(1),
    );
};
process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);
