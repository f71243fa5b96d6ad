/**
 * No broken internal links or anchors anywhere in the built site: every same-site href
 * must name a file that exists in dist/, and every #fragment an id on the target page.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'node-html-parser';
import { builtPages, DIST } from './dist.ts';

const pages = builtPages();
const idsByPage = new Map<string, Set<string>>();
for (const page of pages) {
  const root = parse(page.html);
  idsByPage.set(page.url, new Set(root.querySelectorAll('[id]').map((el) => el.getAttribute('id')!)));
}

/** The dist/ file a URL path is served from (directory URLs serve index.html). */
function fileFor(urlPath: string): string {
  const decoded = decodeURIComponent(urlPath);
  if (decoded.endsWith('/')) return path.join(DIST, decoded, 'index.html');
  return path.join(DIST, decoded);
}

test('the site has pages to check', () => {
  assert.ok(pages.length >= 3, `expected at least the index, Part 1 and the 404 page, found ${pages.map((p) => p.url).join(', ')}`);
});

test('every internal link and anchor resolves', () => {
  const broken: string[] = [];
  for (const page of pages) {
    const root = parse(page.html);
    for (const a of root.querySelectorAll('a[href], link[href]')) {
      const href = a.getAttribute('href')!;
      if (/^(https?:|mailto:|data:|blob:|javascript:)/.test(href) && !href.startsWith('http://localhost') ) continue;
      const url = new URL(href, `http://site${page.url}`);
      if (url.host !== 'site') continue;
      const target = url.pathname;
      if (!existsSync(fileFor(target))) {
        broken.push(`${page.url}: link to ${href} (no ${path.relative(DIST, fileFor(target))} in dist/)`);
        continue;
      }
      if (url.hash && url.hash !== '#' && url.hash !== '#_top') {
        const targetPage = target.endsWith('/') ? target : target.replace(/index\.html$/, '');
        const ids = idsByPage.get(targetPage);
        const id = decodeURIComponent(url.hash.slice(1));
        if (ids && !ids.has(id)) broken.push(`${page.url}: link to ${href} (no element with id "${id}" on ${targetPage})`);
      }
    }
  }
  assert.deepEqual(broken, [], `broken links:\n${broken.join('\n')}`);
});
