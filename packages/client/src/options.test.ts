import assert from "node:assert/strict";
import { generateKeyPairSync, sign } from "node:crypto";
import { describe, test } from "node:test";
import { AgentCapabilities } from "@opamp-ts/protocol";
import { availableComponents } from "./available-components.js";
import { OpampClient } from "./client.js";
import { Ed25519PackageVerifier } from "./packages/ed25519-verifier.js";
import { caps } from "./test-support/fixtures.js";

const base = {
  endpoint: "ws://127.0.0.1:1/v1/opamp",
  agentDescription: { identifyingAttributes: {} },
};

describe("options and local security posture", () => {
  test("C-21 C-40 remote config is opt-in: AcceptsRemoteConfig without a handler is refused", () => {
    assert.throws(
      () =>
        new OpampClient({
          ...base,
          capabilities: caps(AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig),
        }),
      { code: "INVALID_OPTIONS" },
    );
    assert.equal(
      new OpampClient({ ...base, capabilities: 0n }).capabilities,
      1n,
      "C-8 ReportsStatus always set",
    );
  });

  test("C-25 C-23 capabilities need their implementation: packages need an installer, effective config a provider", () => {
    assert.throws(
      () =>
        new OpampClient({
          ...base,
          capabilities: caps(AgentCapabilities.AgentCapabilities_AcceptsPackages),
        }),
      {
        code: "INVALID_OPTIONS",
      },
    );
    assert.throws(
      () =>
        new OpampClient({
          ...base,
          capabilities: caps(AgentCapabilities.AgentCapabilities_ReportsEffectiveConfig),
        }),
      { code: "INVALID_OPTIONS" },
    );
    assert.throws(() => new OpampClient({ ...base, endpoint: "tcp://x", capabilities: 0n }), {
      code: "INVALID_OPTIONS",
    });
  });

  test("C-40 the Ed25519 verifier accepts only signatures by a trusted key and refuses non-Ed25519 keys", async () => {
    const trusted = generateKeyPairSync("ed25519");
    const stranger = generateKeyPairSync("ed25519");
    const verifier = new Ed25519PackageVerifier({
      publicKeys: [trusted.publicKey.export({ type: "spki", format: "pem" }).toString()],
    });
    const content = Buffer.from("binary");
    const input = (signature: Uint8Array) => ({
      name: "p",
      version: "1",
      path: "unused-by-this-verifier",
      content,
      signature,
    });
    assert.deepEqual(await verifier.verify(input(sign(null, content, trusted.privateKey))), {
      ok: true,
    });
    assert.equal(
      (await verifier.verify(input(sign(null, content, stranger.privateKey)))).ok,
      false,
    );
    assert.equal((await verifier.verify(input(new Uint8Array(10)))).ok, false);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 });
    assert.throws(
      () =>
        new Ed25519PackageVerifier({
          publicKeys: [rsa.publicKey.export({ type: "spki", format: "pem" }).toString()],
        }),
      {
        code: "INVALID_OPTIONS",
      },
    );
    const lenient = new Ed25519PackageVerifier({
      publicKeys: [trusted.publicKey.export({ type: "spki", format: "pem" }).toString()],
      requireSignature: false,
    });
    assert.deepEqual(await lenient.verify(input(new Uint8Array())), { ok: true });
  });

  test("C-35 the available-components hash does not depend on map order", () => {
    const leaf = { metadata: [], subComponentMap: {} } as never;
    const a = availableComponents({ x: leaf, y: leaf });
    const b = availableComponents({ y: leaf, x: leaf });
    const c = availableComponents({ x: leaf });
    assert.deepEqual(a.hash, b.hash);
    assert.notDeepEqual(a.hash, c.hash);
  });
});
