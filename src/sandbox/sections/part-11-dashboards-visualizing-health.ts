/**
 * Part 11, "Dashboards: visualizing health". Starts from the `part-09-quality` checkpoint:
 * main holds 2025-01-01 .. 2025-01-20, and the runs for 2025-01-21 (stopped at validation:
 * impossible values) and 2025-01-22 (stopped by the blocking range check: a failing sensor)
 * failed, so nothing new reached main for two days. Nobody was told.
 *
 * The pipeline's run log (pipeline/runs/*.json) is queryable as ops.* tables (see
 * sandboxes/pipeline/observe/ops-tables.ts); the dashboard's panels are queries over them.
 * The learner reads the dashboard, runs the next day and watches it move, evaluates the
 * alert rules of alerts.yml at a later moment and sees the stale-data rule fire, then
 * follows the failed run of 2025-01-22 from its log to the rows that broke the check, on
 * the branch the run kept for inspection.
 */
import type { SectionConfig } from './types.ts';

/** The run that failed the range check on 2025-01-22 kept its writes on this branch. */
export const FAILED_RUN_BRANCH = 'pipeline-run-5cd29964';
export const NEXT_DAY_RUN = 'materialize +fct_daily_glucose_metrics --partition 2025-01-23 --as-of 2025-01-24T06:00:00Z';
export const LATER_ALERTS = 'alerts --at 2025-01-26T00:00:00Z';

const failedRuns = `select first_partition, status, reached_main, failure
from ops.runs
where status = 'FAILURE'
order by started_at`;

const failedCheck = `select r.first_partition, c.check_group, c.check_name, c.failures, c.rows_checked, r.branch
from ops.check_results c
join ops.runs r using (run_id)
where not c.passed
order by c.run_started_at`;

const badRows = `select _id, date_string, sgv, direction
from raw."glucose_entries@${FAILED_RUN_BRANCH}"
where cast(date_string as date) = date '2025-01-22'
  and sgv not between 20 and 600
order by date_string`;

const section: SectionConfig = {
  id: 'part-11-dashboards-visualizing-health',
  part: 11,
  anchor: 'dashboards-visualizing-health',
  title: 'Read the health dashboard, raise an alert, debug a failed run',
  checkpoint: 'part-09-quality',
  panes: ['dashboard', 'sql', 'pipeline'],
  files: ['alerts.yml'],
  dashboard: {
    title: 'Glucose pipeline health',
    intro: 'Every panel is a SQL query over the pipeline\'s own run log (the ops tables). Refresh after a run or an alert evaluation.',
    panels: [
      {
        title: 'Hours since the daily metrics changed',
        engine: 'duckdb',
        chart: 'number',
        sql: `select hours_since_update, strftime(last_snapshot_at, '%Y-%m-%d %H:%M') || ' UTC' as last_change
from ops.freshness
where table_name = 'gold.fct_daily_glucose_metrics'`,
        y: 'hours_since_update',
        x: 'last_change',
        unit: 'h',
        explain: 'From ops.freshness: the newest snapshot of gold.fct_daily_glucose_metrics on main, measured at the newest run in the log.',
      },
      {
        title: 'Failed runs in the log',
        engine: 'duckdb',
        chart: 'number',
        sql: `select count(*) filter (where status = 'FAILURE') as failed_runs,
  count(*) || ' runs in all' as runs
from ops.runs`,
        y: 'failed_runs',
        x: 'runs',
        explain: 'From ops.runs. A failed run leaves main untouched and keeps its branch for inspection.',
      },
      {
        title: 'Rows ingested per day (reached main)',
        engine: 'duckdb',
        chart: 'bar',
        sql: `select strftime(partition, '%m-%d') as day, max(rows) as readings
from ops.materializations
where asset = 'dlt_glucose_entries' and reached_main
group by partition
order by partition`,
        x: 'day',
        y: 'readings',
        explain: 'From ops.materializations: readings fetched per daily partition by runs that reached main. A missing bar is a day that never arrived.',
      },
      {
        title: 'Run durations',
        engine: 'duckdb',
        chart: 'line',
        sql: `select started_at, duration_ms
from ops.runs
order by started_at`,
        x: 'started_at',
        y: 'duration_ms',
        explain: 'From ops.runs. The shipped runs count steps instead of wall time (so the site rebuilds byte for byte); your own runs record real milliseconds.',
      },
      {
        title: 'Freshness per table',
        engine: 'duckdb',
        chart: 'table',
        sql: `select table_name, hours_since_update as hours_old, snapshots
from ops.freshness
order by hours_since_update desc, table_name`,
        explain: 'From ops.freshness: hours between each table\'s newest snapshot on main and the newest run.',
      },
      {
        title: 'Failed checks',
        engine: 'duckdb',
        chart: 'table',
        sql: `select strftime(run_started_at, '%m-%d %H:%M') as run_at, asset, check_name, failures, rows_checked
from ops.check_results
where not passed
order by run_started_at desc`,
        explain: 'From ops.check_results: every check a run evaluated and did not pass.',
      },
    ],
  },
  queries: [
    {
      label: 'Runs, newest first',
      sql: `select run_id, kind, status, first_partition, last_partition, started_at, duration_ms, reached_main, rows_written, checks_failed
from ops.runs
order by started_at desc`,
      explain: 'One row per run from pipeline/runs/*.json. reached_main is true when the run\'s branch was merged; a failed run leaves main alone.',
    },
    {
      label: 'Freshness per table',
      sql: `select table_name, snapshots, last_snapshot_at, last_operation, total_records, as_of, hours_since_update
from ops.freshness
order by table_name`,
      explain: 'Each table is as fresh as its newest Iceberg snapshot on the branch you read. as_of is the newest run in the log: the sandbox\'s "now".',
    },
    {
      label: 'Events of the failed runs',
      sql: `select e.run_id, e.seq, e.type, e.asset, e.message
from ops.run_events e
join ops.runs r using (run_id)
where r.status = 'FAILURE'
order by r.started_at, e.seq`,
      explain: 'The event log of both failed runs, step by step: where each one stopped and why.',
    },
    {
      label: 'What validation rejected on 2025-01-21',
      sql: `select row_number, entry_key, column_name, value, rule
from ops.validation_failures
order by row_number`,
      explain: 'A validation failure writes nothing to the table, so the rejected rows live only in the run log.',
    },
    {
      label: 'Check results per day',
      sql: `select cast(run_started_at as date) as run_day, count(*) as checks, count(*) filter (where not passed) as failed
from ops.check_results
group by 1
order by 1`,
      explain: 'Every check each run evaluated, grouped by the day the run started.',
    },
  ],
  tasks: [
    {
      id: 'read-the-dashboard',
      title: 'Read the dashboard',
      description: 'The dashboard shows failed runs. In SQL, list them from ops.runs: which partition did each try, did it reach main, and why did it stop?',
      hint: 'ops.runs has status, first_partition, reached_main and failure; keep the rows whose status is FAILURE, oldest first.',
      check: { kind: 'same-result', sql: failedRuns },
      solution: {
        explain: 'Both failed runs tried one day each (2025-01-21 and 2025-01-22) and neither reached main: the first stopped at validation, the second at the blocking range check. Since the backfill of 2025-01-21 06:00, main has not moved.',
        sql: failedRuns,
      },
    },
    {
      id: 'run-a-day',
      title: 'Run a day and watch the dashboard move',
      description: 'Materialize the daily metrics and everything upstream of them for 2025-01-23, as the scheduler would at 06:00 the next morning. Then refresh the dashboard.',
      hint: `The selection +fct_daily_glucose_metrics means "this asset and everything upstream". Use --partition 2025-01-23 and --as-of 2025-01-24T06:00:00Z.`,
      check: { kind: 'sql', sql: `select count(*) > 0 from ops.runs where status = 'SUCCESS' and reached_main and last_partition = date '2025-01-23'` },
      solution: {
        explain: 'The run ingested 2025-01-23, rebuilt the models up to gold.fct_daily_glucose_metrics, passed its checks and was merged into main. The freshness number drops to 0 h, a new bar appears, and the run is in the table. The marts did not run, so they are now the oldest tables.',
        commands: [NEXT_DAY_RUN],
      },
    },
    {
      id: 'stale-alert-fires',
      title: 'Evaluate the alerts later and see one fire',
      description: 'Nobody runs the pipeline after that. Evaluate the alert rules of alerts.yml at midnight on 2025-01-26, and find the firing rule in ops.alerts.',
      hint: 'alerts --at TIME evaluates the rules at that moment and saves the result; ops.alerts lists every evaluation.',
      check: { kind: 'sql', sql: `select count(*) > 0 from ops.alerts where rule = 'daily_metrics_stale' and firing and evaluated_at > timestamp '2025-01-25 18:00:00'` },
      solution: {
        explain: 'At 2025-01-26 00:00 the daily metrics last changed 42 hours earlier, over the 36-hour threshold: daily_metrics_stale fires (a warning for the team channel). The critical rule waits for 72 hours, and the check-failure rule stays quiet because the failed check is more than 24 hours old. ingestion_gaps still fires for 2025-01-21 and 2025-01-22, but it was already firing, so it is not sent again.',
        commands: [LATER_ALERTS],
      },
    },
    {
      id: 'find-the-failed-check',
      title: 'From the alert to the failed check',
      description: 'Back to the failed run of 2025-01-22. Find the check that stopped it, how many rows broke it, and the branch the run kept.',
      hint: 'Join ops.check_results to ops.runs on run_id and keep the checks that did not pass.',
      check: { kind: 'same-result', sql: failedCheck },
      solution: {
        explain: `glucose_entries_quality.range_check(sgv, 20..600) failed: 44 of the day's 259 readings are outside 20..600 mg/dL. The check is blocking, so the run kept its writes on ${FAILED_RUN_BRANCH} and left main alone.`,
        sql: failedCheck,
      },
    },
    {
      id: 'read-the-bad-rows',
      title: 'Read the bad rows',
      description: `Query raw.glucose_entries on the branch the failed run kept and list the readings of 2025-01-22 that are outside 20..600.`,
      hint: `A quoted table name can name a branch: raw."glucose_entries@${FAILED_RUN_BRANCH}".`,
      check: { kind: 'same-result', sql: badRows },
      solution: {
        explain: 'These are the 44 readings the range check counted: a failing sensor reporting values no body produces. They are on the run\'s branch only; main never saw them. The fix is upstream (a replaced sensor, a corrected export), then a re-run of the day.',
        sql: badRows,
      },
    },
  ],
  runForReal: {
    stack: 'root',
    intro: 'In Phlo the same signals live in Dagster (run and event log, asset checks, in Postgres) and, with the observability profile of the root stack, in Prometheus, Loki and Grafana. These commands exist at the pinned commit. phlo metrics does not read Dagster: it asks Prometheus and Postgres for series and tables nothing creates, so it prints zeros; the Dagster UI shows the real runs.',
    commands: [
      { cmd: 'make up-observability', note: 'root stack: prometheus, loki, alloy, grafana, postgres-exporter' },
      { cmd: 'make health-observability', note: 'are they up?' },
      { cmd: 'curl -s http://localhost:10016/api/health', note: 'Grafana answers; open http://localhost:10016 in a browser (admin / admin123). make grafana calls macOS\'s open and fails elsewhere' },
      { cmd: 'phlo metrics summary --period 24h', note: 'meant for runs, failures and durations of the last day; at the pin it finds no data and prints zeros' },
      { cmd: 'phlo logs --level ERROR --since 2h', note: 'the failed runs\' error events' },
      { cmd: 'phlo alerts status', note: 'which alert destinations are configured' },
    ],
    phloFiles: [
      'src/phlo/metrics/collector.py',
      'src/phlo/alerting/manager.py',
      'src/phlo/alerting/sensor.py',
      'src/phlo/cli/logs.py',
      'src/phlo/cli/alerts.py',
    ],
    urls: [
      { label: 'Grafana (root stack)', url: 'http://localhost:10016' },
      { label: 'Prometheus (root stack)', url: 'http://localhost:10013' },
      { label: 'Dagster (root stack)', url: 'http://localhost:10006' },
    ],
  },
};

export default section;
