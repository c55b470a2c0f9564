import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  AgentCapabilities,
  AgentDescriptionSchema,
  attributesToKeyValues,
  ComponentHealthSchema,
  create,
  newInstanceUid,
} from "@opamp-ts/protocol";
import fc from "fast-check";
import { ReportBuilder } from "./report-builder.js";
import { caps } from "./test-support/fixtures.js";

type Op =
  | { kind: "health"; value: string }
  | { kind: "description"; value: string }
  | { kind: "deliver" }
  | { kind: "lose" }
  | { kind: "fullState" };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("health" as const), value: fc.constantFrom("a", "b", "c") }),
  fc.record({ kind: fc.constant("description" as const), value: fc.constantFrom("x", "y") }),
  fc.record({ kind: fc.constant("deliver" as const) }),
  fc.record({ kind: fc.constant("lose" as const) }),
  fc.record({ kind: fc.constant("fullState" as const) }),
);

describe("status compression model", () => {
  test("C-10 C-14 S-10 whatever is lost or coalesced, the server's merged view ends equal to the agent's state", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
        const builder = new ReportBuilder(
          newInstanceUid(),
          caps(AgentCapabilities.AgentCapabilities_ReportsHealth),
          undefined,
          () => {},
        );
        let health = "";
        let name = "";
        const server = {
          health: undefined as string | undefined,
          name: undefined as string | undefined,
        };
        let lastSeq = -1n;
        const send = async (deliver: boolean) => {
          const built = await builder.build();
          if (built === undefined) return;
          assert.equal(built.message.sequenceNum, lastSeq + 1n, "C-7 one more per message");
          lastSeq = built.message.sequenceNum;
          if (!deliver) {
            built.failed();
            return;
          }
          built.sent();
          if (built.message.health) server.health = built.message.health.status;
          if (built.message.agentDescription) {
            server.name = String(
              built.message.agentDescription.identifyingAttributes[0]?.value?.value.value,
            );
          }
        };
        for (const o of ops) {
          if (o.kind === "health") {
            health = o.value;
            builder.setHealth(create(ComponentHealthSchema, { status: health }));
          } else if (o.kind === "description") {
            name = o.value;
            builder.setAgentDescription(
              create(AgentDescriptionSchema, {
                identifyingAttributes: attributesToKeyValues({ "service.name": name }),
              }),
            );
          } else if (o.kind === "fullState") builder.requestFullState();
          else await send(o.kind === "deliver");
        }
        await send(true);
        assert.equal(server.health, health === "" ? undefined : health);
        assert.equal(server.name, name === "" ? undefined : name);
      }),
      { numRuns: 200 },
    );
  });
});
