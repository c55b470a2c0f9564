import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { OpampClientError } from "../errors.js";
import type { PackageStepResult, PackageVerifier, SignedContent } from "./types.js";

/** Options of {@link Ed25519PackageVerifier}. */
export interface Ed25519VerifierOptions {
  /**
   * Trusted Ed25519 public keys, PEM (SPKI, `-----BEGIN PUBLIC KEY-----`). Keep
   * the signing keys away from the OpAMP server (§6.6).
   */
  readonly publicKeys: readonly string[];
  /** Refuse packages without a signature. Default true (C-40). */
  readonly requireSignature?: boolean;
}

/**
 * The shipped package verifier (§6.6): `DownloadableFile.signature` holds the
 * raw 64-byte Ed25519 signature (RFC 8032, pure Ed25519, no pre-hash) over the
 * exact bytes of the downloaded file. A signature by any trusted key passes.
 * Produce one with `crypto.sign(null, fileBytes, privateKey)` or
 * `openssl pkeyutl -sign -rawin -inkey key.pem -in file -out file.sig`.
 */
export class Ed25519PackageVerifier implements PackageVerifier {
  private readonly keys: KeyObject[];
  private readonly requireSignature: boolean;

  constructor(options: Ed25519VerifierOptions) {
    if (options.publicKeys.length === 0) {
      throw new OpampClientError(
        "INVALID_OPTIONS",
        "Ed25519PackageVerifier needs at least one public key",
      );
    }
    this.keys = options.publicKeys.map((pem) => {
      const key = createPublicKey(pem);
      if (key.asymmetricKeyType !== "ed25519") {
        throw new OpampClientError(
          "INVALID_OPTIONS",
          `package signing key is ${key.asymmetricKeyType}, not ed25519`,
        );
      }
      return key;
    });
    this.requireSignature = options.requireSignature ?? true;
  }

  async verify(input: SignedContent): Promise<PackageStepResult> {
    if (input.signature.length === 0) {
      return this.requireSignature
        ? {
            ok: false,
            reason: `package ${input.name} has no signature and signatures are required`,
          }
        : { ok: true };
    }
    if (input.signature.length !== 64) {
      return {
        ok: false,
        reason: `package ${input.name}: signature is ${input.signature.length} bytes, Ed25519 needs 64`,
      };
    }
    for (const key of this.keys) {
      if (verify(null, input.content, key, input.signature)) return { ok: true };
    }
    return { ok: false, reason: `package ${input.name}: signature does not match any trusted key` };
  }
}
