import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  AgentCapabilities,
  AgentToServerSchema,
  attributesToKeyValues,
  combineBits,
  create,
  newInstanceUid,
} from "@opamp-ts/protocol";
import { fullReport, statusReport } from "../test-support/messages.js";
import { agentLabels, applyReport, isCompleteReport } from "./inventory.js";

const ctx = {
  now: "2026-01-01T00:00:00.000Z",
  transport: "websocket" as const,
  remoteAddress: "127.0.0.1",
};

describe("inventory", () => {
  test("P-12 FAILED adds the hash to the failed list, APPLYING keeps it, APPLIED removes it", () => {
    const uid = newInstanceUid();
    let record = applyReport(undefined, fullReport(uid, 1n), ctx).record;
    const failed = applyReport(record, statusReport(uid, 2n, "aa", "FAILED", "bad"), ctx);
    assert.deepEqual(failed.record.failedConfigHashes, ["aa"]);
    assert.deepEqual(failed.configStatus, {
      agentId: record.id,
      status: "FAILED",
      configHash: "aa",
      errorMessage: "bad",
      at: ctx.now,
    });
    record = applyReport(failed.record, statusReport(uid, 3n, "bb", "APPLYING"), ctx).record;
    assert.deepEqual(record.failedConfigHashes, ["aa"]);
    record = applyReport(record, statusReport(uid, 4n, "aa", "APPLIED"), ctx).record;
    assert.deepEqual(record.failedConfigHashes, []);
    const same = applyReport(record, statusReport(uid, 5n, "aa", "APPLIED"), ctx);
    assert.equal(same.configStatus, undefined, "an unchanged status is not history");
    assert.equal(same.changed, false);
  });

  test("S-9 a report is complete only with every part its capabilities promise", () => {
    const uid = newInstanceUid();
    assert.equal(isCompleteReport(fullReport(uid, 1n)), true);
    const caps = combineBits(
      AgentCapabilities.AgentCapabilities_ReportsStatus,
      AgentCapabilities.AgentCapabilities_ReportsEffectiveConfig,
    );
    assert.equal(isCompleteReport(fullReport(uid, 1n, {}, { capabilities: caps })), false);
    assert.equal(
      isCompleteReport(
        fullReport(
          uid,
          1n,
          {},
          { capabilities: caps, effectiveConfig: { configMap: { configMap: {} } } },
        ),
      ),
      true,
    );
    assert.equal(
      isCompleteReport(create(AgentToServerSchema, { instanceUid: uid, capabilities: caps })),
      false,
    );
  });

  test("P-2 attributes keep 64-bit integers exact and user labels win over attributes", () => {
    const uid = newInstanceUid();
    const msg = fullReport(
      uid,
      1n,
      {},
      {
        agentDescription: {
          identifyingAttributes: attributesToKeyValues({
            "service.name": "a",
            big: 2n ** 60n,
            small: 7,
            ok: true,
          }),
        },
      },
    );
    const { record } = applyReport(undefined, msg, ctx);
    assert.deepEqual(record.description.identifyingAttributes, {
      "service.name": "a",
      big: (2n ** 60n).toString(),
      small: 7,
      ok: true,
    });
    assert.deepEqual(agentLabels(record, { "service.name": "renamed" }), {
      "service.name": "renamed",
      big: (2n ** 60n).toString(),
      small: "7",
      ok: "true",
    });
  });

  test("S-11 P-6 capabilities follow the latest message, except a message that leaves them unset", () => {
    const uid = newInstanceUid();
    const first = applyReport(undefined, fullReport(uid, 1n), ctx).record;
    const poll = applyReport(
      first,
      create(AgentToServerSchema, { instanceUid: uid, sequenceNum: 2n }),
      ctx,
    ).record;
    assert.deepEqual(poll.capabilities, first.capabilities);
    const fewer = applyReport(poll, fullReport(uid, 3n, {}, { capabilities: 1n }), ctx).record;
    assert.deepEqual(fewer.capabilities, ["ReportsStatus"]);
  });
});
