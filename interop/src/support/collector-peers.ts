import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { sendSpan as sendOtlpSpan } from "@opamp-ts/supervisor/testing";

/** Paths of the Collector (with its opamp extension) and the Go supervisor. */
export interface CollectorPeers {
  readonly collector: string;
  readonly supervisor: string;
}

const script = fileURLToPath(new URL("../../collector/build.sh", import.meta.url));
let pending:
  | Promise<{ ok: true; peers: CollectorPeers } | { ok: false; reason: string }>
  | undefined;

function build(): NonNullable<typeof pending> {
  pending ??= new Promise((resolve) => {
    execFile(
      "bash",
      [script],
      { encoding: "utf8", maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const pick = (name: string) =>
          stdout
            .split("\n")
            .find((l) => l.startsWith(`${name}=`))
            ?.slice(name.length + 1)
            .trim();
        const collector = pick("collector");
        const supervisor = pick("supervisor");
        if (error === null && collector && supervisor) {
          resolve({ ok: true, peers: { collector, supervisor } });
          return;
        }
        resolve({
          ok: false,
          reason: `building the Collector failed: ${(stderr || error?.message || "").slice(-2000)}`,
        });
      },
    );
  });
  return pending;
}

/**
 * Builds (or reuses) the Collector and the Go supervisor through
 * `interop/collector/build.sh`, once per test process. Without a Go toolchain
 * the suite is skipped locally; with CI=true a failed build throws.
 */
export async function requireCollectorPeers(): Promise<
  { peers: CollectorPeers; skip: false } | { peers: undefined; skip: string }
> {
  const built = await build();
  if (built.ok) return { peers: built.peers, skip: false };
  if (process.env.CI === "true") throw new Error(built.reason);
  return { peers: undefined, skip: built.reason };
}

/** The two OpAMP transports a cell runs over (the spec's two, §4.1). */
export type Transport = "websocket" | "http";

/**
 * The OpAMP URL for `transport` given a server's `ws://` URL: plain HTTP uses
 * the same host, port and path with an `http:` scheme.
 */
export function opampEndpoint(transport: Transport, wsUrl: string): string {
  if (transport === "websocket") return wsUrl;
  const url = new URL(wsUrl);
  url.protocol = "http:";
  return url.href;
}

// The OTLP and Collector-config helpers are the supervisor tests' own, shared.
export { freePort, pipelineConfig, waitForFileContaining } from "@opamp-ts/supervisor/testing";

/** POST one span named `marker` from service `opamp-interop` as OTLP/HTTP JSON; resolves with the status. */
export function sendSpan(port: number, marker: string): Promise<number> {
  return sendOtlpSpan(port, marker, "opamp-interop");
}
