import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  create,
  RemoteConfigStatuses,
  ServerToAgentFlags,
  ServerToAgentSchema,
} from "@opamp-ts/protocol";
import { Recorder } from "./recorder.js";
import { SimAgent } from "./sim-agent.js";

function offer(hash: number) {
  return create(ServerToAgentSchema, {
    remoteConfig: {
      config: { configMap: { "c.yaml": { body: new TextEncoder().encode(`v: ${hash}\n`) } } },
      configHash: new Uint8Array([hash, hash]),
    },
  });
}

describe("simulated agent behaviour", () => {
  it("C-10 applies a new remote config at once and reports APPLIED with its hash", () => {
    const rec = new Recorder(1);
    const agent = new SimAgent(0, 0, rec, 0);
    agent.firstReport();
    const reaction = agent.onServerToAgent(offer(1), 10);
    assert.equal(reaction.kind, "send");
    assert.ok(reaction.kind === "send");
    const status = reaction.message.remoteConfigStatus;
    assert.equal(status?.status, RemoteConfigStatuses.RemoteConfigStatuses_APPLIED);
    assert.deepEqual(status?.lastRemoteConfigHash, new Uint8Array([1, 1]));
    assert.equal(reaction.message.sequenceNum, 1n);
  });

  it("S-12 ignores an offer of the hash it already applied", () => {
    const agent = new SimAgent(0, 0, new Recorder(1), 0);
    agent.onServerToAgent(offer(1), 1);
    assert.equal(agent.onServerToAgent(offer(1), 2).kind, "none");
  });

  it("a delayed apply waits, then reports the pending config once", () => {
    const agent = new SimAgent(0, 0, new Recorder(1), 500);
    assert.deepEqual(agent.onServerToAgent(offer(2), 1), { kind: "apply-later", delayMs: 500 });
    assert.ok(agent.applyPending()?.remoteConfigStatus);
    assert.equal(agent.applyPending(), undefined);
  });

  it("S-9 answers ReportFullState with a full report that keeps the applied config", () => {
    const agent = new SimAgent(0, 0, new Recorder(1), 0);
    agent.onServerToAgent(offer(3), 1);
    const ask = create(ServerToAgentSchema, {
      flags: BigInt(ServerToAgentFlags.ServerToAgentFlags_ReportFullState),
    });
    const reaction = agent.onServerToAgent(ask, 2);
    assert.ok(reaction.kind === "send");
    assert.ok(reaction.message.agentDescription);
    assert.deepEqual(
      reaction.message.remoteConfigStatus?.lastRemoteConfigHash,
      new Uint8Array([3, 3]),
    );
  });

  it("records delivery and the server's answer to APPLIED only while armed", () => {
    const rec = new Recorder(1);
    const agent = new SimAgent(0, 0, rec, 0);
    agent.onServerToAgent(offer(1), 5);
    agent.onServerToAgent(create(ServerToAgentSchema, {}), 6);
    assert.deepEqual(rec.samples().received, []);
    rec.arm();
    agent.onServerToAgent(offer(2), 100);
    agent.onServerToAgent(create(ServerToAgentSchema, {}), 130);
    assert.deepEqual(rec.samples(), { received: [100], appliedAcked: [130], hashes: ["0202"] });
    assert.equal(rec.completed(), 1);
  });

  it("counts readiness once per connection and drops it on disconnect", () => {
    const rec = new Recorder(1);
    const agent = new SimAgent(0, 0, rec, 0);
    agent.firstReport();
    agent.onServerToAgent(create(ServerToAgentSchema, {}), 1);
    agent.onServerToAgent(create(ServerToAgentSchema, {}), 2);
    assert.equal(rec.ready, 1);
    agent.onDisconnected();
    assert.equal(rec.ready, 0);
  });
});
