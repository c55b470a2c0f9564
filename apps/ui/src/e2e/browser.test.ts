/**
 * The web UI in a real browser against the real system: Debian's Chromium,
 * the control plane started in-process, real `@opamp-ts/client` agents.
 * Screenshots go to apps/ui/test-output/screenshots/.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Page } from "playwright-core";
import { type Browser, browserUnavailable, launchBrowser } from "../test-support/browser.js";
import { ensureUiBuilt } from "../test-support/build-ui.js";
import {
  REFUSAL_MESSAGE,
  startControlPlane,
  startTestAgent,
  TEST_ADMIN_TOKEN,
  type TestAgent,
  type TestAgentOptions,
  type TestControlPlane,
} from "../test-support/fleet-harness.js";

const unavailable = browserUnavailable();
if (unavailable !== undefined && process.env.CI === "true") {
  throw new Error(`browser tests need Chromium under CI: ${unavailable}`);
}

/** Polls `check` until true (no timing assertion; fails only after a generous deadline). */
async function waitUntil(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** An agent as the REST API shows it, for the table-size test. */
function syntheticAgent(i: number) {
  const n = String(i).padStart(5, "0");
  return {
    id: `0190a000-0000-7000-8000-${String(i).padStart(12, "0")}`,
    connected: i % 7 !== 0,
    transport: "websocket",
    remoteAddress: "10.0.0.1",
    connectedSince: "2026-11-25T08:00:00.000Z",
    firstSeenAt: "2026-11-25T08:00:00.000Z",
    lastSeenAt: "2026-11-25T08:00:00.000Z",
    description: {
      identifyingAttributes: { "service.name": "otelcol-contrib", "service.version": "0.115.0" },
      nonIdentifyingAttributes: { "os.type": "linux", "host.name": `synthetic-${n}` },
    },
    capabilities: ["ReportsStatus"],
    health: null,
    effectiveConfig: null,
    remoteConfigStatus: { status: "UNSET", configHash: "", errorMessage: "" },
    packageStatuses: null,
    availableComponents: null,
    customCapabilities: [],
    labels: {},
    userLabels: {},
    failedConfigHashes: [],
    desiredConfig: null,
  };
}

/** Opens `hash` and signs in when the sign-in form shows. */
async function open(page: Page, baseUrl: string, hash: string): Promise<void> {
  await page.goto(`${baseUrl}#${hash}`);
  const token = page.getByLabel("Admin token");
  const nav = page.getByRole("navigation", { name: "Main" });
  await Promise.race([token.waitFor(), nav.waitFor()]);
  if (await token.isVisible()) {
    await token.fill(TEST_ADMIN_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await nav.waitFor();
  }
}

describe("web UI in Chromium against the real control plane", { skip: unavailable }, () => {
  let cp: TestControlPlane;
  let browser: Browser;
  let page: Page;
  let base: string;
  const agents: TestAgent[] = [];

  before(async () => {
    await ensureUiBuilt();
    cp = await startControlPlane();
    base = cp.handle.uiUrl;
    browser = await launchBrowser();
    page = browser.page;
  });

  after(async () => {
    for (const a of agents) await a.stop().catch(() => undefined);
    await browser?.close();
    await cp?.close();
  });

  const agent = async (name: string, options: TestAgentOptions = {}) => {
    const a = await startTestAgent(cp.handle.opampUrl, name, options);
    agents.push(a);
    return a;
  };

  test("S-2 sign-in refuses a wrong admin token with a message, keeps the right one in sessionStorage only, and the app is keyboard-navigable", async () => {
    await page.goto(base);
    await page.getByLabel("Admin token").fill("not-the-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    assert.match(
      (await alert.textContent()) ?? "",
      /Signing in failed: the admin token was refused \(401\)/,
    );
    await browser.screenshot("sign-in-refused");

    await page.getByLabel("Admin token").fill(TEST_ADMIN_TOKEN);
    await page.getByLabel("Admin token").press("Enter");
    await page.getByRole("heading", { name: "Fleet overview" }).waitFor();
    // Keyboard only: the first Tab reaches the skip link, the next ones the main navigation.
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to content");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Agents");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Agents" }).waitFor();
    const stored = await page.evaluate(() => ({
      session: Object.values(sessionStorage),
      local: Object.values(localStorage),
      cookie: document.cookie,
    }));
    assert.deepEqual(stored.session, [TEST_ADMIN_TOKEN]);
    assert.deepEqual(stored.local, []);
    assert.equal(stored.cookie, "");

    // A token the server stops accepting signs the user out with a reason.
    await page.evaluate(() => {
      for (const key of Object.keys(sessionStorage)) sessionStorage.setItem(key, "revoked-token");
    });
    await page.reload();
    await page.getByText("The admin token is no longer accepted; sign in again.").waitFor();
    await page.getByLabel("Admin token").waitFor();
    assert.deepEqual(await page.evaluate(() => Object.keys(sessionStorage)), []);
  });

  test("S-8 agents that connect (WebSocket and plain HTTP) appear in the agents table and the overview without a reload", async () => {
    await open(page, base, "/agents");
    await page
      .getByRole("status")
      .filter({ hasText: /Showing/ })
      .waitFor();
    await page.evaluate(() => {
      (window as unknown as { marker: string }).marker = "same page";
    });
    const a = await agent("ui-live-agent");
    await page.getByRole("link", { name: "ui-live-agent" }).waitFor();
    const row = page.getByRole("row").filter({ hasText: "ui-live-agent" });
    await row.getByText("connected", { exact: true }).waitFor();
    const polled = await startTestAgent(cp.handle.opampHttpUrl, "ui-http-agent");
    agents.push(polled);
    await page.getByRole("link", { name: "ui-http-agent" }).waitFor();
    assert.equal(
      await page.evaluate(() => (window as unknown as { marker?: string }).marker),
      "same page",
    );
    await browser.screenshot("agents-table");

    await page.getByRole("link", { name: "Overview" }).click();
    await page
      .locator('[data-stat="connected"] .stat-value')
      .filter({ hasText: /^[1-9]/ })
      .waitFor();
    await page.getByRole("region", { name: "Recent events" }).waitFor();
    assert.equal(
      await page.evaluate(() => (window as unknown as { marker?: string }).marker),
      "same page",
    );
    await browser.screenshot("overview");
    assert.ok(a.id().length === 36);
  });

  test("S-12 a per-agent config pushed from the UI reaches the real client and shows APPLIED", async () => {
    const a = await agent("ui-push-agent");
    await open(page, base, `/agents/${a.id()}`);
    await page.getByRole("heading", { name: /ui-push-agent/ }).waitFor();
    const body = "receivers:\n  otlp: {}\nexporters:\n  debug:\n    verbosity: detailed\n";
    await page.getByLabel("Per-agent config (YAML)").fill(body);
    await page.getByRole("button", { name: "Push to this agent" }).click();
    const pushed = page.getByRole("status").filter({ hasText: /Pushed config/ });
    await pushed.waitFor();
    const hash = /Pushed config ([0-9a-f]{8})/.exec((await pushed.textContent()) ?? "")?.[1];
    assert.ok(hash !== undefined, "the UI names the pushed hash");
    const status = page.getByTestId("config-status");
    await status.filter({ hasText: "APPLIED" }).filter({ hasText: hash }).waitFor();
    assert.equal(a.received.at(-1)?.["collector.yaml"]?.body, body);
    assert.equal(a.effective()["collector.yaml"]?.body, body);
    await page
      .getByLabel("Effective config collector.yaml")
      .filter({ hasText: "verbosity: detailed" })
      .waitFor();
    await page
      .getByRole("table", { name: "Config status history" })
      .getByText("APPLIED")
      .first()
      .waitFor();
    // The override, read back from the server, against what the agent runs.
    const diff = page.locator("figure.diff").filter({ hasText: `desired (override ${hash})` });
    await diff.filter({ hasText: "No differences" }).waitFor();
    await browser.screenshot("agent-detail-applied");
  });

  test("REST 400: invalid YAML in a new version is refused and the editor shows the line", async () => {
    await open(page, base, "/configurations");
    await page.getByRole("button", { name: "New configuration" }).click();
    await page.getByLabel("Name", { exact: true }).fill("edge-collectors");
    await page.getByLabel("Description", { exact: true }).fill("Collectors at the edge");
    await page.getByRole("button", { name: "Create configuration" }).click();
    await page.getByRole("heading", { name: "edge-collectors" }).waitFor();
    await page.getByRole("table", { name: "Versions" }).getByText("v1").first().waitFor();

    await page.getByRole("button", { name: "New version" }).click();
    const invalid = "receivers:\n  otlp: {}\n exporters: {}\n";
    await page.getByLabel("New version (YAML)").fill(invalid);
    const local = page.getByRole("button", { name: /Error at line 3, column 1/ });
    await local.first().waitFor();
    await page.getByRole("button", { name: "Save new version" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "Saving the new version failed" });
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? "", /invalid YAML at line 3, column 1/);
    assert.match((await alert.textContent()) ?? "", /\(400\)/);
    await page.locator(".gutter-error", { hasText: "3" }).waitFor();
    await browser.screenshot("config-invalid-yaml");

    const configs = (await cp.api("GET", "/configurations")).body as {
      configurations: { id: string; name: string; latestVersion: number }[];
    };
    const created = configs.configurations.find((c) => c.name === "edge-collectors");
    assert.equal(created?.latestVersion, 1, "the refused version was not stored");
  });

  test("P-12 a config the agent refuses shows FAILED with the agent's message, in the rollout and on the agent", async () => {
    const a = await agent("ui-failing-agent", {
      attributes: { "deployment.environment": "staging" },
    });
    const created = await cp.api("POST", "/configurations", {
      name: "broken-exporter",
      description: "an exporter the agent does not support",
      files: {
        "collector.yaml": {
          body: "exporters:\n  broken: {} # this makes the test agent fail\n",
          contentType: "text/yaml",
        },
      },
    });
    assert.equal(created.status, 201);
    const id = (created.body as { id: string }).id;
    await open(page, base, `/configurations/${id}`);
    await page.getByRole("heading", { name: "broken-exporter" }).waitFor();
    await page.getByLabel("Label selector").fill("host.name in (ui-failing-agent");
    await page
      .getByText(
        /Filtering agents by selector failed: invalid selector at position \d+: .* \(400\)/,
      )
      .waitFor();
    await page.getByLabel("Label selector").fill("host.name=ui-failing-agent");
    await page.getByTestId("preview-count").filter({ hasText: "Matches 1 agent" }).waitFor();
    await page
      .getByRole("form", { name: "Assign by selector" })
      .getByRole("link", { name: "ui-failing-agent" })
      .waitFor();
    await page.getByRole("button", { name: "Assign", exact: true }).click();
    await page
      .getByRole("table", { name: "Assignments" })
      .getByText("host.name=ui-failing-agent")
      .waitFor();
    await page.locator('tr[data-version="1"] td[data-col="failed"]', { hasText: "1" }).waitFor();
    await page
      .getByRole("table", { name: "Agents on version 1" })
      .getByText(REFUSAL_MESSAGE)
      .waitFor();
    await browser.screenshot("config-rollout-failed");

    await open(page, base, `/agents/${a.id()}`);
    await page.getByTestId("config-status").filter({ hasText: "FAILED" }).waitFor();
    const error = page.getByTestId("config-error");
    assert.equal((await error.textContent()) ?? "", `The agent reported: ${REFUSAL_MESSAGE}`);
    await page
      .getByRole("table", { name: "Config status history" })
      .getByText(REFUSAL_MESSAGE)
      .first()
      .waitFor();
    await page.getByText(/not pushed again until you retry\. /).waitFor();
    const shown = (await page.locator("body").textContent()) ?? "";
    assert.doesNotMatch(shown, /\b[CPS]-\d+\b/, "no internal rule id reaches the user");
    await browser.screenshot("agent-detail-failed");
    const failing = (f: TestAgent["received"][number]) =>
      f["collector.yaml"]?.body.includes("broken") === true;
    assert.equal(a.received.filter(failing).length, 1, "the refused config was pushed once");
    await page.getByRole("button", { name: "Retry" }).click();
    await page
      .getByRole("status")
      .filter({ hasText: /Config [0-9a-f]{8} pushed again\./ })
      .waitFor();
    const audit = (await cp.api("GET", "/audit")).body as {
      entries: { action: string; target: string }[];
    };
    assert.ok(audit.entries.some((e) => e.action === "agent.config.retry" && e.target === a.id()));
  });

  test("S-19 S-22 agent actions: labels saved, restart reaches the client, a custom message's reply shows, all audited", async () => {
    const a = await agent("ui-actions-agent");
    await open(page, base, `/agents/${a.id()}`);
    await page.getByRole("heading", { name: /ui-actions-agent/ }).waitFor();

    await page.getByLabel(/One key=value per line/).fill("env=prod\nteam=payments");
    await page.getByRole("button", { name: "Save labels" }).click();
    await page.getByRole("status").filter({ hasText: "Labels saved." }).waitFor();
    const labels = page.getByRole("table", { name: /Labels/ });
    await labels.getByRole("row", { name: /env\s*prod/ }).waitFor();
    const shown = (await cp.api("GET", `/agents/${a.id()}`)).body as {
      userLabels: Record<string, string>;
    };
    assert.deepEqual(shown.userLabels, { env: "prod", team: "payments" });

    await page.getByLabel(/One key=value per line/).fill("bad label");
    await page.getByRole("button", { name: "Save labels" }).click();
    await page
      .getByRole("alert")
      .filter({ hasText: 'Line 1: expected key=value, got "bad label"' })
      .waitFor();

    await page.getByRole("button", { name: "Restart agent" }).click();
    await page.getByRole("status").filter({ hasText: "Restart command sent." }).waitFor();
    await waitUntil("the client to get the restart command", () => a.restarts() > 0);

    await page.getByLabel("Type", { exact: true }).fill("ping");
    await page.getByLabel("Payload (text)").fill("hello agent");
    await page.getByRole("button", { name: "Send message" }).click();
    await page.getByRole("list", { name: "Replies" }).getByText("hello agent").waitFor();
    await browser.screenshot("agent-actions");

    await open(page, base, "/audit");
    const audit = page.getByRole("table", { name: "Audit log" });
    for (const action of ["agent.labels.set", "agent.restart", "agent.message.send"]) {
      await audit.getByRole("cell", { name: action, exact: true }).first().waitFor();
    }
    await browser.screenshot("audit-log");
  });

  test("UI virtualised agents table: 10,000 agents render only the rows in view and scroll to the last", async () => {
    for (const a of agents.splice(0)) await a.stop();
    const many = Array.from({ length: 10_000 }, (_, i) => syntheticAgent(i));
    const asked: URLSearchParams[] = [];
    // A stand-in for the server's search and name sort over the synthetic fleet.
    const list = /\/api\/v1\/agents(\?.*)?$/;
    await page.route(list, (route) => {
      const params = new URL(route.request().url()).searchParams;
      asked.push(params);
      const q = params.get("q")?.toLowerCase() ?? "";
      const sort = params.get("sort") ?? "id";
      const matching = many.filter((a) =>
        a.description.nonIdentifyingAttributes["host.name"].includes(q),
      );
      if (sort === "-name") matching.reverse();
      return route.fulfill({
        status: 200,
        contentType: "application/json",
        body: JSON.stringify({ agents: matching, total: matching.length }),
      });
    });
    try {
      await open(page, base, "/agents");
      await page.reload();
      await page
        .getByRole("status")
        .filter({ hasText: "Showing 10,000 of 10,000 agents" })
        .waitFor();
      const rendered = await page.locator("table.agents-table tbody tr:not(.spacer)").count();
      assert.ok(rendered > 0 && rendered < 100, `${rendered} rows in the DOM`);
      await page.getByRole("region", { name: "Agents, scrollable" }).evaluate((el) => {
        el.scrollTop = el.scrollHeight;
      });
      await page.getByRole("link", { name: "synthetic-09999", exact: true }).waitFor();
      await page.getByRole("searchbox", { name: "Search" }).fill("synthetic-0424");
      await page.getByRole("status").filter({ hasText: "Showing 10 of 10,000 agents" }).waitFor();
      await page.getByRole("button", { name: /^Name/ }).click();
      await page
        .locator("table.agents-table tbody tr:not(.spacer)")
        .first()
        .getByRole("link", { name: "synthetic-04249", exact: true })
        .waitFor();
      assert.ok(
        asked.some((p) => p.get("q") === "synthetic-0424" && p.get("sort") === "-name"),
        "search and sort went to the server",
      );
    } finally {
      await page.unroute(list);
    }
  });
});
