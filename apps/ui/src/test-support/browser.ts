/**
 * Debian's Chromium (`/usr/bin/chromium`) driven by playwright-core, headless,
 * with a fresh profile and every background connection disabled (the test
 * machines have no outside network). Never downloads a browser. With
 * CI=true a missing Chromium fails the tests instead of skipping them.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { UI_ROOT } from "./build-ui.js";

/** Where Debian installs Chromium. */
export const CHROMIUM_PATH = process.env.OPAMP_CHROMIUM ?? "/usr/bin/chromium";

/** Folder of the test screenshots (git-ignored). */
export const SCREENSHOT_DIR = join(UI_ROOT, "test-output", "screenshots");

/**
 * Why browser tests cannot run here, or undefined when they can. Under CI
 * the caller turns a reason into a failure.
 */
export function browserUnavailable(): string | undefined {
  return existsSync(CHROMIUM_PATH)
    ? undefined
    : `${CHROMIUM_PATH} is not installed (apt-get install chromium)`;
}

/** A running headless browser with one page. */
export interface Browser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Saves a full-page screenshot as test-output/screenshots/<name>.png. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** Launches Chromium at 1280×800. */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "opamp-ui-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
  return {
    context,
    page,
    async screenshot(name) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      const path = join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
