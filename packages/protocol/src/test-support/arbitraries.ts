import { create } from "@bufbuild/protobuf";
import fc from "fast-check";
import {
  type AnyValue,
  AnyValueSchema,
  type KeyValue,
  KeyValueSchema,
} from "../gen/opamp/v1/anyvalue_pb.js";
import {
  type AgentConfigMap,
  AgentConfigMapSchema,
  type AgentToServer,
  AgentToServerSchema,
  type ComponentHealth,
  ComponentHealthSchema,
  type Headers,
  HeadersSchema,
  type ServerToAgent,
  ServerToAgentSchema,
  type TLSCertificate,
} from "../gen/opamp/v1/opamp_pb.js";

/** fast-check arbitraries producing random but valid OpAMP messages, for property tests. */

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const i64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const bytes = (maxLength = 24) => fc.uint8Array({ maxLength });
const text = fc.string({ maxLength: 16 });

const anyValue: fc.Arbitrary<AnyValue> = fc.letrec<{ value: AnyValue }>((tie) => ({
  value: fc
    .oneof(
      { maxDepth: 3, depthIdentifier: "any-value", withCrossShrink: true },
      fc.constant({ case: undefined }),
      text.map((value) => ({ case: "stringValue" as const, value })),
      fc.boolean().map((value) => ({ case: "boolValue" as const, value })),
      i64.map((value) => ({ case: "intValue" as const, value })),
      fc.double({ noNaN: true }).map((value) => ({ case: "doubleValue" as const, value })),
      bytes().map((value) => ({ case: "bytesValue" as const, value })),
      fc
        .array(tie("value"), { maxLength: 3 })
        .map((values) => ({ case: "arrayValue" as const, value: { values } })),
      fc.array(fc.record({ key: text, value: tie("value") }), { maxLength: 3 }).map((values) => ({
        case: "kvlistValue" as const,
        value: { values: values.map((kv) => create(KeyValueSchema, kv)) },
      })),
    )
    .map((value) => create(AnyValueSchema, { value } as never)),
})).value;

const keyValues: fc.Arbitrary<KeyValue[]> = fc.array(
  fc.record({ key: text, value: anyValue }).map((kv) => create(KeyValueSchema, kv)),
  { maxLength: 4 },
);

const health: fc.Arbitrary<ComponentHealth> = fc.letrec<{ health: ComponentHealth }>((tie) => ({
  health: fc
    .record({
      healthy: fc.boolean(),
      startTimeUnixNano: u64,
      lastError: text,
      status: text,
      statusTimeUnixNano: u64,
      componentHealthMap: fc.oneof(
        { maxDepth: 2, depthIdentifier: "health" },
        fc.constant({}),
        fc.dictionary(text, tie("health"), { maxKeys: 2 }),
      ),
      attributes: keyValues,
    })
    .map((h) => create(ComponentHealthSchema, h)),
})).health;

const configMap: fc.Arbitrary<AgentConfigMap> = fc
  .dictionary(text, fc.record({ body: bytes(64), contentType: text }), { maxKeys: 3 })
  .map((configMap) => create(AgentConfigMapSchema, { configMap }));

const headers: fc.Arbitrary<Headers> = fc
  .array(fc.record({ key: text, value: text }), { maxLength: 3 })
  .map((list) => create(HeadersSchema, { headers: list }));

const certificate: fc.Arbitrary<Partial<TLSCertificate>> = fc.record({
  cert: bytes(),
  privateKey: bytes(),
  caCert: bytes(),
});

const tls = fc.record({
  caPemContents: text,
  includeSystemCaCertsPool: fc.boolean(),
  insecureSkipVerify: fc.boolean(),
  minVersion: text,
  maxVersion: text,
  cipherSuites: fc.array(text, { maxLength: 2 }),
});

const proxy = fc.record({ url: text, connectHeaders: headers });

const telemetry = fc.record(
  { destinationEndpoint: text, headers, certificate, tls, proxy },
  { requiredKeys: ["destinationEndpoint"] },
);

const customMessage = fc.record({ capability: text, type: text, data: bytes() });

/** A random `AgentToServer` exercising every field. */
export const agentToServer: fc.Arbitrary<AgentToServer> = fc
  .record(
    {
      instanceUid: bytes(16),
      sequenceNum: u64,
      agentDescription: fc.record({
        identifyingAttributes: keyValues,
        nonIdentifyingAttributes: keyValues,
      }),
      capabilities: u64,
      health,
      effectiveConfig: fc.record({ configMap }),
      remoteConfigStatus: fc.record({
        lastRemoteConfigHash: bytes(32),
        status: fc.integer({ min: 0, max: 3 }),
        errorMessage: text,
      }),
      packageStatuses: fc.record({
        packages: fc.dictionary(
          text,
          fc.record({
            name: text,
            agentHasVersion: text,
            agentHasHash: bytes(),
            serverOfferedVersion: text,
            serverOfferedHash: bytes(),
            status: fc.integer({ min: 0, max: 4 }),
            errorMessage: text,
            downloadDetails: fc.record({
              downloadPercent: fc.double({ noNaN: true }),
              downloadBytesPerSecond: fc.double({ noNaN: true }),
            }),
          }),
          { maxKeys: 2 },
        ),
        serverProvidedAllPackagesHash: bytes(),
        errorMessage: text,
      }),
      agentDisconnect: fc.constant({}),
      flags: u64,
      connectionSettingsRequest: fc.record({
        opamp: fc.record({ certificateRequest: fc.record({ csr: bytes(64) }) }),
      }),
      customCapabilities: fc.record({ capabilities: fc.array(text, { maxLength: 3 }) }),
      customMessage,
      availableComponents: fc.record({
        components: fc.dictionary(text, fc.record({ metadata: keyValues }), { maxKeys: 2 }),
        hash: bytes(),
      }),
      connectionSettingsStatus: fc.record({
        lastConnectionSettingsHash: bytes(),
        status: fc.integer({ min: 0, max: 3 }),
        errorMessage: text,
      }),
    },
    { requiredKeys: ["instanceUid", "sequenceNum", "capabilities"] },
  )
  .map((init) => create(AgentToServerSchema, init as never));

/** A random `ServerToAgent` exercising every field. */
export const serverToAgent: fc.Arbitrary<ServerToAgent> = fc
  .record(
    {
      instanceUid: bytes(16),
      errorResponse: fc.record({
        type: fc.integer({ min: 0, max: 2 }),
        errorMessage: text,
        Details: fc.oneof(
          fc.constant({ case: undefined }),
          u64.map((ns) => ({ case: "retryInfo", value: { retryAfterNanoseconds: ns } })),
        ),
      }),
      remoteConfig: fc.record({ config: configMap, configHash: bytes(32) }),
      connectionSettings: fc.record({
        hash: bytes(32),
        opamp: fc.record({
          destinationEndpoint: text,
          headers,
          certificate,
          heartbeatIntervalSeconds: u64,
          tls,
          proxy,
        }),
        ownMetrics: telemetry,
        ownTraces: telemetry,
        ownLogs: telemetry,
        otherConnections: fc.dictionary(
          text,
          fc.record({
            destinationEndpoint: text,
            headers,
            certificate,
            otherSettings: fc.dictionary(text, text, { maxKeys: 2 }),
            tls,
            proxy,
          }),
          { maxKeys: 2 },
        ),
      }),
      packagesAvailable: fc.record({
        packages: fc.dictionary(
          text,
          fc.record({
            type: fc.integer({ min: 0, max: 1 }),
            version: text,
            file: fc.record({
              downloadUrl: text,
              contentHash: bytes(32),
              signature: bytes(),
              headers,
            }),
            hash: bytes(32),
          }),
          { maxKeys: 2 },
        ),
        allPackagesHash: bytes(32),
      }),
      flags: u64,
      capabilities: u64,
      agentIdentification: fc.record({ newInstanceUid: bytes(16) }),
      command: fc.constant({ type: 0 }),
      customCapabilities: fc.record({ capabilities: fc.array(text, { maxLength: 3 }) }),
      customMessage,
    },
    { requiredKeys: ["instanceUid"] },
  )
  .map((init) => create(ServerToAgentSchema, init as never));
