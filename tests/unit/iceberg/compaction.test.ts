/**
 * Compaction (rewriteDataFiles): many small appends become one file per partition in a
 * valid Iceberg v2 `replace` snapshot. The rows do not change, older snapshots stay
 * readable until they expire, and the manifest list shrinks with the files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from '../../../sandboxes/lakehouse/storage/index.ts';
import { createTable, loadTable, rowsToArrow, arrowToRows, deterministicIds, eq, readManifestList, type Table } from '../../../sandboxes/lakehouse/iceberg/index.ts';

function env(seed = 'c') {
  let clock = Date.UTC(2025, 0, 10);
  return { now: () => (clock += 60_000), ids: deterministicIds(seed) };
}

const schema = [
  { name: 'id', type: 'long' as const, required: true },
  { name: 'ts', type: 'timestamptz' as const, required: true },
  { name: 'sgv', type: 'int' as const },
];

function day(t: Table, d: number, n = 24) {
  const rows = [];
  for (let i = 0; i < n; i++) rows.push({ id: d * 1000 + i, ts: new Date(Date.UTC(2025, 0, 1 + d, i)), sgv: 90 + ((d * 7 + i) % 80) });
  return rowsToArrow(rows, t.schema());
}

async function rows(t: Table, opts = {}) {
  const { table } = await t.scan(opts);
  return arrowToRows(table, t.schema()).map((r) => `${r.id}:${r.sgv}`).sort();
}

const liveFiles = async (t: Table) => (await t.metadataTable('files')).length;
const manifestsOf = async (t: Table) => (await t.metadataTable('manifests')).length;

test('ten daily appends compact into one file, as a replace snapshot with the same rows', async () => {
  const storage = new MemoryStorage();
  const t = await createTable(null, storage, 'wh/raw', { ...env(), schema });
  for (let d = 0; d < 10; d++) await t.append(day(t, d));
  const before = await rows(t);
  const beforeSnap = t.currentSnapshot()!;
  assert.equal(await liveFiles(t), 10);
  assert.equal(await manifestsOf(t), 10, 'one manifest per append (below the merge threshold)');

  const res = await t.rewriteDataFiles();
  assert.ok(res);
  assert.deepEqual([res.rewrittenDataFiles, res.addedDataFiles, res.partitions, res.removedDeleteFiles], [10, 1, 1, 0]);
  const snap = t.currentSnapshot()!;
  assert.equal(snap['snapshot-id'], res.snapshotId);
  assert.equal(snap.summary.operation, 'replace');
  assert.equal(snap['parent-snapshot-id'], beforeSnap['snapshot-id']);
  assert.equal(snap['sequence-number'], beforeSnap['sequence-number'] + 1);
  assert.equal(snap.summary['added-data-files'], '1');
  assert.equal(snap.summary['deleted-data-files'], '10');
  assert.equal(snap.summary['added-records'], '240');
  assert.equal(snap.summary['deleted-records'], '240');
  assert.equal(snap.summary['total-records'], '240', 'a replace never changes the row count');
  assert.equal(snap.summary['total-data-files'], '1');

  assert.deepEqual(await rows(t), before, 'same rows after compaction');
  assert.equal(await liveFiles(t), 1);
  assert.equal(await manifestsOf(t), 2, 'the new file, and one manifest recording the ten removed files');
  assert.deepEqual(await rows(t, { snapshotId: beforeSnap['snapshot-id'] }), before, 'the snapshot before compaction still reads its old files');

  // A fresh reader (no shared state) sees the same through the files on storage.
  const again = await loadTable(storage, 'wh/raw');
  assert.deepEqual(await rows(again), before);

  // The manifests are valid v2 manifests: ADDED (1) for the new file, DELETED (2) for the
  // old ones, stamped with the replace snapshot; the new file inherits its sequence number.
  const entries = await t.metadataTable('entries');
  assert.deepEqual(entries.map((e) => e.status).sort(), [1, ...Array(10).fill(2)]);
  for (const e of entries) assert.equal(e.snapshot_id, snap['snapshot-id']);
  const added = entries.find((e) => e.status === 1)!;
  assert.equal(Number(added.sequence_number), snap['sequence-number']);
  const list = await readManifestList(await storage.read(t.resolve(snap['manifest-list']!)), snap['manifest-list']!);
  assert.deepEqual(list.map((m) => [m.addedFilesCount, m.existingFilesCount, m.deletedFilesCount]).sort(), [[0, 0, 10], [1, 0, 0]]);
  for (const m of list) assert.equal(m.addedSnapshotId, snap['snapshot-id']);

  // Nothing more to do: a second compaction writes no snapshot.
  assert.equal(await t.rewriteDataFiles(), null);
  assert.equal(t.currentSnapshot()!['snapshot-id'], snap['snapshot-id']);

  // Expiring the old snapshots then frees the small files; the compacted data stays.
  const exp = await t.expireSnapshots({ olderThanMs: Date.UTC(2030, 0, 1), retainLast: 1 });
  assert.equal(exp.expiredSnapshots.length, 10);
  assert.equal(exp.deletedFiles.filter((f) => f.includes('/data/')).length, 10);
  assert.deepEqual(await rows(await loadTable(storage, 'wh/raw')), before);
  assert.equal(await manifestsOf(t), 2);
  // Next append: the manifest with only removed entries is not carried forward by a replace,
  // but is kept by an ordinary append (it still records the replace snapshot's change).
  await t.append(day(t, 20));
  assert.equal(await liveFiles(t), 2);
});

test('a partitioned table compacts per partition, and only partitions with several small files', async () => {
  const storage = new MemoryStorage();
  const t = await createTable(null, storage, 'wh/p', { ...env('p'), schema, partitionSpec: [{ source: 'ts', transform: 'month' }] });
  for (let d = 0; d < 6; d++) await t.append(day(t, d)); // six files in 2025-01
  await t.append(day(t, 40)); // one file in 2025-02
  const before = await rows(t);
  const res = await t.rewriteDataFiles();
  assert.ok(res);
  assert.deepEqual([res.rewrittenDataFiles, res.addedDataFiles, res.partitions], [6, 1, 1], 'the February file is alone and stays as it is');
  assert.equal(await liveFiles(t), 2);
  assert.deepEqual(await rows(t), before);
  const parts = (await t.metadataTable('files')).map((f) => JSON.stringify(f.partition)).sort();
  assert.equal(new Set(parts).size, 2, 'one file per month');
});

test('position deletes are applied by compaction and their delete files removed', async () => {
  const storage = new MemoryStorage();
  const t = await createTable(null, storage, 'wh/mor', { ...env('m'), schema, properties: { 'write.delete.mode': 'merge-on-read' } });
  for (let d = 0; d < 3; d++) await t.append(day(t, d));
  await t.delete(eq('id', 1005));
  const before = await rows(t);
  assert.equal(before.length, 71);
  const res = await t.rewriteDataFiles();
  assert.ok(res);
  assert.equal(res.removedDeleteFiles, 1);
  assert.deepEqual(await rows(t), before);
  const snap = t.currentSnapshot()!;
  assert.equal(snap.summary.operation, 'replace');
  assert.equal(snap.summary['total-delete-files'], '0');
  assert.equal(snap.summary['total-records'], '71', 'the deleted row is gone from the files themselves');
  const plan = await t.plan();
  assert.equal(plan.tasks.length, 1);
  assert.equal(plan.tasks[0]!.deletes.length, 0);
});

test('a small-file threshold leaves big files alone', async () => {
  const storage = new MemoryStorage();
  const t = await createTable(null, storage, 'wh/t', { ...env('t'), schema });
  for (let d = 0; d < 4; d++) await t.append(day(t, d));
  assert.equal(await t.rewriteDataFiles({ targetFileSizeBytes: 10 }), null, 'every file is already "big"');
  assert.equal(await t.rewriteDataFiles({ minInputFiles: 5 }), null, 'four small files are fewer than five');
  assert.ok(await t.rewriteDataFiles({ minInputFiles: 4 }));
});

test('expiry can leave files in place for a garbage collector (deleteFiles: false)', async () => {
  const storage = new MemoryStorage();
  const t = await createTable(null, storage, 'wh/g', { ...env('g'), schema });
  for (let d = 0; d < 3; d++) await t.append(day(t, d));
  await t.rewriteDataFiles();
  const res = await t.expireSnapshots({ olderThanMs: Date.UTC(2030, 0, 1), deleteFiles: false });
  assert.equal(res.expiredSnapshots.length, 3);
  assert.equal(res.deletedFiles.length, 0);
  assert.ok(res.unreferencedFiles.filter((f) => f.includes('/data/')).length === 3);
  for (const f of res.unreferencedFiles) assert.equal(await storage.exists(f), true);
  assert.equal(t.snapshots().length, 1);
});
