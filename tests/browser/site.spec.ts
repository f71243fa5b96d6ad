/**
 * Every built page, in both themes (one load, then the reader's theme switch): it renders with
 * no console error, asks nothing of any other origin, passes axe with no serious or critical
 * violation, and its diagrams and code blocks are really rendered.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test, expect, pageUrls, record, useTheme } from './fixtures.ts';

/**
 * The page chrome (header, sidebar, footer) is the same component on every page, so axe looks
 * at all of it on these pages and at each page's own content (<main>) elsewhere: axe over the
 * whole of a long part takes tens of seconds on this machine, and the test runs in CI.
 */
const WHOLE_PAGE_AXE = new Set(['/', '/lab/', pageUrls.find((u) => u.startsWith('/parts/03-'))]);

async function checkTheme(page: Page, url: string, theme: 'light' | 'dark'): Promise<void> {
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme);

  // Diagrams: each figure shows exactly one SVG, the one for the current theme, with real size.
  const figures = page.locator('.mermaid-diagram');
  for (let i = 0; i < (await figures.count()); i++) {
    const visible = figures.nth(i).locator(`.mermaid-theme-${theme} svg`);
    await expect(visible, `${theme}: diagram ${i + 1} is shown`).toBeVisible();
    const box = await visible.boundingBox();
    expect(box && box.width > 50 && box.height > 20, `${theme}: diagram ${i + 1} is drawn at a readable size`).toBeTruthy();
    await expect(figures.nth(i).locator(`.mermaid-theme-${theme === 'light' ? 'dark' : 'light'} svg`)).toBeHidden();
    expect(await visible.locator('text, foreignObject').count(), `diagram ${i + 1} has labels`).toBeGreaterThan(0);
  }

  // Code blocks in a programming language are highlighted by Shiki (Expressive Code):
  // their tokens carry several colours. Plain-text blocks (file trees) are left alone.
  const blocks = page.locator('.sl-markdown-content .expressive-code pre:not([data-language="text"]):not([data-language="plaintext"]):not([data-language="txt"])');
  const colours = await blocks.evaluateAll((pres) => pres.map((pre) => new Set([...pre.querySelectorAll('span')].map((s) => getComputedStyle(s).color)).size));
  colours.forEach((n, i) => expect(n, `${theme}: code block ${i + 1} has highlighted tokens`).toBeGreaterThan(1));

  // Every rule in the light theme; the dark theme changes only colours, so there only the
  // colour rules run.
  const builder = new AxeBuilder({ page });
  if (!WHOLE_PAGE_AXE.has(url)) builder.include('main');
  if (theme === 'dark') builder.withRules(['color-contrast', 'link-in-text-block']);
  const axe = await builder.analyze();
  const serious = axe.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  expect(serious, `${theme}: axe serious/critical violations`).toEqual([]);
}

for (const url of pageUrls) {
  test(`${url} renders cleanly in the light and the dark theme`, async ({ page, baseURL }) => {
    // Two axe passes over a long part: over a minute each when the machine is busy.
    test.setTimeout(240_000);
    const rec = record(page, new URL(baseURL!).origin);
    await useTheme(page, 'light');
    const response = await page.goto(url, { waitUntil: 'load' });
    expect(response?.status(), 'HTTP status').toBe(200);
    await page.waitForLoadState('networkidle');
    await checkTheme(page, url, 'light');
    // The reader's own switch, as they would use it (its storage and before-paint are tested below).
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.locator('starlight-theme-select select').first().selectOption('dark');
    await checkTheme(page, url, 'dark');
    expect(rec.consoleErrors, 'console errors').toEqual([]);
    expect(rec.foreignRequests, 'requests that left the site').toEqual([]);
  });
}

test('every page fits a 360 px wide screen without sideways scrolling', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const overflowing: string[] = [];
  for (const url of pageUrls) {
    await page.goto(url);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width > 362) overflowing.push(`${url}: ${width}px`);
  }
  expect(overflowing).toEqual([]);
});

test('the theme can be switched, is remembered, and is applied before the first paint', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.locator('starlight-theme-select select').first().selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');

  // On the next load, the stored theme must be on <html> before <body> exists (no flash).
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.body) {
        (window as any).__themeAtBody = document.documentElement.dataset.theme;
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.reload();
  expect(await page.evaluate(() => (window as any).__themeAtBody)).toBe('dark');
});

test('the system theme is followed when the reader has not chosen one', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
});

test('narrow screens get a navigation menu; wide screens a sidebar and a table of contents', async ({ page }) => {
  const part = pageUrls.find((u) => u.startsWith('/parts/'))!;
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(part);
  await expect(page.locator('#starlight__sidebar')).toBeVisible();
  await expect(page.locator('starlight-toc')).toBeVisible();
  // The table of contents marks the heading being read.
  const lastHeading = page.locator('.sl-markdown-content h2').last();
  await lastHeading.scrollIntoViewIfNeeded();
  await expect(page.locator('starlight-toc a[aria-current="true"]')).toHaveCount(1);

  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(part);
  await expect(page.locator('#starlight__sidebar')).toBeHidden();
  await page.locator('button.sl-menu-button').click();
  await expect(page.locator('#starlight__sidebar')).toBeVisible();
});

test('the 404 page helps the reader back', async ({ page }) => {
  const response = await page.goto('/no-such-part/');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('not in the lakehouse');
  await expect(page.getByRole('link', { name: 'Go to the series overview' })).toBeVisible();
});

test('the server sends the security headers the sandboxes need', async ({ page }) => {
  const response = await page.goto('/');
  const headers = response!.headers();
  expect(headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(headers['cross-origin-embedder-policy']).toMatch(/require-corp|credentialless/);
  expect(headers['content-security-policy']).toContain("default-src 'self'");
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
});

test('search opens with "/" and Ctrl+K and finds a part; its UI loads only then', async ({ page }) => {
  const loaded: string[] = [];
  page.on('request', (r) => { if (/ui-core|\/pagefind\//.test(r.url())) loaded.push(r.url()); });
  await page.goto('/');
  await page.waitForLoadState('networkidle');
  expect(loaded, 'no search code before the reader asks for it').toEqual([]);

  await page.keyboard.press('/');
  const dialog = page.locator('dialog:has(#starlight__search)');
  await expect(dialog).toBeVisible();
  const input = dialog.locator('input[type="text"], input[type="search"]').first();
  await expect(input).toBeFocused();
  await input.fill('lakehouse');
  const result = dialog.locator('.pagefind-ui__result-link').first();
  await expect(result).toBeVisible();
  await expect(result).toHaveAttribute('href', /\/parts\/01-what-is-a-data-lakehouse\//);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  await page.keyboard.press('Control+k');
  await expect(dialog).toBeVisible();
});
