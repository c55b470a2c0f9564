import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { OpampClient } from "@opamp-ts/client";
import { formatInstanceUid } from "@opamp-ts/protocol";
import { configHash, toHex } from "../config-files.js";
import { BACKENDS, type TestDatabase } from "../test-support/backends.js";
import { spawnCli } from "../test-support/cli-process.js";
import { COLLECTOR_CAPABILITIES } from "../test-support/messages.js";
import { type RunningServer, startTestServer } from "../test-support/running-server.js";
import { openSse } from "../test-support/sse.js";
import { waitFor } from "../test-support/wait.js";

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const ECHO = "io.opamp-ts.test.echo";
const postgres = BACKENDS.find((b) => b.name === "postgres")!;

/** A real client that applies every config, answers custom messages and records commands. */
function agent(endpoint: string, name: string) {
  const applied: string[] = [];
  const commands: number[] = [];
  const client = new OpampClient({
    endpoint,
    capabilities: COLLECTOR_CAPABILITIES,
    agentDescription: { identifyingAttributes: { "service.name": name } },
    customCapabilities: [ECHO],
    heartbeatIntervalSeconds: 1,
    logger: silent,
    onRemoteConfig: (config) => {
      applied.push(toHex(config.configHash));
      return { status: "applied" };
    },
  });
  client.on("command", (c) => commands.push(c.type));
  client.on("customMessage", (m) => {
    void client.sendCustomMessage({ capability: ECHO, type: "pong", data: m.data });
  });
  return { client, applied, commands, id: () => formatInstanceUid(client.instanceUid) };
}

async function agentOn(server: RunningServer, id: string) {
  const res = await server.api("GET", `/agents/${id}`);
  return res.status === 200 ? res.body : undefined;
}

describe("several nodes on one PostgreSQL database", () => {
  let db: TestDatabase;
  let a: RunningServer;
  let b: RunningServer;
  before(async () => {
    db = await postgres.create();
    a = await startTestServer(db, { nodeId: "node-a", nodeTimeoutSeconds: 10 });
    b = await startTestServer(db, { nodeId: "node-b", nodeTimeoutSeconds: 10 });
  });
  after(async () => {
    await b.handle.close();
    await a.handle.close();
    db.cleanup();
  });

  test("both nodes list each other as live nodes", async () => {
    const nodes = await waitFor("two live nodes", async () => {
      const res = await a.api("GET", "/nodes");
      const live = (res.body.nodes as { id: string; live: boolean }[]).filter((n) => n.live);
      return live.length === 2 ? res.body.nodes : undefined;
    });
    assert.deepEqual(
      nodes.map((n: { id: string; self: boolean }) => [n.id, n.self]),
      [
        ["node-a", true],
        ["node-b", false],
      ],
    );
  });

  test("S-12 a config pushed through node A reaches an agent on node B, which reports APPLIED on both nodes; A's event stream sees B's agent", async () => {
    const stream = await openSse(`${a.handle.apiUrl}/events?access_token=${a.handle.adminToken}`);
    const x = agent(b.handle.opampUrl, "multi-config");
    await x.client.start();
    try {
      const id = x.id();
      const connected = await stream.next(
        "agent.connected of B's agent on A's stream",
        (e) => e.event === "agent.connected" && e.data.agentId === id,
      );
      assert.equal(connected.data.agent.nodeId, "node-b");
      const onA = await waitFor("the agent on node A", async () => {
        const shown = await agentOn(a, id);
        return shown?.connected === true ? shown : undefined;
      });
      assert.equal(onA.nodeId, "node-b");

      const files = { "collector.yaml": { body: "pushed: via-a\n", contentType: "text/yaml" } };
      const put = await a.api("PUT", `/agents/${id}/config`, { files });
      assert.equal(put.status, 200);
      assert.equal(put.body.configHash, configHash(files));
      await waitFor("the config at the agent", () =>
        x.applied.includes(put.body.configHash) ? true : undefined,
      );
      for (const [name, node] of [
        ["A", a],
        ["B", b],
      ] as const) {
        await waitFor(`APPLIED on node ${name}`, async () => {
          const s = (await agentOn(node, id))?.remoteConfigStatus;
          return s?.status === "APPLIED" && s.configHash === put.body.configHash ? true : undefined;
        });
      }
      await stream.next(
        "the APPLIED status on A's stream",
        (e) =>
          e.event === "agent.configStatus" &&
          e.data.agentId === id &&
          e.data.status.status === "APPLIED",
      );
    } finally {
      stream.close();
      await x.client.stop();
    }
  });

  test("S-12 labels set and an assignment created through node A change the config of an agent on node B", async () => {
    const x = agent(b.handle.opampUrl, "multi-labels");
    await x.client.start();
    try {
      const id = x.id();
      await waitFor("the agent on node A", async () =>
        (await agentOn(a, id))?.connected === true ? true : undefined,
      );
      const files = { "collector.yaml": { body: "tier: gold\n", contentType: "text/yaml" } };
      const config = await a.api("POST", "/configurations", { name: "multi-gold", files });
      assert.equal(config.status, 201);
      const assignment = await a.api("POST", "/assignments", {
        configurationId: config.body.id,
        selector: "tier=gold",
        priority: 3,
      });
      assert.equal(assignment.status, 201);
      assert.equal(x.applied.includes(configHash(files)), false, "no label yet, no match");
      const labels = await a.api("PUT", `/agents/${id}/labels`, { labels: { tier: "gold" } });
      assert.equal(labels.status, 200);
      await waitFor("APPLIED from the assignment on node B", async () => {
        const s = (await agentOn(b, id))?.remoteConfigStatus;
        return s?.status === "APPLIED" && s.configHash === configHash(files) ? true : undefined;
      });
      const onB = await agentOn(b, id);
      assert.equal(onB.desiredConfig.source, "assignment");
      assert.equal(onB.userLabels.tier, "gold");
    } finally {
      await x.client.stop();
    }
  });

  test("S-19 S-22 a restart and a custom message sent through node A reach an agent on node B; the reply shows on A", async () => {
    const x = agent(b.handle.opampUrl, "multi-commands");
    await x.client.start();
    try {
      const id = x.id();
      await waitFor("the custom capability on node A", async () => {
        const shown = await agentOn(a, id);
        return shown?.connected === true && shown.customCapabilities.includes(ECHO)
          ? true
          : undefined;
      });
      const restart = await a.api("POST", `/agents/${id}/restart`);
      assert.equal(restart.status, 202);
      await waitFor("the restart command at the agent", () =>
        x.commands.includes(0) ? true : undefined,
      );
      const stream = await openSse(
        `${a.handle.apiUrl}/agents/${id}/messages/stream?access_token=${a.handle.adminToken}`,
      );
      try {
        const sent = await a.api("POST", `/agents/${id}/messages`, {
          capability: ECHO,
          type: "ping",
          data: Buffer.from("across nodes").toString("base64"),
        });
        assert.equal(sent.status, 202);
        const reply = await stream.next("the reply on node A", () => true);
        assert.equal(reply.data.messageType, "pong");
        assert.equal(Buffer.from(reply.data.data, "base64").toString(), "across nodes");
      } finally {
        stream.close();
      }
    } finally {
      await x.client.stop();
    }
  });

  test("S-23 an agent that leaves node B shows disconnected on node A", async () => {
    const x = agent(b.handle.opampUrl, "multi-leaving");
    await x.client.start();
    const id = x.id();
    await waitFor("the agent on node A", async () =>
      (await agentOn(a, id))?.connected === true ? true : undefined,
    );
    await x.client.stop();
    await waitFor("disconnected on node A", async () =>
      (await agentOn(a, id))?.connected === false ? true : undefined,
    );
  });
});

describe("node failure and restart on one PostgreSQL database", () => {
  let db: TestDatabase;
  before(async () => {
    db = await postgres.create();
  });
  after(() => db.cleanup());

  const cliArgs = (nodeId: string, timeout: number) => [
    "--opamp-address",
    "127.0.0.1:0",
    "--http-address",
    "127.0.0.1:0",
    "--data-dir",
    db.dataDir,
    "--database-url",
    db.databaseUrl!,
    "--admin-token",
    "cluster-token",
    "--node-id",
    nodeId,
    "--node-timeout",
    String(timeout),
  ];

  test("S-23 a killed node's agents are marked disconnected by a live node after the node timeout", async () => {
    const a = await startTestServer(db, { nodeId: "survivor", nodeTimeoutSeconds: 2 });
    const b = await spawnCli(cliArgs("victim", 2));
    const x = agent(b.opampUrl, "on-victim");
    try {
      await x.client.start();
      const id = x.id();
      const stream = await openSse(`${a.handle.apiUrl}/events?access_token=${a.handle.adminToken}`);
      try {
        const shown = await waitFor("the victim's agent on the survivor", async () => {
          const s = await agentOn(a, id);
          return s?.connected === true ? s : undefined;
        });
        assert.equal(shown.nodeId, "victim");
        b.child.kill("SIGKILL");
        await b.exited;
        await stream.next(
          "agent.disconnected on the survivor's stream",
          (e) => e.event === "agent.disconnected" && e.data.agentId === id,
        );
        const after = await agentOn(a, id);
        assert.equal(after.connected, false);
        const nodes = await a.api("GET", "/nodes");
        const victim = nodes.body.nodes.find((n: { id: string }) => n.id === "victim");
        assert.equal(victim.live, false);
      } finally {
        stream.close();
      }
    } finally {
      await x.client.stop();
      b.child.kill("SIGKILL");
      await a.handle.close();
    }
  });

  test("a restarting node marks only its own previous agents disconnected", async () => {
    const a = await startTestServer(db, { nodeId: "steady", nodeTimeoutSeconds: 3600 });
    const onA = agent(a.handle.opampUrl, "on-steady");
    let restarted: RunningServer | undefined;
    const b = await spawnCli(cliArgs("restarting", 3600));
    const onB = agent(b.opampUrl, "on-restarting");
    try {
      await onA.client.start();
      await onB.client.start();
      for (const x of [onA, onB]) {
        await waitFor("both agents connected on the steady node", async () =>
          (await agentOn(a, x.id()))?.connected === true ? true : undefined,
        );
      }
      b.child.kill("SIGKILL");
      await b.exited;
      await onB.client.stop();
      const stale = await agentOn(a, onB.id());
      assert.equal(stale.connected, true, "nobody noticed yet: the node timeout is an hour");

      restarted = await startTestServer(db, { nodeId: "restarting", nodeTimeoutSeconds: 3600 });
      const seenByRestarted = await agentOn(restarted, onB.id());
      assert.equal(seenByRestarted.connected, false, "its own previous session is gone");
      assert.equal((await agentOn(restarted, onA.id())).connected, true, "the other node's agent");
      await waitFor("the steady node to learn of the restart", async () =>
        (await agentOn(a, onB.id()))?.connected === false ? true : undefined,
      );
      assert.equal((await agentOn(a, onA.id())).connected, true);
    } finally {
      await onA.client.stop();
      await onB.client.stop();
      b.child.kill("SIGKILL");
      await restarted?.handle.close();
      await a.handle.close();
    }
  });
});
