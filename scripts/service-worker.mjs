/**
 * Writes the offline service worker (/sw.js) into a built site: src/offline/sw.js with the
 * precache manifest of this build filled in. Every file gets a group:
 *
 * - "shell": HTML pages (under their directory URL, as the server answers them), the
 *   styles, fonts and images, Pagefind's search files, and the scripts the pages load up
 *   front (with the modules they import statically);
 * - "sandbox": everything else, i.e. the code loaded on demand by a hands-on section, the
 *   engines' WebAssembly and data files, and the prebuilt warehouse.
 *
 * The version is a hash over every file's hash, so any change to the site makes a new
 * worker, and the page can offer the update. The manifest also carries the site's security
 * headers with this build's CSP, which the worker adds on hosts that send none.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './run.mjs';
import { walk } from './static-hosts.mjs';
import { securityHeadersFor } from '../src/lib/security-headers.mjs';

/** Files that are never precached: the worker itself, host config, sitemaps and feeds. */
const SKIP = /^(sw\.js|_headers|_redirects|csp-hashes\.json|robots\.txt|sitemap-.*\.xml|rss\.xml)$/;

/** Relative URLs of the scripts a page loads up front, with their static imports. */
function upFrontScripts(outDir, htmlFiles) {
  const found = new Set();
  const visit = (rel) => {
    if (found.has(rel)) return;
    const file = path.join(outDir, rel);
    if (!existsSync(file)) return;
    found.add(rel);
    const code = readFileSync(file, 'utf8');
    // Static imports only (`import(` is on demand): import x from "./a.js"; import "./b.js"; export * from "./c.js"
    for (const m of code.matchAll(/(?:^|[;\n}])\s*(?:import|export)\s*(?:[\w*{}\s,$]*from\s*)?["']([^"']+\.js)["']/g)) {
      visit(path.posix.join(path.posix.dirname(rel), m[1]));
    }
  };
  for (const html of htmlFiles) {
    const text = readFileSync(html, 'utf8');
    for (const m of text.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="([^"]+\.(?:js|css))"/g)) {
      const url = m[1];
      if (/^[a-z]+:/i.test(url)) continue;
      visit(url.startsWith('/') ? url.replace(/^\/+/, '') : path.posix.join(path.posix.dirname(path.relative(outDir, html).split(path.sep).join('/')), url));
    }
  }
  return found;
}

/** The URL a built file is precached (and served) under: pages under their directory, "parts/x/". */
export function precacheUrl(rel) {
  return rel === 'index.html' ? '' : rel.endsWith('/index.html') ? rel.slice(0, -'index.html'.length) : rel;
}

/** The precache manifest written into a build's sw.js (for the tests and the room load test). */
export function readPrecacheManifest(outDir) {
  const sw = readFileSync(path.join(outDir, 'sw.js'), 'utf8');
  const found = /const MANIFEST = (\{.*?\});\n/s.exec(sw);
  if (!found) throw new Error(`${path.join(outDir, 'sw.js')} has no precache manifest: build the site again (npm run build).`);
  return JSON.parse(found[1]);
}

/** @param {string} outDir @param {{ base?: string, scriptHashes?: string[] }} [options] */
export function writeServiceWorker(outDir, { base = '/', scriptHashes = [] } = {}) {
  const listed = [...walk(outDir)].map((f) => path.relative(outDir, f).split(path.sep).join('/')).filter((rel) => !SKIP.test(rel));
  // A module kept whole beside its parts: online the browser's HTTP cache keeps the whole one
  // (src/offline/sw.js leaves it alone), offline the parts serve; caching both would double it.
  const splitToo = new Set(listed.filter((rel) => rel.endsWith('.wasm.parts.json')).map((rel) => rel.slice(0, -'.parts.json'.length)));
  const all = listed.filter((rel) => !splitToo.has(rel)).sort();
  const htmlFiles = all.filter((rel) => rel.endsWith('.html')).map((rel) => path.join(outDir, rel));
  const upFront = upFrontScripts(outDir, htmlFiles);
  const files = all.map((rel) => {
    const bytes = readFileSync(path.join(outDir, rel));
    const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
    const isShell =
      rel.endsWith('.html') ||
      rel.startsWith('pagefind/') ||
      /\.(css|svg|png|ico|woff2?|webmanifest)$/.test(rel) ||
      upFront.has(rel);
    // Pages are cached under the URL the server answers: /parts/x/ for parts/x/index.html.
    return { url: precacheUrl(rel), group: isShell && !rel.startsWith('warehouse/') ? 'shell' : 'sandbox', size: bytes.length, hash };
  });
  // The page bundle and the worker bundle each emit their own copy of PGlite's and the
  // Parquet codec's files (same bytes, two names): cache one, answer both names from it.
  const firstOfHash = new Map();
  for (const f of files) {
    const first = firstOfHash.get(f.hash);
    if (first && first.group === f.group) f.sameAs = first.url;
    else if (!first) firstOfHash.set(f.hash, f);
  }
  // The headers the worker adds where the host sent none (GitHub Pages): the same as _headers.
  const headers = securityHeadersFor(scriptHashes);
  const version = createHash('sha256').update(files.map((f) => `${f.url} ${f.hash}`).join('\n') + JSON.stringify(headers)).digest('hex').slice(0, 12);
  const manifest = { version, base, headers, files };
  const template = readFileSync(path.join(ROOT, 'src/offline/sw.js'), 'utf8');
  if (!template.includes('self.__PHLO_PRECACHE__')) throw new Error('src/offline/sw.js lost its self.__PHLO_PRECACHE__ placeholder');
  writeFileSync(path.join(outDir, 'sw.js'), `// Version ${version}, generated by scripts/service-worker.mjs.\n` + template.replace('self.__PHLO_PRECACHE__', JSON.stringify(manifest)));
  const sum = (g) => files.filter((f) => f.group === g && !f.sameAs).reduce((n, f) => n + f.size, 0);
  return { version, files: files.length, shellBytes: sum('shell'), sandboxBytes: sum('sandbox') };
}
