import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  create,
  type PackageAvailable,
  PackageDownloadDetailsSchema,
  type PackageStatus,
  PackageStatusEnum,
  type PackageStatuses,
  PackageStatusesSchema,
  PackageStatusSchema,
  type PackagesAvailable,
  PackageType,
} from "@opamp-ts/protocol";
import { OpampClientError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { PackagesOptions } from "../options.js";
import type {
  PersistedPackage,
  PersistedPackageFailure,
  PersistedPackages,
} from "../state-store.js";
import type { TlsOptions } from "../tls.js";
import { downloadFile } from "./download.js";

/** What the syncer needs from the client. */
export interface SyncerHost {
  readonly logger: Logger;
  tls(): TlsOptions;
  load(): PersistedPackages | undefined;
  save(state: PersistedPackages): Promise<void>;
  /** Put the statuses into the next report and send it (§6.4). */
  report(statuses: PackageStatuses): void;
  reportError(error: OpampClientError): void;
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");
const fromB64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "base64"));

/**
 * The packages syncer (spec §"Packages", digest §6): compares
 * `all_packages_hash` and per-package hashes, downloads what changed with the
 * offered headers, reports DOWNLOADING with `download_details`, checks the
 * SHA-256 `content_hash` and the signature, hands the file to the installer
 * and reports INSTALLED / INSTALL_FAILED with the reason. Offers are handled
 * one at a time; a newer offer waiting replaces an older one (C-14).
 */
export class PackageSyncer {
  private readonly statuses = new Map<string, PackageStatus>();
  private serverHash: Uint8Array = new Uint8Array();
  private running: Promise<void> = Promise.resolve();
  private next: PackagesAvailable | undefined;
  private busy = false;

  constructor(
    private readonly options: PackagesOptions,
    private readonly host: SyncerHost,
    private readonly timing: { progressIntervalMs: number; timeoutMs: number },
  ) {}

  /** Statuses of the packages the agent has, for the first report after a restart (C-6). */
  initialStatuses(): PackageStatuses {
    const state = this.host.load();
    if (state?.allPackagesHash !== undefined) this.serverHash = fromB64(state.allPackagesHash);
    for (const [name, pkg] of Object.entries(state?.installed ?? {})) {
      this.statuses.set(name, this.installedStatus(name, pkg));
    }
    for (const [name, failure] of Object.entries(state?.failed ?? {})) {
      const has = state?.installed[name];
      this.statuses.set(name, this.failedStatus(name, has, failure));
    }
    return this.snapshot();
  }

  /** Handle a `packages_available` offer in the background (C-15: idempotent by hash). */
  offer(available: PackagesAvailable): void {
    this.next = available;
    if (this.busy) return;
    this.busy = true;
    this.running = (async () => {
      while (this.next !== undefined) {
        const offer = this.next;
        this.next = undefined;
        try {
          await this.sync(offer);
        } catch (error) {
          this.host.reportError(
            new OpampClientError("PACKAGE", "package sync failed", { cause: error }),
          );
        }
      }
      this.busy = false;
    })();
  }

  /** Resolves when no offer is being processed. */
  async idle(): Promise<void> {
    while (this.busy) await this.running;
  }

  private async sync(offer: PackagesAvailable): Promise<void> {
    const state = this.host.load() ?? { installed: {} };
    const offerHash = b64(offer.allPackagesHash);
    if (state.allPackagesHash === offerHash) return;
    this.serverHash = offer.allPackagesHash;
    const installed: Record<string, PersistedPackage> = { ...state.installed };
    const failed: Record<string, PersistedPackageFailure> = { ...(state.failed ?? {}) };
    for (const [name, pkg] of Object.entries(offer.packages)) {
      await this.syncOne(name, pkg, installed, failed);
    }
    for (const [name, pkg] of Object.entries(installed)) {
      if (name in offer.packages) continue;
      if (pkg.type === "topLevel") {
        // P-18: never drop the running top-level package without a replacement.
        this.host.logger.warn("server did not offer the installed top-level package; keeping it", {
          name,
        });
        continue;
      }
      const removed = (await this.options.installer.remove?.(name)) ?? {
        ok: false,
        reason: "installer cannot remove",
      };
      if (removed.ok) {
        delete installed[name];
        delete failed[name];
        this.statuses.delete(name);
      } else {
        this.host.logger.warn("could not remove a package the server no longer offers", {
          name,
          reason: removed.reason,
        });
      }
    }
    await this.host.save({ allPackagesHash: offerHash, installed, failed });
    this.host.report(this.snapshot());
  }

  private async syncOne(
    name: string,
    pkg: PackageAvailable,
    installed: Record<string, PersistedPackage>,
    failed: Record<string, PersistedPackageFailure>,
  ): Promise<void> {
    const hash = b64(pkg.hash);
    const has = installed[name];
    if (has !== undefined && has.hash === hash) {
      this.statuses.set(name, this.installedStatus(name, has, pkg));
      delete failed[name];
      return;
    }
    const previous = failed[name];
    if (previous !== undefined && previous.hash === hash) {
      this.statuses.set(name, this.failedStatus(name, has, previous));
      return;
    }
    const result = await this.fetchAndInstall(name, pkg, has);
    if (result.ok) {
      installed[name] = {
        type: pkg.type === PackageType.PackageType_Addon ? "addon" : "topLevel",
        version: pkg.version,
        hash,
      };
      delete failed[name];
      this.statuses.set(name, this.installedStatus(name, installed[name]!, pkg));
    } else {
      failed[name] = { version: pkg.version, hash, error: result.reason };
      this.statuses.set(name, this.failedStatus(name, has, failed[name]!));
    }
  }

  private async fetchAndInstall(
    name: string,
    pkg: PackageAvailable,
    has: PersistedPackage | undefined,
  ): Promise<{ ok: true } | { ok: false; reason: string }> {
    if (pkg.file === undefined || pkg.file.downloadUrl === "") {
      return { ok: false, reason: "offer has no downloadable file" };
    }
    const base = this.offeredStatus(name, pkg, has);
    const reportDownloading = (percent: number, bytesPerSecond: number) => {
      const status = create(PackageStatusSchema, {
        ...base,
        status: PackageStatusEnum.PackageStatusEnum_Downloading,
        downloadDetails: create(PackageDownloadDetailsSchema, {
          downloadPercent: percent,
          downloadBytesPerSecond: bytesPerSecond,
        }),
      });
      this.statuses.set(name, status);
      this.host.report(this.snapshot());
    };
    reportDownloading(0, 0);
    let lastReport = Date.now();
    const download = await downloadFile(pkg.file, {
      dir: this.options.downloadDir ?? join(tmpdir(), "opamp-ts-packages"),
      name,
      tls: this.host.tls(),
      maxBytes: this.options.maxBytes ?? 1024 ** 3,
      timeoutMs: this.timing.timeoutMs,
      onProgress: (progress) => {
        const now = Date.now();
        const done = progress.total !== undefined && progress.bytes >= progress.total;
        if (progress.bytes === 0 || done || now - lastReport < this.timing.progressIntervalMs)
          return;
        lastReport = now;
        const percent = progress.total ? (progress.bytes / progress.total) * 100 : 0;
        reportDownloading(percent, progress.bytesPerSecond);
      },
    });
    if (!download.ok) return download;
    try {
      if (this.options.verifier !== undefined) {
        const verdict = await this.options.verifier.verify({
          name,
          version: pkg.version,
          path: download.path,
          content: await readFile(download.path),
          signature: pkg.file.signature,
        });
        if (!verdict.ok) return { ok: false, reason: `signature check failed: ${verdict.reason}` };
      }
      this.statuses.set(
        name,
        create(PackageStatusSchema, {
          ...base,
          status: PackageStatusEnum.PackageStatusEnum_Installing,
        }),
      );
      this.host.report(this.snapshot());
      return await this.options.installer.install({
        name,
        type: pkg.type,
        version: pkg.version,
        hash: pkg.hash,
        path: download.path,
      });
    } catch (error) {
      return {
        ok: false,
        reason: `installer failed: ${error instanceof Error ? error.message : String(error)}`,
      };
    } finally {
      await rm(download.path, { force: true });
    }
  }

  private snapshot(): PackageStatuses {
    return create(PackageStatusesSchema, {
      packages: Object.fromEntries(this.statuses),
      serverProvidedAllPackagesHash: this.serverHash,
    });
  }

  private offeredStatus(name: string, pkg: PackageAvailable, has: PersistedPackage | undefined) {
    return {
      name,
      agentHasVersion: has?.version ?? "",
      agentHasHash: has === undefined ? new Uint8Array() : fromB64(has.hash),
      serverOfferedVersion: pkg.version,
      serverOfferedHash: pkg.hash,
    };
  }

  private installedStatus(
    name: string,
    pkg: PersistedPackage,
    offered?: PackageAvailable,
  ): PackageStatus {
    return create(PackageStatusSchema, {
      name,
      agentHasVersion: pkg.version,
      agentHasHash: fromB64(pkg.hash),
      serverOfferedVersion: offered?.version ?? pkg.version,
      serverOfferedHash: offered?.hash ?? fromB64(pkg.hash),
      status: PackageStatusEnum.PackageStatusEnum_Installed,
    });
  }

  private failedStatus(
    name: string,
    has: PersistedPackage | undefined,
    failure: PersistedPackageFailure,
  ): PackageStatus {
    return create(PackageStatusSchema, {
      name,
      agentHasVersion: has?.version ?? "",
      agentHasHash: has === undefined ? new Uint8Array() : fromB64(has.hash),
      serverOfferedVersion: failure.version,
      serverOfferedHash: fromB64(failure.hash),
      status: PackageStatusEnum.PackageStatusEnum_InstallFailed,
      errorMessage: failure.error,
    });
  }
}
