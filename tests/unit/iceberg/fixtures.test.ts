/**
 * Every table in tests/fixtures/iceberg (written by Spark, Java, Athena, Hive, Impala, Flink,
 * PyIceberg...) reads with the row counts and values their own projects' tests expect.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { NodeFsStorage } from '../../../sandboxes/lakehouse/storage/node-fs.ts';
import { loadTable, readManifestList, eq, gte, gt, IcebergError, describePlan } from '../../../sandboxes/lakehouse/iceberg/index.ts';
import { fixturesRoot, plainRows, IMPALA, ICEBIRD } from './helpers.ts';

const storage = new NodeFsStorage(fixturesRoot, { readOnly: true });

async function countsPerSnapshot(dir: string, metadataFile?: string): Promise<number[]> {
  const t = await loadTable(storage, dir, { metadataFile });
  const out: number[] = [];
  for (const s of t.snapshots()) out.push((await t.scan({ snapshotId: s['snapshot-id'] })).table.numRows);
  return out;
}

async function current(dir: string, metadataFile?: string) {
  const t = await loadTable(storage, dir, { metadataFile });
  return plainRows((await t.scan()).table);
}

const sortBy = (rows: Record<string, unknown>[], ...keys: string[]) =>
  [...rows].sort((a, b) => {
    for (const k of keys) {
      const x = a[k], y = b[k];
      if (x === y) continue;
      if (x === null) return -1;
      if (y === null) return 1;
      return (x as number) < (y as number) ? -1 : 1;
    }
    return 0;
  });

test('spark/bunnies: v1, position delete (v3), time travel and added column (v5)', async () => {
  const dir = `${ICEBIRD}/spark/bunnies`;
  const v1 = await current(dir, 'v1.metadata.json');
  assert.equal(v1.length, 21);
  assert.deepEqual(v1[0], { 'Breed Name': 'Holland Lop', 'Average Weight': 1.8, 'Fur Length': 3, Lifespan: 7, 'Origin Country': 'The Netherlands', 'Ear Type': 'Lop', Temperament: 'Friendly', 'Popularity Rank': 1 });
  const v3 = await current(dir, 'v3.metadata.json');
  assert.equal(v3.length, 20);
  assert.deepEqual(v3[0], { 'Breed Name': 'Netherland Dwarf', 'Average Weight': 0.9, 'Fur Length': 2.5, Lifespan: 10, 'Origin Country': 'Netherlands', 'Ear Type': 'Erect', Temperament: 'Shy', 'Popularity Rank': 2 });
  const t5 = await loadTable(storage, dir, { metadataFile: 'v5.metadata.json' });
  assert.equal((await t5.scan({ snapshotId: 7505300640432048841n })).table.numRows, 21);
  await assert.rejects(t5.scan({ snapshotId: 1234 }), (e: unknown) => e instanceof IcebergError && /Snapshot 1234 not found/.test(e.message));
  const v5 = plainRows((await t5.scan()).table);
  assert.equal(v5.length, 20);
  assert.deepEqual(v5[0], { 'Breed Name': 'Netherland Dwarf', 'Average Weight': 0.9, 'Fur Length': 2.5, Lifespan: 10, 'Origin Country': 'Netherlands', 'Ear Type': 'Erect', Temperament: 'Shy', 'Popularity Rank': 2, breed_name_length: 16 });
  assert.deepEqual(await countsPerSnapshot(dir), [21, 20, 20]);
});

test('java/bunnies: current-snapshot-id -1, metadata-only column add, position and equality deletes', async () => {
  const dir = `${ICEBIRD}/java/bunnies`;
  assert.equal((await current(dir, 'v1.metadata.json')).length, 0);
  const v2 = await current(dir, 'v2.metadata.json');
  assert.equal(v2.length, 21);
  assert.equal(v2[0]['Breed Name'], 'Holland Lop');
  const v3 = await current(dir, 'v3.metadata.json');
  assert.equal(v3.length, 21);
  assert.deepEqual(v3[2], { 'Breed Name': 'Flemish Giant', 'Average Weight': 4.5, 'Fur Length': 4, Lifespan: 5, 'Origin Country': 'Belgium', 'Ear Type': 'Lop', Temperament: 'Calm', 'Popularity Rank': 3, __happy__: null });
  const v4 = await current(dir, 'v4.metadata.json');
  assert.equal(v4.length, 15);
  assert.deepEqual(v4[2], { 'Breed Name': 'American Fuzzy Lop', 'Average Weight': 1.4, 'Fur Length': 5, Lifespan: 8, 'Origin Country': 'USA', 'Ear Type': 'Lop', Temperament: 'Sociable', 'Popularity Rank': 8, __happy__: null });
  assert.equal(v4.find((r) => r['Breed Name'] === 'New Zealand')!['Popularity Rank'], 21);
  const v5 = await current(dir, 'v5.metadata.json');
  assert.equal(v5.length, 15);
  const nz = v5.filter((r) => r['Breed Name'] === 'New Zealand');
  assert.equal(nz.length, 1);
  assert.equal(nz[0]['Popularity Rank'], 0);
  assert.equal(nz[0].__happy__, true);
  assert.deepEqual(await countsPerSnapshot(dir), [21, 15, 15]);
});

test('athena/example: NNNNN-uuid metadata naming without version hint, metadata-log', async () => {
  const t = await loadTable(storage, `${ICEBIRD}/athena/example`);
  assert.match(t.metadataLocation, /00001-aaf0d033-d06b-43c7-be60-67f83abd4aca\.metadata\.json$/);
  assert.equal(t.metadata['last-sequence-number'], 1);
  assert.equal(t.metadata['metadata-log'].length, 1);
  assert.equal(t.metadata['metadata-log'][0]['timestamp-ms'], 1743474980940);
  assert.match(t.metadata['metadata-log'][0]['metadata-file'], /00000-/);
  assert.deepEqual(plainRows((await t.scan()).table), [{ id: 1, name: 'Alice' }, { id: 2, name: 'Bob' }]);
});

test('spark/rename_column: bucket + identity partitions with a null partition, decimals, UTF-8, rename', async () => {
  const dir = `${ICEBIRD}/spark/rename_column`;
  const expected = [
    { id: 3, name: 'Cottontail', date: null, price: '0.00', active: true },
    { id: 4, name: 'Thumper', date: '2022-01-02', price: '99999999.99', active: false },
    { id: 1, name: 'Flopsy 🐇', date: '2022-01-01', price: '9.99', active: true },
    { id: 2, name: 'Mopsy–Naïve', date: '2022-01-01', price: '-5.00', active: false },
  ];
  assert.deepEqual(await current(dir, 'v2.metadata.json'), expected);
  const renamed = expected.map(({ date, ...r }) => ({ id: r.id, name: r.name, event_date: date, price: r.price, active: r.active }));
  assert.deepEqual(await current(dir, 'v3.metadata.json'), renamed);
  // Identity partition pruning on the renamed column.
  const t = await loadTable(storage, dir);
  const { table, plan } = await t.scan({ filter: eq('event_date', '2022-01-02') });
  assert.deepEqual(plainRows(table).map((r) => r.id), [4]);
  assert.ok(plan.skippedFiles.length >= 2, 'files of other dates are skipped');
});

test('impala position-delete tables: counts per snapshot and rows', async () => {
  assert.deepEqual(await countsPerSnapshot(`${IMPALA}/iceberg_v2_delete_positional`), [3, 2]);
  assert.deepEqual(sortBy(await current(`${IMPALA}/iceberg_v2_delete_positional`), 'id'), [{ id: 1, data: 'a' }, { id: 3, data: 'c' }]);
  const t = await loadTable(storage, `${IMPALA}/iceberg_v2_delete_positional`);
  assert.equal((await t.scan({ filter: eq('id', 2) })).table.numRows, 0);
  assert.equal((await t.scan({ snapshotId: 6816997371555012807n })).table.numRows, 3);
  assert.deepEqual(await countsPerSnapshot(`${IMPALA}/iceberg_v2_positional_delete_all_rows`), [3, 0]);
  assert.deepEqual(await countsPerSnapshot(`${IMPALA}/iceberg_v2_positional_not_all_data_files_have_delete_files`), [3, 6, 9, 10, 9, 6]);
  assert.deepEqual(
    sortBy(await current(`${IMPALA}/iceberg_v2_positional_not_all_data_files_have_delete_files`), 'i'),
    [{ i: 1, s: 'a' }, { i: 2, s: 'b' }, { i: 3, s: 'c' }, { i: 4, s: 'd' }, { i: 5, s: 'X' }, { i: 6, s: 'f' }],
  );
  assert.deepEqual(await countsPerSnapshot(`${IMPALA}/iceberg_v2_partitioned_position_deletes`), [20, 10]);
  const part = await current(`${IMPALA}/iceberg_v2_partitioned_position_deletes`);
  const byAction = (a: string) => part.filter((r) => r.action === a).map((r) => r.id).sort((x, y) => (x as number) - (y as number));
  assert.deepEqual(byAction('view'), [4, 6, 20]);
  assert.deepEqual(byAction('click'), [10, 12, 18]);
  assert.deepEqual(byAction('download'), [2, 8, 14, 16]);
  assert.equal(part.find((r) => r.id === 6)!.event_time, '2020-01-01T09:00:00.000000');
  assert.deepEqual(await countsPerSnapshot(`${IMPALA}/iceberg_spark_compaction_with_dangling_delete`), [5, 5, 4, 4]);
});

test('impala/flink equality-delete tables: sequence-number rules, nulls, multiple equality ids, schema evolution', async () => {
  assert.deepEqual(await countsPerSnapshot(`${IMPALA}/iceberg_v2_delete_equality`), [1, 2, 2]);
  assert.deepEqual(sortBy(await current(`${IMPALA}/iceberg_v2_delete_equality`), 'id'), [{ id: 1, data: 'test_1_base' }, { id: 2, data: 'test_2_updated' }]);

  assert.deepEqual(await countsPerSnapshot(`${IMPALA}/iceberg_v2_delete_equality_nulls`), [3, 1, 3]);
  assert.deepEqual(sortBy(await current(`${IMPALA}/iceberg_v2_delete_equality_nulls`), 'i'), [{ i: null, s: 'str5' }, { i: 1, s: 'str1' }, { i: 4, s: 'str4' }]);
  const nulls = await loadTable(storage, `${IMPALA}/iceberg_v2_delete_equality_nulls`);
  assert.deepEqual(sortBy(plainRows((await nulls.scan({ snapshotId: 4346796256488077976n })).table), 'i'), [{ i: null, s: 'str2' }, { i: 1, s: 'str1' }, { i: 3, s: 'str3' }]);

  assert.deepEqual(sortBy(await current(`${IMPALA}/iceberg_v2_delete_both_eq_and_pos`), 'i'), [{ i: 2, s: 'str2_updated', d: '2023-12-13' }, { i: 3, s: 'str3', d: '2023-12-23' }]);
  assert.deepEqual(await countsPerSnapshot(`${IMPALA}/iceberg_v2_delete_both_eq_and_pos`), [2, 3, 2]);

  assert.deepEqual(await countsPerSnapshot(`${IMPALA}/iceberg_v2_delete_equality_partitioned`), [3, 5, 6, 6]);
  assert.deepEqual(sortBy(await current(`${IMPALA}/iceberg_v2_delete_equality_partitioned`), 'd', 's'), [
    { i: 1, s: 'str1', d: '2023-12-24' }, { i: 2, s: 'str2', d: '2023-12-24' }, { i: 333333, s: 'str3', d: '2023-12-24' }, { i: 4, s: 'str4', d: '2023-12-24' },
    { i: 1, s: 'str1', d: '2023-12-25' }, { i: 222, s: 'str2', d: '2023-12-25' },
  ]);

  const multi = `${IMPALA}/iceberg_v2_delete_equality_multi_eq_ids`;
  assert.deepEqual(await countsPerSnapshot(multi), [3, 3, 5, 5]);
  const expectMulti = [{ i: 1, s: 'str1' }, { i: 2222, s: 'str2' }, { i: 33, s: 'str3_updated_twice' }, { i: 4, s: 'str4_updated' }, { i: 5, s: 'str5' }];
  assert.deepEqual(sortBy(await current(multi), 's'), expectMulti);
  const mt = await loadTable(storage, multi);
  assert.deepEqual(sortBy(plainRows((await mt.scan({ snapshotId: 4077234998626563290n })).table), 's'), expectMulti);
  assert.deepEqual(sortBy(plainRows((await mt.scan({ snapshotId: 8127619959873391049n })).table), 's'), [{ i: 1, s: 'str1' }, { i: 2, s: 'str2' }, { i: 3, s: 'str3_updated' }]);

  const evo = `${IMPALA}/iceberg_v2_equality_delete_schema_evolution`;
  assert.deepEqual(await countsPerSnapshot(evo), [5, 3, 3]);
  assert.deepEqual(sortBy(await current(evo), 'i'), [
    { i: 1, d: '2024-03-20', str: 'str1', j: null }, { i: 5, d: '2024-03-22', str: 'str5', j: null }, { i: 44, d: '2024-03-21', str: 'str4', j: 4444 },
  ]);
  const et = await loadTable(storage, evo);
  assert.deepEqual(sortBy(plainRows((await et.scan({ snapshotId: 3986738438831924669n })).table), 'i'), [
    { i: 1, d: '2024-03-20', s: 'str1' }, { i: 4, d: '2024-03-21', s: 'str4' }, { i: 5, d: '2024-03-22', s: 'str5' },
  ]);
});

test('iceberg_timestamp_part (format v1): hour(ts) partitions including pre-1970 values', async () => {
  const rows = sortBy(await current(`${IMPALA}/iceberg_timestamp_part`), 'i');
  assert.deepEqual(rows.map((r) => [r.i, String(r.ts).slice(0, 19)]), [
    [-2, '1969-01-01T01:00:00'], [-1, '1969-01-01T01:15:00'], [1, '2021-10-31T02:15:00'], [2, '2021-01-10T12:00:00'], [3, '2022-04-11T00:04:00'], [4, '2022-04-11T12:04:55'],
  ]);
  const t = await loadTable(storage, `${IMPALA}/iceberg_timestamp_part`);
  assert.equal(t.metadata['format-version'], 1);
  const files = await t.metadataTable('files');
  assert.ok(files.some((f) => (f.partition as Record<string, string>).ts_hour === '-8759'), 'the pre-1970 hour partition value is -8759');
});

test('polars iceberg-table (format v1, only v2.metadata.json): day(ts) pruning and filters', async () => {
  const dir = 'pola-rs+polars/py-polars/tests/unit/io/files/iceberg-table';
  const t = await loadTable(storage, dir);
  const rows = sortBy(plainRows((await t.scan()).table), 'id');
  assert.deepEqual(rows.map((r) => [r.id, r.str, String(r.ts).slice(0, 16)]), [[1, '1', '2023-03-01T18:15'], [2, '2', '2023-03-01T19:25'], [3, '3', '2023-03-02T22:00']]);
  assert.equal((await t.scan({ snapshotId: 7051579356916758811n })).table.numRows, 3);
  await assert.rejects(t.scan({ snapshotId: 1 }), /not found/);
  assert.equal((await t.scan({ filter: gte('ts', '2023-03-01T19:25:00') })).table.numRows, 2);
  assert.deepEqual(plainRows((await t.scan({ filter: gt('ts', '2023-03-01T19:25:00') })).table).map((r) => r.id), [3]);
  const none = await t.scan({ filter: gt('ts', '2023-03-02T22:00:00') });
  assert.equal(none.table.numRows, 0);
  const text = describePlan(none.plan).join('\n');
  assert.match(text, /snapshot 7051579356916758811/);
  assert.match(text, /skipped/);
  assert.ok(none.plan.skippedFiles.length + none.plan.skippedManifests.length > 0, 'the plan reports skipped files');
});

test('loose manifest lists from iceberg-rust: old and new count field names read the same', async () => {
  const dir = path.join(fixturesRoot, 'apache+iceberg-rust/crates/iceberg/testdata/manifests_lists');
  const a = await readManifestList(new Uint8Array(await readFile(path.join(dir, 'manifest-list-v2-1.avro'))), 'manifest-list-v2-1.avro');
  const b = await readManifestList(new Uint8Array(await readFile(path.join(dir, 'manifest-list-v2-2.avro'))), 'manifest-list-v2-2.avro');
  // Both spell the counts differently (ids 504-506 are the same): both read as 1 added file, 1 row.
  for (const list of [a, b]) {
    assert.equal(list.length, 1);
    assert.deepEqual([list[0].addedFilesCount, list[0].existingFilesCount, list[0].deletedFilesCount, list[0].addedRowsCount], [1, 0, 0, 1n]);
    assert.deepEqual([list[0].sequenceNumber, list[0].partitionSpecId, list[0].content], [1, 0, 0]);
    assert.match(list[0].manifestPath, /-m0\.avro$/);
  }
});

test('metadata tables on a fixture: snapshots, history, refs, manifests, files, entries, partitions', async () => {
  const t = await loadTable(storage, `${IMPALA}/iceberg_v2_partitioned_position_deletes`);
  assert.equal((await t.metadataTable('snapshots')).length, 2);
  assert.equal((await t.metadataTable('history')).length, t.metadata['snapshot-log'].length);
  assert.deepEqual((await t.metadataTable('refs')).map((r) => r.name), ['main']);
  const files = await t.metadataTable('files');
  assert.equal(files.filter((f) => f.content === 0).length, 3);
  assert.equal(files.filter((f) => f.content === 1).length, 3);
  const parts = await t.metadataTable('partitions');
  assert.equal(parts.length, 3);
  assert.equal(parts.reduce((a, p) => a + Number(p.record_count), 0), 20);
  assert.ok((await t.metadataTable('manifests')).length >= 2);
  assert.ok((await t.metadataTable('entries')).length >= 6);
});
