/**
 * The SQL console under pressure (issue 13, items 8, 9 and 13), in Chromium against the built site.
 * - Item 8: Cancel on Part 3's cross join may cost the engine its worker; every table must
 *   read again afterwards, and the exercise checks with them.
 * - Item 9: results of a million rows and more keep the page responsive: no main-thread task
 *   over 200 ms of script in one frame (a PerformanceObserver for 'long-animation-frame'), only the visible rows in
 *   the DOM, a cap on the rows kept that the status names, a CSV download of every row.
 * - Item 13: a failed query leaves no earlier grid, chart or Copy CSV under its error, and
 *   an error about a missing table goes once a pipeline run created the table.
 * With SQL_SHOTS=DIR set, screenshots of a million-row grid (1280 and 360 px, light and dark)
 * are written there.
 */
import { test, expect, startSandbox, runSql, useTheme } from './fixtures.ts';
import type { Page } from '@playwright/test';

const SHOTS = process.env.SQL_SHOTS;

test.describe.configure({ timeout: 240_000 });

const status = (page: Page) => page.locator('.sbx-sql .sbx-status');
/**
 * The longest main-thread task allowed while a result is handled (issue 13: 200 ms). Long
 * tasks are wall-clock time: on a machine shared far beyond its cores the OS alone
 * stretches 20 ms of work past it, so PHLO_LONG_TASK_MS may raise the bar there.
 */
const LONG_TASK_MS = Number(process.env.PHLO_LONG_TASK_MS ?? 200);

/** Start recording main-thread tasks longer than 50 ms (the browser's own long-task threshold). */
async function watchLongTasks(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __longTasks: number[]; __longTaskObserver?: PerformanceObserver };
    w.__longTaskObserver?.disconnect();
    w.__longTasks = [];
    // Only tasks that start from now: one that ended just before is reported late, not ours.
    const from = performance.now();
    // The script run in each long animation frame (Chromium attributes it): a frame's wall
    // time on a 2-core machine shared with another browser also counts waiting for a core
    // (CI saw 228 and 412 ms for work of ~100-160 ms on a quiet machine).
    w.__longTaskObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries() as unknown as { startTime: number; scripts: { duration: number }[] }[]) {
        if (e.startTime >= from) w.__longTasks.push(Math.round(e.scripts.reduce((sum, x) => sum + x.duration, 0)));
      }
    });
    w.__longTaskObserver.observe({ type: 'long-animation-frame' });
  });
}

/**
 * Type a query, then start counting long tasks, then run it: typing in CodeMirror on a busy
 * machine has long tasks of its own that say nothing about how a result is handled.
 */
async function runMeasured(page: Page, sql: string): Promise<void> {
  const editor = page.locator('.sbx-sql .cm-content');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await editor.pressSequentially(sql, { delay: 0 });
  await page.keyboard.press('Escape');
  await page.waitForTimeout(500);
  await watchLongTasks(page);
  await page.keyboard.press('ControlOrMeta+Enter');
}

async function longestTask(page: Page): Promise<number> {
  // Let the observer deliver the last entries.
  await page.waitForTimeout(300);
  return page.evaluate(() => Math.max(0, ...(window as unknown as { __longTasks: number[] }).__longTasks));
}

/** How long the page takes to answer a click on a timer (the learner's Cancel) while a query runs. */
async function clickDelay(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const t = performance.now();
        setTimeout(() => resolve(performance.now() - t), 0);
      }),
  );
}

test('item 8: after Cancel on a cross join, every table reads again and the checks still work', async ({ page }) => {
  await startSandbox(page, '/parts/03-apache-iceberg/', { timeout: 180_000 });
  await page.getByRole('tab', { name: 'SQL console' }).click();
  await runSql(page, 'select count(*) as n from raw.glucose_entries');
  await expect(status(page)).toContainText(/1 row in/, { timeout: 60_000 });
  const before = await page.locator('.sbx-sql .sbx-grid-row').first().locator('[role=cell]').nth(1).textContent();

  for (let attempt = 0; attempt < 2; attempt++) {
    await runSql(page, 'select * from raw.glucose_entries a cross join raw.glucose_entries b');
    await expect(page.getByRole('button', { name: 'Cancel' }).first()).toBeEnabled();
    await page.waitForTimeout(1500);
    await page.getByRole('button', { name: 'Cancel' }).first().click();
    await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled({ timeout: 30_000 });

    await runSql(page, 'select count(*) as n from raw.glucose_entries');
    await expect(status(page)).toContainText(/1 row in/, { timeout: 60_000 });
    await expect(page.locator('.sbx-sql .sbx-error')).toBeHidden();
    expect(await page.locator('.sbx-sql .sbx-grid-row').first().locator('[role=cell]').nth(1).textContent()).toBe(before);
  }
  // The other tables and time travel read too.
  await page.getByRole('button', { name: 'The table after its first commit' }).click();
  await expect(status(page)).toContainText(/rows? in/, { timeout: 60_000 });
  await expect(page.locator('.sbx-sql .sbx-error')).toBeHidden();
});

test('item 9: a million rows and five million keep the page responsive; the cap is named; CSV has every row', async ({ page }) => {
  await startSandbox(page, '/lab/');
  await expect(status(page)).toContainText(/rows? in/, { timeout: 60_000 });
  await runMeasured(page, 'select * from range(1000000)');
  // While the result arrives the page answers at once (Cancel can be clicked).
  await expect(page.getByRole('button', { name: 'Cancel' }).first()).toBeEnabled();
  expect(await clickDelay(page)).toBeLessThan(LONG_TASK_MS);
  await expect(status(page)).toContainText('1,000,000 rows in', { timeout: 60_000 });
  expect(await page.locator('.sbx-sql .sbx-grid-row').count()).toBeLessThan(100);
  expect(await longestTask(page)).toBeLessThan(LONG_TASK_MS);

  // Scroll to the end: the last row is there, still only a screenful in the DOM.
  await page.locator('.sbx-sql .sbx-grid-viewport').evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(page.locator('.sbx-sql .sbx-grid-row').last()).toContainText('999999');
  expect(await page.locator('.sbx-sql .sbx-grid-row').count()).toBeLessThan(100);

  await runMeasured(page, 'select * from range(5000000)');
  await expect(status(page)).toContainText('Showing the first 1,000,000 of 5,000,000 rows', { timeout: 90_000 });
  expect(await longestTask(page)).toBeLessThan(LONG_TASK_MS);

  // Download CSV: every one of the five million rows, written while the page stays responsive.
  await watchLongTasks(page);
  const download = page.waitForEvent('download', { timeout: 120_000 });
  await page.getByRole('button', { name: /Download CSV/ }).click();
  const stream = await (await download).createReadStream();
  let lines = 0;
  let head = '';
  let tail = '';
  for await (const chunk of stream) {
    const text = String(chunk);
    if (head.length < 20) head += text.slice(0, 20);
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lines++;
    tail = (tail + text).slice(-40);
  }
  expect(head.split('\n')[0]).toBe('range');
  expect(lines).toBe(5_000_001);
  expect(tail.trim().split('\n').at(-1)).toBe('4999999');
  expect(await longestTask(page)).toBeLessThan(LONG_TASK_MS);

  // Copy CSV on a huge result says what it copied.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(page.url()).origin });
  await page.getByRole('button', { name: /Copy CSV/ }).click();
  await expect(status(page)).toContainText(/Copied the first [\d,]+ rows/);
  expect(await longestTask(page)).toBeLessThan(LONG_TASK_MS);

  // A chart over a big time series is drawn from a sample, without freezing the page.
  await runMeasured(page, "select timestamp '2025-01-01' + to_seconds(range) as t, sin(range / 1000.0) as y from range(1000000)");
  await expect(status(page)).toContainText('1,000,000 rows in', { timeout: 60_000 });
  await expect(page.locator('.sbx-chart svg')).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('.sbx-chart figcaption')).toContainText(/1,000,000 rows/);
  expect(await longestTask(page)).toBeLessThan(LONG_TASK_MS);
});

for (const theme of ['light', 'dark'] as const) {
  test(`item 9: the million-row grid looks right at 1280 and 360 px (${theme})`, async ({ page }) => {
    test.skip(!SHOTS, 'screenshots only with SQL_SHOTS=DIR');
    await useTheme(page, theme);
    await startSandbox(page, '/lab/');
    await expect(status(page)).toContainText(/rows? in/, { timeout: 60_000 });
    await runSql(page, "select range as id, 'reading ' || range as label, range * 0.5 as value, timestamp '2025-01-01' + to_seconds(range * 300) as taken_at from range(1000000)");
    await expect(status(page)).toContainText('1,000,000 rows in', { timeout: 90_000 });
    for (const width of [1280, 360]) {
      await page.setViewportSize({ width, height: 900 });
      await page.waitForTimeout(500);
      await page.locator('.sbx-sql').screenshot({ path: `${SHOTS}/grid-1m-${width}-${theme}.png` });
    }
    // Scrolled half-way, and a capped result's status.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.locator('.sbx-sql .sbx-grid-viewport').evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
    await page.waitForTimeout(500);
    await page.locator('.sbx-sql').screenshot({ path: `${SHOTS}/grid-1m-middle-1280-${theme}.png` });
    await runSql(page, 'select * from range(5000000)');
    await expect(status(page)).toContainText('Showing the first', { timeout: 90_000 });
    await page.locator('.sbx-sql').screenshot({ path: `${SHOTS}/grid-capped-1280-${theme}.png` });
  });
}

test('item 13: a failed query leaves no earlier grid, chart or Copy CSV under its error', async ({ page }) => {
  await startSandbox(page, '/lab/');
  await page.getByRole('button', { name: 'Daily averages' }).click();
  await expect(page.locator('.sbx-chart svg')).toBeVisible({ timeout: 60_000 });
  await expect(page.locator('.sbx-sql .sbx-grid-row').first()).toBeVisible();
  await expect(page.getByRole('button', { name: /Copy CSV/ })).toBeVisible();

  await runSql(page, 'SELECT no_such_column FROM raw.glucose_entries');
  await expect(page.locator('.sbx-sql .sbx-error')).toContainText('no_such_column');
  await expect(page.locator('.sbx-sql .sbx-grid-row')).toHaveCount(0);
  await expect(page.locator('.sbx-sql .sbx-grid-head')).toHaveCount(0);
  await expect(page.locator('.sbx-chart')).toBeHidden();
  await expect(page.getByRole('button', { name: /Copy CSV/ })).toBeHidden();
  await expect(page.getByRole('button', { name: /Download CSV/ })).toBeHidden();

  // A cancelled query also leaves nothing of the earlier result.
  await page.getByRole('button', { name: 'Daily averages' }).click();
  await expect(page.locator('.sbx-chart svg')).toBeVisible({ timeout: 60_000 });
  await runSql(page, 'SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 3');
  await page.waitForTimeout(500);
  await page.getByRole('button', { name: 'Cancel' }).first().click();
  await expect(page.locator('.sbx-sql .sbx-error')).toContainText('cancelled', { timeout: 30_000 });
  await expect(page.locator('.sbx-sql .sbx-grid-row')).toHaveCount(0);
  await expect(page.locator('.sbx-chart')).toBeHidden();
});

test("item 13: Part 2's missing-table error goes once a pipeline run created the table", async ({ page }) => {
  await startSandbox(page, '/parts/02-getting-started-with-phlo/', { timeout: 180_000 });
  await page.getByRole('tab', { name: 'SQL console' }).click();
  await page.getByRole('button', { name: 'Raw rows, as ingested' }).click();
  await expect(page.locator('.sbx-sql .sbx-error')).toContainText('does not exist', { timeout: 60_000 });

  await page.getByRole('tab', { name: 'Pipeline' }).click();
  await expect(page.locator('.sbx-runner-line')).toHaveAttribute('data-runner', /worker/, { timeout: 30_000 });
  await page.getByLabel('Pipeline command').fill('npm run pipeline -- materialize dlt_glucose_entries --partition 2025-01-01');
  await page.getByRole('button', { name: 'Run command' }).click();
  await expect(page.locator('.sbx-pipeline')).toHaveAttribute('data-last-exit', '0', { timeout: 120_000 });

  await page.getByRole('tab', { name: 'SQL console' }).click();
  await expect(page.locator('.sbx-sql .sbx-error')).toBeHidden({ timeout: 30_000 });
  await expect(page.locator('.sbx-sql .sbx-grid-row').first()).toBeVisible({ timeout: 30_000 });
});
