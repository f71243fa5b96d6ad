/**
 * The sandbox's editors, terminal and graphs at a desktop and a phone width (issue 13 item
 * 14): line numbers stay readable after horizontal scrolling, the editor's focus ring shows,
 * the terminal is fitted to its box and wraps at word boundaries, the file editor gets the
 * room, the asset graph scrolls inside the sandbox and says so, Start leaves focus in the sandbox,
 * a skip link reaches each hands-on section, and DuckDB's "INSTALL iceberg" hint gets an
 * answer in words. With PHLO_SCREENSHOTS=<dir> it also saves screenshots (light and dark)
 * of each piece for a person to look at.
 */
import { test, expect, runSql, useTheme } from './fixtures.ts';
import type { Page, Locator } from '@playwright/test';

test.describe.configure({ timeout: 420_000 });

/** startSandbox with room for a loaded machine (the engine boot alone can take a minute or two). */
async function startSandbox(page: Page, path: string): Promise<void> {
  page.on('dialog', (d) => void d.accept());
  await page.goto(path);
  const hasWarehouse = await page.evaluate(async () => (await fetch('/warehouse/_index.json')).ok);
  test.skip(!hasWarehouse, 'this build has no prebuilt warehouse (built with PHLO_SKIP_WAREHOUSE)');
  const start = page.getByRole('button', { name: 'Start the sandbox' });
  // A sandbox opened before reopens by itself; otherwise press Start (slowly on a busy machine).
  await Promise.race([start.click({ timeout: 120_000 }), page.locator('.hands-on[data-started]').waitFor({ timeout: 120_000 })]).catch(() => {});
  await expect(page.locator('.hands-on[data-ready]')).toBeVisible({ timeout: 240_000 });
}

const SHOTS = process.env.PHLO_SCREENSHOTS;
const shot = async (target: Locator, name: string) => {
  if (SHOTS) await target.screenshot({ path: `${SHOTS}/${name}.png` });
};

const LONG = `select cast(date_string as date) as day, count(*) as readings, avg(sgv) as average_glucose_mg_dl, min(sgv) as lowest, max(sgv) as highest, stddev(sgv) as spread from raw.glucose_entries group by 1 order by 1`;

async function gutterIsOpaque(page: Page, editor: string): Promise<void> {
  const bg = await page.locator(`${editor} .cm-gutters`).first().evaluate((el) => getComputedStyle(el).backgroundColor);
  // rgba(…, 0) or "transparent" lets the scrolled code show through the line numbers.
  expect(bg, `gutter background ${bg}`).not.toMatch(/transparent|rgba\([^)]*,\s*0\)$/);
  const alpha = /rgba\([^)]*,\s*([\d.]+)\)$/.exec(bg)?.[1];
  if (alpha !== undefined) expect(Number(alpha)).toBe(1);
}

/** Rows of the terminal as xterm's screen-reader tree has them. */
async function terminalRows(page: Page): Promise<string[]> {
  return page.locator('.sbx-term .xterm-accessibility-tree > div').evaluateAll((els) => els.map((e) => e.textContent ?? ''));
}

for (const width of [1280, 360]) {
  for (const theme of ['light', 'dark'] as const) {
    test(`Part 6 at ${width} px (${theme}): editors, terminal and asset graph`, async ({ page }) => {
      await useTheme(page, theme);
      await page.setViewportSize({ width, height: 900 });
      await startSandbox(page, '/parts/06-sql-transformations-with-dbt/');
      const sbx = page.locator('.sbx').first();

      // SQL editor: a long line scrolled sideways keeps its line numbers on an opaque gutter.
      await page.getByRole('tab', { name: 'SQL console' }).click();
      await runSql(page, LONG);
      const scroller = page.locator('.sbx-sql .cm-scroller');
      await scroller.evaluate((el) => (el.scrollLeft = 260));
      await gutterIsOpaque(page, '.sbx-sql');
      // The focus ring is drawn inside the editor's clipping box, so it shows.
      await page.locator('.sbx-sql .cm-content').focus();
      const ring = await page.locator('.sbx-sql .cm-editor').evaluate((el) => {
        const s = getComputedStyle(el);
        return { width: parseFloat(s.outlineWidth), offset: parseFloat(s.outlineOffset), style: s.outlineStyle };
      });
      expect(ring.style).not.toBe('none');
      expect(ring.offset + ring.width, 'the outline lies inside the box that clips it').toBeLessThanOrEqual(0);
      await shot(page.locator('.sbx-sql .sbx-editor'), `sql-editor-scrolled-${width}-${theme}`);

      // Pipeline pane: the file editor takes most of the width on a desktop.
      await page.getByRole('tab', { name: 'Pipeline' }).click();
      await expect(page.locator('.sbx-runner-line')).toHaveAttribute('data-runner', /worker|inpage|in-page/, { timeout: 60_000 });
      await page.locator('.sbx-file[data-file="models/silver/fct_glucose_readings.sql"]').click();
      const editorBox = page.locator('.sbx-file-editor');
      const sbxWidth = (await sbx.boundingBox())!.width;
      const edWidth = (await editorBox.boundingBox())!.width;
      expect(edWidth / sbxWidth, `file editor ${Math.round(edWidth)} px of ${Math.round(sbxWidth)} px`).toBeGreaterThan(width >= 1000 ? 0.7 : 0.9);
      await page.locator('.sbx-file-editor .cm-scroller').evaluate((el) => (el.scrollLeft = 200));
      await gutterIsOpaque(page, '.sbx-file-editor');
      await shot(page.locator('.sbx-file-pane'), `file-editor-${width}-${theme}`);

      // Terminal: fitted to its box (no more than a cell narrower, never wider), words kept whole.
      const term = page.locator('.sbx-term');
      await page.getByLabel('Pipeline command').fill('help');
      await page.getByRole('button', { name: 'Run command' }).click();
      await expect(page.locator('.sbx-transcript')).toContainText('materialize', { timeout: 60_000 });
      const fit = await term.evaluate((box) => {
        const screen = box.querySelector('.xterm-screen') as HTMLElement;
        const cs = getComputedStyle(box);
        const inner = box.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
        return { inner, screen: screen.getBoundingClientRect().width };
      });
      expect(fit.screen).toBeLessThanOrEqual(fit.inner + 1);
      expect(fit.screen, `terminal ${Math.round(fit.screen)} px in a ${Math.round(fit.inner)} px box`).toBeGreaterThan(fit.inner - 24);
      const rows = await terminalRows(page);
      const cols = Math.max(...rows.map((r) => r.trimEnd().length));
      const broken = rows.flatMap((r, i) => {
        const next = rows[i + 1] ?? '';
        // A row that fills the width and runs on into the next row mid-word (the prompt starts its own line).
        return r.length >= cols && /[A-Za-z0-9]$/.test(r) && /^[A-Za-z0-9]/.test(next) && !next.startsWith('phlo $') ? [`${r.slice(-12)}|${next.slice(0, 12)}`] : [];
      });
      expect(broken, 'lines wrapped inside a word').toEqual([]);
      await shot(term, `terminal-${width}-${theme}`);

      // Asset graph: wider than a phone, so it scrolls inside the sandbox, and says so.
      const graph = page.locator('.sbx-asset-cols');
      await expect(graph).toBeVisible({ timeout: 60_000 });
      const g = await graph.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, overflow: getComputedStyle(el).overflowX }));
      if (g.scroll > g.client) {
        expect(g.overflow).toBe('auto');
        // Headless Chromium hides scrollbars (as overlay scrollbars do until touched): the
        // graph says in words that it scrolls.
        await expect(page.locator('.sbx-scroll-note')).toBeVisible();
      } else await expect(page.locator('.sbx-scroll-note')).toBeHidden();
      const sbxBox = (await sbx.boundingBox())!;
      const graphBox = (await graph.boundingBox())!;
      expect(graphBox.x + graphBox.width).toBeLessThanOrEqual(sbxBox.x + sbxBox.width + 1);
      await shot(graph, `asset-graph-${width}-${theme}`);
    });

    test(`Part 4 at ${width} px (${theme}): the branch graph`, async ({ page }) => {
      await useTheme(page, theme);
      await page.setViewportSize({ width, height: 900 });
      await startSandbox(page, '/parts/04-project-nessie/');
      await page.getByRole('tab', { name: 'Branches' }).click();
      const graph = page.locator('.sbx-graph');
      await expect(graph.locator('li[data-commit]').first()).toBeVisible({ timeout: 60_000 });
      // Every commit on main's lane is one main contains: its lane is named main only if so.
      const onMain = await graph.locator('li[data-lane="main"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-commit')));
      expect(onMain.length).toBeGreaterThan(0);
      await shot(page.locator('.sbx-graph-wrap'), `branch-graph-${width}-${theme}`);
    });
  }
}

test('Start moves focus into the sandbox, and a skip link reaches the section from the top of the page', async ({ page }) => {
  await page.goto('/parts/03-apache-iceberg/');
  const hasWarehouse = await page.evaluate(async () => (await fetch('/warehouse/_index.json')).ok);
  test.skip(!hasWarehouse, 'no prebuilt warehouse');
  // From the top of the page, a few Tabs reach the skip link, and it lands on Start.
  let found = -1;
  for (let i = 0; i < 4 && found < 0; i++) {
    await page.keyboard.press('Tab');
    const text = await page.evaluate(() => document.activeElement?.textContent ?? '');
    if (/hands-on/i.test(text)) found = i + 1;
  }
  expect(found, 'a "skip to the hands-on" link within the first Tabs').toBeGreaterThan(0);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Start the sandbox' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('.hands-on[data-ready]')).toBeVisible({ timeout: 240_000 });
  const inSandbox = await page.evaluate(() => !!document.activeElement?.closest('.sbx'));
  expect(inSandbox, `focus is on ${await page.evaluate(() => document.activeElement?.tagName)}`).toBe(true);
});

test('INSTALL iceberg (DuckDB\'s own hint) is answered in words: no extensions offline, what to use instead', async ({ page }) => {
  await startSandbox(page, '/parts/03-apache-iceberg/');
  await page.getByRole('tab', { name: 'SQL console' }).click();
  await runSql(page, 'INSTALL iceberg');
  const error = page.locator('.sbx-sql .sbx-error');
  await expect(error).toBeVisible({ timeout: 60_000 });
  await expect(error).toContainText(/extension/i);
  await expect(error).toContainText(/already|built in|without/i);
  await expect(error).not.toContainText(/Content Security Policy|XMLHttpRequest|NetworkError/);
});
