/**
 * `@opamp-ts/client`: the agent side of OpAMP for Node.js, over WebSocket and
 * plain HTTP (spec §4, rules C-1…C-40).
 */

export { availableComponents } from "./available-components.js";
export { Backoff, type BackoffOptions, parseRetryAfter, retryInfoToMs } from "./backoff.js";
export { OpampClient } from "./client.js";
export { type CertificateRequestMaterial, createCertificateRequest } from "./csr.js";
export { type ClientErrorCode, isOpampClientError, OpampClientError } from "./errors.js";
export type { OpampClientEvents, OpampSettingsEvent } from "./events.js";
export { type Logger, noopLogger } from "./logger.js";
export type {
  AgentDescriptionInput,
  AvailableComponentsInput,
  EffectiveConfigInput,
  OpampClientOptions,
  OpampConnectionSettings,
  PackagesOptions,
  ProxyOptions,
  RemoteConfigOutcome,
  RemoteConfigPolicyResult,
  RemoteConfigResult,
  TimingOptions,
} from "./options.js";
export {
  Ed25519PackageVerifier,
  type Ed25519VerifierOptions,
} from "./packages/ed25519-verifier.js";
export type {
  PackageInstaller,
  PackageStepResult,
  PackageVerifier,
  SignedContent,
  VerifiedPackage,
} from "./packages/types.js";
export {
  FileStateStore,
  MemoryStateStore,
  type PersistedConfigStatus,
  type PersistedConnectionSettings,
  type PersistedPackage,
  type PersistedPackageFailure,
  type PersistedPackages,
  type PersistedState,
  type StateStore,
} from "./state-store.js";
export { parseTlsVersion, type TlsOptions } from "./tls.js";
