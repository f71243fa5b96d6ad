/**
 * The static server behind `npm start`, the tests and the workshop: headers on every
 * response, directory and 404 handling, compression, byte ranges, caching headers, a bounded
 * body cache, and no reading outside the root (not through a symbolic link either).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, symlinkSync } from 'node:fs';
import { request } from 'node:http';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import { createSiteServer } from '../../../scripts/serve.mjs';

let server: Server & { bodyCacheStats(): { bytes: number; entries: number; maxBytes: number } };
let base: string;
let root: string;
let outside: string;
/** A file big enough to compress, with bytes that differ at every offset. */
const engine = Buffer.from(Array.from({ length: 5000 }, (_, i) => `${i % 10}`).join(''));

before(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'phlo-serve-'));
  mkdirSync(path.join(root, 'parts', 'one'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>home</title>');
  writeFileSync(path.join(root, '404.html'), '<!doctype html><title>lost</title>');
  writeFileSync(path.join(root, 'parts', 'one', 'index.html'), `<!doctype html><title>one</title>${'x'.repeat(5000)}`);
  writeFileSync(path.join(root, 'engine.wasm'), Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));
  writeFileSync(path.join(os.tmpdir(), 'phlo-secret.txt'), 'secret');
  mkdirSync(path.join(root, '_astro'));
  writeFileSync(path.join(root, '_astro', 'app.js'), engine);
  // Links out of the root (a file and a folder), and one that stays inside it.
  outside = mkdtempSync(path.join(os.tmpdir(), 'phlo-outside-'));
  writeFileSync(path.join(outside, 'passwd.txt'), 'root:x:0:0');
  writeFileSync(path.join(outside, 'index.html'), '<title>outside</title>');
  symlinkSync(path.join(outside, 'passwd.txt'), path.join(root, 'leak.txt'));
  symlinkSync(outside, path.join(root, 'elsewhere'));
  symlinkSync(path.join(root, 'index.html'), path.join(root, 'home.html'));
  server = createSiteServer({ root, cacheBytes: 64 * 1024 }) as typeof server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

after(() => {
  server.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

/** A request sent byte for byte as written (fetch would normalise the path first). */
function raw(pathAndQuery: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/`, { path: pathAndQuery, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('pages come with cross-origin isolation and the CSP', async () => {
  const response = await fetch(`${base}/`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('cross-origin-opener-policy'), 'same-origin');
  assert.equal(response.headers.get('cross-origin-embedder-policy'), 'require-corp');
  assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  assert.match(response.headers.get('content-type') ?? '', /text\/html/);
});

test('a directory without a slash redirects; with a slash serves its index, compressed', async () => {
  const redirect = await fetch(`${base}/parts/one`, { redirect: 'manual' });
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.get('location'), '/parts/one/');
  const page = await fetch(`${base}/parts/one/`, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('content-encoding'), 'gzip');
  assert.match(await page.text(), /<title>one<\/title>/);
});

test('WebAssembly is served with its MIME type', async () => {
  const response = await fetch(`${base}/engine.wasm`);
  assert.equal(response.headers.get('content-type'), 'application/wasm');
  assert.equal((await response.arrayBuffer()).byteLength, 8);
});

test('a missing page gets the 404 page with a 404 status', async () => {
  const response = await fetch(`${base}/no/such/page/`);
  assert.equal(response.status, 404);
  assert.match(await response.text(), /<title>lost<\/title>/);
  assert.equal(response.headers.get('cross-origin-opener-policy'), 'same-origin');
});

test('nothing outside the root is served', async () => {
  const response = await fetch(`${base}/..%2fphlo-secret.txt`);
  assert.notEqual(response.status, 200);
  assert.doesNotMatch(await response.text(), /secret/);
});

test('only GET and HEAD are answered', async () => {
  const response = await fetch(`${base}/`, { method: 'POST', body: 'x' });
  assert.equal(response.status, 405);
});

test('a file rebuilt under the running server is served fresh, compressed or not', async () => {
  const file = path.join(root, 'parts', 'one', 'index.html');
  const first = await (await fetch(`${base}/parts/one/`, { headers: { 'accept-encoding': 'gzip' } })).text();
  // Same length, different bytes: what a rebuild with a new asset hash looks like.
  writeFileSync(file, first.replace('<title>one</title>', '<title>uno</title>'));
  const { utimesSync } = await import('node:fs');
  const later = new Date(Date.now() + 5000);
  utimesSync(file, later, later);
  const second = await (await fetch(`${base}/parts/one/`, { headers: { 'accept-encoding': 'gzip' } })).text();
  assert.match(second, /<title>uno<\/title>/);
});

test('a symbolic link out of the root is not followed; one inside it is', async () => {
  for (const url of ['/leak.txt', '/elsewhere/', '/elsewhere/passwd.txt', '/elsewhere/index.html']) {
    const response = await fetch(`${base}${url}`);
    assert.notEqual(response.status, 200, url);
    const text = await response.text();
    assert.doesNotMatch(text, /root:x|outside/, url);
  }
  const inside = await fetch(`${base}/home.html`);
  assert.equal(inside.status, 200);
  assert.match(await inside.text(), /<title>home<\/title>/);
});

test('a malformed percent-encoding is a 400 that does not echo the error', async () => {
  for (const url of ['/%', '/%E0%A4%A', '/parts/%zz/']) {
    const response = await raw(url);
    assert.equal(response.status, 400, url);
    assert.doesNotMatch(response.body.toString(), /URI|malformed|at decodeURIComponent/i, url);
    assert.equal(response.headers['cross-origin-opener-policy'], 'same-origin');
  }
});

test('errors are never cached, not even under /_astro/', async () => {
  const missing = await fetch(`${base}/_astro/missing-abc123.js`);
  assert.equal(missing.status, 404);
  assert.doesNotMatch(missing.headers.get('cache-control') ?? '', /immutable|max-age=[1-9]/);
  assert.match(missing.headers.get('cache-control') ?? '', /no-store/);
  const found = await fetch(`${base}/_astro/app.js`);
  assert.match(found.headers.get('cache-control') ?? '', /immutable/);
});

test('gzip and identity bodies have distinct entity tags, and both vary on Accept-Encoding', async () => {
  const zipped = await raw('/_astro/app.js', { 'accept-encoding': 'gzip' });
  const plainBody = await raw('/_astro/app.js', { 'accept-encoding': 'identity' });
  assert.equal(zipped.headers['content-encoding'], 'gzip');
  assert.equal(plainBody.headers['content-encoding'], undefined);
  assert.ok(gunzipSync(zipped.body).equals(engine));
  assert.ok(plainBody.body.equals(engine));
  assert.notEqual(zipped.headers.etag, plainBody.headers.etag);
  assert.match(String(zipped.headers.etag), /^"[^"]+"$/);
  for (const r of [zipped, plainBody]) assert.match(String(r.headers.vary), /Accept-Encoding/i);
  // Each tag revalidates only its own representation.
  assert.equal((await raw('/_astro/app.js', { 'accept-encoding': 'gzip', 'if-none-match': String(zipped.headers.etag) })).status, 304);
  assert.equal((await raw('/_astro/app.js', { 'accept-encoding': 'identity', 'if-none-match': String(zipped.headers.etag) })).status, 200);
  assert.equal((await raw('/_astro/app.js', { 'accept-encoding': 'identity', 'if-none-match': String(plainBody.headers.etag) })).status, 304);
});

test('Brotli once it is made (gzip until then), with its own entity tag; the body is the file', async () => {
  const first = await raw('/_astro/app.js', { 'accept-encoding': 'gzip, br' });
  assert.equal(first.headers['content-encoding'], 'gzip', 'the first request does not wait for Brotli');
  let br = first;
  for (let i = 0; i < 50 && br.headers['content-encoding'] !== 'br'; i++) {
    await new Promise((r) => setTimeout(r, 20));
    br = await raw('/_astro/app.js', { 'accept-encoding': 'gzip, br' });
  }
  assert.equal(br.headers['content-encoding'], 'br');
  assert.ok(brotliDecompressSync(br.body).equals(engine));
  assert.ok(br.body.length < first.body.length, `Brotli ${br.body.length} B < gzip ${first.body.length} B`);
  assert.notEqual(br.headers.etag, first.headers.etag);
  assert.equal((await raw('/_astro/app.js', { 'accept-encoding': 'gzip, br', 'if-none-match': String(br.headers.etag) })).status, 304);
  // A client without Brotli still gets gzip.
  assert.equal((await raw('/_astro/app.js', { 'accept-encoding': 'gzip' })).headers['content-encoding'], 'gzip');
});

test('a single byte range is answered with 206 and the right bytes; an impossible one with 416', async () => {
  const size = engine.length;
  const part = await raw('/_astro/app.js', { range: 'bytes=10-19', 'accept-encoding': 'gzip' });
  assert.equal(part.status, 206);
  assert.equal(part.headers['content-range'], `bytes 10-19/${size}`);
  assert.equal(part.headers['content-encoding'], undefined, 'a range is of the file itself');
  assert.ok(part.body.equals(engine.subarray(10, 20)));
  const tail = await raw('/_astro/app.js', { range: 'bytes=-7' });
  assert.equal(tail.status, 206);
  assert.equal(tail.headers['content-range'], `bytes ${size - 7}-${size - 1}/${size}`);
  assert.ok(tail.body.equals(engine.subarray(size - 7)));
  const resume = await raw('/_astro/app.js', { range: `bytes=${size - 100}-` });
  assert.equal(resume.status, 206);
  assert.equal(Number(resume.headers['content-length']), 100);
  assert.ok(resume.body.equals(engine.subarray(size - 100)));
  const past = await raw('/_astro/app.js', { range: `bytes=${size}-` });
  assert.equal(past.status, 416);
  assert.equal(past.headers['content-range'], `bytes */${size}`);
  // Several ranges, or a stale If-Range: the whole file.
  const several = await raw('/_astro/app.js', { range: 'bytes=0-1,5-6' });
  assert.equal(several.status, 200);
  assert.ok(several.body.equals(engine));
  const stale = await raw('/_astro/app.js', { range: 'bytes=0-9', 'if-range': '"an-older-build"' });
  assert.equal(stale.status, 200);
  const identityTag = String((await raw('/_astro/app.js')).headers.etag);
  const current = await raw('/_astro/app.js', { range: 'bytes=0-9', 'if-range': identityTag });
  assert.equal(current.status, 206);
  assert.equal(current.headers['accept-ranges'], 'bytes');
});

test('a path with empty segments redirects within the site, never to a host-relative URL', async () => {
  for (const url of ['/.//parts', '//parts', '/.//parts/one', '/\\parts']) {
    const response = await raw(url);
    if (response.status === 301) {
      const location = String(response.headers.location);
      assert.match(location, /^\/[^/\\]/, `${url} -> ${location}`);
    }
  }
  const response = await raw('/.//parts');
  assert.equal(response.status, 301);
  assert.equal(response.headers.location, '/parts/');
});

test('the body cache stays within its byte budget', async () => {
  for (let i = 0; i < 12; i++) writeFileSync(path.join(root, `data-${i}.json`), JSON.stringify({ i, rows: Array.from({ length: 2000 }, (_, j) => Math.sin(i * j)) }));
  for (let i = 0; i < 12; i++) {
    for (const encoding of ['gzip', 'identity']) {
      const response = await fetch(`${base}/data-${i}.json`, { headers: { 'accept-encoding': encoding } });
      assert.equal(response.status, 200);
      await response.arrayBuffer();
    }
  }
  const stats = server.bodyCacheStats();
  assert.ok(stats.bytes <= 64 * 1024, `${stats.bytes} bytes cached`);
  assert.ok(stats.entries > 0);
});

test('the CSP lists the inline-script hashes the build wrote beside the pages, and follows a rebuild', async () => {
  const before = (await fetch(`${base}/`)).headers.get('content-security-policy') ?? '';
  assert.doesNotMatch(before, /'unsafe-inline'[^;]*'wasm-unsafe-eval'|script-src[^;]*'unsafe-inline'/);
  const hash = "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='";
  writeFileSync(path.join(root, 'csp-hashes.json'), JSON.stringify({ scriptHashes: [hash] }));
  const after = (await fetch(`${base}/`)).headers.get('content-security-policy') ?? '';
  assert.ok(after.includes(`script-src 'self' ${hash}`), after);
  rmSync(path.join(root, 'csp-hashes.json'));
});
