/**
 * Part 6's hands-on in Chromium: the learner's edit of a dbt model in the pipeline pane is
 * what the Worker runner runs. The silver model is edited in the pane's editor and run with
 * the gold readings; the "tighten the in-range band" task's own check (SQL on gold) passes
 * only if the edited model produced the rows, and a compile shows the edited SQL. Then a
 * solution that adds a schema test in YAML makes the run fail on that test; "fix the test"
 * does not pass on the earlier run that had no test. Nothing leaves the origin except the
 * WebContainer's own boot attempt.
 */
import { test, expect, record, startSandbox, WEBCONTAINER_BOOT } from './fixtures.ts';
import { TIGHT_RANGE_SQL } from '../../src/sandbox/sections/part-06-run-dbt-transforms.ts';


test.describe.configure({ timeout: 180_000 });

test('Part 6: an edited silver model runs in the Worker and moves gold', async ({ page, baseURL }) => {
  const rec = record(page, new URL(baseURL!).origin);
  await startSandbox(page, '/parts/06-sql-transformations-with-dbt/');

  await page.getByRole('tab', { name: 'Pipeline' }).click();
  await expect(page.locator('.sbx-runner-line')).toHaveAttribute('data-runner', /worker/, { timeout: 30_000 });
  await expect(page.locator('.sbx-file[data-file="models/silver/fct_glucose_readings.sql"]')).toBeVisible();

  // Edit the silver model in the pane's editor: the in-range band becomes 70-140 mg/dL.
  await page.locator('.sbx-file[data-file="models/silver/fct_glucose_readings.sql"]').click();
  const editor = page.getByLabel('Edit models/silver/fct_glucose_readings.sql');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(TIGHT_RANGE_SQL);
  await expect(page.locator('.sbx-file[data-file="models/silver/fct_glucose_readings.sql"] .sbx-edited')).toBeVisible({ timeout: 30_000 });

  // Run silver and the gold readings for one day (no publish: PGlite's boot is not what this tests).
  const task = page.locator('.sbx-task[data-task=tighten-range]');
  await expect(task).toHaveAttribute('data-passed', 'false', { timeout: 30_000 });
  const cmd = page.getByLabel('Pipeline command');
  await cmd.fill('materialize fct_glucose_readings mrt_glucose_readings --partition 2025-01-20');
  await page.getByRole('button', { name: 'Run command' }).click();
  await expect(page.locator('.sbx-pipeline')).toHaveAttribute('data-last-exit', '0', { timeout: 120_000 });
  await expect(page.locator('.sbx-transcript')).toContainText('38 updated', { timeout: 30_000 });
  await expect(task).toHaveAttribute('data-passed', 'true', { timeout: 30_000 });
  // "Fix the test and pass" asks for a run with the new test in it: this successful run, made
  // before any test was added, must not pass it (it did, for good, 0.7 s after the run).
  const fixTest = page.locator('.sbx-task[data-task=fix-test]');
  await expect(fixTest.locator('.sbx-task-detail')).toContainText('did not run not_null_fct_glucose_readings_glucose_change_mg_dl', { timeout: 30_000 });
  await expect(fixTest).toHaveAttribute('data-passed', 'false');

  // The compiled SQL is the learner's version of the model.
  await cmd.fill('compile fct_glucose_readings');
  await page.getByRole('button', { name: 'Run command' }).click();
  await expect(page.locator('.sbx-transcript')).toContainText("glucose_mg_dl <= 140 then 'in_range'", { timeout: 60_000 });

  // A schema test added by a solution (YAML edit + run) fails the run in the Worker.
  const failing = page.locator('.sbx-task[data-task=failing-test]');
  await failing.getByRole('button', { name: 'Solution' }).click();
  await failing.getByRole('button', { name: 'Apply the solution' }).click();
  await expect(page.locator('.sbx-transcript')).toContainText('not_null_fct_glucose_readings_glucose_change_mg_dl', { timeout: 120_000 });
  await expect(page.locator('.sbx-pipeline')).toHaveAttribute('data-last-exit', '1', { timeout: 60_000 });
  await expect(failing).toHaveAttribute('data-passed', 'true', { timeout: 30_000 });

  expect(rec.foreignRequests.filter((u) => !WEBCONTAINER_BOOT.test(u))).toEqual([]);
});
