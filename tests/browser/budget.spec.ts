/**
 * A reading page stays light: under 30 KB of compressed JavaScript (inline and files), and
 * its diagrams cost no script at all (they are SVG in the HTML).
 */
import { test, expect, pageUrls } from './fixtures.ts';
import { measurePage } from '../../bench/page-weight.mjs';

const readingPages = pageUrls.filter((u) => u === '/' || u.startsWith('/parts/'));

for (const url of readingPages) {
  test(`${url} ships under 30 KB of compressed JavaScript`, async ({ page, baseURL }) => {
    const m = await measurePage(page, baseURL + url);
    expect(m.jsGzip, JSON.stringify(m.files)).toBeLessThan(30 * 1024);
    expect(m.files.map((f) => f.url).filter((u) => /mermaid/i.test(u)), 'no diagram code is loaded').toEqual([]);
  });
}
