import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  AgentCapabilities,
  type AgentRemoteConfig,
  type MessageInitShape,
  RemoteConfigStatuses,
  type ServerToAgentSchema,
} from "@opamp-ts/protocol";
import { FileStateStore, MemoryStateStore } from "./state-store.js";
import { caps, makeClient, TRANSPORTS, withEffect } from "./test-support/fixtures.js";
import { ScriptedServer } from "./test-support/scripted-server.js";

const REMOTE = caps(
  AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig,
  AgentCapabilities.AgentCapabilities_ReportsRemoteConfig,
  AgentCapabilities.AgentCapabilities_ReportsEffectiveConfig,
);
const enc = (text: string) => new TextEncoder().encode(text);
const offer = (body: string, hash: number): MessageInitShape<typeof ServerToAgentSchema> => ({
  remoteConfig: {
    config: { configMap: { "": { body: enc(body), contentType: "text/yaml" } } },
    configHash: new Uint8Array([hash]),
  },
});
const status =
  (s: RemoteConfigStatuses) => (m: { remoteConfigStatus?: { status: RemoteConfigStatuses } }) =>
    m.remoteConfigStatus?.status === s;

for (const transport of TRANSPORTS) {
  describe(`remote config over ${transport}`, () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), "opamp-client-rc-"));
    });
    after(() => rm(dir, { recursive: true, force: true }));

    test(`C-21 P-12 C-23 APPLYING then APPLIED with the received hash, and the new effective config (${transport})`, async () => {
      let current = "initial: true";
      let sent = false;
      const server = await new ScriptedServer({
        reply: () =>
          sent
            ? undefined
            : withEffect(
                () => {
                  sent = true;
                },
                offer("a: 1", 1),
              ),
      }).listen();
      const client = makeClient(server, transport, {
        capabilities: REMOTE,
        effectiveConfig: () => ({ configMap: { "": { body: enc(current) } } }),
        onRemoteConfig: (config) => {
          current = new TextDecoder().decode(config.config!.configMap[""]!.body);
          return { status: "applied" };
        },
      });
      await client.start();
      const applying = await server.waitFor(
        status(RemoteConfigStatuses.RemoteConfigStatuses_APPLYING),
      );
      assert.deepEqual([...applying.remoteConfigStatus!.lastRemoteConfigHash], [1]);
      const applied = await server.waitFor(
        status(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED),
      );
      assert.deepEqual([...applied.remoteConfigStatus!.lastRemoteConfigHash], [1]);
      const effective = await server.waitFor(
        (m) =>
          m.effectiveConfig !== undefined &&
          new TextDecoder().decode(m.effectiveConfig.configMap!.configMap[""]!.body) === "a: 1",
      );
      assert.ok(effective);
      await client.stop();
      await server.close();
    });

    test(`C-21 P-12 a failed config is reported FAILED with its hash and error message (${transport})`, async () => {
      let sent = false;
      const server = await new ScriptedServer({
        reply: () =>
          sent
            ? undefined
            : withEffect(
                () => {
                  sent = true;
                },
                offer("bad", 2),
              ),
      }).listen();
      const client = makeClient(server, transport, {
        capabilities: REMOTE,
        reportApplying: false,
        effectiveConfig: () => ({ configMap: {} }),
        onRemoteConfig: () => ({ status: "failed", errorMessage: "does not parse" }),
      });
      await client.start();
      const failed = await server.waitFor(status(RemoteConfigStatuses.RemoteConfigStatuses_FAILED));
      assert.deepEqual([...failed.remoteConfigStatus!.lastRemoteConfigHash], [2]);
      assert.equal(failed.remoteConfigStatus!.errorMessage, "does not parse");
      assert.equal(
        server.received.some((r) =>
          status(RemoteConfigStatuses.RemoteConfigStatuses_APPLYING)(r.message),
        ),
        false,
      );
      await client.stop();
      await server.close();
    });

    test(`C-21 C-15 C-13 the same hash again is not applied and not answered (${transport})`, async () => {
      let calls = 0;
      const server = await new ScriptedServer({ reply: () => offer("same", 3) }).listen();
      const client = makeClient(server, transport, {
        capabilities: REMOTE | caps(AgentCapabilities.AgentCapabilities_ReportsHealth),
        reportApplying: false,
        effectiveConfig: () => ({ configMap: {} }),
        onRemoteConfig: () => {
          calls++;
          return { status: "applied" };
        },
      });
      await client.start();
      await server.waitFor(status(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED));
      client.setHealth({ healthy: true, status: "marker" });
      const marker = await server.waitFor((m) => m.health?.status === "marker");
      const applied = server.received.find((r) =>
        status(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED)(r.message),
      )!;
      // Every reply re-offered hash 3, yet only status changes were reported.
      assert.equal(marker.sequenceNum, applied.message.sequenceNum + 1n);
      assert.equal(calls, 1);
      await client.stop();
      await server.close();
    });

    test(`C-40 C-21 local policy refuses a config before the handler sees it (${transport})`, async () => {
      let sent = false;
      let handled = false;
      const server = await new ScriptedServer({
        reply: () =>
          sent
            ? undefined
            : withEffect(
                () => {
                  sent = true;
                },
                offer("exec: /bin/sh", 4),
              ),
      }).listen();
      const client = makeClient(server, transport, {
        capabilities: REMOTE,
        effectiveConfig: () => ({ configMap: {} }),
        remoteConfigPolicy: (config: AgentRemoteConfig) =>
          new TextDecoder().decode(config.config!.configMap[""]!.body).includes("exec")
            ? { allowed: false, reason: "exec is not on the allow-list" }
            : { allowed: true },
        onRemoteConfig: () => {
          handled = true;
          return { status: "applied" };
        },
      });
      await client.start();
      const failed = await server.waitFor(status(RemoteConfigStatuses.RemoteConfigStatuses_FAILED));
      assert.match(failed.remoteConfigStatus!.errorMessage, /allow-list/);
      assert.equal(handled, false);
      await client.stop();
      await server.close();
    });

    test(`C-22 the last remote config and its status are persisted and reported first after a restart (${transport})`, async () => {
      const store = new FileStateStore(join(dir, `${transport}.json`));
      let sent = false;
      const server = await new ScriptedServer({
        reply: () =>
          sent
            ? undefined
            : withEffect(
                () => {
                  sent = true;
                },
                offer("kept: 1", 5),
              ),
      }).listen();
      const options = {
        capabilities: REMOTE,
        stateStore: store,
        effectiveConfig: () => ({ configMap: {} }),
        onRemoteConfig: () => ({ status: "applied" as const }),
      };
      const first = makeClient(server, transport, options);
      await first.start();
      await server.waitFor(status(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED));
      await first.stop();
      const restartAt = server.count;
      const second = makeClient(server, transport, options);
      await second.start();
      const report = await server.waitFor((_m, r) => server.received.indexOf(r) >= restartAt);
      assert.equal(
        report.remoteConfigStatus?.status,
        RemoteConfigStatuses.RemoteConfigStatuses_APPLIED,
      );
      assert.deepEqual([...report.remoteConfigStatus!.lastRemoteConfigHash], [5]);
      assert.ok(
        Buffer.from(report.instanceUid).equals(first.instanceUid),
        "C-1 instance uid kept across restarts",
      );
      assert.equal(
        new TextDecoder().decode(second.remoteConfig!.config!.configMap[""]!.body),
        "kept: 1",
      );
      await second.stop();
      await server.close();
    });

    test(`C-18 remote config is ignored without AcceptsRemoteConfig (${transport})`, async () => {
      const server = await new ScriptedServer({ reply: () => offer("x", 6) }).listen();
      const client = makeClient(server, transport, {
        capabilities: caps(
          AgentCapabilities.AgentCapabilities_ReportsRemoteConfig,
          AgentCapabilities.AgentCapabilities_ReportsHealth,
        ),
        stateStore: new MemoryStateStore(),
      });
      const connected = client.once("connected");
      await client.start();
      await connected;
      client.setHealth({ healthy: true, status: "m" });
      const marker = await server.waitFor((m) => m.health?.status === "m");
      assert.equal(marker.sequenceNum, server.received[0]!.message.sequenceNum + 1n);
      assert.equal(
        server.received.some((r) => r.message.remoteConfigStatus !== undefined),
        false,
      );
      await client.stop();
      await server.close();
    });
  });
}

describe("remote config applied later by the agent", () => {
  test("C-21 P-12 a pending outcome reports APPLYING; the agent's later result goes out with the hash", async () => {
    let sent = false;
    const server = await new ScriptedServer({
      reply: () =>
        sent
          ? undefined
          : withEffect(
              () => {
                sent = true;
              },
              offer("later", 8),
            ),
    }).listen();
    const client = makeClient(server, "http", {
      capabilities: REMOTE,
      reportApplying: false,
      effectiveConfig: () => ({ configMap: {} }),
      onRemoteConfig: () => ({ status: "pending" }),
    });
    await client.start();
    await server.waitFor(status(RemoteConfigStatuses.RemoteConfigStatuses_APPLYING));
    await client.setRemoteConfigStatus({ status: "failed", errorMessage: "rolled back" });
    const failed = await server.waitFor(status(RemoteConfigStatuses.RemoteConfigStatuses_FAILED));
    assert.deepEqual([...failed.remoteConfigStatus!.lastRemoteConfigHash], [8]);
    assert.equal(failed.remoteConfigStatus!.errorMessage, "rolled back");
    await client.stop();
    await server.close();
  });

  test("§6.4 an agent without the syncer reports its own package statuses", async () => {
    const server = await new ScriptedServer().listen();
    const client = makeClient(server, "websocket", {
      capabilities: caps(AgentCapabilities.AgentCapabilities_ReportsPackageStatuses),
    });
    await client.start();
    client.setPackageStatuses({ packages: { local: { name: "local", agentHasVersion: "1.0" } } });
    const report = await server.waitFor((m) => m.packageStatuses !== undefined);
    assert.equal(report.packageStatuses!.packages.local?.agentHasVersion, "1.0");
    await client.stop();
    await server.close();
  });
});
