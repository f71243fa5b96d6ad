/**
 * Exporting a warehouse for real engines (issue 17, part 1): a small warehouse with several
 * snapshots, merge-on-read deletes, a branch and a tag is exported per ref into a folder of
 * its own, and then read from those files alone by our reader and by icebird (an independent
 * reader), at every snapshot, with the same rows as the source. No string in any exported
 * file may still point into the source warehouse, an s3:// export points only at its prefix,
 * and the zip is deterministic and holds exactly the exported files.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { answerBytes } from '../iceberg/helpers.ts';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { icebergRead } from 'icebird';
import { MemoryStorage } from '../../../sandboxes/lakehouse/storage/memory.ts';
import { NodeFsStorage } from '../../../sandboxes/lakehouse/storage/node-fs.ts';
import { openWarehouse, type Warehouse } from '../../../sandboxes/lakehouse/warehouse.ts';
import { loadTable, rowsToArrow, arrowToRows, deterministicIds, lt, eq, readAvroFile, readParquet, type Table } from '../../../sandboxes/lakehouse/iceberg/index.ts';
import { parseJson } from '../../../sandboxes/lakehouse/iceberg/json.ts';
import { buildWarehouse } from './source-warehouse.ts';
import { planExport, writeExport, checkExportPath, parseDestination, zipExportBytes, ExportError, type ExportPlan } from '../../../sandboxes/lakehouse/export/index.ts';
import { unzipSync } from 'fflate';

let w: Warehouse;
let work: string;
const exports = new Map<string, { dir: string; plan: ExportPlan }>();

before(async () => {
  w = await buildWarehouse(new MemoryStorage());
  work = await mkdtemp(join(tmpdir(), 'phlo-export-'));
  for (const ref of ['main', 'dev', 'v1']) {
    const dir = join(work, ref);
    const plan = await planExport(w, { ref, destination: dir });
    await writeExport(plan, new NodeFsStorage(dir));
    exports.set(ref, { dir, plan });
  }
  const s3dir = join(work, 's3');
  const plan = await planExport(w, { ref: 'dev', destination: 's3://lake/exports/dev' });
  await writeExport(plan, new NodeFsStorage(s3dir));
  exports.set('s3', { dir: s3dir, plan });
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(relative(dir, join(e.parentPath, e.name)).split('\\').join('/'));
  return out.sort();
}

/** Rows as comparable text, sorted: bigints as numbers. */
function rowKeys(rows: Record<string, unknown>[], names: string[]): string[] {
  const norm = (v: unknown) => (typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.getTime() / 86_400_000 : v ?? null);
  return rows.map((r) => JSON.stringify(names.map((n) => norm(r[n])))).sort();
}

async function oursAt(table: Table, snapshotId: bigint): Promise<{ rows: string[]; names: string[]; files: number }> {
  const { table: rows, plan } = await table.scan({ snapshotId });
  const names = plan.schema.fields.map((f) => f.name);
  return { rows: rowKeys(arrowToRows(rows, plan.schema), names), names, files: plan.tasks.length };
}

/** Serve the export folder only; icebird's fetches of exported locations are mapped onto it. */
async function withIcebird<T>(dir: string, root: string, run: () => Promise<T>): Promise<T> {
  const server = http.createServer(async (req, res) => {
    const p = decodeURIComponent(new URL(req.url!, 'http://x').pathname.slice(1));
    let bytes: Uint8Array;
    try {
      bytes = await readFile(join(dir, p));
    } catch {
      res.writeHead(404).end();
      return;
    }
    answerBytes(req, res, bytes);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // icebird turns s3://bucket/key into https://bucket.s3.amazonaws.com/key.
  const prefixes = root.startsWith('s3://') ? [`https://${root.slice(5).split('/')[0]}.s3.amazonaws.com/${root.slice(5).split('/').slice(1).join('/')}`] : [root];
  const realFetch = globalThis.fetch;
  globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    const prefix = prefixes.find((p) => url.startsWith(`${p}/`));
    if (!prefix) return Promise.reject(new Error(`icebird asked for ${url}, which is not inside the export ${root}`));
    return realFetch(`${base}/${url.slice(prefix.length + 1)}`, init);
  }) as typeof fetch;
  try {
    return await run();
  } finally {
    globalThis.fetch = realFetch;
    await new Promise<void>((r) => server.close(() => r()));
  }
}

async function readBackEveryTable(key: string, ref: string): Promise<number> {
  const { dir, plan } = exports.get(key)!;
  // Nothing but the export on disk: the storage is rooted at the export folder.
  const storage = new NodeFsStorage(dir, { readOnly: true });
  let compared = 0;
  assert.deepEqual(plan.tables.map((t) => t.name), await w.tables(ref));
  for (const t of plan.tables) {
    const source = await w.table(t.name, ref);
    const exported = await loadTable(storage, t.dir, { metadataFile: t.metadataFileName });
    assert.equal(exported.metadata.location, t.location);
    assert.deepEqual(exported.snapshots().map((s) => s['snapshot-id']), source.snapshots().map((s) => s['snapshot-id']));
    const raw = parseJson(await readFile(join(dir, t.dir, 'metadata', t.metadataFileName), 'utf8')) as Record<string, unknown>;
    for (const snap of source.snapshots()) {
      const id = snap['snapshot-id'];
      const want = await oursAt(source, id);
      const ours = await oursAt(exported, id);
      assert.deepEqual(ours.rows, want.rows, `our reader disagrees on ${t.name}@${ref} at snapshot ${id}`);
      if (want.files === 0) continue; // icebird needs a data manifest; an empty snapshot has none
      const theirs = await withIcebird(dir, plan.destination.root, () => icebergRead({ tableUrl: t.location, metadata: { ...raw, 'current-snapshot-id': id } as never }));
      assert.deepEqual(rowKeys(theirs, want.names), want.rows, `icebird disagrees on ${t.name}@${ref} at snapshot ${id}`);
      compared++;
    }
  }
  return compared;
}

test('our reader and icebird read every exported table at every snapshot with the source rows (main, dev, tag v1)', async () => {
  const main = await readBackEveryTable('main', 'main');
  const dev = await readBackEveryTable('dev', 'dev');
  const v1 = await readBackEveryTable('v1', 'v1');
  assert.ok(main >= 5 && dev >= 7 && v1 >= 4, `snapshots compared: main ${main}, dev ${dev}, v1 ${v1}`);
  // The merge-on-read deletes made it: position delete files are in the dev export.
  assert.ok(exports.get('dev')!.plan.tables.find((t) => t.name === 'shop.orders')!.deleteFiles >= 2);
});

test('an export carries only what its ref reaches', async () => {
  const files = (key: string) => exports.get(key)!.plan.files.map((f) => f.path);
  const devOnly = files('dev').filter((p) => p.includes('/data/') && !files('main').includes(p));
  assert.ok(devOnly.length > 0, 'dev wrote data files of its own');
  assert.ok(files('v1').length < files('main').length, 'the tag is older than main');
  assert.deepEqual(await listFiles(exports.get('main')!.dir), files('main'));
});

/** Every string in an exported file that names a file: JSON values, Avro fields and bounds, position delete rows. */
async function locationsIn(dir: string): Promise<{ file: string; value: string }[]> {
  const out: { file: string; value: string }[] = [];
  const looksLikeLocation = (s: string) => /\.(parquet|avro|metadata\.json)$|\/(data|metadata)(\/|$)|^[a-z0-9]+:\/\//i.test(s) || s.includes('shop/');
  const walk = (file: string, v: unknown) => {
    if (typeof v === 'string') { if (looksLikeLocation(v)) out.push({ file, value: v }); }
    else if (v instanceof Uint8Array) walk(file, new TextDecoder().decode(v));
    else if (Array.isArray(v)) v.forEach((x) => walk(file, x));
    else if (v && typeof v === 'object') Object.values(v).forEach((x) => walk(file, x));
  };
  for (const file of await listFiles(dir)) {
    const bytes = new Uint8Array(await readFile(join(dir, file)));
    if (file.endsWith('.json')) walk(file, parseJson(new TextDecoder().decode(bytes)));
    else if (file.endsWith('.avro')) { const a = await readAvroFile(bytes); walk(file, a.records); walk(file, a.metadata); }
    else if (file.endsWith('-deletes.parquet')) walk(file, (await readParquet(bytes)).getChild('file_path')!.toArray());
  }
  return out;
}

test('no location in any exported metadata, manifest list, manifest or delete file points into the source warehouse', async () => {
  for (const key of ['main', 'dev', 'v1', 's3']) {
    const { dir, plan } = exports.get(key)!;
    const found = await locationsIn(dir);
    assert.ok(found.length > 20, `${key}: locations were found to check (${found.length})`);
    const stray = found.filter((l) => l.file !== 'phlo-export.json' && !l.value.startsWith(`${plan.destination.root}/`) && l.value !== plan.destination.root);
    assert.deepEqual(stray, [], `${key}: locations outside ${plan.destination.root}`);
  }
});

test('every manifest_length and file_size_in_bytes in the export is the size of the exported file it names', async () => {
  for (const key of ['main', 'dev']) {
    const { dir, plan } = exports.get(key)!;
    const sizeOf = async (location: string) => (await readFile(join(dir, location.slice(plan.destination.root.length + 1)))).length;
    let checked = 0;
    for (const file of (await listFiles(dir)).filter((f) => f.endsWith('.avro'))) {
      const avro = await readAvroFile(new Uint8Array(await readFile(join(dir, file))));
      for (const r of avro.records as Record<string, any>[]) {
        if ('manifest_path' in r) { assert.equal(Number(r.manifest_length), await sizeOf(r.manifest_path), `${file} -> ${r.manifest_path}`); checked++; }
        else { assert.equal(Number(r.data_file.file_size_in_bytes), await sizeOf(r.data_file.file_path), `${file} -> ${r.data_file.file_path}`); checked++; }
      }
    }
    assert.ok(checked > 10, `${key}: ${checked} sizes checked`);
  }
});

test('exported manifests and manifest lists keep the Avro schema, header and records of the source, paths aside', async () => {
  const { dir, plan } = exports.get('dev')!;
  const root = `${plan.destination.root}/`;
  const unroot = (v: unknown): unknown =>
    typeof v === 'string' ? (v.startsWith(root) ? v.slice(root.length) : v)
      : v instanceof Uint8Array ? unroot(new TextDecoder().decode(v))
      : Array.isArray(v) ? v.map(unroot)
      : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'manifest_length' && k !== 'file_size_in_bytes').map(([k, x]) => [k, unroot(x)])) : v;
  let compared = 0;
  for (const file of (await listFiles(dir)).filter((f) => f.endsWith('.avro'))) {
    const ours = await readAvroFile(new Uint8Array(await readFile(join(dir, file))));
    const source = await readAvroFile(await w.storage.read(file));
    assert.deepEqual(ours.schema, source.schema, file);
    assert.deepEqual(ours.metadata, source.metadata, file);
    assert.equal(ours.codec, source.codec, file);
    assert.deepEqual(unroot(ours.records), unroot(source.records), file);
    compared++;
  }
  assert.ok(compared > 10);
});

test('an s3:// export names only s3://bucket/prefix locations, and reads back once the prefix is mapped onto its folder', async () => {
  const { dir, plan } = exports.get('s3')!;
  assert.equal(plan.destination.root, 's3://lake/exports/dev');
  for (const t of plan.tables) assert.ok(t.metadataLocation.startsWith('s3://lake/exports/dev/shop/'), t.metadataLocation);
  const found = await locationsIn(dir);
  assert.ok(found.every((l) => l.file === 'phlo-export.json' || l.value.startsWith('s3://lake/exports/dev/')));
  assert.ok((await readBackEveryTable('s3', 'dev')) >= 7);
  const readme = await readFile(join(dir, 'README.txt'), 'utf8');
  assert.match(readme, /mc cp --recursive \.\/ phlo\/lake\/exports\/dev\//);
  assert.match(readme, /iceberg\/v1\/dev\/namespaces\/shop\/register/);
});

test('a table whose old snapshots were expired (their files deleted) still exports whole and reads back the same', async () => {
  const w2 = await buildWarehouse(new MemoryStorage());
  const orders = await w2.table('shop.orders', 'dev');
  const expired = await orders.expireSnapshots({ olderThanMs: Date.UTC(2030, 0, 1), retainLast: 1 });
  assert.ok(expired.deletedFiles.length > 0, 'expiry deleted files');
  const dir = join(work, 'expired');
  const plan = await planExport(w2, { ref: 'dev', destination: dir });
  await writeExport(plan, new NodeFsStorage(dir));
  const t = plan.tables.find((x) => x.name === 'shop.orders')!;
  const exported = await loadTable(new NodeFsStorage(dir, { readOnly: true }), t.dir, { metadataFile: t.metadataFileName });
  const source = await w2.table('shop.orders', 'dev');
  assert.equal(exported.snapshots().length, 1);
  const id = source.snapshots()[0]!['snapshot-id'];
  assert.deepEqual((await oursAt(exported, id)).rows, (await oursAt(source, id)).rows);
  for (const f of expired.deletedFiles) assert.ok(!plan.files.some((p) => p.path === f), `${f} was deleted by expiry and is not exported`);
});

test('a table whose metadata names a file outside its own folder is refused, and nothing outside it is read', async () => {
  const storage = new MemoryStorage();
  const w3 = await buildWarehouse(storage);
  const current = (await w3.catalog.entries('main'))['shop.orders']!.metadataLocation;
  const text = new TextDecoder().decode(await storage.read(current));
  const other = (await w3.catalog.entries('main'))['shop.customers']!.metadataLocation;
  for (const outside of [other, '../../secrets/x.avro']) {
    const hostile = text.replace(/"manifest-list": "[^"]+"/, `"manifest-list": ${JSON.stringify(outside)}`);
    const path = current.replace(/\.metadata\.json$/, `-${outside.length}.metadata.json`);
    await storage.write(path, new TextEncoder().encode(hostile));
    await w3.catalog.commit('main', [{ type: 'PUT', key: 'shop.orders', metadataLocation: path }], { message: 'hostile', author: 'test' });
    // Another table's file resolves inside this table's folder (where it is not: 'missing');
    // a path climbing out is refused before any read.
    const read: string[] = [];
    const spy = { storage: { ...storage, kind: storage.kind, writable: false, read: (p: string) => { read.push(p); return storage.read(p); }, exists: (p: string) => storage.exists(p), list: (p: string) => storage.list(p) } as unknown as typeof storage, catalog: w3.catalog };
    await assert.rejects(planExport(spy, { ref: 'main', destination: '/tmp/never' }), (err: Error) => err instanceof ExportError && /not inside the table's folder|is missing from the warehouse/.test(err.message), outside);
    const orders = read.filter((p) => !p.startsWith('shop/customers/')); // customers is exported (first) as itself
    assert.ok(orders.length > 0 && orders.every((p) => p.startsWith('shop/orders/') && !p.split('/').includes('..')), `read outside shop/orders/: ${orders.filter((p) => !p.startsWith('shop/orders/') || p.includes('..'))}`);
  }
});

test('the zip is deterministic (a warehouse rebuilt from scratch gives the same bytes) and holds exactly the exported files', async () => {
  const { dir } = exports.get('dev')!;
  const first = await zipExportBytes(await planExport(w, { ref: 'dev', destination: dir }));
  const rebuilt = await buildWarehouse(new MemoryStorage());
  const second = await zipExportBytes(await planExport(rebuilt, { ref: 'dev', destination: dir }));
  assert.ok(Buffer.from(first).equals(Buffer.from(second)), 'same state, same zip bytes');
  const entries = unzipSync(first);
  const names = Object.keys(entries);
  assert.deepEqual(names, [...names].sort(), 'entries in path order');
  assert.deepEqual(names, await listFiles(dir));
  for (const name of names) assert.ok(Buffer.from(entries[name]!).equals(await readFile(join(dir, name))), name);
  // Every entry carries the fixed time: DOS date 2000-01-01 in each central directory header.
  const view = new DataView(first.buffer, first.byteOffset, first.byteLength);
  const eocd = first.byteLength - 22;
  assert.equal(view.getUint32(eocd, true), 0x06054b50);
  let at = view.getUint32(eocd + 16, true);
  for (let i = 0; i < view.getUint16(eocd + 10, true); i++) {
    assert.equal(view.getUint32(at, true), 0x02014b50);
    assert.equal(view.getUint16(at + 14, true), ((2000 - 1980) << 9) | (1 << 5) | 1);
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  assert.equal(view.getUint16(eocd + 10, true), names.length);
});

test('bad destinations and refs are refused with a reason, before anything is written', async () => {
  for (const bad of ['relative/dir', '~/lake', 's3://Bad_Bucket/x', 's3://lake/../up', '/tmp/a/../b', 'http://host/x', '', ' /tmp/x', '/tmp/x?y']) {
    assert.throws(() => parseDestination(bad), ExportError, bad);
  }
  assert.equal(parseDestination('C:\\Users\\me\\lake').root, 'file:///C:/Users/me/lake');
  // A plan never writes outside its folder, whatever a damaged warehouse names.
  for (const bad of ['../x', '/etc/x', 'a/../../x', 'C:/x', 'a//b', '']) assert.throws(() => checkExportPath(bad), ExportError, bad);
  assert.equal(parseDestination('s3://lake/').root, 's3://lake');
  await assert.rejects(planExport(w, { ref: 'nope', destination: '/tmp/x' }), /nope/);
});
