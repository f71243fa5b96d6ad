/** Splitting oversized files for static hosts, and the _headers file. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, readFile, readdir, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { splitLargeFiles, headersFile, HOST_FILE_LIMITS, keepWholeForHost } from '../../../scripts/static-hosts.mjs';
import { securityHeadersFor } from '../../../src/lib/security-headers.mjs';

test('a .wasm over the 25 MiB limit is cut into parts that join back to the same bytes', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'split-'));
  try {
    await mkdir(path.join(dir, '_astro'));
    const big = Buffer.alloc(26 * 1024 * 1024 + 123);
    for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
    await writeFile(path.join(dir, '_astro/engine.wasm'), big);
    await writeFile(path.join(dir, '_astro/small.wasm'), Buffer.alloc(1000));
    const split = splitLargeFiles(dir);
    assert.equal(split.length, 1);
    const names = (await readdir(path.join(dir, '_astro'))).sort();
    assert.deepEqual(names, ['engine.part0.wasm', 'engine.part1.wasm', 'engine.wasm.parts.json', 'small.wasm']);
    const manifest = JSON.parse(await readFile(path.join(dir, '_astro/engine.wasm.parts.json'), 'utf8'));
    assert.equal(manifest.size, big.length);
    const joined = Buffer.concat(await Promise.all(manifest.parts.map((p: string) => readFile(path.join(dir, '_astro', p)))));
    assert.ok(joined.equals(big));
    for (const p of manifest.parts) assert.ok((await readFile(path.join(dir, '_astro', p))).length <= HOST_FILE_LIMITS['Cloudflare Pages']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an oversized file that is not WebAssembly fails the build with its name', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'split-'));
  try {
    await writeFile(path.join(dir, 'huge.json'), Buffer.alloc(26 * 1024 * 1024));
    assert.throws(() => splitLargeFiles(dir), /huge\.json is 26\.0 MiB/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('_headers carries every security header the servers send, with the build\'s script hashes', () => {
  const hashes = ["'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"];
  const text = headersFile(hashes);
  for (const [k, v] of Object.entries(securityHeadersFor(hashes) as Record<string, string>)) assert.ok(text.includes(`  ${k}: ${v}`), k);
  assert.match(text, /script-src 'self' 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF\+pI=' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(text, /script-src[^;]*'unsafe-inline'/);
  assert.match(text, /^\/_astro\/\*\n  Cache-Control: public, max-age=31536000, immutable$/m);
});

test('a build for a host taking 100 MiB files (Netlify, GitHub Pages) keeps the module whole beside its parts', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'split-'));
  try {
    await mkdir(path.join(dir, '_astro'));
    await mkdir(path.join(dir, 'webcontainer'));
    const big = Buffer.alloc(26 * 1024 * 1024 + 5);
    await writeFile(path.join(dir, '_astro/engine.wasm'), big);
    await writeFile(path.join(dir, 'webcontainer/engine.wasm'), big);
    splitLargeFiles(dir, { keepWhole: true });
    assert.deepEqual((await readdir(path.join(dir, '_astro'))).sort(), ['engine.part0.wasm', 'engine.part1.wasm', 'engine.wasm', 'engine.wasm.parts.json']);
    assert.equal(JSON.parse(await readFile(path.join(dir, '_astro/engine.wasm.parts.json'), 'utf8')).whole, true);
    // The WebContainer bundle joins its parts anyway: no second copy there.
    assert.deepEqual((await readdir(path.join(dir, 'webcontainer'))).sort(), ['engine.part0.wasm', 'engine.part1.wasm', 'engine.wasm.parts.json']);
    assert.equal(keepWholeForHost({ NETLIFY: 'true' }), true);
    assert.equal(keepWholeForHost({ PHLO_WHOLE_WASM: '1' }), true);
    assert.equal(keepWholeForHost({}), false, 'by default the build deploys to Cloudflare Pages too');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
