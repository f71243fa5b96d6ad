/**
 * The pipeline end to end on the real lakehouse: Iceberg tables under the catalog, SQL in
 * DuckDB-WASM, publishing into PGlite. One warehouse, a story told in order.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { openNodeLakehouse } from '../../../sandboxes/pipeline/lakehouse/open-node.ts';
import { readProjectFiles, GLUCOSE_PROJECT_DIR } from '../../../sandboxes/pipeline/transform/load-dir.ts';
import { glucoseDefinitions } from '../../../sandboxes/pipeline/orchestrate/definitions.ts';
import { Pipeline } from '../../../sandboxes/pipeline/orchestrate/pipeline.ts';
import { openPostgres } from '../../../sandboxes/pipeline/publish/postgres.ts';
import { fetchDay } from '../../../sandboxes/pipeline/source/nightscout.ts';
import { arrowToRows } from '../../../sandboxes/pipeline/util/arrow.ts';

const DAY = '2025-01-03';
let now = Date.parse('2025-01-04T06:00:00Z'); // before the late readings of DAY arrive (08:00)
const lake = await openNodeLakehouse({ clock: () => now, idSeed: 'pipeline-test' });
let pgClose: (() => Promise<void>) | null = null;
const pipeline = new Pipeline({
  lake,
  definitions: glucoseDefinitions({ project: readProjectFiles(GLUCOSE_PROJECT_DIR), badDays: { '2025-01-05': 'impossible', '2025-01-06': 'sensor-fault' } }),
  clock: () => now,
  postgres: async () => { const pg = await openPostgres(); pgClose = () => pg.close(); return pg; },
});
after(async () => { await lake.close(); await pgClose?.(); });

const noPublish = pipeline.graph.order.filter((k) => k !== 'publish_marts_to_postgres');
const TABLES = ['raw.glucose_entries', 'silver.fct_glucose_readings', 'gold.fct_daily_glucose_metrics', 'gold.mrt_glucose_readings', 'marts.mrt_glucose_overview', 'marts.mrt_glucose_hourly_patterns'];
const sql = async (q: string, ref = 'main') => arrowToRows(await lake.query(q, ref));
const count = async (q: string, ref = 'main') => Number((await sql(q, ref))[0].n);
const source = (asOf: number, day = DAY) => fetchDay({ seed: 'phlo' }, day, asOf);

test('a day flows through every layer on its own branch, then lands on main', async () => {
  const src = source(now);
  const unique = new Set(src.entries.map((e) => e._id)).size;
  const r = await pipeline.materialize({ select: noPublish, partitions: [DAY] });
  assert.equal(r.status, 'SUCCESS', r.failure ?? '');
  assert.match(r.branch!, /^pipeline[/-]run-[0-9a-f]{8}$/);
  assert.notEqual(r.mainAfter, r.mainBefore);
  assert.ok(!(await lake.refs()).some((x) => x.name === r.branch), 'the run branch is removed after the merge');
  const raw = r.events.find((e) => e.type === 'MATERIALIZATION' && e.asset === 'dlt_glucose_entries')!;
  assert.equal(raw.metadata!.rows_fetched, src.entries.length);
  assert.equal(raw.metadata!.rows_inserted, unique);
  assert.equal(raw.metadata!.duplicates_skipped, src.entries.length - unique);
  assert.match(String(raw.metadata!.snapshot_id), /^\d+$/);
  assert.deepEqual(await lake.listTables('main'), [...TABLES].sort());
  assert.equal(await count('select count(*) as n from raw.glucose_entries'), unique);
  assert.equal(await count('select count(*) as n from silver.fct_glucose_readings'), unique);
  const [daily] = await sql('select * from gold.fct_daily_glucose_metrics');
  assert.equal(daily.reading_count, unique);
  assert.equal(daily.day_name, 'Friday');
  assert.ok(Number(daily.time_in_range_pct) > 0 && Number(daily.time_in_range_pct) <= 100);
  // The run log is kept in the warehouse and reads back whole.
  const stored = await pipeline.run(r.runId);
  assert.equal(stored.events.length, r.events.length);
  assert.equal(stored.events.at(-1)!.type, 'RUN_SUCCESS');
  assert.ok(stored.checks.some((c) => c.checkGroup === 'glucose_readings_quality' && c.passed));
});

test('running the same day again changes nothing', async () => {
  const before = await Promise.all(TABLES.map((t) => lake.snapshots('main', t)));
  const r = await pipeline.materialize({ select: noPublish, partitions: [DAY] });
  assert.equal(r.status, 'SUCCESS', r.failure ?? '');
  const raw = r.materializations.find((m) => m.asset === 'dlt_glucose_entries')!;
  assert.deepEqual([raw.inserted, raw.updated, raw.snapshotId], [0, 0, null]);
  assert.equal(r.events.filter((e) => e.type === 'STEP_SKIPPED' && e.metadata?.up_to_date).length, 6);
  const afterSnaps = await Promise.all(TABLES.map((t) => lake.snapshots('main', t)));
  assert.deepEqual(afterSnaps.map((s) => s.length), before.map((s) => s.length));
});

test('late readings are merged into the day they belong to', async () => {
  const early = source(now);
  assert.ok(early.notYetArrived > 0, 'the source holds back some readings of this day');
  const stored = await count('select count(*) as n from raw.glucose_entries');
  now = Date.parse('2025-01-04T12:00:00Z');
  const r = await pipeline.materialize({ select: noPublish, partitions: [DAY] });
  assert.equal(r.status, 'SUCCESS', r.failure ?? '');
  const raw = r.materializations.find((m) => m.asset === 'dlt_glucose_entries')!;
  assert.equal(raw.inserted, early.notYetArrived);
  assert.equal(raw.updated, 0);
  const total = stored + early.notYetArrived;
  assert.equal(await count(`select count(*) as n from raw.glucose_entries where cast(date_string as date) = DATE '${DAY}'`), total);
  assert.equal(await count('select count(*) as n from raw.glucose_entries'), total, 'no other day received rows');
  assert.equal(Number((await sql('select reading_count from gold.fct_daily_glucose_metrics'))[0].reading_count), total);
  assert.equal(Number((await sql('select reading_count from marts.mrt_glucose_overview'))[0].reading_count), total);
  const snaps = await lake.snapshots('main', 'raw.glucose_entries');
  assert.equal(snaps.at(-1)!.summary['merge-inserted-rows'], String(early.notYetArrived));
});

test('a bad-data day is stopped at validation with the row and rule for each problem', async () => {
  now = Date.parse('2025-01-06T06:00:00Z');
  const mainBefore = await lake.refHash('main');
  const r = await pipeline.materialize({ select: noPublish, partitions: ['2025-01-05'] });
  assert.equal(r.status, 'FAILURE');
  assert.equal(await lake.refHash('main'), mainBefore, 'main is untouched');
  assert.match(r.failure!, /^The run stopped at dlt_glucose_entries: dlt_glucose_entries for 2025-01-05 did not pass validation, so nothing was written to the table\./);
  assert.match(r.failure!, /RawGlucoseEntries: 8 problem\(s\) in \d+ rows/);
  assert.match(r.failure!, /row \d+ \(_id [0-9a-f]{24}\): sgv is -50, but RawGlucoseEntries requires a value between 1 and 1000/);
  assert.match(r.failure!, /sgv is 1500, but RawGlucoseEntries requires a value between 1 and 1000/);
  assert.match(r.failure!, /direction is "Sideways", but RawGlucoseEntries requires one of Flat, FortyFiveUp/);
  const v = r.events.find((e) => e.type === 'VALIDATION')!;
  const failures = v.metadata!.failures as { column: string; value: unknown; rule: string }[];
  assert.deepEqual(failures.map((f) => f.column).sort(), ['direction', 'direction', 'sgv', 'sgv', 'sgv', 'sgv', 'sgv', 'sgv']);
  assert.equal(await count("select count(*) as n from raw.glucose_entries where cast(date_string as date) = DATE '2025-01-05'", r.branch!), 0);
  assert.deepEqual(await lake.storage.list('stage'), [], 'the staging file is removed');
  assert.ok(r.events.some((e) => e.type === 'STEP_SKIPPED' && e.asset === 'fct_glucose_readings'));
});

test('a failing blocking check keeps the run off main and says why', async () => {
  now = Date.parse('2025-01-07T06:00:00Z');
  const mainBefore = await lake.refHash('main');
  const r = await pipeline.materialize({ select: noPublish, partitions: ['2025-01-06'] });
  assert.equal(r.status, 'FAILURE');
  assert.equal(await lake.refHash('main'), mainBefore);
  assert.match(r.failure!, /blocking check\(s\) failed: glucose_entries_quality\.range_check\(sgv, 20\.\.600\) \(48 of \d+ rows have sgv outside 20\.\.600/);
  assert.match(r.failure!, /main was not changed/);
  const check = r.checks.find((c) => c.check.startsWith('range_check(sgv'))!;
  assert.equal(check.passed, false);
  assert.equal(check.severity, 'ERROR');
  assert.equal(check.failures, 48);
  assert.ok(check.sample.length > 0);
  assert.ok((await lake.refs()).some((x) => x.name === r.branch), 'the run branch is kept for inspection');
  assert.ok(await count("select count(*) as n from raw.glucose_entries where cast(date_string as date) = DATE '2025-01-06'", r.branch!) > 200);
  assert.equal(await count("select count(*) as n from raw.glucose_entries where cast(date_string as date) = DATE '2025-01-06'"), 0);
});

test('the marts in Postgres equal the gold tables on main', async () => {
  now = Date.parse('2025-01-07T07:00:00Z');
  const r = await pipeline.publish();
  assert.equal(r.status, 'SUCCESS', r.failure ?? '');
  const pg = await pipeline.postgres();
  const norm = (v: unknown) => (v instanceof Date ? v.getTime() : typeof v === 'bigint' ? Number(v) : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v);
  for (const [t, order] of [['mrt_glucose_overview', 'reading_date'], ['mrt_glucose_hourly_patterns', 'day_of_week, hour_of_day']]) {
    const lakeRows = (await sql(`select * from marts.${t} order by ${order}`)).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, norm(v)])));
    const pgRows = (await pg.query(`select * from marts.${t} order by ${order}`)).rows.map((row) => Object.fromEntries(Object.entries(row as Record<string, unknown>).map(([k, v]) => [k, norm(v)])));
    assert.ok(lakeRows.length > 0);
    assert.deepEqual(pgRows, lakeRows, `${t} in Postgres equals the Iceberg table`);
  }
  const types = (await pg.query("select column_name, data_type from information_schema.columns where table_schema = 'marts' and table_name = 'mrt_glucose_overview' order by ordinal_position")).rows as { column_name: string; data_type: string }[];
  assert.deepEqual(types.slice(0, 2), [{ column_name: 'reading_date', data_type: 'date' }, { column_name: 'day_name', data_type: 'text' }]);
});

test('check results are kept per asset and run', async () => {
  const history = await pipeline.checkHistory('dlt_glucose_entries');
  assert.ok(history.length >= 6);
  const failedRun = history.find((c) => !c.passed && c.check.startsWith('range_check(sgv'))!;
  assert.match(failedRun.runId, /^[0-9a-f]{16}$/);
  assert.match(String(failedRun.ref), /^pipeline[/-]run-/);
  assert.ok(history.every((c) => c.asset === 'dlt_glucose_entries'));
});

test('a merge conflict or an unexpected error still ends as a recorded failed run, main unchanged', async () => {
  now = Date.parse('2025-01-09T06:00:00Z');
  const before = await lake.refHash('main');
  const mergeBranch = lake.mergeBranch.bind(lake);
  lake.mergeBranch = async () => { throw new Error('conflict on raw.glucose_entries: main moved since the branch was created'); };
  try {
    const r = await pipeline.materialize({ select: ['dlt_glucose_entries'], partitions: ['2025-01-08'] });
    assert.equal(r.status, 'FAILURE');
    assert.match(r.failure!, /merging pipeline[/-]run-[0-9a-f]{8} into main failed: conflict on raw\.glucose_entries/);
    assert.equal(await lake.refHash('main'), before);
    assert.equal((await pipeline.run(r.runId)).status, 'FAILURE');
  } finally {
    lake.mergeBranch = mergeBranch;
  }
  const merge = lake.merge.bind(lake);
  lake.merge = async () => { throw new Error('disk full while writing a data file'); };
  try {
    const r = await pipeline.materialize({ select: ['dlt_glucose_entries'], partitions: ['2025-01-09'] });
    assert.equal(r.status, 'FAILURE');
    assert.match(r.failure!, /disk full/);
    assert.equal(await lake.refHash('main'), before);
  } finally {
    lake.merge = merge;
  }
});

test('a backfill with several bad days reports all of them and merges nothing', async () => {
  now = Date.parse('2025-01-14T06:00:00Z');
  const withBadDays = new Pipeline({
    lake,
    definitions: glucoseDefinitions({ project: readProjectFiles(GLUCOSE_PROJECT_DIR), badDays: { '2025-01-10': 'impossible', '2025-01-12': 'impossible' } }),
    clock: () => now,
  });
  const before = await lake.refHash('main');
  const r = await withBadDays.backfill('2025-01-10', '2025-01-12', ['dlt_glucose_entries']);
  assert.equal(r.status, 'FAILURE');
  assert.match(r.failure!, /2 of 3 partitions failed \(2025-01-10, 2025-01-12\)\. The first:\ndlt_glucose_entries for 2025-01-10 did not pass validation/);
  assert.equal(r.events.filter((e) => e.type === 'PROGRESS').length, 3);
  assert.equal(r.events.filter((e) => e.type === 'VALIDATION').length, 2);
  assert.equal(await lake.refHash('main'), before);
});

test('a full refresh rebuilds an incremental model from all of its input', async () => {
  const r = await pipeline.materialize({ select: ['fct_daily_glucose_metrics'], partitions: ['2025-01-03'], fullRefresh: true });
  assert.equal(r.status, 'SUCCESS', r.failure ?? '');
  const m = r.events.find((e) => e.type === 'MATERIALIZATION' && e.asset === 'fct_daily_glucose_metrics')!;
  assert.match(m.message, /^incremental: wrote \d+ rows/);
  const days = await count('select count(distinct reading_date) as n from silver.fct_glucose_readings');
  assert.equal(await count('select count(*) as n from gold.fct_daily_glucose_metrics'), days);
});
