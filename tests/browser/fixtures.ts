/**
 * Shared pieces of the browser tests: the list of built pages, a page wrapper that
 * records console errors and every request, and the theme switch.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { builtPages } from '../site/dist.ts';

export { expect };

/** URL paths of every built page (the 404 page is reached by its file name). */
export const pageUrls: string[] = builtPages().map((p) => p.url);

export interface Recorder {
  consoleErrors: string[];
  foreignRequests: string[];
  requests: { url: string; type: string }[];
}

/** Start recording before the first navigation. */
export function record(page: Page, origin: string): Recorder {
  const rec: Recorder = { consoleErrors: [], foreignRequests: [], requests: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') rec.consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => rec.consoleErrors.push(`uncaught: ${err.message}`));
  page.on('request', (req) => {
    const url = req.url();
    rec.requests.push({ url, type: req.resourceType() });
    if (url.startsWith('data:') || url.startsWith('blob:') || url === 'about:blank') return;
    if (new URL(url).origin !== origin) rec.foreignRequests.push(url);
  });
  return rec;
}

/** Choose Starlight's theme before any page script runs, as a returning reader would have it. */
export async function useTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  await page.addInitScript((t) => {
    try {
      localStorage.setItem('starlight-theme', t);
    } catch {}
  }, theme);
  await page.emulateMedia({ colorScheme: theme });
}

export const test = base;

/** The only foreign request a sandbox page may make: the WebContainer trying to boot from StackBlitz. */
export const WEBCONTAINER_BOOT = /^https:\/\/([a-z0-9-]+\.)?(stackblitz\.com|webcontainer\.io|webcontainer-api\.io)\//;

/**
 * Open a page with a hands-on section and start its sandbox (dialogs such as "Reset?" are
 * accepted). Skips the test when the build has no prebuilt warehouse (PHLO_SKIP_WAREHOUSE).
 * A sandbox opened before in this browser reopens by itself; pressing Start again is harmless.
 * `timeout` (default 60 s) for sections whose first start copies a large checkpoint.
 */
export async function startSandbox(page: Page, path: string, options: { timeoutMs?: number; timeout?: number } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? options.timeout ?? 60_000;
  page.on('dialog', (d) => void d.accept());
  await page.goto(path);
  const hasWarehouse = await page.evaluate(async () => (await fetch('/warehouse/_index.json')).ok);
  test.skip(!hasWarehouse, 'this build has no prebuilt warehouse (built with PHLO_SKIP_WAREHOUSE)');
  await page.getByRole('button', { name: 'Start the sandbox' }).click({ timeout: Math.max(10_000, timeoutMs / 3) }).catch(() => {});
  await expect(page.locator('.hands-on[data-ready]')).toBeVisible({ timeout: timeoutMs });
}

/** Replace the SQL console's text with `sql` and run it (Ctrl/Cmd+Enter), as a learner types it. */
export async function runSql(page: Page, sql: string): Promise<void> {
  const editor = page.locator('.sbx-sql .cm-content');
  const squash = (t: string) => t.replace(/\s+/g, '');
  // Right after a reset the console may still be putting its own text in place, and a first
  // keystroke can land before it (CI once ran "elect * from …"): type again if the editor
  // does not hold the query.
  for (let attempt = 0; attempt < 2; attempt++) {
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await editor.pressSequentially(sql, { delay: 0 });
    if (squash((await editor.textContent()) ?? '') === squash(sql)) break;
  }
  await page.keyboard.press('ControlOrMeta+Enter');
}
