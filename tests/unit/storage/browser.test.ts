/**
 * The browser-only backends (OPFS, HTTP) and the whole Iceberg library, run in real
 * Chromium: the same .ts files as in Node, type-stripped and served from a local server,
 * with parquet-wasm loading its .wasm the way a Vite build does. No request may leave the
 * page's origin.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as nodeModule from 'node:module';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright';
import { launchOptions } from '../../../scripts/chromium.mjs';
import { NodeFsStorage } from '../../../sandboxes/lakehouse/storage/node-fs.ts';
import { MemoryStorage, writeHttpIndex } from '../../../sandboxes/lakehouse/storage/index.ts';
import { createTable, rowsToArrow, deterministicIds } from '../../../sandboxes/lakehouse/iceberg/index.ts';
import { fixturesRoot, repoRoot } from '../iceberg/helpers.ts';

const IMPORT_MAP = {
  imports: {
    'apache-arrow': '/node_modules/apache-arrow/Arrow.dom.mjs',
    flatbuffers: '/node_modules/flatbuffers/mjs/flatbuffers.js',
    tslib: '/node_modules/tslib/tslib.es6.mjs',
    'parquet-wasm/esm': '/node_modules/parquet-wasm/esm/parquet_wasm.js',
    zod: '/node_modules/zod/index.js',
  },
};

const PAGE_SCRIPT = `
import { OpfsStorage, HttpStorage, StorageError } from '/src/sandboxes/lakehouse/storage/index.ts';
import { createTable, loadTable, rowsToArrow, arrowToRows, deterministicIds, eq, lt } from '/src/sandboxes/lakehouse/iceberg/index.ts';
const enc = (s) => new TextEncoder().encode(s);
const dec = (b) => new TextDecoder().decode(b);
window.runChecks = async () => {
  const out = {};
  const root = await navigator.storage.getDirectory();
  try { await root.removeEntry('phlo-test', { recursive: true }); } catch {}
  const s = new OpfsStorage('phlo-test');
  await s.write('t/a/b.txt', enc('hello'));
  out.read = dec(await s.read('t/a/b.txt'));
  try { await s.write('t/a/b.txt', enc('x')); out.writeOnce = 'overwrote'; } catch (e) { out.writeOnce = e.code; }
  try { await s.read('t/none'); } catch (e) { out.missing = e.code; }
  await s.write('t/c.txt', enc('c'));
  out.list = await s.list('t');
  out.cas = [await s.compareAndSwap('t/hint', null, '1'), await s.compareAndSwap('t/hint', null, '2'), await s.compareAndSwap('t/hint', '1', '2')];
  const race = await Promise.all(Array.from({ length: 6 }, (_, i) => s.compareAndSwap('t/hint', '2', 'w' + i)));
  out.raceWinners = race.filter(Boolean).length;
  await s.delete('t/c.txt');
  out.afterDelete = await s.exists('t/c.txt');

  // Torn writes (issue 13, item 5): a reader polling while a large file and a new branch
  // pointer are written sees each either absent or whole, never empty or partial.
  const watch = (path) => {
    const seen = new Set();
    let on = true;
    const done = (async () => {
      while (on) {
        try { seen.add((await s.read(path)).length); } catch (e) { seen.add(e.code); }
        await new Promise((r) => setTimeout(r, 0));
      }
    })();
    return async () => { on = false; await done; return [...seen].map(String).sort(); };
  };
  let stop = watch('t/big.bin');
  await s.write('t/big.bin', new Uint8Array(16 << 20).fill(7));
  await new Promise((r) => setTimeout(r, 20));
  out.bigReads = await stop();
  stop = watch('t/refs/branches/dev');
  for (let i = 0; i < 20; i++) await s.compareAndSwap('t/refs/branches/dev', i ? String(i - 1).repeat(64) : null, String(i).repeat(64));
  out.pointerReads = (await stop()).filter((x) => x !== 'not-found' && x !== '64' && x !== '128');
  // A tab closed mid-write leaves its temporary file: hidden from list, removed by the next writer.
  const refsDir = await (await (await root.getDirectoryHandle('phlo-test')).getDirectoryHandle('t')).getDirectoryHandle('refs');
  await refsDir.getFileHandle('main.tmp-opfs-orphan', { create: true });
  out.listWithOrphan = await s.list('t/refs');
  const s2 = new OpfsStorage('phlo-test');
  await s2.compareAndSwap('t/refs/main', null, 'abc');
  const names = [];
  for await (const [name] of refsDir.entries()) names.push(name);
  out.afterOrphan = names.sort();

  let clock = Date.UTC(2024, 0, 1);
  const t = await createTable(null, s, 'wh/glucose', {
    now: () => (clock += 1000), ids: deterministicIds('browser'),
    schema: [{ name: 'id', type: 'long', required: true }, { name: 'ts', type: 'timestamptz' }, { name: 'mgdl', type: 'int' }],
    partitionSpec: [{ source: 'ts', transform: 'day' }],
  });
  const rows = Array.from({ length: 50 }, (_, i) => ({ id: i, ts: new Date(Date.UTC(2024, 0, 1) + i * 3600e3), mgdl: 90 + i }));
  await t.append(rowsToArrow(rows, t.schema()));
  const m = await t.merge(rowsToArrow([{ id: 3, ts: new Date(Date.UTC(2024, 0, 1) + 3 * 3600e3), mgdl: 1 }], t.schema()), { key: 'id' });
  out.merge = [m.inserted, m.updated, m.unchanged];
  await t.delete(lt('id', 2));
  const again = await loadTable(new OpfsStorage('phlo-test'), 'wh/glucose');
  const scanned = arrowToRows((await again.scan()).table, again.schema());
  out.opfsRows = scanned.length;
  out.updated = Number(scanned.find((r) => r.id === 3n).mgdl);
  out.snapshots = again.snapshots().length;
  const first = again.snapshots()[0]['snapshot-id'];
  out.timeTravel = (await again.scan({ snapshotId: first })).table.numRows;

  const fx = new HttpStorage('/fixtures/');
  const bunnies = await loadTable(fx, 'hyparam+icebird/test/files/hyperparam-iceberg/java/bunnies');
  out.bunnies = (await bunnies.scan()).table.numRows;
  const athena = await loadTable(fx, 'hyparam+icebird/test/files/hyperparam-iceberg/athena/example');
  out.athena = arrowToRows((await athena.scan()).table, athena.schema()).map((r) => r.name);
  const eqDel = await loadTable(fx, 'apache+impala/testdata/data/iceberg_test/hadoop_catalog/ice/iceberg_v2_delete_equality_partitioned');
  out.eqDeletes = (await eqDel.scan()).table.numRows;
  try { await fx.write('x', enc('x')); } catch (e) { out.httpWrite = e.code; }

  // The prebuilt warehouse path: tables written in Node, served as static files.
  const wh = new HttpStorage('/wh/');
  out.whList = (await wh.list('glucose/raw/metadata')).filter((f) => f.endsWith('.metadata.json')).length;
  const prebuilt = await loadTable(wh, 'glucose/raw');
  out.whRows = (await prebuilt.scan()).table.numRows;
  out.whFirst = (await prebuilt.scan({ snapshotId: prebuilt.snapshots()[0]['snapshot-id'] })).table.numRows;
  const dayPlan = (await prebuilt.scan({ filter: eq('ts', '2024-01-02T00:00:00Z') })).plan;
  out.whDay = dayPlan.skippedFiles.length + dayPlan.skippedManifests.length;
  return out;
};
window.ready = true;
`;

// Node's own type stripper (the same erasure Node applies when it runs these files).
// It prints an "experimental" warning once; silence only that one.
function strip(source: string): string {
  const emit = process.emitWarning;
  process.emitWarning = ((w: string | Error, ...rest: unknown[]) => {
    if (String(w).includes('stripTypeScriptTypes')) return;
    (emit as (...a: unknown[]) => void).call(process, w, ...rest);
  }) as typeof process.emitWarning;
  try {
    return (nodeModule as unknown as { stripTypeScriptTypes(s: string, o: { mode: string }): string }).stripTypeScriptTypes(source, { mode: 'strip' });
  } finally {
    process.emitWarning = emit;
  }
}

function contentType(p: string): string {
  if (p.endsWith('.wasm')) return 'application/wasm';
  if (p.endsWith('.json')) return 'application/json';
  if (p.endsWith('.html')) return 'text/html';
  if (/\.(m?js|ts)$/.test(p)) return 'text/javascript';
  return 'application/octet-stream';
}

async function buildWarehouse(): Promise<MemoryStorage> {
  const wh = new MemoryStorage();
  let clock = Date.UTC(2024, 0, 5);
  const t = await createTable(null, wh, 'glucose/raw', {
    now: () => (clock += 1000), ids: deterministicIds('prebuilt'),
    schema: [{ name: 'ts', type: 'timestamptz', required: true }, { name: 'mgdl', type: 'int' }],
    partitionSpec: [{ source: 'ts', transform: 'day' }],
  });
  const day = (d: number) => rowsToArrow(Array.from({ length: 288 }, (_, i) => ({ ts: new Date(Date.UTC(2024, 0, d) + i * 300_000), mgdl: 100 + (i % 40) })), t.schema());
  await t.append(day(1));
  await t.append(day(2));
  await t.append(day(3));
  await writeHttpIndex(wh, '');
  return wh;
}

async function startServer() {
  const fixtures = new NodeFsStorage(fixturesRoot, { readOnly: true });
  const warehouse = await buildWarehouse();
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://x');
    const p = decodeURIComponent(url.pathname);
    try {
      if (p === '/' || p === '/index.html') {
        res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><meta charset="utf-8"><script type="importmap">${JSON.stringify(IMPORT_MAP)}</script><script type="module">${PAGE_SCRIPT}</script>`);
        return;
      }
      if (p === '/fixtures/_index.json') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ files: await fixtures.list('') }));
        return;
      }
      if (p.startsWith('/wh/')) {
        const rel = p.slice('/wh/'.length);
        if (!(await warehouse.exists(rel))) { res.writeHead(404).end(); return; }
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(await warehouse.read(rel));
        return;
      }
      if (p.startsWith('/fixtures/')) {
        const rel = p.slice('/fixtures/'.length);
        if (!(await fixtures.exists(rel))) { res.writeHead(404).end(); return; }
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(await fixtures.read(rel));
        return;
      }
      const file = p.startsWith('/src/') ? path.join(repoRoot, p.slice(5)) : p.startsWith('/node_modules/') ? path.join(repoRoot, p.slice(1)) : null;
      if (!file || !file.startsWith(repoRoot) || !existsSync(file)) { res.writeHead(404).end(); return; }
      let body: string | Buffer = await readFile(file);
      if (file.endsWith('.ts')) body = strip(body.toString('utf8'));
      res.writeHead(200, { 'content-type': contentType(file) }).end(body);
    } catch (err) {
      res.writeHead(500).end(String(err));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('OPFS and HTTP storage, and Iceberg read/write, work in Chromium without leaving the origin', { timeout: 120_000 }, async (t) => {
  if (!existsSync(launchOptions.executablePath)) {
    t.skip(`Chromium is not installed at ${launchOptions.executablePath}`);
    return;
  }
  const server = await startServer();
  const browser = await chromium.launch(launchOptions);
  try {
    const page = await browser.newPage();
    const foreign: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith(server.origin) && !r.url().startsWith('data:')) foreign.push(r.url()); });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.origin + '/');
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, undefined, { timeout: 30_000 }).catch(() => {
      throw new Error(`the page did not load its modules: ${errors.join('; ')}`);
    });
    const out = await page.evaluate(() => (window as unknown as { runChecks: () => Promise<Record<string, unknown>> }).runChecks());
    assert.equal(out.read, 'hello');
    assert.equal(out.writeOnce, 'already-exists');
    assert.equal(out.missing, 'not-found');
    assert.deepEqual(out.list, ['t/a/b.txt', 't/c.txt']);
    assert.deepEqual(out.cas, [true, false, true]);
    assert.equal(out.raceWinners, 1);
    assert.equal(out.afterDelete, false);
    assert.deepEqual(out.bigReads, [String(16 << 20), 'not-found'].sort(), 'a file being written reads as absent or whole, never empty or partial');
    assert.deepEqual(out.pointerReads, [], 'a branch pointer being written never reads empty (a deleted branch) or partial');
    assert.deepEqual(out.listWithOrphan, ['t/refs/branches/dev']);
    assert.deepEqual(out.afterOrphan, ['branches', 'main']);
    assert.deepEqual(out.merge, [0, 1, 0]);
    assert.equal(out.opfsRows, 48);
    assert.equal(out.updated, 1);
    assert.equal(out.snapshots, 3);
    assert.equal(out.timeTravel, 50);
    assert.equal(out.bunnies, 15);
    assert.deepEqual(out.athena, ['Alice', 'Bob']);
    assert.equal(out.eqDeletes, 6);
    assert.equal(out.httpWrite, 'read-only');
    assert.equal(out.whList, 4);
    assert.equal(out.whRows, 864);
    assert.equal(out.whFirst, 288);
    assert.equal(out.whDay, 2, 'the other two days are pruned by partition');
    assert.deepEqual(foreign, [], 'no request leaves the origin');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
