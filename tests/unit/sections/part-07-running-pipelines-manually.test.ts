/**
 * Part 7's hands-on section against the warehouse the site ships: main is put at the
 * section's checkpoint (part-05-ingestion), every prepared query runs, and the tasks are
 * solved in order with their own solutions through the learner's terminal (and file edits):
 * each check fails before its solution and passes after it. The numbers the text of Part 7
 * quotes (rows, partitions, assets per run, what the tick launched) are asserted here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import section, { ONE_ASSET, SELECTION, DOWNSTREAM, BACKFILL, BAD_DAY_RUN, TICK } from '../../../src/sandbox/sections/part-07-running-pipelines-manually.ts';
import { sectionHarness, githubSlug, repo } from './prebuilt-section.ts';

const MDX = join(repo, 'content/parts/07-orchestration-with-dagster.mdx');
const debug = process.env.PART07_DEBUG ? (...a: unknown[]) => console.log(...a) : () => {};
const { rowsOf, terminal, passes, checkShape, applySolution, setLastQuery, runQuery, lastRun, withLake } = sectionHarness({
  section,
  tmpPrefix: 'part07-',
  phloPathsOk: [
    'examples/glucose-platform/workflows/ingestion/nightscout/readings.py',
    'examples/glucose-platform/workflows/quality/nightscout.py',
    'src/phlo/defs/partitions.py',
    'src/phlo/defs/transform/dbt.py',
    'src/phlo/config.py',
    'src/phlo/framework/discovery.py',
  ],
  // Not at the pinned commit (or wrong for the example project): the post's asset name,
  // 2024 dates before the first partition, container names of the other stack.
  forbiddenCommands: /phlo materialize --select|phlo quality run|phlo catalog sync|--select glucose_entries\b|backfill glucose_entries|2024-|dagster-webserver dagster|phlo schedule|phlo sensor/,
});

test('the section is well formed and matches its MDX heading, frontmatter and embed', () => {
  checkShape();
  assert.equal(section.id, 'part-07-running-pipelines-manually');
  assert.equal(section.checkpoint, 'part-05-ingestion');
  const mdx = readFileSync(MDX, 'utf8');
  const headings = [...mdx.matchAll(/^## (.*)$/gm)].map((m) => githubSlug(m[1]!));
  assert.ok(headings.includes(section.anchor), 'a heading produces the anchor running-pipelines-manually');
  assert.match(mdx, /^readingMinutes: 45$/m);
  assert.match(mdx, new RegExp(`anchor: "?${section.anchor}"?`), 'frontmatter lists the anchor');
  assert.match(mdx, new RegExp(`<HandsOn section="${section.id}"`), 'the section is embedded');
  // Every command line the text shows for the miniature is one this section's tests run.
  for (const cmd of [ONE_ASSET, SELECTION, DOWNSTREAM, BACKFILL, BAD_DAY_RUN, TICK]) assert.ok(mdx.includes(cmd), `the MDX shows "${cmd}"`);
});

test('the checkpoint holds 2025-01-01 .. 2025-01-07 in every layer', async () => {
  const rows = await rowsOf(section.queries[0]!.sql);
  debug(rows);
  assert.deepEqual(rows.map((r) => [r.asset_table, Number(r.days)]), [
    ['raw.glucose_entries', 7], ['silver.fct_glucose_readings', 7], ['gold.fct_daily_glucose_metrics', 7], ['marts.mrt_glucose_overview', 7],
  ]);
});

test('every prepared query runs on the checkpoint and returns rows', async () => {
  for (const q of section.queries) {
    const rows = await rowsOf(q.sql, q.ref ?? 'main');
    assert.ok(rows.length > 0, `${q.label} returns rows`);
  }
  const builder = await rowsOf(section.queries[3]!.sql, 'part-07-backfill');
  assert.equal(builder.length, 13, "the builder's backfill made 2025-01-08 .. 2025-01-20");
});

test('the schedule and sensors are listed, and a dry-run tick launches nothing', async () => {
  const s = await terminal('schedules --as-of 2025-01-16T05:30:00Z');
  debug(s.out.join('\n'));
  assert.equal(s.code, 0);
  assert.match(s.out.join('\n'), /daily_glucose_pipeline\s+"0 6 \* \* \*"\s+next tick 2025-01-16T06:00:00Z/);
  assert.match(s.out.join('\n'), /dlt_glucose_entries\s+on_cron\("0 \*\/1 \* \* \*"\)\s+next tick 2025-01-16T06:00:00Z/);
  const sensors = await terminal('sensors');
  assert.match(sensors.out.join('\n'), /auto_promotion_sensor\s+every 30 s[\s\S]*branch_cleanup_sensor\s+every 3600 s/);
  const dry = await terminal(`${TICK} --dry-run`);
  debug(dry.out.join('\n'));
  assert.equal(dry.code, 0);
  assert.equal(dry.run, null, 'a dry run starts no run');
  assert.match(dry.out.join('\n'), /FIRED\s+schedule daily_glucose_pipeline: would run 7 assets for 2025-01-15/);
});

test('every task fails before its solution and passes after it, in order', async () => {
  const runsBefore = (await terminal('runs')).out.length;
  let failedBranch = '';
  for (const task of section.tasks) {
    setLastQuery(null);
    assert.equal(await passes(task.check), false, `${task.id} must not pass before its solution`);
    const results = await applySolution(task.solution);
    for (const r of results) {
      debug(`$ ${r.cmd}\n${r.out.join('\n')}\n${r.err.join('\n')}`);
      const expectFail = task.id === 'failing-check';
      assert.equal(r.code, expectFail ? 1 : 0, `${task.id}: "${r.cmd}" exit code; ${r.err.join('\n')}`);
    }
    const run = results.at(-1)?.run;
    if (task.id === 'one-asset') {
      assert.deepEqual(run?.selection, ['dlt_glucose_entries']);
      const days = await rowsOf(section.queries[0]!.sql);
      assert.deepEqual(days.map((r) => Number(r.days)), [8, 7, 7, 7], 'raw moved to eight days, every other layer is still at seven');
    }
    if (task.id === 'a-selection') {
      assert.deepEqual(run?.selection, ['stg_glucose_entries', 'fct_glucose_readings'], 'dependency order');
      assert.equal(run?.materializations.find((m) => m.asset === 'fct_glucose_readings')?.inserted, 2247, 'the silver table is rewritten whole: eight days');
    }
    if (task.id === 'everything-downstream') {
      assert.equal(run?.selection.length, 6, 'fct_glucose_readings and five assets downstream of it');
      assert.equal(run?.selection.at(-1), 'publish_marts_to_postgres');
    }
    if (task.id === 'backfill-range') {
      const out = results[0]!.out.join('\n');
      assert.match(out, /Backfilling 6 partitions \(2025-01-09 \.\. 2025-01-14\)/);
      assert.equal(run?.partitions.length, 6);
      assert.equal(run?.selection.length, 8, 'every asset');
      assert.equal(run?.events.filter((e) => e.type === 'PROGRESS').length, 6, 'one progress event per partition');
      const raw = run!.materializations.filter((m) => m.asset === 'dlt_glucose_entries');
      assert.equal(raw.length, 6);
      assert.deepEqual(raw.map((m) => [m.partition, m.inserted]), [
        ['2025-01-09', 288], ['2025-01-10', 288], ['2025-01-11', 288], ['2025-01-12', 264], ['2025-01-13', 288], ['2025-01-14', 288],
      ], 'six days as of 09:00 the next morning: 1,704 readings, 2025-01-12 with a two-hour gap');
      const log = await terminal(`logs ${run!.runId.slice(0, 8)}`);
      assert.equal(log.code, 0);
      debug(log.out.slice(0, 12).join('\n'));
      assert.ok(log.out.some((l) => /PROGRESS\s+dlt_glucose_entries @ 2025-01-14: 6\/6 partitions ingested/.test(l)));
      assert.ok(log.out.some((l) => /BRANCH_MERGED/.test(l)));
    }
    if (task.id === 'failing-check') {
      const r = results[0]!;
      assert.match(r.err.join('\n'), /glucose_entries_quality\.range_check\(sgv, 20\.\.600\)/);
      assert.equal(run?.status, 'FAILURE');
      const skipped = run!.events.filter((e) => e.type === 'STEP_SKIPPED').map((e) => e.asset);
      assert.equal(skipped.length, 6, 'the six dbt assets downstream of the failed one are skipped');
      assert.ok(!run!.events.some((e) => e.asset === 'publish_marts_to_postgres'), 'publishing is never reached');
      assert.ok(run!.events.some((e) => e.type === 'BRANCH_KEPT'));
      assert.equal(run!.mainAfter, run!.mainBefore, 'main is not touched');
      assert.equal(lastRun()?.status, 'failed');
      failedBranch = run!.branch!;
      const bad = run!.checks.find((c) => !c.passed && c.severity === 'ERROR')!;
      assert.equal(bad.failures, 47);
      assert.equal(bad.total, 285);
      assert.deepEqual(bad.observed, { min: 5, max: 896, out_of_range: 47 });
    }
    if (task.id === 'schedule-tick') {
      const out = results[0]!.out.join('\n');
      assert.match(out, /FIRED\s+schedule daily_glucose_pipeline: ran 7 assets for 2025-01-15: SUCCESS/);
      assert.match(out, /skipped condition dlt_glucose_entries on_cron\("0 \*\/1 \* \* \*"\): 2025-01-15 was already materialised since the 2025-01-16T06:00:00Z tick/);
      assert.match(out, /skipped sensor auto_promotion_sensor: no audited branch waiting/);
      assert.ok(out.includes(`skipped sensor branch_cleanup_sensor: dry run: would delete ${failedBranch} (branches failed runs kept for inspection)`), 'the cleanup sensor lists the failed run of 05:00');
      assert.deepEqual(run?.tags, { trigger: 'schedule daily_glucose_pipeline', tick: '2025-01-16T06:00:00Z' });
      const day = await rowsOf(`select reading_count from gold.fct_daily_glucose_metrics where reading_date = date '2025-01-15'`);
      assert.equal(Number(day[0]!.reading_count), 280, 'at 06:00 the late readings of 2025-01-15 have not arrived yet');
    }
    if (task.solution.sql) await runQuery(task.solution.sql);
    assert.equal(await passes(task.check), true, `${task.id} passes after its solution`);
  }
  const runs = await terminal('runs');
  debug(runs.out.join('\n'));
  assert.equal(runs.out.length - runsBefore, 6, 'six runs: three materialisations, a backfill, a failed run, a scheduled run');
  const final = await rowsOf(section.queries[0]!.sql);
  assert.deepEqual(final.map((r) => Number(r.days)), [15, 15, 15, 15], 'every layer holds 2025-01-01 .. 2025-01-15');
  void withLake;
});
