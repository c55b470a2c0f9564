import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  AgentCapabilities,
  ConnectionSettingsOffersSchema,
  ConnectionSettingsStatusSchema,
  combineBits,
  create,
  PackageStatusesSchema,
  PackagesAvailableSchema,
  RemoteConfigStatusSchema,
  ServerToAgentSchema,
} from "@opamp-ts/protocol";
import {
  connectionSettingsNeeded,
  createRemoteConfig,
  packagesNeeded,
  remoteConfigNeeded,
} from "./offers.js";
import { Outbox } from "./outbox.js";
import { enforceErrorExclusivity, filterByCapabilities, splitCommand } from "./reply-rules.js";

const bytes = (...b: number[]) => new Uint8Array(b);

describe("offer helpers", () => {
  test("S-12 equal configs hash equal whatever the file order, and the hash is always set", () => {
    const a = createRemoteConfig({
      configMap: { x: { body: bytes(1) }, y: { body: bytes(2) } },
    });
    const b = createRemoteConfig({
      configMap: { y: { body: bytes(2) }, x: { body: bytes(1) } },
    });
    assert.deepEqual(a.configHash, b.configHash);
    assert.equal(createRemoteConfig(undefined).configHash.length, 32);
  });

  test("S-12 P-12 the remote config is needed until its hash is acknowledged, whatever the status", () => {
    const config = createRemoteConfig({ configMap: {} });
    assert.equal(remoteConfigNeeded(undefined, config), true);
    const other = create(RemoteConfigStatusSchema, { lastRemoteConfigHash: bytes(9) });
    assert.equal(remoteConfigNeeded(other, config), true);
    const failed = create(RemoteConfigStatusSchema, {
      lastRemoteConfigHash: config.configHash,
      status: 3,
    });
    assert.equal(remoteConfigNeeded(failed, config), false);
  });

  test("S-13 connection settings are offered only when the acknowledged hash differs", () => {
    const offer = create(ConnectionSettingsOffersSchema, { hash: bytes(1, 2) });
    assert.equal(connectionSettingsNeeded(undefined, offer), true);
    const acked = create(ConnectionSettingsStatusSchema, {
      lastConnectionSettingsHash: bytes(1, 2),
    });
    assert.equal(connectionSettingsNeeded(acked, offer), false);
    const stale = create(ConnectionSettingsStatusSchema, { lastConnectionSettingsHash: bytes(1) });
    assert.equal(connectionSettingsNeeded(stale, offer), true);
  });

  test("S-18 packages are offered only when server_provided_all_packages_hash differs", () => {
    const available = create(PackagesAvailableSchema, { allPackagesHash: bytes(4) });
    assert.equal(packagesNeeded(undefined, available), true);
    const same = create(PackageStatusesSchema, { serverProvidedAllPackagesHash: bytes(4) });
    assert.equal(packagesNeeded(same, available), false);
    const unhashed = create(PackagesAvailableSchema, {});
    assert.equal(packagesNeeded(same, unhashed), true);
  });
});

describe("reply rules", () => {
  test("S-11 connection-settings classes are kept only for the matching capabilities", () => {
    const message = create(ServerToAgentSchema, {
      connectionSettings: {
        hash: bytes(1),
        opamp: { destinationEndpoint: "ws://a" },
        ownLogs: { destinationEndpoint: "http://l" },
        otherConnections: { db: { destinationEndpoint: "tcp://d" } },
      },
    });
    const removed = filterByCapabilities(
      message,
      combineBits(
        AgentCapabilities.AgentCapabilities_ReportsStatus,
        AgentCapabilities.AgentCapabilities_ReportsOwnLogs,
      ),
    );
    assert.deepEqual(removed.sort(), [
      "connection_settings.opamp",
      "connection_settings.other_connections",
    ]);
    assert.equal(message.connectionSettings?.ownLogs?.destinationEndpoint, "http://l");
    assert.equal(message.connectionSettings?.opamp, undefined);
  });

  test("S-7 enforceErrorExclusivity keeps only the uid and the error", () => {
    const message = create(ServerToAgentSchema, {
      instanceUid: bytes(1),
      errorResponse: { errorMessage: "x" },
      flags: 1n,
      capabilities: 1n,
      customMessage: { capability: "c" },
    });
    enforceErrorExclusivity(message);
    assert.deepEqual(message.instanceUid, bytes(1));
    assert.equal(message.flags, 0n);
    assert.equal(message.capabilities, 0n);
    assert.equal(message.customMessage, undefined);
    assert.equal(message.errorResponse?.errorMessage, "x");
  });

  test("S-19 a command alone keeps the capabilities; with other content it becomes a second message", () => {
    const alone = splitCommand(create(ServerToAgentSchema, { capabilities: 3n, command: {} }));
    assert.equal(alone.length, 1);
    assert.equal(alone[0]!.capabilities, 3n);
    const mixed = splitCommand(create(ServerToAgentSchema, { flags: 1n, command: {} }));
    assert.equal(mixed.length, 2);
    assert.equal(mixed[0]!.command, undefined);
    assert.equal(mixed[1]!.flags, 0n);
  });

  test("S-24 the outbox keeps the latest item of each kind and ORs flags", () => {
    const outbox = new Outbox();
    outbox.put(create(ServerToAgentSchema, { remoteConfig: { configHash: bytes(1) }, flags: 1n }));
    outbox.put(create(ServerToAgentSchema, { remoteConfig: { configHash: bytes(2) }, flags: 2n }));
    const reply = create(ServerToAgentSchema, {});
    outbox.drainInto(reply);
    assert.deepEqual(reply.remoteConfig?.configHash, bytes(2));
    assert.equal(reply.flags, 3n);
    assert.equal(outbox.isEmpty, true);
  });

  test("S-7 S-24 a pending error waits while a reply has content, then goes out alone", () => {
    const outbox = new Outbox();
    outbox.put(create(ServerToAgentSchema, { errorResponse: { type: 2 } }));
    const busy = create(ServerToAgentSchema, { remoteConfig: { configHash: bytes(1) } });
    outbox.drainInto(busy);
    assert.equal(busy.errorResponse, undefined);
    const idle = create(ServerToAgentSchema, {});
    outbox.drainInto(idle);
    assert.equal(idle.errorResponse?.type, 2);
    assert.equal(outbox.isEmpty, true);
  });
});
