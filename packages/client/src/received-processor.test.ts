import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  AgentCapabilities,
  create,
  type MessageInitShape,
  newInstanceUid,
  ServerToAgentSchema,
} from "@opamp-ts/protocol";
import type { OpampClientError } from "./errors.js";
import { noopLogger } from "./logger.js";
import { type ProcessorHost, ReceivedProcessor } from "./received-processor.js";
import { ReportBuilder } from "./report-builder.js";
import { caps } from "./test-support/fixtures.js";

function setup(capabilities: bigint) {
  const uid = newInstanceUid();
  const builder = new ReportBuilder(uid, capabilities, undefined, () => {});
  const calls: string[] = [];
  const errors: OpampClientError[] = [];
  const host: ProcessorHost = {
    logger: noopLogger,
    builder,
    capabilities: () => capabilities,
    instanceUid: () => builder.instanceUid,
    previousInstanceUid: () => undefined,
    adoptInstanceUid: (u) => calls.push(`uid:${u.length}`),
    serverError: () => calls.push("serverError"),
    command: () => calls.push("command"),
    remoteConfig: () => calls.push("remoteConfig"),
    connectionSettings: () => calls.push("connectionSettings"),
    packagesAvailable: () => calls.push("packages"),
    customMessage: () => calls.push("custom"),
    reportError: (e) => errors.push(e),
    wake: () => calls.push("wake"),
  };
  const processor = new ReceivedProcessor(host);
  const process = (init: MessageInitShape<typeof ServerToAgentSchema>) =>
    processor.process(create(ServerToAgentSchema, { instanceUid: uid, ...init }));
  return { uid, builder, calls, errors, process };
}

describe("processing ServerToAgent", () => {
  test("C-4 a message addressed to another instance uid is ignored", () => {
    const { calls, process } = setup(caps(AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig));
    const outcome = process({
      instanceUid: newInstanceUid(),
      remoteConfig: { configHash: new Uint8Array([1]) },
    });
    assert.deepEqual(outcome, { kind: "ignored" });
    assert.deepEqual(calls, []);
  });

  test("C-3 a new instance uid that is not 16 bytes is refused with an error", () => {
    const { calls, errors, process } = setup(0n);
    process({ agentIdentification: { newInstanceUid: new Uint8Array(26) } });
    assert.equal(calls.includes("uid:26"), false);
    assert.equal(errors[0]?.code, "SERVER_ERROR");
  });

  test("C-18 C-25 offers for undeclared capabilities are not acted on", () => {
    const { calls, process } = setup(0n);
    process({
      remoteConfig: { configHash: new Uint8Array([1]) },
      packagesAvailable: { allPackagesHash: new Uint8Array([1]) },
      command: {},
    });
    assert.deepEqual(
      calls.filter((c) => c !== "wake"),
      [],
    );
  });

  test("C-16 error responses: UNAVAILABLE backs off with the hint, others are not retried", () => {
    const { process } = setup(0n);
    assert.deepEqual(
      process({
        errorResponse: {
          type: 2,
          Details: { case: "retryInfo", value: { retryAfterNanoseconds: 2_000_000n } },
        },
      }),
      { kind: "unavailable", retryAfterMs: 2 },
    );
    assert.deepEqual(process({ errorResponse: { type: 2 } }), { kind: "unavailable" });
    assert.deepEqual(process({ errorResponse: { type: 1 } }), { kind: "rejected" });
    assert.deepEqual(process({ errorResponse: { type: 0 } }), { kind: "rejected" });
  });
});

describe("building reports", () => {
  test("C-14 changes made before a send are coalesced into one message with the latest values", async () => {
    const builder = new ReportBuilder(
      newInstanceUid(),
      caps(AgentCapabilities.AgentCapabilities_ReportsHealth),
      undefined,
      () => {},
    );
    await builder.build({ force: true });
    for (const status of ["a", "b", "c"])
      builder.setHealth(
        create((await import("@opamp-ts/protocol")).ComponentHealthSchema, { status }),
      );
    const built = await builder.build();
    assert.equal(built?.message.health?.status, "c");
    assert.equal(await builder.build(), undefined, "nothing left pending");
  });

  test("C-10 a lost message makes its status fields go out again", async () => {
    const { ComponentHealthSchema } = await import("@opamp-ts/protocol");
    const builder = new ReportBuilder(
      newInstanceUid(),
      caps(AgentCapabilities.AgentCapabilities_ReportsHealth),
      undefined,
      () => {},
    );
    builder.setHealth(create(ComponentHealthSchema, { status: "x" }));
    const first = await builder.build({ force: true });
    first!.failed();
    const retry = await builder.build();
    assert.equal(retry?.message.health?.status, "x");
    assert.equal(
      retry?.message.sequenceNum,
      first!.message.sequenceNum + 1n,
      "C-7 a new sequence number",
    );
  });
});
