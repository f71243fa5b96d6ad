/**
 * Part 10's hands-on in Chromium: the catalog pane over the section's lakehouse. Search
 * finds a mart, its page shows owner and tags, the lineage graph opens a neighbour, impact
 * analysis of silver glucose_mg_dl names four models, the contract check passes, and two
 * catalog-answer tasks are solved by typing the answers. Nothing leaves the origin except
 * the WebContainer's own boot attempt.
 */
import { test, expect, record, startSandbox, WEBCONTAINER_BOOT } from './fixtures.ts';


test.describe.configure({ timeout: 120_000 });

test('Part 10: search the catalog, open a table, follow lineage, measure impact, check the contract', async ({ page, baseURL }) => {
  const rec = record(page, new URL(baseURL!).origin);
  await startSandbox(page, '/parts/10-metadata-and-governance/');

  // The catalog is the first pane; it opens on the section's default table.
  await page.getByRole('tab', { name: 'Catalog' }).click();
  const heading = page.locator('.sbx-cat-page h4');
  await expect(heading).toHaveAttribute('data-catalog-table', 'silver.fct_glucose_readings', { timeout: 60_000 });
  await expect(page.locator('.sbx-cat-page [data-owner]')).toHaveText('data-platform-team');
  await expect(page.locator('.sbx-cat-cols tr[data-column="glucose_mg_dl"]')).toContainText('long');

  // Search, then open the mart from the results.
  await page.getByLabel('Search the catalog').fill('overview');
  await page.locator('[data-catalog-hit="marts.mrt_glucose_overview"]').click();
  await expect(heading).toHaveAttribute('data-catalog-table', 'marts.mrt_glucose_overview');
  await expect(page.locator('.sbx-cat-page [data-owner]')).toHaveText('analytics-team');
  await expect(page.locator('.sbx-cat-facts')).toContainText('Tier.Gold');

  // Lineage: the mart's upstream chain is drawn; a node opens that table.
  const lineage = page.locator('[data-lineage]');
  await expect(lineage.locator('[data-lineage-node]')).toHaveCount(5);
  await lineage.locator('[data-lineage-node="silver.fct_glucose_readings"]').click();
  await expect(heading).toHaveAttribute('data-catalog-table', 'silver.fct_glucose_readings');
  await expect(page.locator('[data-lineage] [data-lineage-node]')).toHaveCount(7);

  // Impact analysis of a column.
  await page.locator('[data-impact-column="glucose_mg_dl"]').click();
  await expect(page.locator('[data-impact-summary]')).toContainText('4 downstream models');

  // The contract check runs on its own.
  await expect(page.locator('[data-contract-report] [data-status]')).toHaveAttribute('data-status', 'pass', { timeout: 30_000 });
  await expect(page.locator('[data-contract-report]')).toContainText('glucose_readings v1.0.0 on silver.fct_glucose_readings');

  // Two tasks answered in their boxes: a wrong answer does not pass, the catalog's does.
  const owner = page.locator('.sbx-task[data-task=find-owner]');
  await owner.locator('[data-answer]').fill('data-platform-team');
  await owner.locator('[data-answer]').press('Enter');
  await expect(owner.locator('.sbx-task-detail')).toContainText('not what the catalog says');
  await owner.locator('[data-answer]').fill('analytics-team');
  await owner.locator('[data-answer]').press('Enter');
  await expect(owner).toHaveAttribute('data-passed', 'true', { timeout: 30_000 });
  const impact = page.locator('.sbx-task[data-task=column-impact]');
  await impact.locator('[data-answer]').fill('4');
  await impact.locator('[data-answer]').press('Enter');
  await expect(impact).toHaveAttribute('data-passed', 'true', { timeout: 30_000 });
  await expect(page.locator('.sbx-task[data-task=break-contract]')).toHaveAttribute('data-passed', 'false');
  await expect(page.locator('.sbx-task[data-task=evolve-safely]')).toHaveAttribute('data-passed', 'false');
  await expect(page.locator('.sbx-task[data-task=set-owner]')).toHaveAttribute('data-passed', 'false');

  // The pane passes axe (no serious or critical findings) with the impact box and the report open.
  const { default: AxeBuilder } = await import('@axe-core/playwright');
  const axe = await new AxeBuilder({ page }).include('.hands-on').analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`)).toEqual([]);

  expect(rec.foreignRequests.filter((u) => !WEBCONTAINER_BOOT.test(u))).toEqual([]);
});
