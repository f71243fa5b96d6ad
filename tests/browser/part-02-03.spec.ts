/**
 * Parts 2 and 3 in Chromium against the built site.
 * - Part 2 opens on an empty lakehouse: a prepared query says its table does not exist yet
 *   (no engine error), the timeline says no table exists, and the first run of 2025-01-01 in
 *   the Worker runner stores 288 readings and passes the first task.
 * - Part 3's schema-evolution task: its applied solution (the terminal's alter command, then
 *   the query over the first snapshot's rows) passes the task's own check.
 * Nothing leaves the origin except the WebContainer's own boot attempt.
 * With P23_SHOTS=DIR set, screenshots of both sections are written there.
 */
import { test, expect, record, startSandbox, WEBCONTAINER_BOOT } from './fixtures.ts';
import type { Page } from '@playwright/test';

const SHOTS = process.env.P23_SHOTS;

test.describe.configure({ timeout: 120_000 });

async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS) await page.locator('.hands-on').screenshot({ path: `${SHOTS}/${name}.png` });
}

test('Part 2: the sandbox opens on an empty lakehouse and the first run works in the Worker', async ({ page, baseURL }) => {
  const rec = record(page, new URL(baseURL!).origin);
  await startSandbox(page, '/parts/02-getting-started-with-phlo/');

  // The prepared query on a table that does not exist yet: a clear message, not an engine error.
  await page.getByRole('tab', { name: 'SQL console' }).click();
  await page.getByRole('button', { name: 'Raw rows, as ingested' }).click();
  await expect(page.locator('.sbx-sql .sbx-error')).toContainText("table raw.glucose_entries does not exist on 'main' (no tables there yet");
  await expect(page.locator('.sbx-sql .sbx-error')).not.toContainText('pg_catalog');
  await shot(page, 'part02-empty-sql');
  await page.getByRole('tab', { name: 'Snapshots' }).click();
  await expect(page.locator('.sbx-timeline-pane')).toContainText('No tables on main yet');

  // The first run, in the Worker runner.
  await page.getByRole('tab', { name: 'Pipeline' }).click();
  await expect(page.locator('.sbx-runner-line')).toHaveAttribute('data-runner', /worker/, { timeout: 30_000 });
  const task = page.locator('.sbx-task[data-task=first-run]');
  await expect(task).toHaveAttribute('data-passed', 'false', { timeout: 30_000 });
  await page.getByLabel('Pipeline command').fill('npm run pipeline -- materialize dlt_glucose_entries --partition 2025-01-01');
  await page.getByRole('button', { name: 'Run command' }).click();
  await expect(page.locator('.sbx-pipeline')).toHaveAttribute('data-last-exit', '0', { timeout: 90_000 });
  await expect(page.locator('.sbx-transcript')).toContainText('raw.glucose_entries, 288 inserted, 0 updated');
  await expect(task).toHaveAttribute('data-passed', 'true', { timeout: 30_000 });
  await shot(page, 'part02-first-run');

  // The same prepared query now returns the rows; the timeline shows the first snapshot.
  await page.getByRole('tab', { name: 'SQL console' }).click();
  await page.getByRole('button', { name: 'How many readings, how many ids' }).click();
  await expect(page.locator('.sbx-sql .sbx-status')).toContainText(/1 row/);
  await expect(page.locator('.sbx-sql .sbx-grid-row').first()).toContainText('288');
  await page.getByRole('tab', { name: 'Snapshots' }).click();
  await expect(page.locator('.sbx-timeline-pane .sbx-snap')).toHaveCount(1);
  await shot(page, 'part02-timeline');

  expect(rec.foreignRequests.filter((u) => !WEBCONTAINER_BOOT.test(u))).toEqual([]);
});

test('Part 3: adding a column from the terminal and reading the first snapshot under it passes the task', async ({ page, baseURL }) => {
  const rec = record(page, new URL(baseURL!).origin);
  await startSandbox(page, '/parts/03-apache-iceberg/');
  const task = page.locator('.sbx-task[data-task=add-column]');
  await expect(task).toHaveAttribute('data-passed', 'false', { timeout: 30_000 });
  await task.getByRole('button', { name: 'Solution' }).click();
  await task.getByRole('button', { name: 'Apply the solution' }).click();
  await expect(page.locator('.sbx-transcript')).toContainText('No data file was rewritten', { timeout: 90_000 });
  await expect(task).toHaveAttribute('data-passed', 'true', { timeout: 30_000 });
  await page.getByRole('tab', { name: 'SQL console' }).click();
  await expect(page.locator('.sbx-sql .sbx-grid-row').first()).toContainText('280');
  await shot(page, 'part03-add-column');
  expect(rec.foreignRequests.filter((u) => !WEBCONTAINER_BOOT.test(u))).toEqual([]);
});
