/**
 * The built site deploys to the hosts the README names: no file over a host's per-file
 * limit, not too many files, the _headers file for Netlify and Cloudflare Pages, and an
 * offline service worker whose precache list is exactly the site's files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { DIST, requireDist, allFiles } from './dist.ts';
import { HOST_FILE_LIMITS, HOST_FILE_COUNT_LIMIT } from '../../scripts/static-hosts.mjs';
import { readPrecacheManifest, precacheUrl } from '../../scripts/service-worker.mjs';
import { inlineScripts, scriptHash } from '../../scripts/csp-hashes.mjs';

test('no built file exceeds the per-file limit of any host we claim, nor the file-count limit', () => {
  requireDist();
  const all = allFiles();
  assert.ok(all.length < HOST_FILE_COUNT_LIMIT, `${all.length} files; Cloudflare Pages takes at most ${HOST_FILE_COUNT_LIMIT}`);
  // A build for Netlify or GitHub Pages (PHLO_WHOLE_WASM=1) keeps split modules whole too, on purpose.
  const keptWhole = new Set(all.filter((f) => f.endsWith('.parts.json') && JSON.parse(readFileSync(f, 'utf8')).whole === true).map((f) => f.slice(0, -'.parts.json'.length)));
  for (const [host, limit] of Object.entries(HOST_FILE_LIMITS as Record<string, number>)) {
    const over = all.filter((f) => statSync(f).size > limit && !(keptWhole.has(f) && host === 'Cloudflare Pages')).map((f) => `${path.relative(DIST, f)} (${(statSync(f).size / 2 ** 20).toFixed(1)} MiB)`);
    assert.deepEqual(over, [], `files over ${host}'s ${limit / 2 ** 20} MiB limit`);
  }
  const parts = all.filter((f) => f.endsWith('.parts.json'));
  assert.ok(parts.some((f) => /duckdb-eh/.test(f)), 'DuckDB-WASM was split into parts');
  for (const manifestFile of parts) {
    const m = JSON.parse(readFileSync(manifestFile, 'utf8')) as { parts: string[]; size: number };
    const total = m.parts.reduce((n, p) => n + statSync(path.join(path.dirname(manifestFile), p)).size, 0);
    assert.equal(total, m.size, `${path.basename(manifestFile)}: the parts add up to the original size`);
  }
});

test('the _headers file for Netlify and Cloudflare Pages is in the build', () => {
  requireDist();
  const headers = readFileSync(path.join(DIST, '_headers'), 'utf8');
  assert.match(headers, /Cross-Origin-Embedder-Policy: require-corp/);
  assert.match(headers, /Cross-Origin-Opener-Policy: same-origin/);
});

test('the service worker precaches every file of the site, pages under their directory URL', () => {
  requireDist();
  const manifest = readPrecacheManifest(DIST) as { version: string; files: { url: string; group: string; size: number; sameAs?: string }[] };
  const urls = new Set(manifest.files.map((f) => f.url));
  for (const f of allFiles()) {
    const rel = path.relative(DIST, f).split(path.sep).join('/');
    if (/^(sw\.js|_headers|csp-hashes\.json|sitemap-.*\.xml|rss\.xml)$/.test(rel)) continue;
    // A module kept whole beside its parts: the parts are precached, the whole one is left to the HTTP cache.
    if (rel.endsWith('.wasm') && existsSync(`${f}.parts.json`)) {
      assert.ok(!urls.has(rel), `${rel} is not precached twice (its parts are)`);
      continue;
    }
    assert.ok(urls.has(precacheUrl(rel)), `${rel} is precached`);
  }
  const shell = manifest.files.filter((f) => f.group === 'shell');
  assert.ok(shell.some((f) => f.url === 'parts/01-what-is-a-data-lakehouse/'), 'pages are in the reading shell');
  assert.ok(!shell.some((f) => /\.wasm|warehouse\//.test(f.url)), 'engines and the warehouse wait until a sandbox is used');
  const shellMb = shell.reduce((n, f) => n + f.size, 0) / 2 ** 20;
  assert.ok(shellMb < 20, `the reading shell is ${shellMb.toFixed(1)} MiB`);
  assert.ok(existsSync(path.join(DIST, 'warehouse', '_index.json')) === manifest.files.some((f) => f.url === 'warehouse/_index.json'));
});

test('every inline script of every page is allowed by hash, by _headers and by the service worker; nothing else inline is', () => {
  requireDist();
  const headers = readFileSync(path.join(DIST, '_headers'), 'utf8');
  const csp = /Content-Security-Policy: (.*)/.exec(headers)![1]!;
  const scriptSrc = /script-src ([^;]*)/.exec(csp)![1]!;
  assert.doesNotMatch(scriptSrc, /'unsafe-inline'/);
  const manifest = readPrecacheManifest(DIST) as { headers: Record<string, string> };
  assert.equal(manifest.headers['Content-Security-Policy'], csp, 'the service worker adds the same CSP');
  let pages = 0;
  for (const f of allFiles()) {
    if (!f.endsWith('.html')) continue;
    pages++;
    const html = readFileSync(f, 'utf8');
    for (const script of inlineScripts(html)) assert.ok(scriptSrc.includes(scriptHash(script)), `${path.relative(DIST, f)}: inline script ${script.slice(0, 60)}... is not in the CSP`);
    // No inline handlers or javascript: URLs, which hashes do not cover.
    assert.doesNotMatch(html, /\son[a-z]+\s*=\s*["']|href\s*=\s*["']\s*javascript:/i, path.relative(DIST, f));
    // Inline JSON data blocks cannot close their element early.
    for (const m of html.matchAll(/<script type="application\/json"[^>]*>([\s\S]*?)<\/script>/g)) assert.doesNotMatch(m[1]!, /</, path.relative(DIST, f));
  }
  assert.ok(pages > 10);
});
