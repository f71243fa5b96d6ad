/**
 * Tables we write: layout and bytes as the spec says, every type round-trips, commits are
 * optimistic, evolution and expiry keep every remaining snapshot readable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import avro from 'avsc';
import { MemoryStorage } from '../../../sandboxes/lakehouse/storage/index.ts';
import {
  createTable, loadTable, rowsToArrow, arrowToRows, deterministicIds, CommitConflictError, IcebergError, FileTableOperations,
  eq, lt, gte, and, isIn, isNull, readManifestList, readManifest, type Table,
} from '../../../sandboxes/lakehouse/iceberg/index.ts';

function env(seed = 's') {
  let clock = Date.UTC(2024, 0, 10);
  return { now: () => (clock += 60_000), ids: deterministicIds(seed) };
}

const glucoseSchema = [
  { name: 'reading_id', type: 'long' as const, required: true },
  { name: 'ts', type: 'timestamptz' as const, required: true },
  { name: 'mgdl', type: 'int' as const },
  { name: 'device', type: 'string' as const },
];

function readings(t: Table, from: number, to: number, mgdl = (i: number) => 80 + (i % 120)) {
  const rows = [];
  for (let i = from; i < to; i++) rows.push({ reading_id: i, ts: new Date(Date.UTC(2024, 0, 1) + i * 5 * 60_000 * 60), mgdl: mgdl(i), device: i % 2 ? 'dexcom' : 'libre' });
  return rowsToArrow(rows, t.schema());
}

async function ids(t: Table, opts = {}) {
  const { table } = await t.scan(opts);
  return arrowToRows(table, t.schema()).map((r) => Number(r.reading_id)).sort((a, b) => a - b);
}

test('every primitive type round-trips exactly through Parquet and back', async () => {
  const storage = new MemoryStorage();
  const t = await createTable(null, storage, 'wh/types', {
    ...env(),
    schema: [
      { name: 'b', type: 'boolean' }, { name: 'i', type: 'int' }, { name: 'l', type: 'long' }, { name: 'f', type: 'float' },
      { name: 'd', type: 'double' }, { name: 'dec', type: 'decimal(10,2)' }, { name: 'dt', type: 'date' }, { name: 'tm', type: 'time' },
      { name: 'ts', type: 'timestamp' }, { name: 'tstz', type: 'timestamptz' }, { name: 's', type: 'string' }, { name: 'u', type: 'uuid' },
      { name: 'bin', type: 'binary' }, { name: 'fx', type: 'fixed[3]' },
    ],
  });
  const rows = [
    { b: true, i: -7, l: 9007199254740993n, f: 1.5, d: -2.25, dec: '12345678.91', dt: '2024-02-29', tm: 3_600_000_001n, ts: '1969-12-31T23:59:59.999999', tstz: '2024-01-01T00:00:00.000001Z', s: 'Naïve 🐇', u: '0f8fad5b-d9cb-469f-a165-70867728950e', bin: new Uint8Array([0, 255]), fx: new Uint8Array([1, 2, 3]) },
    { b: null, i: null, l: null, f: null, d: null, dec: null, dt: null, tm: null, ts: null, tstz: null, s: null, u: null, bin: null, fx: null },
  ];
  await t.append(rowsToArrow(rows, t.schema()));
  const back = arrowToRows((await (await loadTable(storage, 'wh/types')).scan()).table, t.schema());
  assert.equal(back.length, 2);
  const r = back[0];
  assert.equal(r.b, true); assert.equal(r.i, -7); assert.equal(r.l, 9007199254740993n); assert.equal(r.f, 1.5); assert.equal(r.d, -2.25);
  assert.equal(r.dec, 1234567891n);
  assert.equal(r.dt, Date.UTC(2024, 1, 29) / 86_400_000);
  assert.equal(r.tm, 3_600_000_001n);
  assert.equal(r.ts, -1n);
  assert.equal(r.tstz, 1704067200000001n);
  assert.equal(r.s, 'Naïve 🐇');
  assert.deepEqual([...(r.u as Uint8Array)].slice(0, 2), [0x0f, 0x8f]);
  assert.deepEqual([...(r.bin as Uint8Array)], [0, 255]);
  assert.deepEqual([...(r.fx as Uint8Array)], [1, 2, 3]);
  assert.ok(Object.values(back[1]).every((v) => v === null));
});

// Snapshot ids need all 64 bits: teach avsc to decode longs as bigint.
const bigLong = (avro.types.LongType as unknown as { __with(o: unknown): unknown }).__with({
  fromBuffer: (b: Buffer) => b.readBigInt64LE(0),
  toBuffer: (n: bigint) => { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(n)); return b; },
  fromJSON: BigInt,
  toJSON: Number,
  isValid: (n: unknown) => typeof n === 'bigint',
  compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
});

test('files are laid out and encoded as the spec says (checked with avsc, an independent Avro reader)', async () => {
  const storage = new MemoryStorage();
  const t = await createTable(null, storage, 'wh/glucose/raw', { ...env(), schema: glucoseSchema, partitionSpec: [{ source: 'ts', transform: 'day' }] });
  const snap = (await t.append(readings(t, 0, 30)))!;
  const files = [...storage.files.keys()];
  assert.ok(files.includes('wh/glucose/raw/metadata/v1.metadata.json'));
  assert.ok(files.includes('wh/glucose/raw/metadata/v2.metadata.json'));
  assert.equal(new TextDecoder().decode(await storage.read('wh/glucose/raw/metadata/version-hint.text')), '2');
  assert.ok(files.some((f) => /^wh\/glucose\/raw\/data\/ts_day=2024-01-01\/.+\.parquet$/.test(f)));
  const list = files.find((f) => new RegExp(`metadata/snap-${snap['snapshot-id']}-1-[0-9a-f-]{36}\\.avro$`).test(f))!;
  assert.ok(list, 'manifest list is snap-<id>-<attempt>-<uuid>.avro');

  const meta = JSON.parse(new TextDecoder().decode(await storage.read('wh/glucose/raw/metadata/v2.metadata.json')));
  assert.equal(meta['format-version'], 2);
  assert.equal(meta['last-sequence-number'], 1);
  assert.equal(meta['current-snapshot-id'], Number(snap['snapshot-id']));
  assert.equal(meta.refs.main.type, 'branch');
  assert.equal(meta['snapshot-log'].length, 1);
  assert.equal(meta['metadata-log'].length, 1);
  assert.match(meta['metadata-log'][0]['metadata-file'], /v1\.metadata\.json$/);
  assert.equal(meta.snapshots[0].summary.operation, 'append');
  assert.equal(meta.snapshots[0].summary['added-records'], '30');
  assert.equal(meta.snapshots[0].summary['total-records'], '30');
  assert.equal(meta['partition-specs'][0].fields[0]['field-id'], 1000);
  assert.equal(meta['last-column-id'], 4);

  // avsc decodes the manifest list and a manifest with their own writer schemas.
  const decodeAll = (bytes: Uint8Array) => new Promise<{ header: Record<string, unknown>; schema: { fields: { name: string; 'field-id'?: number }[] }; records: Record<string, unknown>[] }>((resolve, reject) => {
    const records: Record<string, unknown>[] = [];
    let header: Record<string, unknown> = {};
    let schema: { fields: { name: string }[] } = { fields: [] };
    const dec = new avro.streams.BlockDecoder({ parseHook: (s: unknown) => { schema = s as never; return avro.Type.forSchema(s as never, { wrapUnions: false, registry: { long: bigLong } } as never); } });
    dec.on('metadata', (_type: unknown, _codec: unknown, h: { meta: Record<string, Buffer> }) => { header = Object.fromEntries(Object.entries(h.meta).map(([k, v]) => [k, v.toString()])); });
    dec.on('data', (r: Record<string, unknown>) => records.push(r));
    dec.on('end', () => resolve({ header, schema: schema as never, records }));
    dec.on('error', reject);
    dec.end(Buffer.from(bytes));
  });
  const ml = await decodeAll(await storage.read(list));
  assert.equal(ml.records.length, 1);
  assert.equal(ml.header['format-version'], '2');
  assert.equal(ml.header['snapshot-id'], String(snap['snapshot-id']));
  assert.ok(ml.schema.fields.every((f) => typeof (f as { 'field-id'?: number })['field-id'] === 'number'), 'every manifest-list field has a field-id');
  const manifestPath = String(ml.records[0].manifest_path);
  const mf = await decodeAll(await storage.read(manifestPath));
  for (const k of ['schema', 'partition-spec', 'partition-spec-id', 'format-version', 'content']) assert.ok(k in mf.header, `manifest header has ${k}`);
  assert.equal(mf.header.content, 'data');
  assert.equal(mf.records.length, 7, 'one data file per day partition (30 readings 5 h apart span 7 days)');
  const entry = mf.records[0] as { status: number; data_file: { partition: { ts_day: number }; lower_bounds: { key: number; value: Buffer }[] } };
  assert.equal(entry.status, 1);
  assert.equal(entry.data_file.partition.ts_day, Date.UTC(2024, 0, 1) / 86_400_000);
  const lowerId1 = entry.data_file.lower_bounds.find((b) => b.key === 1)!.value;
  assert.equal(lowerId1.length, 8, 'long bounds are 8 little-endian bytes');
  assert.equal(lowerId1.readBigInt64LE(0), 0n);

  // Our own reader agrees on stats.
  const mfl = await readManifestList(await storage.read(list), list);
  assert.equal(mfl[0].addedRowsCount, 30n);
  assert.equal(mfl[0].partitions!.length, 1);
  const { entries } = await readManifest(await storage.read(manifestPath), manifestPath, { manifest: mfl[0], schema: t.schema(), formatVersion: 2, specFor: () => t.spec() });
  assert.equal(entries.reduce((a, e) => a + e.dataFile.recordCount, 0n), 30n);
  assert.ok(entries.every((e) => e.sequenceNumber === 1), 'added entries inherit the snapshot sequence number');
});

test('deterministic clock and ids give byte-identical warehouses', async () => {
  const build = async () => {
    const storage = new MemoryStorage();
    const t = await createTable(null, storage, 'wh/t', { ...env('same'), schema: glucoseSchema, partitionSpec: [{ source: 'ts', transform: 'day' }] });
    await t.append(readings(t, 0, 40));
    await t.merge(readings(t, 30, 50, (i) => 200 + i), { key: 'reading_id' });
    await t.delete(lt('reading_id', 5));
    return storage;
  };
  const a = await build(), b = await build();
  assert.deepEqual([...a.files.keys()].sort(), [...b.files.keys()].sort());
  for (const [k, v] of a.files) assert.deepEqual(v, b.files.get(k), `${k} differs between builds`);
});

test('append, merge (copy-on-write), overwrite and delete; time travel returns what each snapshot held', async () => {
  const storage = new MemoryStorage();
  const t = await createTable(null, storage, 'wh/t', { ...env(), schema: glucoseSchema, partitionSpec: [{ source: 'ts', transform: 'day' }] });
  const s1 = (await t.append(readings(t, 0, 48)))!;
  const filesBefore = (await t.plan()).tasks.map((x) => x.path);
  // Update readings 10..12 (day 1), insert 48..50 (day 2), leave 0..2 unchanged.
  const incoming = [...arrowToRows(readings(t, 0, 3), t.schema()), ...arrowToRows(readings(t, 10, 13, () => 999), t.schema()), ...arrowToRows(readings(t, 48, 51), t.schema())];
  const m = await t.merge(rowsToArrow(incoming, t.schema()), { key: 'reading_id' });
  assert.deepEqual([m.inserted, m.updated, m.unchanged], [3, 3, 3]);
  assert.equal(m.snapshot!.summary.operation, 'overwrite');
  const filesAfter = (await t.plan()).tasks.map((x) => x.path);
  const rewritten = filesBefore.filter((f) => !filesAfter.includes(f));
  assert.equal(rewritten.length, 1, 'only the file holding the changed keys is rewritten');
  const s2 = m.snapshot!;
  const rows = arrowToRows((await t.scan({ filter: isIn('reading_id', [10, 11, 12]) })).table, t.schema());
  assert.deepEqual(rows.map((r) => r.mgdl), [999, 999, 999]);
  const same = await t.merge(readings(t, 0, 3), { key: 'reading_id' });
  assert.equal(same.unchanged, 3);
  assert.equal(same.snapshot!['snapshot-id'], s2['snapshot-id'], 'an all-unchanged merge commits nothing');

  const day2 = Date.UTC(2024, 0, 3);
  const s3 = (await t.overwrite(gte('ts', new Date(day2)), readings(t, 100, 102)))!;
  assert.equal(s3.summary.operation, 'overwrite');
  const s4 = (await t.delete(and(gte('reading_id', 3), lt('reading_id', 6))))!;
  assert.ok(['delete', 'overwrite'].includes(s4.summary.operation));
  assert.equal(await t.delete(eq('reading_id', 123456)), null, 'a delete that matches nothing commits nothing');

  assert.deepEqual(await ids(t, { snapshotId: s1['snapshot-id'] }), Array.from({ length: 48 }, (_, i) => i));
  assert.deepEqual(await ids(t, { snapshotId: s2['snapshot-id'] }), Array.from({ length: 51 }, (_, i) => i));
  const cutoff = Math.ceil((day2 - Date.UTC(2024, 0, 1)) / (5 * 60_000 * 60));
  const expect3 = [...Array.from({ length: cutoff }, (_, i) => i), 100, 101];
  assert.deepEqual(await ids(t, { snapshotId: s3['snapshot-id'] }), expect3);
  assert.deepEqual(await ids(t), expect3.filter((i) => i < 3 || i >= 6));
  assert.equal(t.currentSnapshot()!.summary['total-records'], String(expect3.length - 3));
  // As-of time and refs.
  assert.deepEqual(await ids(t, { asOf: s2['timestamp-ms'] }), await ids(t, { snapshotId: s2['snapshot-id'] }));
  await t.setRef('audited', s2['snapshot-id'], 'tag');
  assert.deepEqual(await ids(t, { ref: 'audited' }), await ids(t, { snapshotId: s2['snapshot-id'] }));
  await assert.rejects(t.scan({ ref: 'nope' }), /no branch or tag "nope"/);
  // Rollback: the snapshot log keeps the order in which snapshots were current.
  await t.rollbackTo(s1['snapshot-id']);
  assert.deepEqual(await ids(t), Array.from({ length: 48 }, (_, i) => i));
  assert.deepEqual(await ids(t, { asOf: t.metadata['last-updated-ms'] }), Array.from({ length: 48 }, (_, i) => i));
  const history = await t.metadataTable('history');
  assert.equal(history.at(-1)!.snapshot_id, s1['snapshot-id']);
  assert.equal(history.find((h) => h.snapshot_id === s4['snapshot-id'])!.is_current_ancestor, false);
});

test('partition transforms write the expected folders and prune scans', async () => {
  const storage = new MemoryStorage();
  const t = await createTable(null, storage, 'wh/p', {
    ...env(),
    schema: [{ name: 'id', type: 'long', required: true }, { name: 'ts', type: 'timestamp' }, { name: 'city', type: 'string' }, { name: 'n', type: 'int' }],
    partitionSpec: [{ source: 'ts', transform: 'month' }, { source: 'city', transform: 'truncate[2]' }, { source: 'id', transform: 'bucket[4]' }],
  });
  await t.append(rowsToArrow([
    { id: 1, ts: '2024-01-15T10:00:00', city: 'Amsterdam', n: 1 },
    { id: 2, ts: '2024-02-01T00:00:00', city: 'Berlin', n: 2 },
    { id: 3, ts: null, city: 'Amersfoort', n: 3 },
  ], t.schema()));
  const dirs = [...storage.files.keys()].filter((k) => k.includes('/data/')).map((k) => k.split('/').slice(3, -1).join('/')).sort();
  assert.ok(dirs.some((d) => d.startsWith('ts_month=2024-01/city_trunc=Am/id_bucket=')));
  assert.ok(dirs.some((d) => d.startsWith('ts_month=null/city_trunc=Am/')));
  // bucket[4] of long 1 per the spec's Murmur3 reference value (hash 1392991556 -> 0).
  assert.ok(dirs.some((d) => d === 'ts_month=2024-01/city_trunc=Am/id_bucket=0'), dirs.join(' '));
  const { table, plan } = await t.scan({ filter: eq('city', 'Berlin') });
  assert.equal(table.numRows, 1);
  assert.equal(plan.skippedFiles.length, 2);
  assert.ok(plan.skippedFiles.every((s) => /partition city_trunc/.test(s.reason) || /city/.test(s.reason)));
  assert.equal((await t.scan({ filter: isNull('ts') })).table.numRows, 1);
  const hourly = await createTable(null, storage, 'wh/h', { ...env('h'), schema: [{ name: 'ts', type: 'timestamptz' }, { name: 'y', type: 'date' }], partitionSpec: [{ source: 'ts', transform: 'hour' }, { source: 'y', transform: 'year' }] });
  await hourly.append(rowsToArrow([{ ts: '1969-12-31T23:30:00Z', y: '2023-05-05' }], hourly.schema()));
  assert.ok([...storage.files.keys()].some((k) => k.includes('ts_hour=1969-12-31-23/y_year=2023/')));
  await assert.rejects(createTable(null, storage, 'wh/bad', { schema: [{ name: 'n', type: 'int' }], partitionSpec: [{ source: 'n', transform: 'day' }] }), /needs a date or timestamp/);
});

test('schema evolution: add, rename, widen, drop; ids never reused; old snapshots keep their schema', async () => {
  const storage = new MemoryStorage();
  const t = await createTable(null, storage, 'wh/e', { ...env(), schema: glucoseSchema });
  const s1 = (await t.append(readings(t, 0, 3)))!;
  await t.updateSchema().addColumn('note', 'string').renameColumn('device', 'source').widen('mgdl', 'long').commit();
  assert.deepEqual(t.schema().fields.map((f) => [f.id, f.name, f.type]), [[1, 'reading_id', 'long'], [2, 'ts', 'timestamptz'], [3, 'mgdl', 'long'], [4, 'source', 'string'], [5, 'note', 'string']]);
  const cur = arrowToRows((await t.scan()).table, t.schema());
  assert.equal(cur[0].source, 'libre');
  assert.equal(cur[0].note, null);
  assert.equal(cur[0].mgdl, 80n);
  await t.append(rowsToArrow([{ reading_id: 9, ts: '2024-02-01T00:00:00Z', mgdl: 5_000_000_000n, source: 'x', note: 'hi' }], t.schema()));
  await t.updateSchema().dropColumn('note').commit();
  await t.updateSchema().addColumn('note2', 'string', { initialDefault: 'n/a' }).commit();
  assert.equal(t.metadata['last-column-id'], 6, 'a dropped id is never reused');
  const latest = arrowToRows((await t.scan()).table, t.schema());
  assert.ok(latest.every((r) => r.note2 === 'n/a'), 'initial-default fills old rows');
  const old = (await t.scan({ snapshotId: s1['snapshot-id'] })).table;
  assert.deepEqual(old.schema.fields.map((f) => f.name), ['reading_id', 'ts', 'mgdl', 'device']);
  await assert.rejects(t.updateSchema().widen('source', 'int').commit(), /Cannot change column "source"/);
  await assert.rejects(t.updateSchema().addColumn('mgdl', 'int').commit(), /already has a column/);
  await assert.rejects(t.append(rowsToArrow([{ reading_id: 1, ts: '2024-01-01T00:00:00Z' }], { ...t.schema(), fields: [...t.schema().fields, { id: 99, name: 'bogus', required: false, type: 'int' }] })), /has no column "bogus"/);
});

test('two writers: the stale one gets a conflict naming table and snapshot; withRetry re-applies without losing rows', async () => {
  const storage = new MemoryStorage();
  const a = await createTable(null, storage, 'wh/c', { ...env('a'), schema: glucoseSchema, name: 'glucose.c' });
  await a.append(readings(a, 0, 2));
  const b = await loadTable(storage, 'wh/c', { ...env('b'), name: 'glucose.c' });
  await a.append(readings(a, 2, 4));
  const moved = a.currentSnapshot()!['snapshot-id'];
  await assert.rejects(b.append(readings(b, 4, 6)), (e: unknown) => e instanceof CommitConflictError && e.table === 'glucose.c' && e.actualSnapshotId === moved && e.message.includes(String(moved)));
  await b.withRetry((t) => t.append(readings(t, 4, 6)));
  assert.deepEqual(await ids(await loadTable(storage, 'wh/c')), [0, 1, 2, 3, 4, 5]);
  // The lost attempt left no stray files behind.
  const referenced = new Set((await (await loadTable(storage, 'wh/c')).plan()).tasks.map((x) => x.path));
  const dataFiles = [...storage.files.keys()].filter((k) => k.includes('/data/'));
  assert.deepEqual(dataFiles.filter((f) => !referenced.has(f)), []);
  // Concurrent racers through the file-based pointer: every append lands exactly once.
  const writers = await Promise.all([0, 1, 2].map((i) => loadTable(storage, 'wh/c', { ...env(`w${i}`) })));
  await Promise.all(writers.map((w, i) => w.withRetry((t) => t.append(readings(t, 10 + i * 2, 12 + i * 2)), 10)));
  assert.deepEqual(await ids(await loadTable(storage, 'wh/c')), [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15]);
  assert.ok(new FileTableOperations(storage, 'wh/c') instanceof FileTableOperations);
});

test('expire snapshots: unreachable files go, reachable ones stay, remaining snapshots still read', async () => {
  const storage = new MemoryStorage();
  const e = env();
  const t = await createTable(null, storage, 'wh/x', { ...e, schema: glucoseSchema });
  const s1 = (await t.append(readings(t, 0, 10)))!;
  await t.delete(lt('reading_id', 5));
  const s3 = (await t.append(readings(t, 10, 12)))!;
  await t.setRef('keep', s1['snapshot-id'], 'tag');
  let res = await t.expireSnapshots({ olderThanMs: s3['timestamp-ms'], retainLast: 1 });
  assert.equal(res.expiredSnapshots.length, 1, 'the middle snapshot goes; the tagged first one stays');
  assert.deepEqual(await ids(t, { snapshotId: s1['snapshot-id'] }), Array.from({ length: 10 }, (_, i) => i));
  assert.ok(res.deletedFiles.every((f) => f.includes('/metadata/')), 'data still reachable from the tagged snapshot is kept');
  await t.removeRef('keep');
  res = await t.expireSnapshots({ olderThanMs: s3['timestamp-ms'], retainLast: 1 });
  assert.deepEqual(res.expiredSnapshots, [s1['snapshot-id']]);
  assert.ok(res.deletedFiles.some((f) => f.includes('/data/')), 'the file holding only deleted rows is removed');
  assert.deepEqual(await ids(t), [5, 6, 7, 8, 9, 10, 11]);
  assert.equal(t.metadata.snapshots.length, 1);
  for (const f of res.deletedFiles) assert.equal(await storage.exists(f), false);
});

test('corrupt or missing files give errors that name the file and the snapshot needing it', async () => {
  const make = async () => {
    const storage = new MemoryStorage();
    const t = await createTable(null, storage, 'wh/k', { ...env(), schema: glucoseSchema, name: 'glucose.k' });
    const s = (await t.append(readings(t, 0, 3)))!;
    return { storage, t, s };
  };
  {
    const { storage, t, s } = await make();
    const data = (await t.plan()).tasks[0].path;
    storage.files.delete(data);
    await assert.rejects(t.scan(), (e: unknown) => e instanceof IcebergError && e.message.includes(data) && e.message.includes(String(s['snapshot-id'])) && e.file === data);
  }
  {
    const { storage, t, s } = await make();
    const list = t.resolve(s['manifest-list']!);
    storage.files.set(list, storage.files.get(list)!.slice(0, 100));
    await assert.rejects(t.scan(), (e: unknown) => e instanceof IcebergError && e.message.includes(list) && /truncated|end of data|sync/.test(e.message));
  }
  {
    const { storage, t } = await make();
    const data = (await t.plan()).tasks[0].path;
    storage.files.set(data, new TextEncoder().encode('not parquet at all'));
    await assert.rejects(t.scan(), (e: unknown) => e instanceof IcebergError && e.message.includes(data) && /Parquet/.test(e.message));
  }
  {
    const { storage } = await make();
    storage.files.set('wh/k/metadata/v2.metadata.json', new TextEncoder().encode('{"format-version": 2, "location": '));
    await assert.rejects(loadTable(storage, 'wh/k'), (e: unknown) => e instanceof IcebergError && e.message.includes('wh/k/metadata/v2.metadata.json') && /not valid JSON/.test(e.message));
    storage.files.set('wh/k/metadata/v2.metadata.json', new TextEncoder().encode('{"format-version": 7, "location": "x"}'));
    await assert.rejects(loadTable(storage, 'wh/k'), /format-version 7/);
  }
  await assert.rejects(loadTable(new MemoryStorage(), 'nowhere'), /No Iceberg table at "nowhere"/);
});

test('partition-spec evolution: old files keep their spec, new files use the new one, scans prune both', async () => {
  const storage = new MemoryStorage();
  const t = await createTable(null, storage, 'wh/s', { ...env(), schema: glucoseSchema, partitionSpec: [{ source: 'ts', transform: 'month' }] });
  await t.append(readings(t, 0, 20));
  const spec = await t.updateSpec([{ source: 'ts', transform: 'day' }, { source: 'device', transform: 'identity' }]);
  assert.equal(spec['spec-id'], 1);
  assert.deepEqual(spec.fields.map((f) => f['field-id']), [1001, 1002], 'new partition field ids continue after last-partition-id');
  await t.append(readings(t, 200, 220));
  const files = await t.metadataTable('files');
  assert.deepEqual([...new Set(files.map((f) => f.spec_id))].sort(), [0, 1]);
  assert.ok([...storage.files.keys()].some((k) => /data\/ts_day=\d{4}-\d{2}-\d{2}\/device=libre\//.test(k)));
  assert.deepEqual(await ids(t), [...Array.from({ length: 20 }, (_, i) => i), ...Array.from({ length: 20 }, (_, i) => 200 + i)]);
  const { table, plan } = await t.scan({ filter: and(eq('device', 'dexcom'), gte('ts', new Date(Date.UTC(2024, 0, 1) + 210 * 5 * 3_600_000))) });
  assert.deepEqual(arrowToRows(table, t.schema()).map((r) => Number(r.reading_id)).sort((a, b) => a - b), [211, 213, 215, 217, 219]);
  assert.ok(plan.skippedFiles.length > 0);
  // A merge rewrites an old-spec file and keeps everything readable.
  await t.merge(readings(t, 0, 2, () => 1), { key: 'reading_id' });
  assert.equal((await ids(t)).length, 40);
});

test('nested columns (list, struct, map) get fresh ids, round-trip, and read as null in older files', async () => {
  const arrowLib = await import('apache-arrow');
  const { arrowSchemaFor } = await import('../../../sandboxes/lakehouse/iceberg/index.ts');
  const storage = new MemoryStorage();
  const t = await createTable(null, storage, 'wh/n', { ...env(), schema: [{ name: 'id', type: 'long', required: true }] });
  await t.append(rowsToArrow([{ id: 1 }], t.schema()));
  await t.updateSchema()
    .addColumn('tags', { type: 'list', element: 'string' } as never)
    .addColumn('loc', { type: 'struct', fields: [{ name: 'lat', type: 'double' }, { name: 'lon', type: 'double' }] } as never)
    .addColumn('attrs', { type: 'map', key: 'string', value: 'int' } as never)
    .commit();
  assert.equal(t.metadata['last-column-id'], 9);
  const loc = t.schema().fields.find((f) => f.name === 'loc')!.type as { fields: { id: number }[] };
  assert.deepEqual(loc.fields.map((f) => f.id), [5, 6]);
  const sch = arrowSchemaFor(t.schema());
  await t.append(new arrowLib.Table({
    id: arrowLib.vectorFromArray([2n], new arrowLib.Int64()),
    tags: arrowLib.vectorFromArray([['a', 'b']], sch.fields[1].type),
    loc: arrowLib.vectorFromArray([{ lat: 1.5, lon: 2.5 }], sch.fields[2].type),
    attrs: arrowLib.vectorFromArray([new Map([['x', 1]])], sch.fields[3].type),
  }));
  const rows = arrowToRows((await (await loadTable(storage, 'wh/n')).scan()).table, t.schema()).sort((a, b) => Number(a.id) - Number(b.id));
  assert.deepEqual(rows.map((r) => [Number(r.id), r.tags, r.loc, r.attrs]), [[1, null, null, null], [2, ['a', 'b'], { lat: 1.5, lon: 2.5 }, { x: 1 }]]);
});

test('manifest merging folds many small manifests into one without changing any snapshot', async () => {
  const storage = new MemoryStorage();
  const t = await createTable(null, storage, 'wh/mm', { ...env(), schema: glucoseSchema, properties: { 'commit.manifest.min-count-to-merge': '3' } });
  const snaps = [];
  for (let i = 0; i < 6; i++) snaps.push((await t.append(readings(t, i * 5, i * 5 + 5)))!);
  await t.delete(lt('reading_id', 2));
  const manifests = await t.metadataTable('manifests');
  assert.ok(manifests.length <= 3, `expected merged manifests, got ${manifests.length}`);
  assert.deepEqual(await ids(t), Array.from({ length: 28 }, (_, i) => i + 2));
  for (const [i, s] of snaps.entries()) assert.equal((await ids(t, { snapshotId: s['snapshot-id'] })).length, (i + 1) * 5);
  assert.equal(t.currentSnapshot()!.summary['total-records'], '28');
  assert.equal(t.currentSnapshot()!.summary['total-data-files'], String((await t.plan()).tasks.length));
});

test('a metadata file orphaned by a crashed writer does not block later commits', async () => {
  const storage = new MemoryStorage();
  const t = await createTable(null, storage, 'wh/o', { ...env(), schema: glucoseSchema });
  await t.append(readings(t, 0, 2));
  // A writer wrote v3 and died before moving version-hint.text.
  await storage.write('wh/o/metadata/v3.metadata.json', await storage.read('wh/o/metadata/v2.metadata.json'));
  await t.append(readings(t, 2, 4));
  assert.match(t.metadataLocation, /v4\.metadata\.json$/);
  assert.equal(new TextDecoder().decode(await storage.read('wh/o/metadata/version-hint.text')), '4');
  assert.deepEqual(await ids(await loadTable(storage, 'wh/o')), [0, 1, 2, 3]);
});

test('string bounds are truncated to 16 characters by default, and pruning stays correct', async () => {
  const storage = new MemoryStorage();
  const t = await createTable(null, storage, 'wh/tr', { ...env(), schema: [{ name: 'id', type: 'long', required: true }, { name: 'note', type: 'string' }] });
  const long = 'a very long glucose note that goes on';
  await t.append(rowsToArrow([{ id: 1, note: long }, { id: 2, note: 'zzzzzzzzzzzzzzzzzzzz' }], t.schema()));
  await t.append(rowsToArrow([{ id: 3, note: 'b' }], t.schema()));
  const files = await t.metadataTable('files');
  const first = files.find((f) => Number(f.record_count) === 2)!;
  assert.equal((first.lower_bounds as Record<string, string>).note, long.slice(0, 16));
  assert.equal((first.upper_bounds as Record<string, string>).note, 'zzzzzzzzzzzzzzz{', 'the upper bound is bumped after truncation');
  assert.equal((await t.scan({ filter: eq('note', long) })).table.numRows, 1);
  assert.equal((await t.scan({ filter: eq('note', 'zzzzzzzzzzzzzzzzzzzz') })).table.numRows, 1);
  const pruned = await t.scan({ filter: eq('note', 'b') });
  assert.equal(pruned.table.numRows, 1);
  assert.equal(pruned.plan.skippedFiles.length, 0, "'b' lies inside the first file's truncated range, so it must be read");
  assert.equal((await t.scan({ filter: gte('note', 'zzzzzzzzzzzzzzz|') })).plan.tasks.length, 0);
  const full = await createTable(null, storage, 'wh/full', { ...env('f'), schema: [{ name: 'note', type: 'string' }], properties: { 'write.metadata.metrics.default': 'full' } });
  await full.append(rowsToArrow([{ note: long }], full.schema()));
  assert.equal(((await full.metadataTable('files'))[0].lower_bounds as Record<string, string>).note, long);
});

test('Arrow built from plain JS values (numbers, Dates) is converted to the table types', async () => {
  const arrowLib = await import('apache-arrow');
  const t = await createTable(null, new MemoryStorage(), 'wh/js', { ...env(), schema: [{ name: 'ts', type: 'timestamptz' }, { name: 'n', type: 'long' }, { name: 'd', type: 'date' }, { name: 'ms', type: 'timestamp' }] });
  const when = new Date('2024-03-04T05:06:07.123Z');
  const msDates = arrowLib.makeVector(arrowLib.makeData({ type: new arrowLib.DateMillisecond(), length: 1, nullCount: 0, data: new BigInt64Array([BigInt(when.getTime())]) as never }));
  const input = new arrowLib.Table({ ts: arrowLib.tableFromArrays({ ts: [when] } as never).getChild('ts')!, n: arrowLib.makeVector(Float64Array.from([42])), d: arrowLib.tableFromArrays({ d: [when] } as never).getChild('d')!, ms: msDates });
  await t.append(input);
  const r = arrowToRows((await t.scan()).table, t.schema())[0];
  assert.equal(r.ts, BigInt(when.getTime()) * 1000n);
  assert.equal(r.n, 42n);
  assert.equal(r.d, Math.floor(when.getTime() / 86_400_000));
  assert.equal(r.ms, BigInt(when.getTime()) * 1000n, 'Date<MILLISECOND> keeps its time of day');
});

test('dictionary-encoded columns (pyarrow categoricals) are decoded on the way in', async () => {
  const arrowLib = await import('apache-arrow');
  const t = await createTable(null, new MemoryStorage(), 'wh/dict', { ...env(), schema: [{ name: 'device', type: 'string' }] });
  const dict = arrowLib.vectorFromArray(['libre', 'dexcom', null, 'libre'], new arrowLib.Dictionary(new arrowLib.Utf8(), new arrowLib.Int32()));
  await t.append(new arrowLib.Table({ device: dict }));
  assert.deepEqual(arrowToRows((await t.scan()).table, t.schema()).map((r) => r.device), ['libre', 'dexcom', null, 'libre']);
});

test('a second run with a restarted deterministic id source does not collide with the first', async () => {
  const storage = new MemoryStorage();
  const t = await createTable(null, storage, 'wh/rerun', { ...env('seed'), schema: glucoseSchema });
  await t.append(readings(t, 0, 3));
  // A new process with the same seed: its counter starts again at zero.
  const again = await loadTable(storage, 'wh/rerun', { ...env('seed') });
  await again.append(readings(again, 3, 6));
  await again.append(readings(again, 6, 9));
  const idsSeen = again.snapshots().map((s) => String(s['snapshot-id']));
  assert.equal(new Set(idsSeen).size, 3);
  assert.deepEqual(await ids(await loadTable(storage, 'wh/rerun')), Array.from({ length: 9 }, (_, i) => i));
});

test('scan limit stops early and keeps file order; taskCacheKey changes when deletes apply', async () => {
  const { taskCacheKey } = await import('../../../sandboxes/lakehouse/iceberg/index.ts');
  const storage = new MemoryStorage();
  const t = await createTable(null, storage, 'wh/lim', { ...env(), schema: glucoseSchema, partitionSpec: [{ source: 'ts', transform: 'day' }] });
  await t.append(readings(t, 0, 40));
  const all = arrowToRows((await t.scan()).table, t.schema()).map((r) => Number(r.reading_id));
  const some = arrowToRows((await t.scan({ limit: 7 })).table, t.schema()).map((r) => Number(r.reading_id));
  assert.deepEqual(some, all.slice(0, 7));
  assert.equal((await t.scan({ limit: 0 })).table.numRows, 0);
  const task = (await t.plan()).tasks[0];
  assert.equal(taskCacheKey(task), task.path);
  assert.equal(taskCacheKey({ ...task, deletes: [{ file: { filePath: 'd.parquet' } as never, sequenceNumber: 2, specId: 0 }] }), `${task.path}|d.parquet`);
});

test('mistakes get messages that say what to do', async () => {
  const t = await createTable(null, new MemoryStorage(), 'wh/err', { ...env(), schema: glucoseSchema, name: 'glucose.err' });
  const s = (await t.append(readings(t, 0, 2)))!;
  await assert.rejects(t.scan({ asOf: s['timestamp-ms'] - 1 }), /had no snapshot as of/);
  await assert.rejects(t.scan({ snapshotId: 'latest' }), /"latest" is not a snapshot id/);
  await assert.rejects(t.scan({ filter: eq('glucose', 5) }), /Filter column "glucose" is not in the table schema \(columns: reading_id, ts, mgdl, device\)/);
  await assert.rejects(t.scan({ columns: ['nope'] }), /Column "nope" is not in table glucose.err/);
  await assert.rejects(t.merge(readings(t, 0, 1), { key: 'nope' }), /Merge key "nope" is not a column of table glucose.err/);
  await assert.rejects(t.append(rowsToArrow([{ reading_id: 1, ts: null }], t.schema())), /Column "ts" of table glucose.err is required but 1 incoming rows have no value/);
  await assert.rejects(t.scan({ filter: eq('mgdl', null) }), /use isNull\("mgdl"\)/);
  await assert.rejects(createTable(null, t.storage, 'wh/err', { schema: glucoseSchema }), /already exists/);
});

test('racing writers on the Node file system: every append lands exactly once', async () => {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const pathMod = await import('node:path');
  const { NodeFsStorage } = await import('../../../sandboxes/lakehouse/storage/node-fs.ts');
  const dir = await mkdtemp(pathMod.join(tmpdir(), 'phlo-race-'));
  try {
    const storage = new NodeFsStorage(dir);
    const t = await createTable(null, storage, 'wh/race', { ...env('fs'), schema: glucoseSchema });
    const writers = await Promise.all([0, 1, 2, 3].map((i) => loadTable(new NodeFsStorage(dir), 'wh/race', { ...env(`fs${i}`) })));
    await Promise.all(writers.map((w, i) => w.withRetry((x) => x.append(readings(x, i * 3, i * 3 + 3)), 20)));
    const final = await loadTable(storage, 'wh/race');
    assert.deepEqual(await ids(final), Array.from({ length: 12 }, (_, i) => i));
    assert.equal(final.snapshots().length, 4);
    // Only files of committed snapshots remain in data/.
    const live = new Set((await final.plan()).tasks.map((x) => x.path));
    assert.deepEqual((await storage.list('wh/race/data')).filter((f) => !live.has(f)), []);
    assert.ok(t);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
