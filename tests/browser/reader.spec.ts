/**
 * Reader features: search over every part, progress that survives a reload and travels as a
 * file (export, clear, import), learning path pages with their progress, and the workshop's
 * jump-to-checkpoint link.
 */
import { readFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { test, expect } from './fixtures.ts';
import { builtPages } from '../site/dist.ts';
import { parts } from '../../src/data/series.ts';

/** The first entry of `topics:` in a part's MDX frontmatter. */
function topicOf(slug: string): string {
  const mdx = readFileSync(`content/parts/${slug}.mdx`, 'utf8');
  return /^topics:\s*\[\s*"([^"]+)"/m.exec(mdx)![1]!;
}

const published = parts.filter((p) => builtPages().some((b) => b.url === `/parts/${p.slug}/`));

test('search finds a term from every part, with the part and the section', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/');
  await page.keyboard.press('/');
  const dialog = page.locator('dialog:has(#starlight__search)');
  const input = dialog.locator('input[type="text"], input[type="search"]').first();
  await expect(input).toBeFocused();
  for (const p of published) {
    // The first topic the part's own frontmatter lists (shown under its title).
    const term = topicOf(p.slug);
    await input.fill(term);
    const hit = dialog.locator(`.pagefind-ui__result-link[href*="/parts/${p.slug}/"]`).first();
    await expect(hit, `"${term}" finds Part ${p.number}`).toBeVisible({ timeout: 15_000 });
    if (p.handsOn) {
      // A sub-result: a link to a section (heading) of that part.
      const section = dialog.locator(`.pagefind-ui__result-nested .pagefind-ui__result-link[href*="/parts/${p.slug}/#"]`).first();
      await expect(section, `"${term}" links to a section of Part ${p.number}`).toBeVisible();
    }
  }
  // Keyboard: arrow down moves into the results.
  await input.fill(topicOf(published[0]!.slug));
  await expect(dialog.locator('.pagefind-ui__result-link').first()).toBeVisible();
  await page.keyboard.press('ArrowDown');
  await expect(page.locator(':focus')).toHaveClass(/pagefind-ui__result-link/);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await expect(input).toBeFocused();
});

test('progress survives a reload, shows in the navigation and the index, and round-trips through a file', async ({ page }) => {
  page.on('dialog', (d) => void d.accept());
  const first = published[0]!;
  await page.goto(`/parts/${first.slug}/`);
  const toggle = page.getByRole('button', { name: `Mark Part ${first.number} as read` });
  await toggle.click();
  await expect(page.locator('[data-read-toggle]')).toHaveAttribute('aria-pressed', 'true');
  await page.reload();
  await expect(page.locator('[data-read-toggle]')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator(`nav a[href="/parts/${first.slug}/"] .progress-tick`).first()).toBeAttached();

  await page.goto('/progress/');
  await expect(page.locator('[data-progress-summary]')).toContainText(`1 of ${published.length} published parts read`);
  await expect(page.locator(`[data-progress-part="${first.number}"]`)).toContainText('Read');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download my progress' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^phlo-progress-\d{4}-\d{2}-\d{2}\.json$/);
  const file = await download.path();
  const saved = JSON.parse(await readFile(file, 'utf8'));
  expect(Object.keys(saved.parts)).toEqual([String(first.number)]);

  await page.getByRole('button', { name: 'Clear my progress' }).click();
  await expect(page.locator('[data-progress-summary]')).toContainText(`0 of ${published.length} published parts read`);

  // A wrong file is refused and changes nothing; the real one brings the progress back.
  await page.locator('[data-progress-import]').setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": 1}') });
  await expect(page.locator('[data-progress-message]')).toContainText('not a progress file');
  // Hostile files (issue 13 item 11): a "__proto__" section, and a 30 MB file, are refused and pollute nothing.
  const hostile = '{"format":"phlo-course-progress","version":1,"parts":{},"tasks":{"__proto__":{"polluted":"2026-01-01T00:00:00.000Z"}}}';
  await page.locator('[data-progress-import]').setInputFiles({ name: 'proto.json', mimeType: 'application/json', buffer: Buffer.from(hostile) });
  await expect(page.locator('[data-progress-message]')).toContainText('bad entry for section "__proto__"');
  expect(await page.evaluate(() => (({}) as Record<string, unknown>).polluted === undefined)).toBe(true);
  const big = join(tmpdir(), `phlo-progress-30mb-${process.pid}.json`);
  await writeFile(big, Buffer.alloc(30 * 1024 * 1024, 32));
  await page.locator('[data-progress-import]').setInputFiles(big);
  // Chromium reads the file's size lazily from disk: removing it before the page has handled
  // the change event makes the size 0 and the read fail "not found" (CI saw exactly that).
  await expect(page.locator('[data-progress-message]')).toContainText('at most 256 KB');
  await rm(big);
  await expect(page.locator('[data-progress-summary]')).toContainText(`0 of ${published.length} published parts read`);
  await page.locator('[data-progress-import]').setInputFiles(file);
  await expect(page.locator('[data-progress-message]')).toContainText('Loaded');
  await expect(page.locator('[data-progress-summary]')).toContainText(`1 of ${published.length} published parts read`);

  await page.goto('/paths/beginner/');
  await expect(page.locator('[data-progress-path="beginner"]')).toContainText('1 of 9 parts read');
  await expect(page.locator(`[data-progress-step="${first.number}"]`).first()).toContainText('read');
});

test("the workshop's jump-to-checkpoint link opens the section at its checkpoint, once", async ({ page }) => {
  test.setTimeout(150_000);
  page.on('dialog', (d) => void d.accept());
  await page.goto('/workshop/');
  const jump = page.locator('a[data-jump="part-04-explore-nessie"]').first();
  const href = (await jump.getAttribute('href'))!;
  expect(href).toMatch(/\?checkpoint=part-04-explore-nessie#hands-on-explore-nessie$/);
  await page.goto(href);
  await expect(page.locator('.hands-on[data-section="part-04-explore-nessie"][data-ready]')).toBeVisible({ timeout: 90_000 });
  await expect(page.locator('.hands-on[data-section="part-04-explore-nessie"]')).toContainText('Checkpoint');
  // The address no longer asks for a reset, so a reload keeps the attendee's work.
  expect(new URL(page.url()).search).toBe('');
});
