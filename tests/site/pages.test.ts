/**
 * What every built page must carry for readers, feeds and search engines: a title, a
 * meta description, the favicon, the feed link; plus the sitemap and the RSS feed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'node-html-parser';
import { builtPages, DIST } from './dist.ts';

const pages = builtPages();

test('every page has a distinct title and a meta description', () => {
  const titles = new Map<string, string>();
  for (const page of pages) {
    const root = parse(page.html);
    const title = root.querySelector('title')?.text.trim() ?? '';
    assert.ok(title.length > 5, `${page.url} has no useful <title>`);
    const description = root.querySelector('meta[name="description"]')?.getAttribute('content') ?? '';
    assert.ok(description.length >= 40, `${page.url} has no meta description of at least 40 characters ("${description}")`);
    assert.ok(!titles.has(title), `${page.url} and ${titles.get(title)} share the title "${title}"`);
    titles.set(title, page.url);
    assert.ok(root.querySelector('link[rel~="icon"]'), `${page.url} does not link the favicon`);
    assert.ok(root.querySelector('link[type="application/rss+xml"]'), `${page.url} does not link the RSS feed`);
  }
});

test('the favicon, sitemap and RSS feed are built', () => {
  assert.ok(existsSync(path.join(DIST, 'favicon.svg')), 'dist/favicon.svg is missing');
  const sitemap = readFileSync(path.join(DIST, 'sitemap-0.xml'), 'utf8');
  const parts = pages.filter((p) => p.url.startsWith('/parts/'));
  for (const part of parts) assert.ok(sitemap.includes(`${part.url}</loc>`), `the sitemap does not list ${part.url}`);
  const rss = readFileSync(path.join(DIST, 'rss.xml'), 'utf8');
  assert.match(rss, /<rss[^>]*version="2.0"/);
  const items = [...rss.matchAll(/<item>[\s\S]*?<link>([^<]+)<\/link>/g)].map((m) => new URL(m[1]).pathname);
  assert.deepEqual(items.sort(), parts.map((p) => p.url).sort(), 'the RSS feed must list exactly the parts that exist');
});

test('a part shows its number, reading time and what it teaches', () => {
  const parts = pages.filter((p) => p.url.startsWith('/parts/'));
  assert.ok(parts.length >= 1, 'no part was built');
  for (const part of parts) {
    const root = parse(part.html);
    const kicker = root.querySelector('.part-kicker')?.text ?? '';
    assert.match(kicker, /Part \d+ of 13/, `${part.url} does not say which part it is`);
    assert.match(kicker, /\d+ min read/, `${part.url} does not show its reading time`);
    assert.ok(root.querySelectorAll('.part-intro-grid li').length >= 2, `${part.url} lists nothing under "What you will learn"`);
  }
});

test('every link to the Phlo repository is pinned to the commit', () => {
  for (const page of pages) {
    const root = parse(page.html);
    for (const a of root.querySelectorAll('a[href*="github.com/iamgp/phlo/"]')) {
      const href = a.getAttribute('href')!;
      assert.match(href, /github\.com\/iamgp\/phlo\/(blob|tree)\/0fb5f06a382e60d31bb10b816610baf2138dbbf8\//, `${page.url} links ${href} without the pinned commit: use <PhloLink>`);
    }
  }
});

test('headings in the series carry anchor links', () => {
  for (const page of pages.filter((p) => p.url === '/' || p.url.startsWith('/parts/'))) {
    const root = parse(page.html);
    // Headings of the prose; components marked .not-content (the hands-on sandbox) title
    // themselves and are not sections of the page.
    const headings = root
      .querySelectorAll('.sl-markdown-content h2[id], .sl-markdown-content h3[id]')
      .filter((h) => !h.closest('.not-content'));
    assert.ok(headings.length > 0, `${page.url} has no section headings`);
    for (const h of headings) {
      const link = h.parentNode?.querySelector(`a.sl-anchor-link[href="#${h.getAttribute('id')}"]`);
      assert.ok(link, `${page.url}: heading "${h.text}" has no anchor link`);
    }
  }
});

test('each Mermaid diagram is inline SVG in both themes, with no diagram script', () => {
  for (const page of pages) {
    const root = parse(page.html);
    for (const figure of root.querySelectorAll('.mermaid-diagram')) {
      assert.ok(figure.querySelector('.mermaid-theme-light svg'), `${page.url}: a diagram has no light SVG`);
      assert.ok(figure.querySelector('.mermaid-theme-dark svg'), `${page.url}: a diagram has no dark SVG`);
      assert.ok(figure.getAttribute('aria-label'), `${page.url}: a diagram has no accessible label`);
    }
    assert.doesNotMatch(page.html, /<script[^>]+mermaid/i, `${page.url} loads Mermaid code`);
  }
  const part1 = pages.find((p) => p.url === '/parts/01-what-is-a-data-lakehouse/');
  assert.ok(part1, 'Part 1 is built');
  assert.ok(parse(part1.html).querySelectorAll('.mermaid-diagram').length >= 2, 'Part 1 has at least two diagrams');
});
