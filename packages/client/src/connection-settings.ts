import {
  type ConnectionSettingsStatus,
  ConnectionSettingsStatuses,
  ConnectionSettingsStatusSchema,
  create,
  type OpAMPConnectionSettings,
} from "@opamp-ts/protocol";
import { isOpampClientError } from "./errors.js";
import type { OpampConnectionSettings } from "./options.js";
import type { PersistedConfigStatus } from "./state-store.js";
import { applyOfferedTls, toNodeTlsOptions } from "./tls.js";
import { parseProxy } from "./transport/proxy.js";

/** The result of turning an offer into candidate settings (C-31 step 1). */
export type CandidateResult =
  | { readonly ok: true; readonly settings: OpampConnectionSettings }
  | { readonly ok: false; readonly reason: string };

/** Local limits on what a server may change. */
export interface OfferPolicy {
  /** Headers configured locally; offered headers are added on top (C-32). */
  readonly baseHeaders: Readonly<Record<string, string>>;
  /** Private key of the pending certificate request, for CSR-issued certificates (C-33). */
  readonly csrKey: string | undefined;
  /** Allow the server to switch off certificate verification (spec §7.3). */
  readonly allowInsecureTls: boolean;
  /** Certificates need durable storage (C-31). */
  readonly durableStorage: boolean;
}

const SCHEMES = new Set(["ws:", "wss:", "http:", "https:"]);

/**
 * Build the candidate OpAMP settings from an offer and the current settings
 * (C-32): the endpoint must be a non-empty ws/wss/http/https URL (P-8); offered
 * headers replace earlier offered ones; `tls` absent keeps TLS; `certificate`
 * absent means no client certificate (P-9); the heartbeat interval is taken as
 * sent, 0 included (P-7). Bad offers are refused, never half-applied.
 */
export function candidateFromOffer(
  current: OpampConnectionSettings,
  offer: OpAMPConnectionSettings,
  policy: OfferPolicy,
): CandidateResult {
  if (offer.destinationEndpoint === "") {
    return { ok: false, reason: "offered destination_endpoint is empty (P-8)" };
  }
  let url: URL;
  try {
    url = new URL(offer.destinationEndpoint);
  } catch {
    return { ok: false, reason: `offered endpoint "${offer.destinationEndpoint}" is not a URL` };
  }
  if (!SCHEMES.has(url.protocol)) {
    return {
      ok: false,
      reason: `offered endpoint scheme ${url.protocol} is not ws, wss, http or https`,
    };
  }
  let proxy = current.proxy;
  if (offer.proxy !== undefined) {
    // C-32: an offered proxy replaces the current one; absent keeps it.
    if (offer.proxy.url === "") {
      return { ok: false, reason: "offered proxy url is empty" };
    }
    const connectHeaders: Record<string, string> = {};
    for (const header of offer.proxy.connectHeaders?.headers ?? []) {
      connectHeaders[header.key] = header.value;
    }
    proxy = { url: offer.proxy.url, connectHeaders };
    try {
      parseProxy(proxy);
    } catch (error) {
      return { ok: false, reason: isOpampClientError(error) ? error.message : String(error) };
    }
  }
  if (offer.tls?.insecureSkipVerify && !policy.allowInsecureTls) {
    return { ok: false, reason: "offer disables TLS verification and local policy forbids it" };
  }
  if (
    offer.certificate !== undefined &&
    offer.certificate.cert.length > 0 &&
    !policy.durableStorage
  ) {
    return { ok: false, reason: "certificate offers need a durable state store (C-31)" };
  }
  let headers = current.headers;
  if (offer.headers !== undefined) {
    const merged: Record<string, string> = { ...policy.baseHeaders };
    for (const header of offer.headers.headers) merged[header.key] = header.value;
    headers = merged;
  }
  try {
    const tls = applyOfferedTls(current.tls, offer.tls, offer.certificate, policy.csrKey);
    toNodeTlsOptions(tls);
    return {
      ok: true,
      settings: {
        endpoint: offer.destinationEndpoint,
        headers,
        tls,
        heartbeatIntervalSeconds: Number(offer.heartbeatIntervalSeconds),
        ...(proxy === undefined ? {} : { proxy }),
      },
    };
  } catch (error) {
    return { ok: false, reason: isOpampClientError(error) ? error.message : String(error) };
  }
}

const STATUS: Record<PersistedConfigStatus, ConnectionSettingsStatuses> = {
  applying: ConnectionSettingsStatuses.ConnectionSettingsStatuses_APPLYING,
  applied: ConnectionSettingsStatuses.ConnectionSettingsStatuses_APPLIED,
  failed: ConnectionSettingsStatuses.ConnectionSettingsStatuses_FAILED,
};

/** `ConnectionSettingsStatus` for the offer with `hash` (C-30). */
export function connectionSettingsStatus(
  hash: Uint8Array,
  status: PersistedConfigStatus,
  errorMessage = "",
): ConnectionSettingsStatus {
  return create(ConnectionSettingsStatusSchema, {
    lastConnectionSettingsHash: hash,
    status: STATUS[status],
    errorMessage,
  });
}
