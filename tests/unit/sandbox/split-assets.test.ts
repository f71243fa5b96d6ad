/**
 * How the sandbox loads DuckDB-WASM's module: straight from its URL (streaming compile, the
 * browser's compiled-code cache) wherever the host serves the whole file, and from the
 * joined parts only where it does not (Cloudflare Pages' 25 MiB limit, or offline with
 * only the parts cached). Against fake hosts, and against scripts/serve.mjs, which joins
 * the parts of a split build on the server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { moduleSource, joinParts } from '../../../src/sandbox/runtime/split-assets.ts';
import { splitLargeFiles } from '../../../scripts/static-hosts.mjs';
import { createSiteServer } from '../../../scripts/serve.mjs';

const BASE = 'https://course.example/lab/';
const URL_ = '/_astro/duckdb-eh.abc.wasm';
const WHOLE = 'https://course.example/_astro/duckdb-eh.abc.wasm';
const MANIFEST = { parts: ['duckdb-eh.abc.part0.wasm', 'duckdb-eh.abc.part1.wasm'], size: 6, type: 'application/wasm' };

/** A host that answers from a table of URL -> response; everything else is its 404 page. */
function host(files: Record<string, () => Response>) {
  const asked: string[] = [];
  const fetcher = async (url: string, init?: RequestInit) => {
    asked.push(`${init?.method ?? 'GET'} ${url}`);
    const f = files[url];
    return f ? f() : new Response('<h1>Not found</h1>', { status: 404, headers: { 'content-type': 'text/html' } });
  };
  return { fetcher, asked };
}
const wasm = (bytes: number[]) => () => new Response(new Uint8Array(bytes), { headers: { 'content-type': 'application/wasm' } });
const json = (v: unknown) => () => new Response(JSON.stringify(v), { headers: { 'content-type': 'application/json' } });

test('a host that serves the whole module: its own URL, and no part is fetched', async () => {
  const h = host({ [WHOLE]: wasm([0, 97, 115, 109]), [`${WHOLE}.parts.json`]: json(MANIFEST) });
  assert.deepEqual(await moduleSource(URL_, BASE, h.fetcher), { kind: 'whole', url: URL_ });
  assert.deepEqual(h.asked, [`HEAD ${WHOLE}`]);
});

test('a host with only the parts (Cloudflare Pages): the manifest, and the parts join to the original bytes', async () => {
  const h = host({
    [`${WHOLE}.parts.json`]: json(MANIFEST),
    'https://course.example/_astro/duckdb-eh.abc.part0.wasm': wasm([0, 97, 115]),
    'https://course.example/_astro/duckdb-eh.abc.part1.wasm': wasm([109, 1, 0]),
  });
  const source = await moduleSource(URL_, BASE, h.fetcher);
  assert.equal(source.kind, 'parts');
  const blob = await joinParts(source as Extract<typeof source, { kind: 'parts' }>, URL_, h.fetcher);
  assert.deepEqual([...new Uint8Array(await blob.arrayBuffer())], [0, 97, 115, 109, 1, 0]);
});

test('a host answering every path with a page (an SPA fallback) is not taken for the module', async () => {
  const h = host({ [WHOLE]: () => new Response('<html>', { status: 200, headers: { 'content-type': 'text/html' } }), [`${WHOLE}.parts.json`]: json(MANIFEST) });
  assert.equal((await moduleSource(URL_, BASE, h.fetcher)).kind, 'parts');
});

test('offline with only the parts cached: the failed HEAD falls back to the parts', async () => {
  const h = host({ [`${WHOLE}.parts.json`]: json(MANIFEST) });
  const fetcher = async (url: string, init?: RequestInit) => {
    if (init?.method === 'HEAD') throw new TypeError('Failed to fetch');
    return h.fetcher(url, init);
  };
  assert.equal((await moduleSource(URL_, BASE, fetcher)).kind, 'parts');
});

test('a part missing or short: a clear error naming it, not a broken module', async () => {
  const h = host({ [`${WHOLE}.parts.json`]: json(MANIFEST), 'https://course.example/_astro/duckdb-eh.abc.part0.wasm': wasm([0, 97, 115]) });
  const source = (await moduleSource(URL_, BASE, h.fetcher)) as Extract<Awaited<ReturnType<typeof moduleSource>>, { kind: 'parts' }>;
  await assert.rejects(joinParts(source, URL_, h.fetcher), /could not load duckdb-eh\.abc\.part1\.wasm \(HTTP 404\)/);
  const short = host({ [`${WHOLE}.parts.json`]: json({ ...MANIFEST, parts: [MANIFEST.parts[0]] }), 'https://course.example/_astro/duckdb-eh.abc.part0.wasm': wasm([0, 97, 115]) });
  const s2 = (await moduleSource(URL_, BASE, short.fetcher)) as Extract<Awaited<ReturnType<typeof moduleSource>>, { kind: 'parts' }>;
  await assert.rejects(joinParts(s2, URL_, short.fetcher), /arrived incomplete \(3 of 6 bytes\)/);
});

test('a manifest the host fails to serve: an error saying so', async () => {
  const h = host({ [`${WHOLE}.parts.json`]: () => new Response('oops', { status: 503 }) });
  await assert.rejects(moduleSource(URL_, BASE, h.fetcher), /could not load \/_astro\/duckdb-eh\.abc\.wasm\.parts\.json \(HTTP 503\)/);
});

test('npm start (scripts/serve.mjs) serves a split module whole, so the browser streams it', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'serve-join-'));
  const server = createSiteServer({ root: dir });
  try {
    await mkdir(path.join(dir, '_astro'));
    const big = Buffer.alloc(26 * 1024 * 1024 + 77);
    for (let i = 0; i < big.length; i += 1000) big[i] = (i / 1000) % 251;
    await writeFile(path.join(dir, '_astro/engine.wasm'), big);
    splitLargeFiles(dir);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/lab/`;
    assert.deepEqual(await moduleSource('/_astro/engine.wasm', base), { kind: 'whole', url: '/_astro/engine.wasm' });
    const whole = await fetch(new URL('/_astro/engine.wasm', base), { headers: { 'accept-encoding': 'identity' } });
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('content-type'), 'application/wasm');
    assert.ok(Buffer.from(await whole.arrayBuffer()).equals(big), 'the joined body is the original module');
    // Compressed as any .wasm, and resumable (a byte range of the joined file).
    const gz = await fetch(new URL('/_astro/engine.wasm', base));
    assert.ok(Buffer.from(await gz.arrayBuffer()).equals(big));
    const range = await fetch(new URL('/_astro/engine.wasm', base), { headers: { range: `bytes=${16 * 1024 * 1024 - 2}-${16 * 1024 * 1024 + 1}` } });
    assert.equal(range.status, 206);
    assert.deepEqual([...new Uint8Array(await range.arrayBuffer())], [...big.subarray(16 * 1024 * 1024 - 2, 16 * 1024 * 1024 + 2)]);
    // A .wasm with neither file nor parts is still a 404.
    assert.equal((await fetch(new URL('/_astro/nothing.wasm', base), { method: 'HEAD' })).status, 404);
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
