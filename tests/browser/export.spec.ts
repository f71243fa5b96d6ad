/**
 * "Download this lakehouse" in Chromium (issue 17, part 1): the zip the page downloads for
 * the section's current state is byte for byte the CLI's zip of the same state
 * (`npm run lakehouse -- export --ref main --to DEST --zip FILE` over the shipped warehouse
 * with main at the commit the page exported), and a destination that is not absolute is
 * refused in the form, before anything is exported.
 */
import { test, expect, startSandbox, record, WEBCONTAINER_BOOT } from './fixtures.ts';
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { NodeFsStorage } from '../../sandboxes/lakehouse/storage/node-fs.ts';
import { openWarehouse } from '../../sandboxes/lakehouse/warehouse.ts';

test.describe.configure({ timeout: 180_000 });

const repo = fileURLToPath(new URL('../../', import.meta.url));

test('the zip downloaded in Chromium equals the CLI zip for the same state', async ({ page, baseURL }) => {
  const rec = record(page, new URL(baseURL!).origin);
  await startSandbox(page, '/lab/');
  await page.locator('[data-download] > summary').click();
  await expect(page.locator('[data-export-ref] option')).not.toHaveCount(0);
  await page.locator('[data-export-ref]').selectOption('main');
  const { default: AxeBuilder } = await import('@axe-core/playwright');
  const axe = await new AxeBuilder({ page }).include('[data-download]').analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);

  // A relative folder is refused in the form.
  await page.locator('[data-export-dest]').fill('lake/here');
  await page.locator('[data-export-go]').click();
  await expect(page.locator('[data-export-status]')).toContainText('not an absolute folder');
  await expect(page.locator('[data-export-dest]')).toHaveAttribute('aria-invalid', 'true');

  const dest = '/home/learner/phlo-lakehouse';
  await page.locator('[data-export-dest]').fill(dest);
  await page.screenshot({ path: test.info().outputPath('download-form.png') });
  const download = page.waitForEvent('download');
  await page.locator('[data-export-go]').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('phlo-lakehouse-main.zip');
  const browserZip = await readFile((await file.path())!);
  await expect(page.locator('[data-export-status]')).toContainText(/table\(s\) on 'main'/);
  const status = (await page.locator('[data-export-status]').textContent()) ?? '';
  test.info().annotations.push({ type: 'chromium export', description: status });
  console.log(`chromium: ${status}`);
  await page.locator('[data-download]').screenshot({ path: test.info().outputPath('download-done.png') });

  const manifest = JSON.parse(new TextDecoder().decode(unzipSync(browserZip)['phlo-export.json']!)) as { commit: string; destination: string };
  expect(manifest.destination).toBe(dest);

  // The same state in Node: the shipped warehouse with main at the commit the page exported.
  const work = await mkdtemp(join(tmpdir(), 'phlo-export-browser-'));
  try {
    const wh = join(work, 'warehouse');
    await cp(join(repo, 'dist', 'warehouse'), wh, { recursive: true });
    const w = await openWarehouse({ storage: new NodeFsStorage(wh) });
    if ((await w.catalog.reference('main')).hash !== manifest.commit) await w.assignRef('main', manifest.commit);
    const cliZip = join(work, 'cli.zip');
    const started = Date.now();
    const r = spawnSync(process.execPath, [join(repo, 'sandboxes/lakehouse/cli/main.ts'), 'export', '--ref', 'main', '--to', dest, '--zip', cliZip, '--warehouse', wh], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    test.info().annotations.push({ type: 'node export', description: `${Date.now() - started} ms (process included), ${browserZip.length} bytes` });
    console.log(`node CLI: ${Date.now() - started} ms including process start, ${browserZip.length} bytes`);
    expect((await readFile(cliZip)).equals(browserZip), 'Chromium and the CLI wrote the same bytes').toBe(true);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  expect(rec.foreignRequests.filter((u) => !WEBCONTAINER_BOOT.test(u))).toEqual([]);
});
