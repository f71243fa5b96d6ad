/**
 * Part 8's hands-on in Chromium: the dashboard pane says "run publish first" while Postgres
 * is empty, then the Worker runner runs a new day and publishes, and the dashboard draws its
 * panels from the marts in Postgres (PGlite in the pipeline worker). A self-checking task
 * (a `postgres` check) passes. Nothing leaves the origin except the WebContainer's own boot
 * attempt.
 */
import AxeBuilder from '@axe-core/playwright';
import { test, expect, record, startSandbox, WEBCONTAINER_BOOT } from './fixtures.ts';


test.describe.configure({ timeout: 240_000 });

test('Part 8: a new day is run and published, and the dashboard draws it from Postgres', async ({ page, baseURL }) => {
  const rec = record(page, new URL(baseURL!).origin);
  await startSandbox(page, '/parts/08-real-world-example/');
  const sandbox = page.locator('.hands-on[data-ready]');

  // Before any publish: every Postgres panel asks for one, none fails.
  await page.getByRole('tab', { name: 'Dashboard' }).click();
  const panels = page.locator('.sbx-dash-panel');
  await expect(panels).toHaveCount(6);
  await expect(page.locator('.sbx-dash-panel[data-state="not-published"]')).toHaveCount(6, { timeout: 30_000 });
  await expect(panels.first()).toContainText('Run publish first');
  // The SQL of a panel is one click away.
  await panels.first().getByRole('button', { name: /Show the SQL/ }).click();
  await expect(panels.first().locator('.sbx-dash-sql')).toContainText('marts.mrt_glucose_overview');

  // The pipeline: a new day through every dbt model, then publish (the task's own check).
  await page.getByRole('tab', { name: 'Pipeline' }).click();
  await expect(page.locator('.sbx-runner-line')).toHaveAttribute('data-runner', /worker/, { timeout: 30_000 });
  const cmd = page.getByLabel('Pipeline command');
  await cmd.fill('materialize dlt_glucose_entries kind:dbt --partition 2025-01-21');
  await page.getByRole('button', { name: 'Run command' }).click();
  await expect(page.locator('.sbx-pipeline')).toHaveAttribute('data-last-exit', '0', { timeout: 120_000 });
  await expect(page.locator('.sbx-task[data-task=run-new-day]')).toHaveAttribute('data-passed', 'true', { timeout: 30_000 });
  await expect(page.locator('.sbx-task[data-task=publish]')).toHaveAttribute('data-passed', 'false');

  await cmd.fill('publish');
  await page.getByRole('button', { name: 'Run command' }).click();
  await expect(page.locator('.sbx-transcript')).toContainText('published', { timeout: 120_000 });
  await expect(page.locator('.sbx-pipeline')).not.toHaveAttribute('data-busy', 'yes', { timeout: 60_000 });
  await expect(page.locator('.sbx-task[data-task=publish]')).toHaveAttribute('data-passed', 'true', { timeout: 30_000 });

  // Postgres SQL in the terminal.
  await cmd.fill('psql "select max(reading_date) as newest from marts.mrt_glucose_overview"');
  await page.getByRole('button', { name: 'Run command' }).click();
  await expect(page.locator('.sbx-transcript')).toContainText('2025-01-21', { timeout: 60_000 });

  // The dashboard, drawn from Postgres: numbers for the new day, charts with labelled images.
  await page.getByRole('tab', { name: 'Dashboard' }).click();
  await expect(page.locator('.sbx-dash-panel[data-state="ready"]')).toHaveCount(6, { timeout: 60_000 });
  const average = page.locator('.sbx-dash-panel[data-panel="Daily average (latest day)"]');
  await expect(average.locator('.sbx-dash-context')).toHaveText('2025-01-21');
  expect(Number(await average.locator('.sbx-dash-value').getAttribute('data-value'))).toBeGreaterThan(60);
  const trend = page.locator('.sbx-dash-panel[data-panel="Daily average glucose"]');
  await expect(trend.locator('svg[role=img]')).toHaveAttribute('aria-label', /21 points from 2025-01-01 to 2025-01-21/);
  await expect(page.locator('.sbx-dash-panel[data-panel="Glucose by hour of day"] svg[role=img]')).toHaveAttribute('aria-label', /24 points/);
  await expect(page.locator('.sbx-dash-panel[data-panel="Time in and out of range (latest day)"] svg[role=img]')).toHaveAttribute('aria-label', /3 bars/);

  // The drawn dashboard passes axe in both themes (Starlight switches them with data-theme).
  for (const theme of ['light', 'dark']) {
    await page.evaluate((t) => (document.documentElement.dataset.theme = t), theme);
    const axe = await new AxeBuilder({ page }).include('.sbx-dashboard').analyze();
    expect(axe.violations.map((v) => `${theme}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  }

  expect(rec.foreignRequests.filter((u) => !WEBCONTAINER_BOOT.test(u))).toEqual([]);
});
