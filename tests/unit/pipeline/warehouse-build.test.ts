/**
 * The long runs: a 30-day backfill, and the prebuilt warehouse the site ships, built twice
 * from the same seed (it must come out byte for byte the same) with its checkpoints.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from '../../../sandboxes/lakehouse/storage/memory.ts';
import { buildWarehouse } from '../../../sandboxes/pipeline/cli/build-warehouse.ts';
import { openNodeLakehouse } from '../../../sandboxes/pipeline/lakehouse/open-node.ts';
import { openLakehouse } from '../../../sandboxes/pipeline/lakehouse/open.ts';
import { createNodeEngine } from '../../../sandboxes/lakehouse/sql/duckdb-node.ts';
import { readProjectFiles, GLUCOSE_PROJECT_DIR } from '../../../sandboxes/pipeline/transform/load-dir.ts';
import { glucoseDefinitions } from '../../../sandboxes/pipeline/orchestrate/definitions.ts';
import { Pipeline } from '../../../sandboxes/pipeline/orchestrate/pipeline.ts';
import { arrowToRows } from '../../../sandboxes/pipeline/util/arrow.ts';

test('a 30-day backfill materialises every partition with per-partition progress', async () => {
  const now = Date.parse('2025-03-05T06:00:00Z');
  const lake = await openNodeLakehouse({ clock: () => now, idSeed: 'backfill' });
  try {
    const pipeline = new Pipeline({ lake, definitions: glucoseDefinitions({ project: readProjectFiles(GLUCOSE_PROJECT_DIR) }), clock: () => now });
    const progress: string[] = [];
    const r = await pipeline.backfill('2025-02-01', '2025-03-02', ['dlt_glucose_entries', 'kind:dbt']);
    for (const e of r.events) if (e.type === 'PROGRESS') progress.push(String(e.metadata!.done));
    assert.equal(r.status, 'SUCCESS', r.failure ?? '');
    assert.equal(r.kind, 'backfill');
    assert.equal(r.partitions.length, 30);
    assert.deepEqual(progress, Array.from({ length: 30 }, (_, i) => String(i + 1)));
    assert.equal(r.materializations.filter((m) => m.asset === 'dlt_glucose_entries').length, 30);
    const perDay = arrowToRows(await lake.query(
      `select d.reading_date, d.reading_count, r.n from gold.fct_daily_glucose_metrics d
       join (select cast(date_string as date) as reading_date, count(*) as n from raw.glucose_entries group by 1) r using (reading_date)
       order by 1`, 'main'));
    assert.equal(perDay.length, 30);
    for (const row of perDay) assert.equal(row.reading_count, row.n);
    const overview = arrowToRows(await lake.query('select count(*) as n, min(reading_date) as lo from marts.mrt_glucose_overview', 'main'))[0];
    assert.equal(overview.n, 30);
  } finally {
    await lake.close();
  }
});

test('the prebuilt warehouse is byte-identical from the same seed, with its checkpoints as tags', async () => {
  const a = new MemoryStorage();
  const b = new MemoryStorage();
  const [ra] = await Promise.all([buildWarehouse(a), buildWarehouse(b)]);
  const filesA = await a.list('');
  const filesB = await b.list('');
  assert.deepEqual(filesA, filesB);
  assert.ok(filesA.length > 300);
  assert.ok(filesA.some((f) => f.endsWith('.parquet')) && filesA.some((f) => f.endsWith('.avro')) && filesA.some((f) => f.endsWith('.metadata.json')));
  for (const f of filesA) assert.deepEqual(await a.read(f), await b.read(f), `${f} differs between two builds`);

  const manifest = JSON.parse(new TextDecoder().decode(await a.read('checkpoints.json')));
  assert.deepEqual(manifest.checkpoints.map((c: { name: string }) => c.name), ['part-02-start', 'part-02-first-ingest', 'part-03-snapshots', 'part-05-ingestion', 'part-07-backfill', 'part-09-quality', 'part-04-branches', 'part-13-plugins', 'part-04-nessie']);
  assert.equal(ra.runs.length, 14);
  // Part 4's start is written last (so no earlier checkpoint changes): part-04-branches' commit and
  // runs, with only the branches that existed then (no tags of other parts).
  const byName = new Map(manifest.checkpoints.map((c: { name: string }) => [c.name, c]));
  const p04 = byName.get('part-04-nessie') as { commit: string; runs: string[]; exclusive?: boolean; refs?: { name: string; type: string }[] };
  const p04b = byName.get('part-04-branches') as { commit: string; runs: string[]; exclusive?: boolean };
  assert.equal(p04.commit, p04b.commit);
  assert.deepEqual(p04.runs, p04b.runs);
  assert.equal(p04.exclusive, true);
  assert.equal(p04b.exclusive, undefined, 'the older checkpoint entry is unchanged');
  assert.deepEqual(p04.refs!.map((r) => `${r.type} ${r.name}`).filter((r) => !/^BRANCH pipeline-run-/.test(r)), ['BRANCH dev']);
  assert.equal(p04.refs!.length, 4, 'dev, the audit in progress and the two failed runs');

  const lake = await openLakehouse({ storage: a, engine: await createNodeEngine() });
  try {
    const days = async (ref: string) => arrowToRows(await lake.query('select count(distinct cast(date_string as date)) as n from raw.glucose_entries', ref))[0].n;
    assert.equal(await days('part-02-first-ingest'), 1);
    assert.equal(await days('part-03-snapshots'), 7);
    assert.equal(await days('part-07-backfill'), 20);
    assert.equal(await days('part-09-quality'), 20, 'the two bad days never reached main');
    assert.equal((await lake.snapshots('part-03-snapshots', 'raw.glucose_entries')).length, 7);
    const refs = await lake.refs();
    assert.ok(refs.some((r) => r.name === 'dev' && r.type === 'branch'));
    const audit = refs.filter((r) => /^pipeline[/-]run-/.test(r.name));
    assert.equal(audit.length, 3, 'two failed runs and one audit in progress keep their branches');
    // The audit in progress is the run before Part 13's plugin run.
    const inProgress = ra.runs.at(-2)!;
    assert.equal(await days(inProgress.branch!), 23);
    assert.equal(await days('main'), 20);
    const late = arrowToRows(await lake.query("select count(*) as n from raw.glucose_entries where cast(date_string as date) = DATE '2025-01-03'", 'part-05-ingestion'))[0].n;
    const before = arrowToRows(await lake.query("select count(*) as n from raw.glucose_entries where cast(date_string as date) = DATE '2025-01-03'", 'part-03-snapshots'))[0].n;
    assert.ok(Number(late) > Number(before), 'the re-run merged late readings into 2025-01-03');
    const index = JSON.parse(new TextDecoder().decode(await a.read('_index.json')));
    assert.equal(index.files.length, filesA.length - 1);
  } finally {
    await lake.close();
  }
});
