/**
 * Part 12's hands-on in Chromium: the Scale pane runs a small backfill (14 days) with one
 * and with two Web Workers, each worker ingesting its slice into its own in-memory
 * warehouse; the speed-up chart is drawn and both backfill tasks pass from the recorded
 * runs. Then Compact (through the pipeline terminal) rewrites the checkpoint's 22 small
 * files of raw.glucose_entries into one, and the compaction task passes. Nothing leaves
 * the origin except the WebContainer's own boot attempt.
 */
import { test, expect, record, startSandbox, WEBCONTAINER_BOOT } from './fixtures.ts';


test.describe.configure({ timeout: 120_000 });

test('Part 12: a parallel backfill is measured and plotted, and compaction drops the file count', async ({ page, baseURL }) => {
  const rec = record(page, new URL(baseURL!).origin);
  await startSandbox(page, '/parts/12-production-deployment/');

  await page.getByRole('tab', { name: 'Scale' }).click();
  const one = page.locator('.sbx-task[data-task=backfill-one-worker]');
  const two = page.locator('.sbx-task[data-task=backfill-two-workers]');
  await expect(two).toHaveAttribute('data-passed', 'false', { timeout: 15_000 });

  // 14 days, workers 1 and 2 only.
  await page.locator('[data-scale-days]').fill('14');
  for (const n of [4, 8, 16]) {
    const box = page.locator(`input[data-workers="${n}"]`);
    if (await box.count()) await box.uncheck();
  }
  await page.locator('input[data-workers="1"]').check();
  await page.locator('input[data-workers="2"]').check();
  await page.locator('[data-scale-run]').click();
  await expect(page.locator('[data-scale-status]')).toContainText('Done', { timeout: 40_000 });
  await expect(page.locator('[data-workers-row="1"]')).toBeVisible();
  await expect(page.locator('[data-workers-row="2"]')).toContainText('3984');
  // The speed-up chart (Observable Plot) is drawn, with its measured points.
  await expect(page.locator('[data-scale-chart] svg[aria-label^="Speed-up against workers"]')).toBeVisible();
  expect(await page.locator('[data-scale-chart] svg circle').count()).toBeGreaterThanOrEqual(2);
  await expect(one).toHaveAttribute('data-passed', 'true', { timeout: 15_000 });
  await expect(two).toHaveAttribute('data-passed', 'true', { timeout: 15_000 });

  // Table maintenance: measure, compact (runs in the Pipeline terminal), measure again.
  const compactTask = page.locator('.sbx-task[data-task=compact-the-table]');
  await expect(compactTask).toHaveAttribute('data-passed', 'false');
  await page.locator('[data-maintain=compact]').click();
  await expect(page.locator('.sbx-transcript')).toContainText('Rewrote 22 data file(s) into 1', { timeout: 40_000 });
  await page.getByRole('tab', { name: 'Scale' }).click();
  await expect(page.locator('[data-layout-row="before"] [data-files]')).toHaveText('22', { timeout: 20_000 });
  await expect(page.locator('[data-layout-row="after compact"] [data-files]')).toHaveText('1', { timeout: 20_000 });
  await expect(compactTask).toHaveAttribute('data-passed', 'true', { timeout: 15_000 });

  expect(rec.foreignRequests.filter((u) => !WEBCONTAINER_BOOT.test(u))).toEqual([]);
});
