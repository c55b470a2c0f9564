import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  agentCapabilitiesFromNames,
  agentCapabilityNames,
  combineBits,
  hasBit,
  KNOWN_AGENT_CAPABILITIES,
  KNOWN_SERVER_CAPABILITIES,
  serverCapabilitiesFromNames,
  serverCapabilityNames,
  serverToAgentFlagNames,
} from "./capabilities.js";
import { isOpampProtocolError } from "./errors.js";
import { AgentCapabilities, ServerCapabilities } from "./gen/opamp/v1/opamp_pb.js";

describe("capability bits", () => {
  it("combines and tests bits given as enum members or bigints", () => {
    const mask = combineBits(
      AgentCapabilities.AgentCapabilities_ReportsStatus,
      AgentCapabilities.AgentCapabilities_ReportsHeartbeat,
      0x4000n,
    );
    assert.equal(mask, 0x6001n);
    assert.ok(hasBit(mask, AgentCapabilities.AgentCapabilities_ReportsHeartbeat));
    assert.ok(!hasBit(mask, AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig));
  });

  it("lists names without the enum prefix, lowest bit first", () => {
    assert.deepEqual(agentCapabilityNames(0x1003n), [
      "ReportsStatus",
      "AcceptsRemoteConfig",
      "ReportsRemoteConfig",
    ]);
    assert.deepEqual(serverCapabilityNames(0x41n), [
      "AcceptsStatus",
      "AcceptsConnectionSettingsRequest",
    ]);
    assert.deepEqual(serverToAgentFlagNames(3n), ["ReportFullState", "ReportAvailableComponents"]);
  });

  it("C-8 shows undefined bits as hex instead of hiding them", () => {
    assert.deepEqual(agentCapabilityNames(0x1_0001n), ["ReportsStatus", "0x10000"]);
    assert.equal(0x1_0000n & KNOWN_AGENT_CAPABILITIES, 0n);
  });

  it("knows all 15 agent and 7 server capability bits of the schema", () => {
    assert.equal(KNOWN_AGENT_CAPABILITIES, 0xffffn);
    assert.equal(KNOWN_SERVER_CAPABILITIES, 0x7fn);
  });

  it("turns names back into a mask and refuses unknown names", () => {
    assert.equal(
      agentCapabilitiesFromNames(["ReportsStatus", "AcceptsRestartCommand"]),
      BigInt(
        AgentCapabilities.AgentCapabilities_ReportsStatus |
          AgentCapabilities.AgentCapabilities_AcceptsRestartCommand,
      ),
    );
    assert.equal(
      serverCapabilitiesFromNames(["OffersPackages"]),
      BigInt(ServerCapabilities.ServerCapabilities_OffersPackages),
    );
    assert.throws(
      () => agentCapabilitiesFromNames(["ReportsEverything"]),
      (e) => isOpampProtocolError(e, "UNKNOWN_CAPABILITY"),
    );
  });
});
