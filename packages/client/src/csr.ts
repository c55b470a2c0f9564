import { webcrypto } from "node:crypto";
import { OpampClientError } from "./errors.js";

/** A fresh key pair and its PKCS#10 request, both PEM. */
export interface CertificateRequestMaterial {
  /** `-----BEGIN CERTIFICATE REQUEST-----` text for `CertificateRequest.csr`. */
  readonly csrPem: string;
  /** PKCS#8 `-----BEGIN PRIVATE KEY-----` text; never leaves the agent. */
  readonly keyPem: string;
}

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

/**
 * Generate an ECDSA P-256 key pair and a PKCS#10 CSR for the agent-initiated
 * CSR flow (C-33 step 2). The subject's common name is the instance uid so
 * the server can bind the certificate to the agent (S-15).
 */
export async function createCertificateRequest(
  instanceUidText: string,
): Promise<CertificateRequestMaterial> {
  try {
    // Loaded on first use: @peculiar/x509 needs the global Reflect metadata
    // polyfill, which agents that never use the CSR flow should not get.
    await import("reflect-metadata");
    const { Pkcs10CertificateRequestGenerator } = await import("@peculiar/x509");
    const crypto = webcrypto as unknown as Parameters<
      typeof Pkcs10CertificateRequestGenerator.create
    >[1] &
      typeof webcrypto;
    const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, [
      "sign",
      "verify",
    ])) as webcrypto.CryptoKeyPair;
    const csr = await Pkcs10CertificateRequestGenerator.create(
      { name: `CN=${instanceUidText}`, keys: keys as never, signingAlgorithm: ALGORITHM },
      crypto,
    );
    const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", keys.privateKey);
    return { csrPem: csr.toString("pem"), keyPem: toPem(new Uint8Array(pkcs8), "PRIVATE KEY") };
  } catch (error) {
    throw new OpampClientError("CSR", "cannot generate a certificate request", { cause: error });
  }
}

function toPem(der: Uint8Array, label: string): string {
  const base64 = Buffer.from(der)
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .trimEnd();
  return `-----BEGIN ${label}-----\n${base64}\n-----END ${label}-----\n`;
}
