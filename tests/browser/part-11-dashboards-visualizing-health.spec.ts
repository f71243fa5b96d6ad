/**
 * Part 11's hands-on in Chromium: the health dashboard is drawn from the ops tables (the
 * run log as SQL, in the page), the Worker runner runs the next day and the dashboard moves,
 * `alerts --at` fires the stale-data rule later, and the tasks check themselves. Nothing
 * leaves the origin except the WebContainer's own boot attempt.
 */
import { test, expect, record, startSandbox, WEBCONTAINER_BOOT, runSql } from './fixtures.ts';


test.describe.configure({ timeout: 180_000 });

test('Part 11: the health dashboard moves after a run, and the stale-data alert fires later', async ({ page, baseURL }) => {
  const rec = record(page, new URL(baseURL!).origin);
  await startSandbox(page, '/parts/11-observability-and-monitoring/');

  // The dashboard at the checkpoint: gold is 48 hours old, 2 of 12 runs failed, 20 days of bars.
  await page.getByRole('tab', { name: 'Dashboard' }).click();
  await expect(page.locator('.sbx-dash-panel[data-state="ready"]')).toHaveCount(6, { timeout: 60_000 });
  const fresh = page.locator('.sbx-dash-panel[data-panel="Hours since the daily metrics changed"] .sbx-dash-value');
  await expect(fresh).toHaveAttribute('data-value', '48');
  await expect(page.locator('.sbx-dash-panel[data-panel="Failed runs in the log"] .sbx-dash-value')).toHaveAttribute('data-value', '2');
  await expect(page.locator('.sbx-dash-panel[data-panel="Rows ingested per day (reached main)"] svg[role=img]')).toHaveAttribute('aria-label', /20 bars/);

  // Task 1 in the SQL console: the failed runs from ops.runs.
  await page.getByRole('tab', { name: 'SQL' }).click();
  await runSql(page, "select first_partition, status, reached_main, failure from ops.runs where status = 'FAILURE' order by started_at");
  await expect(page.locator('.sbx-sql .sbx-status')).toContainText(/2 rows/);
  await expect(page.locator('.sbx-task[data-task=read-the-dashboard]')).toHaveAttribute('data-passed', 'true', { timeout: 30_000 });

  // Task 2: run the next day in the Worker runner.
  await page.getByRole('tab', { name: 'Pipeline' }).click();
  await expect(page.locator('.sbx-runner-line')).toHaveAttribute('data-runner', /worker/, { timeout: 30_000 });
  const cmd = page.getByLabel('Pipeline command');
  await cmd.fill('materialize +fct_daily_glucose_metrics --partition 2025-01-23 --as-of 2025-01-24T06:00:00Z');
  await page.getByRole('button', { name: 'Run command' }).click();
  await expect(page.locator('.sbx-pipeline')).toHaveAttribute('data-last-exit', '0', { timeout: 120_000 });
  await expect(page.locator('.sbx-task[data-task=run-a-day]')).toHaveAttribute('data-passed', 'true', { timeout: 30_000 });

  // Task 3: the alert rules evaluated later, in the worker; the page reads ops.alerts.
  await cmd.fill('alerts --at 2025-01-26T00:00:00Z');
  await page.getByRole('button', { name: 'Run command' }).click();
  await expect(page.locator('.sbx-transcript')).toContainText('daily_metrics_stale', { timeout: 60_000 });
  await expect(page.locator('.sbx-transcript')).toContainText('is 42 h old');
  await expect(page.locator('.sbx-task[data-task=stale-alert-fires]')).toHaveAttribute('data-passed', 'true', { timeout: 30_000 });

  // The dashboard moved: gold is fresh, and 13 runs are in the log.
  await page.getByRole('tab', { name: 'Dashboard' }).click();
  await expect(fresh).toHaveAttribute('data-value', '0', { timeout: 60_000 });
  await expect(page.locator('.sbx-dash-panel[data-panel="Failed runs in the log"] .sbx-dash-context')).toHaveText('13 runs in all');

  expect(rec.foreignRequests.filter((u) => !WEBCONTAINER_BOOT.test(u))).toEqual([]);
});
