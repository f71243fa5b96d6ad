/**
 * The run log as SQL (ops.* tables) and the alert evaluator, on the prebuilt warehouse the
 * site ships (its story has successful runs, a backfill and two failed days).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prebuiltWarehouse } from '../sections/prebuilt-section.ts';
import { openNodeLakehouse } from '../../../sandboxes/pipeline/lakehouse/open-node.ts';
import type { WarehouseLakehouse } from '../../../sandboxes/pipeline/lakehouse/warehouse-adapter.ts';
import { arrowToRows } from '../../../sandboxes/pipeline/util/arrow.ts';
import { markCheckpoint, visibleRuns, logClock } from '../../../sandboxes/pipeline/observe/run-log.ts';
import { OPS_TABLES } from '../../../sandboxes/pipeline/observe/ops-tables.ts';
import { parseAlertRules, evaluateAlerts, runAlerts, AlertRuleError, parseDuration } from '../../../sandboxes/pipeline/observe/alerts.ts';
import { readProjectFiles, GLUCOSE_PROJECT_DIR } from '../../../sandboxes/pipeline/transform/load-dir.ts';
import { listRuns } from '../../../sandboxes/pipeline/orchestrate/runlog.ts';

let dir: string;
let lake: WarehouseLakehouse;
const rows = async (sql: string) => arrowToRows(await lake.query(sql, 'main'));
const at = (iso: string) => Date.parse(iso);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'observe-'));
  await prebuiltWarehouse(join(dir, 'wh'));
  lake = await openNodeLakehouse({ dir: join(dir, 'wh') });
  await lake.warehouse.assignRef('main', 'part-09-quality');
});

after(async () => {
  await lake?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('an empty warehouse still has every ops table, with its columns and no rows', async () => {
  const empty = await openNodeLakehouse();
  try {
    for (const t of OPS_TABLES) {
      const result = await empty.query(`select * from ${t}`, 'main');
      assert.equal(result.numRows, 0, `${t} is empty`);
      assert.ok(result.schema.fields.length >= 5, `${t} keeps its columns`);
    }
  } finally {
    await empty.close();
  }
});

test('the checkpoint marker hides the runs the story makes after the checkpoint', async () => {
  const all = await listRuns(lake.storage);
  assert.equal((await rows('select count(*) as n from ops.runs'))[0]!.n, all.length, 'without a marker every run is visible');
  await markCheckpoint(lake.storage, 'part-09-quality');
  const visible = await visibleRuns(lake.storage);
  assert.ok(visible.length < all.length, 'the audited run after the checkpoint is hidden');
  assert.equal((await rows('select count(*) as n from ops.runs'))[0]!.n, visible.length, 'ops.runs is rebuilt when the marker changes');
  assert.equal(new Date(logClock(visible)!).toISOString(), '2025-01-23T06:00:00.000Z', 'the log clock is the newest visible run');
});

test('ops.runs, ops.check_results, ops.validation_failures and ops.materializations tell the failed days apart', async () => {
  await markCheckpoint(lake.storage, 'part-09-quality');
  const failed = await rows(`select cast(first_partition as varchar) as day, reached_main, checks_failed from ops.runs where status = 'FAILURE' order by 1`);
  assert.deepEqual(failed, [
    { day: '2025-01-21', reached_main: false, checks_failed: 0 },
    { day: '2025-01-22', reached_main: false, checks_failed: 1 },
  ]);
  const checks = await rows(`select check_group, check_name, failures, rows_checked from ops.check_results where not passed`);
  assert.deepEqual(checks, [{ check_group: 'glucose_entries_quality', check_name: 'range_check(sgv, 20..600)', failures: 44, rows_checked: 259 }]);
  const rejected = await rows(`select count(*) as n, count(distinct column_name) as columns from ops.validation_failures`);
  assert.deepEqual(rejected, [{ n: 8, columns: 2 }], 'the validation failure of 2025-01-21 names its 8 problems in sgv and direction');
  const perDay = await rows(`select count(distinct partition) as days from ops.materializations where asset = 'dlt_glucose_entries' and reached_main`);
  assert.equal(perDay[0]!.days, 20, '2025-01-01 .. 2025-01-20 reached main');
  const events = await rows(`select count(*) as n from ops.run_events where type = 'RUN_FAILURE'`);
  assert.equal(events[0]!.n, 2);
});

test('ops.freshness follows the snapshots of the branch it is read on', async () => {
  await markCheckpoint(lake.storage, 'part-09-quality');
  const gold = await rows(`select cast(last_snapshot_at as varchar) as last, hours_since_update from ops.freshness where table_name = 'gold.fct_daily_glucose_metrics'`);
  assert.deepEqual(gold, [{ last: '2025-01-21 06:00:00', hours_since_update: 48 }]);
  const onTag = arrowToRows(await lake.query(`select cast(last_snapshot_at as varchar) as last from ops.freshness where table_name = 'gold.fct_daily_glucose_metrics'`, 'part-05-ingestion'));
  assert.deepEqual(onTag, [{ last: '2025-01-08 09:00:00' }], 'on another ref the same view reads that ref\'s snapshots');
});

test('an ops table has no branches or snapshots, and says so', async () => {
  await assert.rejects(() => lake.query(`select * from ops."runs@main"`, 'main'), /not an Iceberg table/);
});

test('alert rules are parsed with errors that name the rule', () => {
  const rules = parseAlertRules(readProjectFiles(GLUCOSE_PROJECT_DIR)['alerts.yml']);
  assert.deepEqual(rules.map((r) => [r.name, r.signal, r.above, r.severity]), [
    ['daily_metrics_stale', 'freshness', 36, 'warning'],
    ['daily_metrics_very_stale', 'freshness', 72, 'critical'],
    ['blocking_checks_failed', 'check_failures', 0, 'warning'],
    ['ingestion_gaps', 'missing_partitions', 0, 'warning'],
  ]);
  assert.throws(() => parseAlertRules('rules:\n  - name: gaps\n    signal: missing_partitions\n    above: 0\n'), /needs "asset: <asset key>"/);
  assert.equal(parseDuration('90m', 'x'), 5_400_000);
  assert.throws(() => parseAlertRules('rules:\n  - name: late\n    signal: freshness\n    above: 36h\n'), /rule 1 \(late\): a freshness rule needs "table/);
  assert.throws(() => parseAlertRules('rules:\n  - name: late\n    signal: freshness\n    table: gold.x\n    above: soon\n'), /"soon" is not a duration/);
  assert.throws(() => parseAlertRules('rules:\n  - name: x\n    signal: cpu\n'), AlertRuleError);
  assert.throws(() => parseAlertRules('nope: 1'), /top-level "rules:"/);
  assert.throws(() => parseAlertRules(undefined), /no alerts.yml/);
});

test('alerts use only what was known at their time, and notify once when a rule starts firing', async () => {
  await markCheckpoint(lake.storage, 'part-09-quality');
  const rules = parseAlertRules(readProjectFiles(GLUCOSE_PROJECT_DIR)['alerts.yml']);
  const runs = await visibleRuns(lake.storage);
  const state = async (iso: string) => Object.fromEntries((await evaluateAlerts({ rules, runs, warehouse: lake.warehouse, at: at(iso) })).map((r) => [r.rule, r.firing]));
  // The morning after the backfill everything is fresh; a day and a half later it is not.
  assert.deepEqual(await state('2025-01-21T07:00:00Z'), { daily_metrics_stale: false, daily_metrics_very_stale: false, blocking_checks_failed: false, ingestion_gaps: false });
  assert.deepEqual(await state('2025-01-23T06:00:00Z'), { daily_metrics_stale: true, daily_metrics_very_stale: false, blocking_checks_failed: true, ingestion_gaps: false });
  assert.deepEqual(await state('2025-01-24T07:00:00Z'), { daily_metrics_stale: true, daily_metrics_very_stale: true, blocking_checks_failed: false, ingestion_gaps: false });
  // Before any snapshot of the table existed, freshness cannot be measured: it fires.
  assert.equal((await state('2025-01-01T12:00:00Z')).daily_metrics_stale, true);

  const first = await runAlerts({ rules, runs, warehouse: lake.warehouse, at: at('2025-01-23T06:00:00Z') });
  const again = await runAlerts({ rules, runs, warehouse: lake.warehouse, at: at('2025-01-23T07:00:00Z') });
  assert.deepEqual(first.results.map((r) => r.notify), [true, false, true, false]);
  assert.deepEqual(again.results.map((r) => r.notify), [false, false, false, false], 'still firing: nobody is told twice');
  const saved = await rows(`select count(*) as n, count(*) filter (where notify) as sent from ops.alerts`);
  assert.deepEqual(saved, [{ n: 8, sent: 2 }]);
});
