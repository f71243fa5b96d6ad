/**
 * Part 13's hands-on in Chromium: the learner's plugin files live in the pipeline pane and
 * are registered on every run by the Worker runner. Applying the "write a source plugin"
 * solution writes plugins/my_source.ts (transpiled with sucrase, loaded from a blob URL) and
 * runs `materialize dlt_meal_entries`; the task's own check passes only if that run
 * succeeded, and a query in the terminal shows the three meals the learner's plugin
 * produced. A syntax error typed into the file is then reported with its line and the file
 * skipped, while the edit stays. Nothing leaves the origin except the WebContainer's own boot attempt.
 */
import { test, expect, record, startSandbox, WEBCONTAINER_BOOT } from './fixtures.ts';


test.describe.configure({ timeout: 120_000 });

test('Part 13: a source plugin written in the pane runs in the Worker and its rows land in the lakehouse', async ({ page, baseURL }) => {
  const rec = record(page, new URL(baseURL!).origin);
  await startSandbox(page, '/parts/13-extending-phlo-with-plugins/');

  await page.getByRole('tab', { name: 'Pipeline' }).click();
  await expect(page.locator('.sbx-runner-line')).toHaveAttribute('data-runner', /worker/, { timeout: 30_000 });
  for (const f of ['plugins/github_events.ts', 'plugins/my_source.ts', 'plugins/my_check.ts']) await expect(page.locator(`.sbx-file[data-file="${f}"]`)).toBeVisible();

  const task = page.locator('.sbx-task[data-task=write-source]');
  await expect(task).toHaveAttribute('data-passed', 'false', { timeout: 30_000 });
  await task.getByRole('button', { name: 'Solution' }).click();
  await task.getByRole('button', { name: 'Apply the solution' }).click();
  await expect(page.locator('.sbx-file[data-file="plugins/my_source.ts"] .sbx-edited')).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('.sbx-pipeline')).toHaveAttribute('data-last-exit', '0', { timeout: 90_000 });
  await expect(task).toHaveAttribute('data-passed', 'true', { timeout: 30_000 });
  // The asset the plugin module added is in the graph, materialised.
  await expect(page.locator('.sbx-asset[data-asset="dlt_meal_entries"]')).toBeVisible({ timeout: 30_000 });

  // The rows the learner's plugin produced.
  const cmd = page.getByLabel('Pipeline command');
  await cmd.fill('sql "select id, carbs_g from raw.meal_entries order by eaten_at"');
  await page.getByRole('button', { name: 'Run command' }).click();
  await expect(page.locator('.sbx-transcript')).toContainText('meal-2025-01-08-dinner', { timeout: 30_000 });
  await expect(page.locator('.sbx-transcript')).toContainText('90');

  // A syntax error typed into the plugin: the terminal names the file and line, skips it, and
  // the rest still runs; the learner's text stays in the editor.
  await page.locator('.sbx-file[data-file="plugins/my_source.ts"]').click();
  await page.locator('.sbx-file-editor .cm-content').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type('\n}} oops(');
  await cmd.fill('plugins');
  await page.getByRole('button', { name: 'Run command' }).click();
  await expect(page.locator('.sbx-transcript')).toContainText(/plugins\/my_source\.ts:\d+:\d+/, { timeout: 30_000 });
  await expect(page.locator('.sbx-transcript')).toContainText('Skipped plugin file(s) in this run: plugins/my_source.ts');
  await expect(page.locator('.sbx-transcript')).toContainText('github_events');
  await expect(page.locator('.sbx-file-editor .cm-content')).toContainText('oops(');

  expect(rec.foreignRequests.filter((u) => !WEBCONTAINER_BOOT.test(u))).toEqual([]);
});
