/**
 * Part 7's hands-on in Chromium: the orchestration commands run in the pipeline Worker.
 * A sensor fault set in pipeline.config.ts (the "failing check" solution) stops the run at
 * the blocking range check: the asset graph shows dlt_glucose_entries failed and the dbt
 * assets below it skipped, and the pipeline-run task passes. Then the repaired config and one
 * daemon tick at 06:00 run the miniature's daily schedule for 2025-01-15, and the SQL task
 * that looks for that day in gold passes. Nothing leaves the origin except the WebContainer's
 * own boot attempt.
 */
import { test, expect, record, startSandbox, WEBCONTAINER_BOOT } from './fixtures.ts';


test.describe.configure({ timeout: 180_000 });

test('Part 7: a failing check stops the run in the graph, and a tick runs the schedule', async ({ page, baseURL }) => {
  const rec = record(page, new URL(baseURL!).origin);
  await startSandbox(page, '/parts/07-orchestration-with-dagster/');

  await page.getByRole('tab', { name: 'Pipeline' }).click();
  await expect(page.locator('.sbx-runner-line')).toHaveAttribute('data-runner', /worker/, { timeout: 30_000 });
  await expect(page.locator('.sbx-asset[data-asset="dlt_glucose_entries"]')).toBeVisible({ timeout: 30_000 });

  // The failing check: the solution edits pipeline.config.ts and runs the bad day.
  const failing = page.locator('.sbx-task[data-task=failing-check]');
  await expect(failing).toHaveAttribute('data-passed', 'false', { timeout: 30_000 });
  await failing.getByRole('button', { name: 'Solution' }).click();
  await failing.getByRole('button', { name: 'Apply the solution' }).click();
  await expect(page.locator('.sbx-pipeline')).toHaveAttribute('data-last-exit', '1', { timeout: 120_000 });
  await expect(page.locator('.sbx-transcript')).toContainText('glucose_entries_quality.range_check(sgv, 20..600)', { timeout: 30_000 });
  await expect(page.locator('.sbx-asset[data-asset="dlt_glucose_entries"]')).toHaveAttribute('data-status', 'failed');
  await expect(page.locator('.sbx-asset[data-asset="fct_daily_glucose_metrics"]')).toHaveAttribute('data-status', 'skipped');
  await expect(page.locator('.sbx-asset[data-asset="fct_daily_glucose_metrics"] .sbx-asset-status')).toHaveText('skipped: an upstream asset failed');
  await expect(failing).toHaveAttribute('data-passed', 'true', { timeout: 30_000 });

  // The schedule: the repaired config and one tick at 06:00.
  const tick = page.locator('.sbx-task[data-task=schedule-tick]');
  await expect(tick).toHaveAttribute('data-passed', 'false');
  await tick.getByRole('button', { name: 'Solution' }).click();
  await tick.getByRole('button', { name: 'Apply the solution' }).click();
  await expect(page.locator('.sbx-transcript')).toContainText('schedule daily_glucose_pipeline: ran 7 assets for 2025-01-15: SUCCESS', { timeout: 120_000 });
  await expect(page.locator('.sbx-transcript')).toContainText('skipped sensor branch_cleanup_sensor: dry run: would delete pipeline-run-');
  await expect(page.locator('.sbx-pipeline')).toHaveAttribute('data-last-exit', '0', { timeout: 60_000 });
  await expect(page.locator('.sbx-asset[data-asset="mrt_glucose_overview"]')).toHaveAttribute('data-status', 'done');
  await expect(tick).toHaveAttribute('data-passed', 'true', { timeout: 30_000 });

  expect(rec.foreignRequests.filter((u) => !WEBCONTAINER_BOOT.test(u))).toEqual([]);
});
