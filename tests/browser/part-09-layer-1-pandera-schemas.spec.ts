/**
 * Part 9's hands-on in Chromium: a bad day set in pipeline.config.ts fails validation and the
 * first task sees it; then checks.yml, edited in the pipeline pane, is what the Worker
 * runner's pipeline runs. Applying the "declare a check" solution writes a check group into
 * checks.yml and runs the checks against the faulty day on its audit branch; the task's own
 * check (the last run failed on the learner's range check) passes only if the declared group
 * ran (checks.yml's error messages are covered by the unit tests).
 * Nothing leaves the origin except the WebContainer's own boot attempt.
 */
import { test, expect, record, startSandbox, WEBCONTAINER_BOOT } from './fixtures.ts';


test.describe.configure({ timeout: 180_000 });

test('Part 9: a check declared in checks.yml runs in the Worker and fails on the faulty day', async ({ page, baseURL }) => {
  const rec = record(page, new URL(baseURL!).origin);
  await startSandbox(page, '/parts/09-data-quality/');

  await page.getByRole('tab', { name: 'Pipeline' }).click();
  await expect(page.locator('.sbx-runner-line')).toHaveAttribute('data-runner', /worker/, { timeout: 30_000 });
  await expect(page.locator('.sbx-file[data-file="checks.yml"]')).toBeVisible();

  // Layer 1: a bad day set in pipeline.config.ts is refused at validation, and the task sees it.
  const replay = page.locator('.sbx-task[data-task=replay-validation]');
  await expect(replay).toHaveAttribute('data-passed', 'false', { timeout: 30_000 });
  await replay.getByRole('button', { name: 'Solution' }).click();
  await replay.getByRole('button', { name: 'Apply the solution' }).click();
  await expect(page.locator('.sbx-pipeline')).toHaveAttribute('data-last-exit', '1', { timeout: 120_000 });
  await expect(page.locator('.sbx-transcript')).toContainText('8 problem(s) in 284 rows', { timeout: 30_000 });
  await expect(replay).toHaveAttribute('data-passed', 'true', { timeout: 30_000 });

  const task = page.locator('.sbx-task[data-task=declare-a-check]');
  await expect(task).toHaveAttribute('data-passed', 'false', { timeout: 30_000 });
  await task.getByRole('button', { name: 'Solution' }).click();
  await task.getByRole('button', { name: 'Apply the solution' }).click();
  await expect(page.locator('.sbx-file[data-file="checks.yml"] .sbx-edited')).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('.sbx-pipeline')).toHaveAttribute('data-last-exit', '1', { timeout: 120_000 });
  await expect(page.locator('.sbx-transcript')).toContainText('raw_sensor_checks.range_check(sgv, 40..400)', { timeout: 30_000 });
  await expect(task).toHaveAttribute('data-passed', 'true', { timeout: 30_000 });

  expect(rec.foreignRequests.filter((u) => !WEBCONTAINER_BOOT.test(u))).toEqual([]);
});
