import "reflect-metadata";
import { webcrypto } from "node:crypto";
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Pkcs10CertificateRequest,
  SubjectAlternativeNameExtension,
  type X509Certificate,
  X509CertificateGenerator,
} from "@peculiar/x509";

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const crypto = webcrypto as never;
const DAY = 24 * 60 * 60 * 1000;

/** PEM certificate and key, generated in the test run (no committed keys). */
export interface Pem {
  readonly cert: string;
  readonly key: string;
}

async function keys(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key as never));
  return `-----BEGIN PRIVATE KEY-----\n${der
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .trimEnd()}\n-----END PRIVATE KEY-----\n`;
}

let serial = 1;
const nextSerial = () => (serial++).toString(16).padStart(2, "0");
const validity = () => ({
  notBefore: new Date(Date.now() - DAY),
  notAfter: new Date(Date.now() + DAY),
});

/** A throw-away certificate authority that can issue server and client certificates and sign CSRs. */
export class TestCa {
  private constructor(
    private readonly caKeys: webcrypto.CryptoKeyPair,
    private readonly caCert: X509Certificate,
  ) {}

  static async create(name = "opamp-ts test CA"): Promise<TestCa> {
    const caKeys = await keys();
    const caCert = await X509CertificateGenerator.createSelfSigned(
      {
        serialNumber: nextSerial(),
        name: `CN=${name}`,
        ...validity(),
        keys: caKeys as never,
        signingAlgorithm: ALG,
        extensions: [
          new BasicConstraintsExtension(true, undefined, true),
          new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
        ],
      },
      crypto,
    );
    return new TestCa(caKeys, caCert);
  }

  get certPem(): string {
    return this.caCert.toString("pem");
  }

  private async issue(
    subject: string,
    publicKey: unknown,
    usage: "server" | "client",
  ): Promise<string> {
    const extensions =
      usage === "server"
        ? [
            new SubjectAlternativeNameExtension([{ type: "ip", value: "127.0.0.1" }]),
            new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth]),
          ]
        : [new ExtendedKeyUsageExtension([ExtendedKeyUsage.clientAuth])];
    const cert = await X509CertificateGenerator.create(
      {
        serialNumber: nextSerial(),
        subject,
        issuer: this.caCert.subject,
        ...validity(),
        publicKey: publicKey as never,
        signingKey: this.caKeys.privateKey as never,
        signingAlgorithm: ALG,
        extensions,
      },
      crypto,
    );
    return cert.toString("pem");
  }

  /** A server certificate for 127.0.0.1. */
  async server(): Promise<Pem> {
    const pair = await keys();
    return {
      cert: await this.issue("CN=127.0.0.1", pair.publicKey, "server"),
      key: await keyPem(pair.privateKey),
    };
  }

  /** A client certificate with the given common name. */
  async client(commonName: string): Promise<Pem> {
    const pair = await keys();
    return {
      cert: await this.issue(`CN=${commonName}`, pair.publicKey, "client"),
      key: await keyPem(pair.privateKey),
    };
  }

  /** Sign a PKCS#10 request (C-33, S-15); returns the certificate PEM and the request's subject. */
  async signCsr(csrPem: string): Promise<{ cert: string; subject: string }> {
    const csr = new Pkcs10CertificateRequest(csrPem);
    const ok = await csr.verify(crypto);
    if (!ok) throw new Error("CSR signature does not verify");
    return { cert: await this.issue(csr.subject, csr.publicKey, "client"), subject: csr.subject };
  }
}
