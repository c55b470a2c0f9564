import type {
  AgentConfigMapSchema,
  AgentRemoteConfig,
  Attributes,
  ComponentDetails,
  MessageInitShape,
} from "@opamp-ts/protocol";
import type { BackoffOptions } from "./backoff.js";
import type { Logger } from "./logger.js";
import type { PackageInstaller, PackageVerifier } from "./packages/types.js";
import type { StateStore } from "./state-store.js";
import type { TlsOptions } from "./tls.js";

/**
 * The settings of the OpAMP connection itself. JSON-safe so an accepted set
 * and a candidate under test can be persisted (C-31).
 */
export interface OpampConnectionSettings {
  /** `ws://`/`wss://` selects WebSocket, `http://`/`https://` plain HTTP (§2.4). */
  readonly endpoint: string;
  /** Extra request headers, e.g. `Authorization` (C-5, C-32). */
  readonly headers: Readonly<Record<string, string>>;
  readonly tls: TlsOptions;
  /**
   * Heartbeat interval (C-20). 0 disables WebSocket heartbeats; plain HTTP
   * keeps polling at the locally configured interval then (P-7).
   */
  readonly heartbeatIntervalSeconds: number;
  /** HTTP proxy the connection is tunnelled through with `CONNECT` (spec `ProxyConnectionSettings`). */
  readonly proxy?: ProxyOptions;
}

/**
 * An HTTP proxy for the OpAMP connection (spec `ProxyConnectionSettings`,
 * Development): the client opens an HTTP `CONNECT` tunnel to the server's
 * host and port and runs WebSocket or HTTP, with TLS for `wss`/`https`,
 * through it. JSON-safe so an offered proxy can be persisted (C-31).
 */
export interface ProxyOptions {
  /**
   * `http://host:port`, `https://host:port` (TLS to the proxy with the
   * connection's TLS settings) or `host:port`. User info in the URL becomes a
   * Basic `Proxy-Authorization` header.
   */
  readonly url: string;
  /** Headers of the `CONNECT` request, e.g. `Proxy-Authorization`. */
  readonly connectHeaders?: Readonly<Record<string, string>>;
}

/** An effective config as the provider returns it: an `AgentConfigMap` or its init shape (C-23). */
export type EffectiveConfigInput = MessageInitShape<typeof AgentConfigMapSchema>;

/** The agent's identity and environment (spec `AgentDescription`). */
export interface AgentDescriptionInput {
  readonly identifyingAttributes: Attributes;
  readonly nonIdentifyingAttributes?: Attributes;
}

/** What the remote-config handler decided (C-21 step 5). */
export type RemoteConfigOutcome =
  | { readonly status: "applied" }
  | { readonly status: "failed"; readonly errorMessage: string }
  /** Still applying: the agent reports the result later with `setRemoteConfigStatus()`. */
  | { readonly status: "pending" };

/** A final remote-config result reported by the agent itself (C-21 step 5). */
export type RemoteConfigResult = Exclude<RemoteConfigOutcome, { readonly status: "pending" }>;

/** A local policy check run before the handler (C-21 step 2, C-40). */
export type RemoteConfigPolicyResult =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: string };

/** Components the agent contains (C-35); hashed canonically by the client. */
export type AvailableComponentsInput = Readonly<Record<string, ComponentDetails>>;

/** Timing knobs. Defaults suit production; tests pass small values. */
export interface TimingOptions {
  /** Reconnect/retry backoff (C-37). */
  readonly backoff?: BackoffOptions;
  /** WebSocket ping interval for dead-peer detection (P-25). Default 30 000 ms; 0 disables. */
  readonly pingIntervalMs?: number;
  /** How long an offered OpAMP endpoint has to answer before the client reverts (C-31). Default 30 000 ms. */
  readonly connectionSettingsVerifyTimeoutMs?: number;
  /** HTTP request timeout. Default 60 000 ms. */
  readonly requestTimeoutMs?: number;
  /** Minimum time between DOWNLOADING progress reports. Default 1 000 ms. */
  readonly downloadProgressIntervalMs?: number;
}

/** Package handling (§6, C-25): only active with `AcceptsPackages`. */
export interface PackagesOptions {
  /** Hands a verified file to the agent. Required with `AcceptsPackages`. */
  readonly installer: PackageInstaller;
  /** Checks the detached signature. Without one, signatures are not checked. */
  readonly verifier?: PackageVerifier;
  /** Work directory where downloads stream to (and resume from). Default a directory under the OS temp dir. */
  readonly downloadDir?: string;
  /** Largest package file accepted. Default 1 GiB. */
  readonly maxBytes?: number;
}

/**
 * Options of {@link OpampClient}. Capabilities gate everything: the client only
 * acts on what it declared (C-8, C-18), and declares `ReportsStatus` always.
 */
export interface OpampClientOptions {
  /** Server URL; the scheme picks the transport. */
  readonly endpoint: string;
  /** `AgentCapabilities` mask. `ReportsStatus` is always added. */
  readonly capabilities: bigint;
  readonly agentDescription: AgentDescriptionInput;
  /** Fixed instance uid (16 bytes). Else the stored one, else a new UUID v7 (C-1). */
  readonly instanceUid?: Uint8Array;
  /** Ask the server to assign a uid (C-2). */
  readonly requestInstanceUid?: boolean;
  readonly headers?: Readonly<Record<string, string>>;
  readonly tls?: TlsOptions;
  /** Tunnel the OpAMP connection through an HTTP proxy (`ProxyConnectionSettings`). Default none. */
  readonly proxy?: ProxyOptions;
  /** Heartbeat / polling interval in seconds (C-20). Default 30. */
  readonly heartbeatIntervalSeconds?: number;
  /** Gzip HTTP request bodies (C-38). Default false. */
  readonly compressRequests?: boolean;
  /** Receive limit, after decompression (C-39). Default 64 MiB. */
  readonly maxReceiveBytes?: number;
  /** Send limit, before compression (C-39). Default 64 MiB. */
  readonly maxSendBytes?: number;
  readonly stateStore?: StateStore;
  readonly logger?: Logger;
  readonly timing?: TimingOptions;
  /** Called whenever an effective-config report is due (C-23). */
  readonly effectiveConfig?: () => EffectiveConfigInput | Promise<EffectiveConfigInput>;
  /** Applies a remote config (C-21). Required with `AcceptsRemoteConfig`. */
  readonly onRemoteConfig?: (
    config: AgentRemoteConfig,
  ) => RemoteConfigOutcome | Promise<RemoteConfigOutcome>;
  /** Local allow-list check that remote config cannot override (C-21 step 2, C-40). */
  readonly remoteConfigPolicy?: (config: AgentRemoteConfig) => RemoteConfigPolicyResult;
  /** Report APPLYING before calling `onRemoteConfig` (C-21 step 3). Default true. */
  readonly reportApplying?: boolean;
  /** Accept `insecure_skip_verify` from a server offer. Default false (spec §7.3). */
  readonly allowInsecureTlsFromServer?: boolean;
  /**
   * After a server-assigned instance uid (C-3, P-16), re-run the CSR flow
   * when the client certificate in use came from it and names the old uid
   * (C-33). Default true.
   */
  readonly renewCertificateOnNewUid?: boolean;
  readonly availableComponents?: AvailableComponentsInput;
  readonly customCapabilities?: readonly string[];
  readonly packages?: PackagesOptions;
}
