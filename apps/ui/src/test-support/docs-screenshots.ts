/**
 * Regenerates the screenshots in docs/screenshots/ from a small live fleet:
 * the real control plane, two dozen real clients (varied types, versions and
 * OSes, some unhealthy, some refusing a config, a few gone) and Chromium.
 *
 *   node --conditions=source --import tsx apps/ui/src/test-support/docs-screenshots.ts
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchBrowser } from "./browser.js";
import { ensureUiBuilt } from "./build-ui.js";
import {
  startControlPlane,
  startTestAgent,
  TEST_ADMIN_TOKEN,
  type TestAgent,
  type TestControlPlane,
} from "./fleet-harness.js";

const DOCS = fileURLToPath(new URL("../../../../docs/screenshots/", import.meta.url));

const KINDS = [
  { name: "otelcol-contrib", version: "0.115.0", os: "linux", env: "prod" },
  { name: "otelcol-contrib", version: "0.114.0", os: "linux", env: "prod" },
  { name: "otelcol-k8s", version: "0.115.0", os: "linux", env: "staging" },
  { name: "otelcol-contrib", version: "0.115.0", os: "windows", env: "prod" },
  { name: "fluent-bit", version: "3.2.1", os: "linux", env: "staging" },
  { name: "edge-agent", version: "2.0.0", os: "darwin", env: "dev" },
] as const;

const V1 = `receivers:
  otlp:
    protocols:
      grpc: {}
processors:
  batch: {}
exporters:
  otlphttp:
    endpoint: https://telemetry.example.com
service:
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [otlphttp]
`;

/** Waits until the API lists `n` agents (clients register a moment after `start()`). */
async function waitForCount(cp: TestControlPlane, n: number): Promise<void> {
  for (let i = 0; i < 1200; i += 1) {
    const listed = ((await cp.api("GET", "/agents")).body as { agents: unknown[] }).agents.length;
    if (listed >= n) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`fewer than ${n} agents registered within a minute`);
}

async function main(): Promise<void> {
  await ensureUiBuilt();
  const cp = await startControlPlane();
  const agents: TestAgent[] = [];
  const browser = await launchBrowser();
  try {
    for (let i = 0; i < 24; i += 1) {
      const kind = KINDS[i % KINDS.length]!;
      const host = `${kind.os === "windows" ? "WIN" : "node"}-${kind.env}-${String(i + 1).padStart(2, "0")}`;
      const a = await startTestAgent(cp.handle.opampUrl, host, {
        type: kind.name,
        version: kind.version,
        attributes: { "os.type": kind.os, "deployment.environment": kind.env },
      });
      agents.push(a);
      if (i % 9 === 4) {
        a.client.setHealth({
          healthy: false,
          status: "degraded",
          componentHealthMap: {
            "pipeline:traces": { healthy: true, status: "ok" },
            "exporter:otlphttp": {
              healthy: false,
              status: "retrying",
              lastError: "Post https://telemetry.example.com/v1/traces: connection refused",
            },
          },
        });
      }
    }
    await waitForCount(cp, 24);
    const created = await cp.api("POST", "/configurations", {
      name: "gateway-traces",
      description: "OTLP in, batched OTLP/HTTP out",
      files: { "collector.yaml": { body: V1, contentType: "text/yaml" } },
    });
    const id = (created.body as { id: string }).id;
    await cp.api("POST", `/configurations/${id}/versions`, {
      files: {
        "collector.yaml": {
          body: V1.replace("batch: {}", "batch:\n    send_batch_size: 8192\n    timeout: 5s"),
          contentType: "text/yaml",
        },
      },
    });
    await cp.api("POST", "/assignments", {
      configurationId: id,
      selector: "deployment.environment=prod",
      priority: 10,
    });
    const failing = await cp.api("POST", "/configurations", {
      name: "experimental-exporter",
      files: {
        "collector.yaml": {
          body: "exporters:\n  experimental: {} # fail on purpose\n",
          contentType: "text/yaml",
        },
      },
    });
    await cp.api("POST", "/assignments", {
      configurationId: (failing.body as { id: string }).id,
      selector: "deployment.environment=staging",
      priority: 5,
    });
    for (const gone of agents.splice(20)) await gone.stop();

    mkdirSync(DOCS, { recursive: true });
    const page = browser.page;
    const base = cp.handle.uiUrl;
    await page.goto(base);
    await page.getByLabel("Admin token").fill(TEST_ADMIN_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Fleet overview" }).waitFor();
    await page
      .locator('[data-stat="config failed"] .stat-value')
      .filter({ hasText: /^[1-9]/ })
      .waitFor();
    const shots: [string, string][] = [];
    shots.push(["overview", await browser.screenshot("docs-overview")]);
    await page.goto(`${base}#/agents`);
    await page
      .getByRole("status")
      .filter({ hasText: /Showing \d+ of / })
      .waitFor();
    shots.push(["agents", await browser.screenshot("docs-agents")]);
    await page.goto(`${base}#/agents/${agents[4]!.id()}`);
    await page
      .getByText(/connection refused/)
      .first()
      .waitFor();
    shots.push(["agent-detail", await browser.screenshot("docs-agent-detail")]);
    await page.goto(`${base}#/configurations/${id}`);
    await page.getByRole("table", { name: "Versions" }).getByText("v2").first().waitFor();
    await page.getByLabel("From version").selectOption("1");
    await page.getByLabel("To version").selectOption("2");
    shots.push(["configuration", await browser.screenshot("docs-configuration")]);
    await page.getByRole("button", { name: "New version" }).click();
    await page
      .getByLabel("New version (YAML)")
      .fill(V1.replace("  batch: {}", "  batch: {}\n   memory_limiter: {}"));
    await page.getByRole("button", { name: "Save new version" }).click();
    await page.getByRole("alert").filter({ hasText: "Saving the new version failed" }).waitFor();
    await page.getByRole("form", { name: "New version" }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(DOCS, "config-editor.png") });
    for (const [name, path] of shots) copyFileSync(path, join(DOCS, `${name}.png`));
    process.stdout.write(`wrote ${shots.length + 1} screenshots to ${DOCS}\n`);
  } finally {
    for (const a of agents) await a.stop().catch(() => undefined);
    await browser.close();
    await cp.close();
  }
}

await main();
