import { rootCertificates, type SecureVersion } from "node:tls";
import type { TLSCertificate, TLSConnectionSettings } from "@opamp-ts/protocol";
import { OpampClientError } from "./errors.js";

/**
 * TLS settings of the OpAMP connection, in a JSON-safe shape so an accepted or
 * candidate set can be persisted (C-31). Mirrors `TLSConnectionSettings` and
 * `TLSCertificate` of the spec (§3.2) with local additions.
 */
export interface TlsOptions {
  /** PEM CA certificate(s) to trust instead of (or with) the system pool. */
  readonly ca?: string | readonly string[];
  /** Also trust the system CA pool when `ca` is given. Default false (like the spec's field). */
  readonly includeSystemCaCertsPool?: boolean;
  /** PEM client certificate for mTLS. */
  readonly cert?: string;
  /** PEM private key of `cert`. */
  readonly key?: string;
  /** Disable server verification. Only for tests; a server-offered value is refused unless allowed locally. */
  readonly insecureSkipVerify?: boolean;
  /** Minimum TLS version, `"1.2"` or `"TLSv1.2"`. Default 1.2 (spec). */
  readonly minVersion?: string;
  /** Maximum TLS version; unset means no maximum. */
  readonly maxVersion?: string;
  /** Allowed cipher suites (OpenSSL names; TLS 1.3 names equal the IANA names). */
  readonly cipherSuites?: readonly string[];
  /** SNI / certificate host name override. */
  readonly serverName?: string;
}

/** The Node.js options shared by `tls.connect`, `https.request` and `ws`. */
export interface NodeTlsOptions {
  ca?: string[];
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
  ciphers?: string;
  servername?: string;
}

const VERSIONS: Record<string, SecureVersion> = {
  "1.0": "TLSv1",
  "1.1": "TLSv1.1",
  "1.2": "TLSv1.2",
  "1.3": "TLSv1.3",
};

/**
 * Map a spec TLS version string (`"1.2"`, `"TLSv1.2"`) to Node's name. Throws
 * `INVALID_OPTIONS` for anything else so a typo never silently weakens TLS.
 */
export function parseTlsVersion(version: string): SecureVersion {
  const key = version.trim().replace(/^tlsv?/i, "");
  const mapped = VERSIONS[key];
  if (mapped === undefined) {
    throw new OpampClientError("INVALID_OPTIONS", `unknown TLS version "${version}"`);
  }
  return mapped;
}

/** Build the Node.js TLS options for one connection from {@link TlsOptions}. */
export function toNodeTlsOptions(tls: TlsOptions | undefined): NodeTlsOptions {
  const options: NodeTlsOptions = {
    rejectUnauthorized: !(tls?.insecureSkipVerify ?? false),
    minVersion: parseTlsVersion(tls?.minVersion || "1.2"),
  };
  if (tls === undefined) return options;
  if (tls.ca !== undefined) {
    const own = typeof tls.ca === "string" ? [tls.ca] : [...tls.ca];
    options.ca = tls.includeSystemCaCertsPool ? [...rootCertificates, ...own] : own;
  }
  if (tls.cert !== undefined) options.cert = tls.cert;
  if (tls.key !== undefined) options.key = tls.key;
  if (tls.maxVersion) options.maxVersion = parseTlsVersion(tls.maxVersion);
  if (tls.cipherSuites !== undefined && tls.cipherSuites.length > 0) {
    options.ciphers = tls.cipherSuites.join(":");
  }
  if (tls.serverName !== undefined) options.servername = tls.serverName;
  return options;
}

/**
 * Apply a server's `TLSConnectionSettings` and `TLSCertificate` to the current
 * TLS options (C-32): an absent `tls` keeps the current settings; an absent
 * `certificate` means "no client certificate" (P-9). `csrKey` supplies the
 * private key when the certificate came from the CSR flow (C-33).
 */
export function applyOfferedTls(
  current: TlsOptions,
  offered: TLSConnectionSettings | undefined,
  certificate: TLSCertificate | undefined,
  csrKey: string | undefined,
): TlsOptions {
  const decoder = new TextDecoder();
  const next: { -readonly [K in keyof TlsOptions]: TlsOptions[K] } = { ...current };
  if (offered !== undefined) {
    if (offered.caPemContents !== "") next.ca = offered.caPemContents;
    else delete next.ca;
    next.includeSystemCaCertsPool = offered.includeSystemCaCertsPool;
    next.insecureSkipVerify = offered.insecureSkipVerify;
    next.minVersion = offered.minVersion || "1.2";
    if (offered.maxVersion !== "") next.maxVersion = offered.maxVersion;
    else delete next.maxVersion;
    if (offered.cipherSuites.length > 0) next.cipherSuites = [...offered.cipherSuites];
    else delete next.cipherSuites;
  }
  delete next.cert;
  delete next.key;
  if (certificate !== undefined && certificate.cert.length > 0) {
    next.cert = decoder.decode(certificate.cert);
    if (certificate.privateKey.length > 0) next.key = decoder.decode(certificate.privateKey);
    else if (csrKey !== undefined) next.key = csrKey;
    else {
      throw new OpampClientError(
        "CONNECTION_SETTINGS",
        "offered certificate has no private key and no certificate request is pending",
      );
    }
  }
  return next;
}
