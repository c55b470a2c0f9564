import { chmod, copyFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type {
  Logger,
  PackageInstaller,
  PackageStepResult,
  VerifiedPackage,
} from "@opamp-ts/client";
import { PackageType } from "@opamp-ts/protocol";
import type { LaunchResult } from "./collector-runner.js";
import type { Mutex } from "./mutex.js";

/** What the installer needs from the supervisor. */
export interface UpgradeHost {
  readonly binariesDir: string;
  readonly mutex: Mutex;
  readonly logger: Logger;
  currentBinary(): string;
  /** Persist the binary to run (atomic state write): the switch itself. */
  switchBinary(current: string, previous: string | undefined): Promise<void>;
  /** Restart the Collector with the current binary and config; inside the mutex. */
  relaunch(): Promise<LaunchResult>;
  /** The switched-back Collector did not come up either: hand it to crash recovery. */
  recover(result: LaunchResult & { ok: false }): void;
}

/**
 * Installs a new Collector binary offered as the top-level package (spec
 * §"Packages", digest §6.3). The client has already checked the SHA-256
 * content hash and the Ed25519 signature. The binary is written beside the
 * old one, the switch is one atomic state write, and the Collector is
 * restarted; when the new binary does not report healthy within
 * `agent.config_apply_timeout` the supervisor switches back, restarts the old
 * one, and the package is reported INSTALL_FAILED with the reason.
 */
export class BinaryInstaller implements PackageInstaller {
  constructor(private readonly host: UpgradeHost) {}

  install(pkg: VerifiedPackage): Promise<PackageStepResult> {
    return this.host.mutex.run(() => this.installNow(pkg));
  }

  private async installNow(pkg: VerifiedPackage): Promise<PackageStepResult> {
    if (pkg.type !== PackageType.PackageType_TopLevel) {
      return {
        ok: false,
        reason: `add-on package "${pkg.name}": the Collector supervisor installs only the top-level binary`,
      };
    }
    const tag = Buffer.from(pkg.hash).toString("hex").slice(0, 12) || "nohash";
    const safeVersion = pkg.version.replace(/[^\w.-]/g, "_") || "unversioned";
    const target = join(this.host.binariesDir, `otelcol-${safeVersion}-${tag}`);
    const previous = this.host.currentBinary();
    if (target === previous) return { ok: true };
    await copyFile(pkg.path, `${target}.tmp`);
    await chmod(`${target}.tmp`, 0o755);
    await rename(`${target}.tmp`, target);
    await this.host.switchBinary(target, previous);
    this.host.logger.info("switched to a new Collector binary", {
      version: pkg.version,
      path: target,
    });
    const started = await this.host.relaunch();
    if (started.ok) {
      // Keep the storage small: a binary an earlier upgrade installed is no longer needed.
      if (previous.startsWith(this.host.binariesDir)) await rm(previous, { force: true });
      return { ok: true };
    }
    this.host.logger.warn("new Collector binary failed; switching back", {
      reason: started.reason,
    });
    await this.host.switchBinary(previous, undefined);
    const back = await this.host.relaunch();
    if (!back.ok) this.host.recover(back);
    await rm(target, { force: true });
    const lines = started.lines.length > 0 ? `: ${started.lines.join("\n")}` : "";
    return {
      ok: false,
      reason: `Collector ${pkg.version} did not become healthy (${started.reason})${lines}; switched back to ${previous}`,
    };
  }
}
