/**
 * Every Iceberg primitive type in the SQL console, in Chromium with DuckDB-WASM: each grid cell
 * and the CSV download show the form sandboxes/lakehouse/sql/value-forms.ts documents (the
 * unit test tests/unit/iceberg/every-primitive.test.ts covers the same forms in Node and the
 * other outputs). One query of typed literals, so it needs no particular table.
 */
import { test, expect, startSandbox, runSql } from './fixtures.ts';

test.describe.configure({ timeout: 150_000 });

const COLUMNS: [string, string, string][] = [
  // [column, SQL literal, grid cell text]
  ['b', 'true', 'true'],
  ['i', '(-2147483648)::INTEGER', '-2147483648'],
  ['l', '9007199254740993::BIGINT', '9007199254740993'],
  ['f', '1.5::REAL', '1.5'],
  ['d', '(-2.25)::DOUBLE', '-2.25'],
  ['dec', '14.20::DECIMAL(9,2)', '14.2'],
  ['dec_wide', "'1234567890123456789.0123456789'::DECIMAL(38,10)", '1234567890123456789.0123456789'],
  ['dt', "DATE '1969-12-31'", '1969-12-31'],
  ['tm', "TIME '22:31:08.123456'", '22:31:08.123456'],
  ['ts', "TIMESTAMP '2017-11-16 22:31:08.123456'", '2017-11-16 22:31:08.123456'],
  ['s', "'iceberg, \"quoted\"'", 'iceberg, "quoted"'],
  ['u', "'f79c3e09-677c-4bbd-a479-3f349cb785e7'::UUID", 'f79c3e09-677c-4bbd-a479-3f349cb785e7'],
  ['bin', "from_hex('0000ff')", '0000ff'],
  ['n', 'NULL::INTEGER', 'NULL'],
];

test('SQL console: every primitive type shows its documented form in the grid and in CSV', async ({ page }, testInfo) => {
  await startSandbox(page, '/lab/');
  await runSql(page, `SELECT ${COLUMNS.map(([name, sql]) => `${sql} AS ${name}`).join(', ')}`);
  await expect(page.locator('.sbx-sql .sbx-status')).toContainText(/1 row in/);
  const head = await page.locator('.sbx-sql .sbx-grid-head [role=columnheader] .sbx-col-name').allTextContents();
  expect(head).toEqual(COLUMNS.map(([name]) => name));
  const cells = await page.locator('.sbx-sql .sbx-grid-row').first().locator('[role=cell]').allTextContents();
  expect(cells.slice(1)).toEqual(COLUMNS.map(([, , text]) => text));
  await page.keyboard.press('Escape');
  // For a person to look at: the grid, scrolled across its columns.
  const viewport = page.locator('.sbx-sql .sbx-grid-viewport');
  for (const [i, left] of [0, 700, 1400, 2100].entries()) {
    await viewport.evaluate((el, x) => { el.scrollLeft = x; }, left);
    await page.locator('.sbx-sql .sbx-grid').screenshot({ path: testInfo.outputPath(`value-forms-${i}.png`) });
  }

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download CSV' }).click();
  let csv = '';
  for await (const chunk of await (await download).createReadStream()) csv += chunk;
  const [header, row] = csv.trim().split('\n');
  expect(header).toBe(COLUMNS.map(([name]) => name).join(','));
  expect(row).toBe('true,-2147483648,9007199254740993,1.5,-2.25,14.2,1234567890123456789.0123456789,1969-12-31,22:31:08.123456,2017-11-16T22:31:08.123456Z,"iceberg, ""quoted""",f79c3e09-677c-4bbd-a479-3f349cb785e7,0000ff,');
});
