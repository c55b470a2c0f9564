import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

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

/** A free TCP port on 127.0.0.1, from the OS, for a peer that cannot take port 0. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** POSTs one span named `marker` as OTLP/HTTP JSON; resolves with the HTTP status. */
export async function sendSpan(port: number, marker: string): Promise<number> {
  const body = {
    resourceSpans: [
      {
        resource: {
          attributes: [{ key: "service.name", value: { stringValue: "opamp-interop" } }],
        },
        scopeSpans: [
          {
            spans: [
              {
                traceId: "5b8efff798038103d269b633813fc60c",
                spanId: "eee19b7ec3c1b174",
                name: marker,
                kind: 1,
                startTimeUnixNano: "1544712660000000000",
                endTimeUnixNano: "1544712661000000000",
              },
            ],
          },
        ],
      },
    ],
  };
  const response = await fetch(`http://127.0.0.1:${port}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

/** Waits until the file exporter's output contains `marker` (another process writes it). */
export async function waitForFileContaining(
  path: string,
  marker: string,
  timeoutMs = 60_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await readFile(path, "utf8").catch(() => "");
    if (text.includes(marker)) return text;
    if (Date.now() > deadline) throw new Error(`${path} never contained ${marker}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * A Collector config: an OTLP/HTTP receiver on `port` and a file exporter
 * (or `exporter`, to name an unknown component) writing to `file`. Internal
 * metrics are off so the Collector does not bind :8888.
 */
export function pipelineConfig(port: number, file: string, exporter = "file"): string {
  return [
    "receivers:",
    "  otlp:",
    "    protocols:",
    "      http:",
    `        endpoint: 127.0.0.1:${port}`,
    "exporters:",
    `  ${exporter}:`,
    `    path: ${file}`,
    "    flush_interval: 100ms",
    "service:",
    "  pipelines:",
    "    traces:",
    "      receivers: [otlp]",
    `      exporters: [${exporter}]`,
    "  telemetry:",
    "    metrics:",
    "      level: none",
    "",
  ].join("\n");
}
