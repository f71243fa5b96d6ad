import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as arrow from 'apache-arrow';
import { MemoryStorage } from '../../../sandboxes/lakehouse/storage/memory.ts';
import { NodeFsStorage } from '../../../sandboxes/lakehouse/storage/node-fs.ts';
import { openWarehouse, type Warehouse } from '../../../sandboxes/lakehouse/warehouse.ts';
import { createNodeEngine } from '../../../sandboxes/lakehouse/sql/duckdb-node.ts';
import type { DuckDbWasmEngine } from '../../../sandboxes/lakehouse/sql/duckdb-engine.ts';
import { SqlError } from '../../../sandboxes/lakehouse/sql/engine.ts';
import { tableToRows } from '../../../sandboxes/lakehouse/sql/rows.ts';
import { TableBinder } from '../../../sandboxes/lakehouse/sql/table-binder.ts';
import { findTableMentions } from '../../../sandboxes/lakehouse/sql/table-names.ts';
import { loadTable } from '../../../sandboxes/lakehouse/iceberg/table.ts';
import { CommitConflictError } from '../../../sandboxes/lakehouse/iceberg/errors.ts';
import { MergeConflictError } from '../../../sandboxes/lakehouse/catalog/errors.ts';
import { fixturesRoot } from '../iceberg-fixtures.ts';

let engine: DuckDbWasmEngine;
before(async () => {
  engine = await createNodeEngine();
});
after(async () => {
  await engine.close();
});

const DAY = Date.UTC(2026, 0, 1);
function readings(ids: number[], offset = 0) {
  return new arrow.Table({
    id: arrow.vectorFromArray(ids.map(BigInt), new arrow.Int64()),
    ts: arrow.vectorFromArray(ids.map((i) => DAY + i * 300_000), new arrow.TimestampMicrosecond('UTC')),
    mg_dl: arrow.vectorFromArray(ids.map((i) => 80 + i + offset), new arrow.Int32()),
  });
}

/** A fresh warehouse; each gets its own DuckDB schema names by namespace so they cannot clash. */
async function warehouse(ns: string): Promise<{ w: Warehouse; key: string }> {
  let t = DAY;
  const w = await openWarehouse({ storage: new MemoryStorage(), engine, clock: () => new Date((t += 60_000)), author: 'test' });
  const key = `${ns}.raw_entries`;
  await w.createTable(key, {
    schema: [{ name: 'id', type: 'long', required: true }, { name: 'ts', type: 'timestamptz' }, { name: 'mg_dl', type: 'int' }],
    partitionSpec: [{ source: 'ts', transform: 'day' }],
  });
  return { w, key };
}

const rows = async (w: Warehouse, sql: string, opts = {}) => tableToRows(await w.sql(sql, opts));

test('table names and selectors are found in SQL, ignoring strings and comments', () => {
  const keys = ['glucose.raw_entries', 'glucose.daily'];
  const found = findTableMentions(
    `-- glucose.daily in a comment\nSELECT 'glucose.daily' FROM glucose.raw_entries r JOIN GLUCOSE."raw_entries@dev" d USING (id)\n` +
      `JOIN glucose."raw_entries@123" s USING (id) JOIN glucose."raw_entries#2026-01-01T00:00:00Z" a USING (id) WHERE r.id > 0`,
    keys,
  );
  assert.deepEqual(found.map((m) => [m.schema, m.name, m.key, m.selector]), [
    ['glucose', 'raw_entries', 'glucose.raw_entries', {}],
    ['GLUCOSE', 'raw_entries@dev', 'glucose.raw_entries', { ref: 'dev' }],
    ['glucose', 'raw_entries@123', 'glucose.raw_entries', { snapshotId: '123' }],
    ['glucose', 'raw_entries#2026-01-01T00:00:00Z', 'glucose.raw_entries', { asOf: '2026-01-01T00:00:00Z' }],
  ]);
});

test('write-audit-publish: write on a branch, audit with SQL, merge; main unchanged until then', async () => {
  const { w, key } = await warehouse('wap');
  await (await w.table(key)).append(readings([1, 2, 3]));
  await w.createBranch('etl');
  const onBranch = await w.table(key, { ref: 'etl', message: 'ingest batch 2' });
  await onBranch.append(readings([4, 5]));
  // audit on the branch
  assert.deepEqual(await rows(w, `SELECT count(*) AS n, min(mg_dl) AS lo FROM ${key}`, { ref: 'etl' }), [{ n: 5, lo: 81 }]);
  assert.deepEqual(await rows(w, `SELECT count(*) AS n FROM ${key}`), [{ n: 3 }]);
  assert.equal((await w.log('etl'))[0]!.message, 'ingest batch 2');
  assert.deepEqual((await w.diff('main', 'etl')).map((d) => d.key), [key]);
  const merged = await w.merge('etl', 'main');
  assert.equal(merged.kind, 'fast-forward');
  assert.deepEqual(await rows(w, `SELECT count(*) AS n FROM ${key}`), [{ n: 5 }]);
  // a failed audit: drop the branch, main never sees the bad rows
  await w.createBranch('etl2');
  await (await w.table(key, 'etl2')).append(readings([6], 1000));
  assert.deepEqual(await rows(w, `SELECT count(*) AS n FROM ${key} WHERE mg_dl > 400`, { ref: 'etl2' }), [{ n: 1 }]);
  await w.deleteRef('etl2');
  assert.deepEqual(await rows(w, `SELECT count(*) AS n FROM ${key} WHERE mg_dl > 400`), [{ n: 0 }]);
});

test('tables on any ref, snapshot id or time; a generated name per selector in one query', async () => {
  const { w, key } = await warehouse('travel');
  const t = await w.table(key);
  await t.append(readings([1, 2]));
  await t.append(readings([3]));
  await t.merge(readings([3], 5), { key: 'id' }); // copy-on-write update of id 3
  const snaps = await w.snapshots(key);
  assert.equal(snaps.length, 3);
  assert.deepEqual(snaps.map((s) => s.operation), ['append', 'append', 'overwrite']);
  await w.tag('v1');
  assert.deepEqual(await rows(w, `SELECT count(*) AS n FROM ${key}`, { snapshotId: snaps[0]!.snapshotId }), [{ n: 2 }]);
  assert.deepEqual(await rows(w, `SELECT sum(mg_dl) AS s FROM ${key}`, { asOf: snaps[1]!.timestampMs }), [{ s: 81 + 82 + 83 }]);
  assert.deepEqual(await rows(w, `SELECT sum(mg_dl) AS s FROM ${key}`, { ref: 'v1' }), [{ s: 81 + 82 + 88 }]);
  const [ns, table] = key.split('.');
  // time-travel diff between two snapshots in one query
  const diff = await rows(
    w,
    `SELECT id, mg_dl FROM ${ns}."${table}@${snaps[2]!.snapshotId}" EXCEPT SELECT id, mg_dl FROM ${ns}."${table}@${snaps[1]!.snapshotId}" ORDER BY id`,
  );
  assert.deepEqual(diff, [{ id: 3, mg_dl: 88 }]);
  const asOfIso = new Date(snaps[0]!.timestampMs).toISOString();
  assert.deepEqual(await rows(w, `SELECT count(*) AS n FROM ${ns}."${table}#${asOfIso}"`), [{ n: 2 }]);
  // unknown snapshot: a clear error naming the table
  await assert.rejects(w.sql(`SELECT * FROM ${key}`, { snapshotId: '42' }), /Snapshot 42 not found in table/);
});

test('data files are registered once and reused across snapshots and refs', async () => {
  const { w, key } = await warehouse('reuse');
  const t = await w.table(key);
  await t.append(readings([1, 2]));
  await t.append(readings([3]));
  await t.append(readings([4]));
  const snaps = await w.snapshots(key);
  const binder = w.binder;
  const first = await w.load(key, { snapshotId: snaps[2]!.snapshotId, as: 'reuse.latest' });
  assert.deepEqual([first.files, first.loaded, first.reused], [3, 3, 0]);
  const older = await w.load(key, { snapshotId: snaps[1]!.snapshotId, as: 'reuse.older' });
  assert.deepEqual([older.files, older.loaded, older.reused], [2, 0, 2]);
  // the older snapshot reads only its own files out of the shared registration
  assert.deepEqual(tableToRows(await engine.query('SELECT list(id ORDER BY id) AS ids FROM reuse.older')), [{ ids: [1, 2, 3] }]);
  assert.deepEqual(tableToRows(await engine.query('SELECT list(id ORDER BY id) AS ids FROM reuse.latest')), [{ ids: [1, 2, 3, 4] }]);
  await w.createBranch('side');
  await (await w.table(key, 'side')).append(readings([5]));
  const before = binder.registeredFiles;
  assert.deepEqual(await rows(w, `SELECT count(*) AS n FROM ${key}`, { ref: 'side' }), [{ n: 5 }]);
  assert.equal(binder.registeredFiles, before + 1); // only the new file was read
  // Views still read every registration made so far: nothing to release.
  assert.equal(await w.releaseUnused(), 0);
  // Point the views at the newest state only; the older registrations become unused.
  await binder.unbind('reuse', 'latest');
  await binder.unbind('reuse', 'older');
  await binder.unbind('reuse', 'raw_entries');
  assert.ok((await w.releaseUnused()) > 0);
  assert.equal(binder.registeredFiles, 0);
  assert.deepEqual(await rows(w, `SELECT count(*) AS n FROM ${key}`, { ref: 'side' }), [{ n: 5 }]);
  assert.equal(binder.registeredFiles, 4); // its four files, read again on demand
});

test('a table missing on the chosen ref is a clear error, and no stale view answers', async () => {
  const { w, key } = await warehouse('missing');
  await (await w.table(key)).append(readings([1]));
  await w.createBranch('dev');
  await w.createTable('missing.extra', { schema: [{ name: 'x', type: 'int' }], ref: 'dev' });
  assert.deepEqual(await rows(w, 'SELECT count(*) AS n FROM missing.extra', { ref: 'dev' }), [{ n: 0 }]);
  await assert.rejects(w.sql('SELECT count(*) FROM missing.extra'), (e: unknown) => {
    assert.ok(e instanceof SqlError);
    assert.match(e.message, /missing\.extra does not exist on 'main' \(tables there: missing\.raw_entries\)/);
    return true;
  });
});

test('concurrent table commits on a branch: the stale writer conflicts, a retry keeps every row', async () => {
  const { w, key } = await warehouse('race');
  const a = await w.table(key);
  const b = await w.table(key);
  await a.append(readings([1]));
  await assert.rejects(b.append(readings([2])), CommitConflictError);
  await b.withRetry((t) => t.append(readings([2])));
  assert.deepEqual(await rows(w, `SELECT list(id ORDER BY id) AS ids FROM ${key}`), [{ ids: [1, 2] }]);
  // both table commits are catalog commits on main
  assert.deepEqual((await w.log()).slice(0, 2).map((c) => c.operations[0]!.key), [key, key]);
});

test('merging branches that both changed a table is refused, naming the table', async () => {
  const { w, key } = await warehouse('clash');
  await w.createBranch('a');
  await (await w.table(key, 'a')).append(readings([1]));
  await (await w.table(key)).append(readings([2]));
  await assert.rejects(w.merge('a', 'main'), (e: unknown) => e instanceof MergeConflictError && e.keys.join() === key);
});

test('tables written by other engines bind by path, snapshot by snapshot', async () => {
  const fixtures = new NodeFsStorage(fixturesRoot, { readOnly: true });
  const binder = new TableBinder(engine);
  const counts: number[] = [];
  const t = await loadTable(fixtures, 'apache+impala/testdata/data/iceberg_test/hadoop_catalog/ice/iceberg_v2_positional_not_all_data_files_have_delete_files');
  for (const s of t.snapshots()) {
    await binder.bind('fx', 'not_all', t, { snapshotId: s['snapshot-id'] });
    counts.push(Number(tableToRows(await engine.query('SELECT count(*) AS n FROM fx.not_all'))[0]!.n));
  }
  assert.deepEqual(counts, [3, 6, 9, 10, 9, 6]);
  assert.deepEqual(tableToRows(await engine.query('SELECT i, s FROM fx.not_all ORDER BY i')).map((r) => `${r.i}${r.s}`), ['1a', '2b', '3c', '4d', '5X', '6f']);
});

test('metadata tables are queryable: snapshots, history, files (at a snapshot), refs', async () => {
  const { w, key } = await warehouse('meta');
  const t = await w.table(key);
  await t.append(readings([1, 2]));
  await t.append(readings([300]));
  const [ns, name] = key.split('.');
  const snaps = await rows(w, `SELECT snapshot_id, parent_id, operation, committed_at FROM ${ns}."${name}$snapshots" ORDER BY committed_at`);
  const ids = (await w.snapshots(key)).map((s) => s.snapshotId);
  assert.deepEqual(snaps.map((s) => String(s.snapshot_id)), ids);
  assert.equal(snaps[1]!.parent_id !== null, true);
  assert.match(String(snaps[0]!.committed_at), /^2026-01-01T/);
  const files = await rows(w, `SELECT count(*) AS n, sum(record_count) AS records FROM ${ns}."${name}$files"`);
  assert.deepEqual(files, [{ n: 2, records: 3 }]);
  const older = await rows(w, `SELECT count(*) AS n FROM ${ns}."${name}@${ids[0]}$files"`);
  assert.deepEqual(older, [{ n: 1 }]);
  const history = await rows(w, `SELECT count(*) AS n FROM ${ns}."${name}$history" WHERE is_current_ancestor`);
  assert.deepEqual(history, [{ n: 2 }]);
});

test('after a stuck query forces a worker restart, every table and metadata table reads again (issue 13, item 8)', async () => {
  // An engine of its own: the restart must not disturb the other tests' shared engine.
  // No grace after a cancel: the time limit restarts the worker at once, as a stuck query would.
  const own = await createNodeEngine({ cancelGraceMs: 0 });
  try {
    const w = await openWarehouse({ storage: new MemoryStorage(), engine: own, clock: () => new Date(DAY), author: 'test' });
    const key = 'restart.raw_entries';
    await w.createTable(key, { schema: [{ name: 'id', type: 'long', required: true }, { name: 'ts', type: 'timestamptz' }, { name: 'mg_dl', type: 'int' }] });
    await (await w.table(key)).append(readings([1, 2, 3]));
    assert.deepEqual(await rows(w, `SELECT count(*) AS n FROM ${key}`), [{ n: 3 }]);
    assert.deepEqual(await rows(w, `SELECT count(*) AS n FROM restart."raw_entries$snapshots"`), [{ n: 1 }]);
    // A query that runs for minutes, stopped by its time limit.
    await assert.rejects(w.sql('SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 3', { timeLimitMs: 300 }), (e: SqlError) => e.kind === 'timeout');
    assert.equal(own.restarts, 1);
    // The views lived in the old worker; the binder must make them again.
    assert.deepEqual(await rows(w, `SELECT count(*) AS n FROM ${key}`), [{ n: 3 }]);
    assert.deepEqual(await rows(w, `SELECT count(*) AS n FROM restart."raw_entries$snapshots"`), [{ n: 1 }]);
    assert.deepEqual(await rows(w, 'SELECT 1 AS one'), [{ one: 1 }]);
  } finally {
    await own.close();
  }
});
