import { readFile } from "node:fs/promises";
import { createServer } from "node:net";

/** A free TCP port on 127.0.0.1, from the OS. */
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

/** POST one span named `marker` as OTLP/HTTP JSON; resolves with the HTTP status. */
export async function sendSpan(
  port: number,
  marker: string,
  serviceName = "supervisor-e2e",
): Promise<number> {
  const body = {
    resourceSpans: [
      {
        resource: {
          attributes: [{ key: "service.name", value: { stringValue: serviceName } }],
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

/** Wait until the file exporter's output file contains `marker` (polled; the file is written by another process). */
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

/** A Collector config with an OTLP/HTTP receiver on `port` and a file exporter writing to `file`. */
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
