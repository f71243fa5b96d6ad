/**
 * Part 7, "Running pipelines manually". Starts from the `part-05-ingestion` checkpoint of the
 * prebuilt warehouse: main holds 2025-01-01 .. 2025-01-07 in every layer.
 *
 * The learner drives the orchestrator by hand, the way one does in Dagster's UI or with
 * `phlo materialize`: one asset for 2025-01-08 (only raw moves), a selection of two assets
 * (silver catches up), everything downstream of silver (gold and the marts catch up), a
 * backfill of 2025-01-09 .. 2025-01-14 with per-partition progress, a run stopped by a
 * failing asset check (a sensor fault on 2025-01-15 set in pipeline.config.ts), and one tick
 * of the daemon at 06:00 that runs the daily schedule for 2025-01-15 once the fault is gone.
 *
 * `--as-of` sets the run clock: what the simulated Nightscout server has received by then
 * (late readings reach it at 08:00 the next morning) and the time `tick` evaluates at.
 */
import type { SectionConfig } from './types.ts';
import { pipelineConfigWith } from '../pipeline/pipeline-config.ts';

export const ONE_ASSET = 'materialize dlt_glucose_entries --partition 2025-01-08 --as-of 2025-01-09T09:00:00Z';
export const SELECTION = 'materialize stg_glucose_entries fct_glucose_readings --partition 2025-01-08 --as-of 2025-01-09T09:05:00Z';
export const DOWNSTREAM = 'materialize fct_glucose_readings --downstream --partition 2025-01-08 --as-of 2025-01-09T09:10:00Z';
export const BACKFILL = 'backfill --from 2025-01-09 --to 2025-01-14 --as-of 2025-01-15T09:00:00Z';
export const BAD_DAY_RUN = 'materialize dlt_glucose_entries --downstream --partition 2025-01-15 --as-of 2025-01-16T05:00:00Z';
export const TICK = 'tick --as-of 2025-01-16T06:00:00Z';

export const BAD_DAY_CONFIG = pipelineConfigWith("{ '2025-01-15': 'sensor-fault' }", '2025-01-15: the sensor fails and reports values no body produces.');
export const REPAIRED_CONFIG = pipelineConfigWith('{}', 'The sensor is repaired: no broken days.');

const daysPerLayer = `select 'raw.glucose_entries' as asset_table, count(distinct cast(date_string as date)) as days, max(cast(date_string as date)) as last_day
from raw.glucose_entries
union all
select 'silver.fct_glucose_readings', count(distinct reading_date), max(reading_date)
from silver.fct_glucose_readings
union all
select 'gold.fct_daily_glucose_metrics', count(*), max(reading_date)
from gold.fct_daily_glucose_metrics
union all
select 'marts.mrt_glucose_overview', count(*), max(reading_date)
from marts.mrt_glucose_overview`;

const section: SectionConfig = {
  id: 'part-07-running-pipelines-manually',
  part: 7,
  anchor: 'running-pipelines-manually',
  title: 'Running pipelines manually',
  checkpoint: 'part-05-ingestion',
  panes: ['pipeline', 'sql', 'timeline'],
  defaultTable: 'gold.fct_daily_glucose_metrics',
  files: ['pipeline.config.ts'],
  queries: [
    {
      label: 'Days in each layer',
      sql: daysPerLayer,
      explain: 'How far each asset has got: after materialising one asset, only its own table moves; the layers below it wait until they are run.',
    },
    {
      label: 'Raw and silver, day by day',
      sql: `select r.day, r.readings as raw_rows, coalesce(s.readings, 0) as silver_rows
from (select cast(date_string as date) as day, count(*) as readings from raw.glucose_entries group by 1) r
left join (select reading_date as day, count(*) as readings from silver.fct_glucose_readings group by 1) s on s.day = r.day
order by r.day`,
      explain: 'A day that is in raw but has 0 rows in silver was ingested and not transformed yet: its downstream assets are stale.',
    },
    {
      label: 'Daily metrics (gold)',
      sql: `select reading_date, day_name, reading_count, avg_glucose_mg_dl, time_in_range_pct
from gold.fct_daily_glucose_metrics
order by reading_date`,
      explain: 'One row per daily partition. A backfill adds one row per day of its range.',
    },
    {
      label: "The builder's backfill (tag part-07-backfill)",
      ref: 'part-07-backfill',
      sql: `select reading_date, day_name, reading_count, avg_glucose_mg_dl
from gold.fct_daily_glucose_metrics
where reading_date >= date '2025-01-08'
order by reading_date`,
      explain: 'The same table at the tag part-07-backfill: one backfill run that materialised 2025-01-08 .. 2025-01-20 when the warehouse was built.',
    },
  ],
  tasks: [
    {
      id: 'one-asset',
      title: 'Materialise one asset',
      description: 'Materialise only dlt_glucose_entries for 2025-01-08, as of 09:00 the next morning. Then look at the asset graph and at "Days in each layer".',
      hint: 'materialize ASSET --partition DAY --as-of TIME, with ASSET dlt_glucose_entries and TIME 2025-01-09T09:00:00Z.',
      check: {
        kind: 'sql',
        sql: `select (select count(*) from raw.glucose_entries where cast(date_string as date) = date '2025-01-08') = 288
  and (select count(*) from silver.fct_glucose_readings where reading_date = date '2025-01-08') = 0`,
      },
      solution: {
        explain: 'A run selects assets, not a whole pipeline. Only dlt_glucose_entries ran: raw.glucose_entries has all 288 readings of 2025-01-08, and every asset downstream of it is now stale, because nothing asked it to run.',
        commands: [ONE_ASSET],
      },
    },
    {
      id: 'a-selection',
      title: 'Materialise a selection',
      description: 'Materialise stg_glucose_entries and fct_glucose_readings together for 2025-01-08, in one run.',
      hint: 'Give materialize several assets: materialize stg_glucose_entries fct_glucose_readings --partition 2025-01-08 (a comma-separated list works too).',
      check: {
        kind: 'sql',
        sql: `select (select count(*) from silver.fct_glucose_readings where reading_date = date '2025-01-08') = 288
  and (select count(*) from gold.fct_daily_glucose_metrics where reading_date = date '2025-01-08') = 0`,
      },
      solution: {
        explain: 'The orchestrator put the two assets in dependency order (the bronze view before the silver table) and ran them in one run on one branch. Silver has the day now; gold still waits.',
        commands: [SELECTION],
      },
    },
    {
      id: 'everything-downstream',
      title: 'Everything downstream',
      description: 'Bring gold and the marts up to date for 2025-01-08 with one command that selects fct_glucose_readings and everything downstream of it.',
      hint: 'materialize fct_glucose_readings --downstream --partition 2025-01-08 (or the selection syntax fct_glucose_readings+).',
      check: {
        kind: 'sql',
        sql: `select (select count(*) from gold.fct_daily_glucose_metrics where reading_date = date '2025-01-08') = 1
  and (select count(*) from marts.mrt_glucose_overview where reading_date = date '2025-01-08') = 1`,
      },
      solution: {
        explain: "The selection grew along the graph's edges: fct_glucose_readings, both gold models, both marts, and the publishing asset at the end, which copied the marts into Postgres. 2025-01-08 is now complete in every layer.",
        commands: [DOWNSTREAM],
      },
    },
    {
      id: 'backfill-range',
      title: 'Backfill six days',
      description: 'Backfill 2025-01-09 to 2025-01-14 (every asset), as of 09:00 on 2025-01-15, and watch the per-partition progress. Read the run\'s events with runs and logs RUN.',
      hint: 'backfill --from DAY --to DAY --as-of TIME. Add --dry-run first to see the plan without running it.',
      check: {
        kind: 'sql',
        sql: `select count(*) = 14 and max(reading_date) = date '2025-01-14' from gold.fct_daily_glucose_metrics`,
      },
      solution: {
        explain: 'One run, six partitions: the ingestion asset ran once per day (the [n/6] progress lines), the dbt models once over the six days together, the checks after each asset, and one merge into main at the end. gold.fct_daily_glucose_metrics now has 14 days.',
        commands: [BACKFILL],
      },
    },
    {
      id: 'failing-check',
      title: 'Watch an asset check stop a run',
      description: 'Give 2025-01-15 a faulty sensor in pipeline.config.ts, then materialise dlt_glucose_entries and everything downstream for that day. Watch the graph.',
      hint: "In pipeline.config.ts set badDays: { '2025-01-15': 'sensor-fault' }. Then: materialize dlt_glucose_entries --downstream --partition 2025-01-15 --as-of 2025-01-16T05:00:00Z",
      check: { kind: 'pipeline-run', status: 'failed', failedCheck: 'range_check(sgv' },
      solution: {
        explain: 'The blocking ERROR check glucose_entries_quality.range_check(sgv, 20..600) failed on the run branch: dlt_glucose_entries turned red, everything downstream was skipped, and main was not touched. The branch is kept for inspection; logs RUN shows the failing rows.',
        files: { 'pipeline.config.ts': BAD_DAY_CONFIG },
        commands: [BAD_DAY_RUN],
      },
    },
    {
      id: 'schedule-tick',
      title: 'Let the schedule run',
      description: 'The sensor is repaired: restore pipeline.config.ts. List the schedules and sensors, then tick the daemon at 06:00 on 2025-01-16 and see what it launches.',
      hint: 'Press "Restore original" on pipeline.config.ts. Then schedules, sensors, and tick --as-of 2025-01-16T06:00:00Z (try --dry-run first).',
      check: {
        kind: 'sql',
        sql: `select count(*) = 1 from gold.fct_daily_glucose_metrics where reading_date = date '2025-01-15'`,
      },
      solution: {
        explain: 'At 06:00 the cron "0 6 * * *" of daily_glucose_pipeline fires: it ran every asset except publishing for the day before, 2025-01-15, and this time the checks passed. The on_cron condition on dlt_glucose_entries saw that run and did not ask again. The promotion sensor found no audited branch waiting; the cleanup sensor listed the branch of your failed 05:00 run, and deleted nothing (a dry run).',
        files: { 'pipeline.config.ts': REPAIRED_CONFIG },
        commands: [TICK],
      },
    },
  ],
  runForReal: {
    stack: 'example',
    intro: 'In the example project (phlo services start) the same runs go through Dagster: phlo materialize wraps docker exec … dagster asset materialize -m phlo.framework.definitions, and phlo backfill runs one such command per partition. Partitions start on 2025-01-01; pick days your Nightscout server has data for.',
    commands: [
      { cmd: 'phlo services start', note: 'the example project stack; Dagster on http://localhost:3000; in examples/glucose-platform, and the first time after Part 2\'s start (touch .phlo/.env)' },
      { cmd: 'phlo materialize dlt_glucose_entries --partition 2025-01-08', note: 'one asset, one day' },
      { cmd: 'phlo materialize stg_glucose_entries --select "stg_glucose_entries,fct_glucose_readings" --partition 2025-01-08', note: 'a selection; the first argument is required even with --select' },
      { cmd: 'phlo materialize fct_glucose_readings --select "fct_glucose_readings*" --partition 2025-01-08', note: 'an asset and everything downstream (* in Dagster; fct_glucose_readings+ is one layer)' },
      { cmd: 'phlo backfill dlt_glucose_entries --start-date 2025-01-09 --end-date 2025-01-14 --dry-run', note: 'the plan first' },
      { cmd: 'phlo backfill dlt_glucose_entries --start-date 2025-01-09 --end-date 2025-01-14 --parallel 2', note: 'then the backfill; --resume continues an interrupted one' },
      { cmd: 'phlo logs --follow', note: 'the runs\' events in the terminal' },
    ],
    phloFiles: [
      'examples/glucose-platform/workflows/ingestion/nightscout/readings.py',
      'src/phlo/defs/partitions.py',
      'src/phlo/framework/discovery.py',
      'examples/glucose-platform/workflows/quality/nightscout.py',
    ],
    urls: [{ label: 'Dagster (example project)', url: 'http://localhost:3000' }],
  },
};

export default section;
