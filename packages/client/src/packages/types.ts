import type { PackageType } from "@opamp-ts/protocol";

/** A downloaded, hash-checked and signature-checked package file (§6.3 step 4). */
export interface VerifiedPackage {
  readonly name: string;
  readonly type: PackageType;
  readonly version: string;
  /** The server's `PackageAvailable.hash`. */
  readonly hash: Uint8Array;
  /** Path of the verified file; the client deletes it after `install` returns unless moved. */
  readonly path: string;
}

/** What an installer or verifier decided: expected outcomes, not exceptions (DESIGN §3). */
export type PackageStepResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string };

/**
 * Installs verified packages into the agent (§6.3 step 4). The client never
 * removes a running top-level package without a working replacement (P-18):
 * `remove` is only called for add-ons the server no longer offers.
 */
export interface PackageInstaller {
  install(pkg: VerifiedPackage): Promise<PackageStepResult>;
  /** Remove an add-on the server stopped offering (§6.3 step 2). Optional. */
  remove?(name: string): Promise<PackageStepResult>;
}

/**
 * What a verifier receives: the downloaded file and the detached signature
 * (§6.6). `content` is the file read into memory for signature schemes that
 * need the whole message (pure Ed25519); `path` lets a streaming verifier
 * read the file itself.
 */
export interface SignedContent {
  readonly name: string;
  readonly version: string;
  /** The downloaded, hash-checked file. */
  readonly path: string;
  readonly content: Uint8Array;
  /** `DownloadableFile.signature`; empty when the server sent none. */
  readonly signature: Uint8Array;
}

/** Checks a package's authenticity before it is installed (§6.6, C-40). */
export interface PackageVerifier {
  verify(input: SignedContent): Promise<PackageStepResult>;
}
