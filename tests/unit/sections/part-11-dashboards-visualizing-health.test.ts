/**
 * Part 11's hands-on section against the warehouse the site ships: main at the
 * part-09-quality checkpoint (two failed days), the run log marked with that checkpoint as
 * the browser session marks it, every prepared query and dashboard panel runs, the numbers
 * the text quotes hold, and each task fails before its solution and passes after it.
 */
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import section, { FAILED_RUN_BRANCH, NEXT_DAY_RUN, LATER_ALERTS } from '../../../src/sandbox/sections/part-11-dashboards-visualizing-health.ts';
import { sections } from '../../../src/sandbox/sections/index.ts';
import { sectionHarness, githubSlug, repo } from './prebuilt-section.ts';
import { markCheckpoint, visibleRuns } from '../../../sandboxes/pipeline/observe/run-log.ts';
import { parseAlertRules, evaluateAlerts } from '../../../sandboxes/pipeline/observe/alerts.ts';
import { readProjectFiles, GLUCOSE_PROJECT_DIR } from '../../../sandboxes/pipeline/transform/load-dir.ts';

const MDX = join(repo, 'content/parts/11-observability-and-monitoring.mdx');
const { withLake, rowsOf, terminal, passes, checkShape, setLastQuery, runQuery } = sectionHarness({
  section,
  tmpPrefix: 'part11-',
  phloPathsOk: [
    'src/phlo/metrics/collector.py',
    'src/phlo/lineage/graph.py',
    'src/phlo/alerting/manager.py',
    'src/phlo/alerting/sensor.py',
    'src/phlo/cli/metrics.py',
    'src/phlo/cli/logs.py',
    'src/phlo/cli/lineage.py',
    'src/phlo/cli/alerts.py',
  ],
  forbiddenCommands: /phlo quality run|phlo catalog sync|phlo k8s|phlo metrics$|phlo lineage export (--|$)|jaeger|2024-/i,
});

// The browser session writes this marker when it puts main at the checkpoint. Written at the
// start of each test (the harness's warehouse is opened by its own before hook).
let marked = false;
beforeEach(async () => {
  if (!marked) await withLake((lake) => markCheckpoint(lake.storage, section.checkpoint));
  marked = true;
});

const one = async (sql: string) => (await rowsOf(sql))[0]!;

test('the section is well formed, registered, and matches its MDX heading', () => {
  checkShape();
  assert.equal(sections[section.id], section, 'registered in src/sandbox/sections/index.ts');
  assert.equal(section.checkpoint, 'part-09-quality');
  assert.ok(section.panes.includes('dashboard') && section.dashboard && section.dashboard.panels.length >= 4);
  assert.ok(section.files?.every((f) => f in readProjectFiles(GLUCOSE_PROJECT_DIR)), 'the editable files exist in the pipeline project');
  const mdx = readFileSync(MDX, 'utf8');
  const slugs = [...mdx.matchAll(/^##+ (.*)$/gm)].map((m) => githubSlug(m[1]!));
  assert.ok(slugs.includes(section.anchor), 'a heading produces the section anchor');
  assert.match(mdx, new RegExp(`anchor: "?${section.anchor}"?`), 'frontmatter lists the anchor');
  assert.match(mdx, new RegExp(`<HandsOn section="${section.id}"`), 'the section is embedded');
  for (const cmd of [NEXT_DAY_RUN, LATER_ALERTS]) assert.ok(mdx.includes(cmd), `the text shows "${cmd}"`);
});

test('the numbers the text quotes hold on the checkpoint', async () => {
  assert.deepEqual(await one(`select count(*) as runs, count(*) filter (where status = 'FAILURE') as failed, count(*) filter (where kind = 'backfill') as backfills from ops.runs`), { runs: 12, failed: 2, backfills: 1 });
  // "seven daily runs, two re-runs, a 13-day backfill, and the two failures"
  assert.deepEqual(await one(`select count(*) filter (where kind = 'materialize' and status = 'SUCCESS') as single_days,
      count(distinct first_partition) filter (where kind = 'materialize' and status = 'SUCCESS') as distinct_days,
      max(partitions) filter (where kind = 'backfill') as backfill_days from ops.runs`), { single_days: 9, distinct_days: 7, backfill_days: 13 });
  assert.deepEqual(await one(`select cast(last_snapshot_at as varchar) as last, hours_since_update as h, cast(as_of as varchar) as as_of from ops.freshness where table_name = 'gold.fct_daily_glucose_metrics'`), { last: '2025-01-21 06:00:00', h: 48, as_of: '2025-01-23 06:00:00' });
  assert.deepEqual(await one(`select count(*) as n, count(*) filter (where column_name = 'sgv') as sgv, count(*) filter (where column_name = 'direction') as direction from ops.validation_failures`), { n: 8, sgv: 6, direction: 2 });
  assert.deepEqual(await one(`select count(distinct partition) as days from ops.materializations where asset = 'dlt_glucose_entries' and reached_main`), { days: 20 });
  assert.deepEqual(await one(`select c.failures, c.rows_checked, r.branch, c.message from ops.check_results c join ops.runs r using (run_id) where not passed`), { failures: 44, rows_checked: 259, branch: FAILED_RUN_BRANCH, message: '44 of 259 rows have sgv outside 20..600 (seen 5..898)' });
  // The shipped durations are counted steps: the backfill of 13 days is the longest run.
  const longest = await one(`select kind from ops.runs order by duration_ms desc limit 1`);
  assert.equal(longest.kind, 'backfill');
});

test('every prepared query and every dashboard panel returns rows on the checkpoint', async () => {
  for (const q of section.queries) assert.ok((await rowsOf(q.sql, q.ref ?? 'main')).length > 0, `${q.label} returns rows`);
  for (const p of section.dashboard!.panels) {
    assert.equal(p.engine, 'duckdb');
    const rows = await rowsOf(p.sql, p.ref ?? 'main');
    assert.ok(rows.length > 0, `panel "${p.title}" returns rows`);
    for (const col of [p.x, p.y].filter(Boolean)) assert.ok(col! in rows[0]!, `panel "${p.title}" has column ${col}`);
  }
  const bars = await rowsOf(section.dashboard!.panels[2]!.sql);
  assert.equal(bars.length, 20, 'one bar per day on main: 01-01 .. 01-20');
});

test('every SQL block of the text runs on the checkpoint and returns rows', async () => {
  const blocks = [...readFileSync(MDX, 'utf8').matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.ok(blocks.length >= 4, 'the text shows its queries');
  for (const sql of blocks) assert.ok((await rowsOf(sql.replace(/;\s*$/, ''))).length > 0, `returns rows: ${sql}`);
});

test('alerts at the checkpoint: stale data and the failed check both fire', async () => {
  const r = await terminal('alerts');
  assert.equal(r.code, 0, r.err.join('\n'));
  const text = r.out.join('\n');
  assert.match(text, /Alerts at 2025-01-23T06:00:00Z: 4 rule\(s\) from alerts.yml, 2 firing/);
  assert.match(text, /FIRING warning {2}daily_metrics_stale: gold.fct_daily_glucose_metrics is 48 h old \(last change 2025-01-21T06:00:00Z; threshold 36 h\)/);
  assert.match(text, /FIRING warning {2}blocking_checks_failed: 1 failed ERROR check\(s\) in the last 24 h: glucose_entries_quality.range_check/);
  assert.match(text, /ok {5}critical daily_metrics_very_stale/);
  assert.match(text, /ok {5}warning {2}ingestion_gaps: 0 day\(s\) of dlt_glucose_entries missing on main between 2025-01-01 and 2025-01-20/);
});

test('the 36-hour margin: a run half an hour late sets off a 24-hour rule but not the shipped one', async () => {
  const shipped = readProjectFiles(GLUCOSE_PROJECT_DIR)['alerts.yml']!;
  const edited = shipped.replace('above: 36h', 'above: 24h');
  assert.notEqual(edited, shipped);
  await withLake(async (lake) => {
    // As if the run of 2025-01-23 had happened at 06:00 on the 24th and the next one is late.
    const gold = (await lake.snapshots('main', 'gold.fct_daily_glucose_metrics')).at(-1)!;
    const at = gold.timestampMs + 24.5 * 3_600_000;
    const runs = await visibleRuns(lake.storage);
    const state = async (yml: string) => (await evaluateAlerts({ rules: parseAlertRules(yml), runs, warehouse: lake.warehouse, at })).find((r) => r.rule === 'daily_metrics_stale')!;
    assert.equal((await state(shipped)).firing, false);
    const strict = await state(edited);
    assert.equal(strict.firing, true);
    assert.equal(strict.value, 24.5);
  });
});

test('every task fails before its solution and passes after it, in order', async () => {
  for (const task of section.tasks) {
    setLastQuery(null);
    assert.equal(await passes(task.check), false, `${task.id} must not pass before its solution`);
    for (const cmd of task.solution.commands ?? []) {
      const r = await terminal(cmd);
      assert.equal(r.code, 0, `${task.id}: "${cmd}" failed: ${r.err.join('\n')}`);
      if (cmd === LATER_ALERTS) {
        const text = r.out.join('\n');
        // The text quotes these: 42 hours, one rule firing, the critical one and the check rule quiet.
        assert.match(text, /2 firing/);
        assert.match(text, /FIRING warning {2}ingestion_gaps: .*\(already firing: not sent again\)/);
        assert.match(text, /FIRING warning {2}daily_metrics_stale: gold.fct_daily_glucose_metrics is 42 h old/);
        assert.match(text, /ok {5}warning {2}blocking_checks_failed: 0 failed/);
        // Step 4 goes on: at 78 hours the critical rule pages, and the warning is not sent again.
        const later = (await terminal('alerts --at 2025-01-27T12:00:00Z')).out.join('\n');
        assert.match(later, /FIRING critical daily_metrics_very_stale: .* is 78 h old .* -> notify: page the on-call/);
        assert.match(later, /FIRING warning {2}daily_metrics_stale: .*\(already firing: not sent again\)/);
      }
    }
    if (task.id === 'run-a-day') {
      assert.deepEqual(await one(`select count(*) as runs, count(*) filter (where status = 'FAILURE') as failed from ops.runs`), { runs: 13, failed: 2 });
      assert.deepEqual(await one(`select hours_since_update as h from ops.freshness where table_name = 'gold.fct_daily_glucose_metrics'`), { h: 0 });
      assert.deepEqual(await one(`select hours_since_update as h from ops.freshness where table_name = 'marts.mrt_glucose_overview'`), { h: 72 }, 'the marts did not run: three days old');
      const after = await terminal('alerts');
      // Fresh, but not complete: only the gap rule fires.
      const afterText = after.out.join('\n');
      assert.match(afterText, /Alerts at 2025-01-24T06:00:00Z: .* 1 firing/);
      assert.match(afterText, /FIRING warning {2}ingestion_gaps: 2 day\(s\) of dlt_glucose_entries missing on main between 2025-01-01 and 2025-01-23: 2025-01-21, 2025-01-22 {2}-> notify: team channel/);
    }
    if (task.solution.sql) await runQuery(task.solution.sql);
    assert.equal(await passes(task.check), true, `${task.id} passes after its solution`);
    if (task.id === 'read-the-bad-rows') assert.equal((await rowsOf(task.solution.sql!)).length, 44);
  }
});
