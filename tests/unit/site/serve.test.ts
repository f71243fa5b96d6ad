/**
 * The static server behind `npm start`, the tests and the workshop: headers on every
 * response, directory and 404 handling, compression, and no reading outside the root.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import { createSiteServer } from '../../../scripts/serve.mjs';

let server: Server;
let base: string;
let root: string;

before(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'phlo-serve-'));
  mkdirSync(path.join(root, 'parts', 'one'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>home</title>');
  writeFileSync(path.join(root, '404.html'), '<!doctype html><title>lost</title>');
  writeFileSync(path.join(root, 'parts', 'one', 'index.html'), `<!doctype html><title>one</title>${'x'.repeat(5000)}`);
  writeFileSync(path.join(root, 'engine.wasm'), Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));
  writeFileSync(path.join(os.tmpdir(), 'phlo-secret.txt'), 'secret');
  server = createSiteServer({ root });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

after(() => {
  server.close();
  rmSync(root, { recursive: true, force: true });
});

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
