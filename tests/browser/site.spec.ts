/**
 * Every built page, in both themes: it renders with no console error, asks nothing of any
 * other origin, passes axe with no serious or critical violation, and its diagrams and
 * code blocks are really rendered.
 */
import AxeBuilder from '@axe-core/playwright';
import { test, expect, pageUrls, record, useTheme } from './fixtures.ts';

for (const url of pageUrls) {
  for (const theme of ['light', 'dark'] as const) {
    test(`${url} renders cleanly in the ${theme} theme`, async ({ page, baseURL }) => {
      const rec = record(page, new URL(baseURL!).origin);
      await useTheme(page, theme);
      const response = await page.goto(url, { waitUntil: 'load' });
      expect(response?.status(), 'HTTP status').toBe(url === '/404.html' ? 200 : 200);
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      await page.waitForLoadState('networkidle');

      // Diagrams: each figure shows exactly one SVG, the one for the current theme, with real size.
      const figures = page.locator('.mermaid-diagram');
      for (let i = 0; i < (await figures.count()); i++) {
        const visible = figures.nth(i).locator(`.mermaid-theme-${theme} svg`);
        await expect(visible).toBeVisible();
        const box = await visible.boundingBox();
        expect(box && box.width > 50 && box.height > 20, `diagram ${i + 1} is drawn at a readable size`).toBeTruthy();
        await expect(figures.nth(i).locator(`.mermaid-theme-${theme === 'light' ? 'dark' : 'light'} svg`)).toBeHidden();
        expect(await visible.locator('text, foreignObject').count(), `diagram ${i + 1} has labels`).toBeGreaterThan(0);
      }

      // Code blocks in a programming language are highlighted by Shiki (Expressive Code):
      // their tokens carry several colours. Plain-text blocks (file trees) are left alone.
      const blocks = page.locator('.sl-markdown-content .expressive-code pre:not([data-language="text"]):not([data-language="plaintext"]):not([data-language="txt"])');
      for (let i = 0; i < (await blocks.count()); i++) {
        const coloured = await blocks.nth(i).evaluate((pre) => {
          const colours = new Set([...pre.querySelectorAll('span')].map((s) => getComputedStyle(s).color));
          return colours.size;
        });
        expect(coloured, `code block ${i + 1} has highlighted tokens`).toBeGreaterThan(1);
      }

      // Every rule in the light theme; the dark theme changes only colours, so there only the
      // colour rules run (axe over a long part takes tens of seconds on this machine).
      const builder = new AxeBuilder({ page });
      if (theme === 'dark') builder.withRules(['color-contrast', 'link-in-text-block']);
      const axe = await builder.analyze();
      const serious = axe.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
      expect(serious, 'axe serious/critical violations').toEqual([]);
      expect(rec.consoleErrors, 'console errors').toEqual([]);
      expect(rec.foreignRequests, 'requests that left the site').toEqual([]);
    });
  }
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
