/**
 * The workshop's "Jump to checkpoint" link (?checkpoint=<section>) must not wipe a section's
 * work without asking (issue 13 item 15): with a branch of the learner's in the section, the
 * jump asks first and names it; Cancel keeps it (and the bar says how to jump later); OK
 * resets. A section with nothing to lose jumps without a question.
 */
import { test, expect } from './fixtures.ts';
import type { Page } from '@playwright/test';

test.describe.configure({ timeout: 600_000 });

const PAGE = '/parts/04-project-nessie/';
const SECTION = 'part-04-explore-nessie';
const ready = (page: Page) => expect(page.locator(`.hands-on[data-section="${SECTION}"][data-ready]`)).toBeVisible({ timeout: 240_000 });

test('jumping to the checkpoint asks first, names the branch it would delete, and Cancel keeps it', async ({ page }) => {
  const questions: string[] = [];
  let answer = true;
  page.on('dialog', (d) => {
    questions.push(d.message());
    void (answer ? d.accept() : d.dismiss());
  });
  await page.goto(PAGE);
  const hasWarehouse = await page.evaluate(async () => (await fetch('/warehouse/_index.json')).ok);
  test.skip(!hasWarehouse, 'no prebuilt warehouse');

  // A fresh section: the jump has nothing to delete, so it does not ask.
  await page.goto(`${PAGE}?checkpoint=${SECTION}`);
  await ready(page);
  expect(questions).toEqual([]);

  // The learner makes a branch.
  await page.getByRole('tab', { name: 'Branches' }).click();
  await page.getByLabel('New branch name').fill('my-experiment');
  await page.getByRole('button', { name: 'Create branch' }).click();
  await expect(page.locator('.sbx-refs li[data-ref="my-experiment"]')).toBeVisible({ timeout: 30_000 });

  // Jump again, and say Cancel: the question names the branch, and the branch stays.
  answer = false;
  await page.goto(`${PAGE}?checkpoint=${SECTION}`);
  await ready(page);
  expect(questions).toHaveLength(1);
  expect(questions[0]).toMatch(/Jump to the checkpoint/);
  expect(questions[0]).toMatch(/the branch my-experiment/);
  expect(questions[0]).toMatch(/edited pipeline files are kept/);
  await expect(page.locator('[data-jump-declined]')).toContainText('Reset to checkpoint');
  await page.getByRole('tab', { name: 'Branches' }).click();
  await expect(page.locator('.sbx-refs li[data-ref="my-experiment"]')).toBeVisible({ timeout: 30_000 });

  // Jump once more and say OK: the branch is gone.
  answer = true;
  await page.goto(`${PAGE}?checkpoint=${SECTION}`);
  await ready(page);
  expect(questions).toHaveLength(2);
  await page.getByRole('tab', { name: 'Branches' }).click();
  await expect(page.locator('.sbx-refs li[data-ref="main"]')).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('.sbx-refs li[data-ref="my-experiment"]')).toHaveCount(0);
});
