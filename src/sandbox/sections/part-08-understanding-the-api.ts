/**
 * Part 8, "Step 1: Understanding the API" and the steps after it: the glucose platform end
 * to end. Starts from the `part-07-backfill` checkpoint: main holds 2025-01-01 .. 2025-01-20
 * in every layer, and nothing has been published to Postgres yet.
 *
 * The learner reads API-shaped records in the raw table, runs ingestion and every dbt
 * model for a new day (2025-01-21), publishes the marts to Postgres (PGlite in the pipeline
 * worker), queries them with Postgres SQL (`psql "..."`), and reads the dashboard panels
 * drawn from Postgres, as Superset would draw them, before and after the new day lands.
 */
import type { SectionConfig, DashboardConfig } from './types.ts';

export const NEW_DAY = '2025-01-21';
export const NEXT_DAY = '2025-01-22';

/** Ingestion plus every dbt model, without the publishing asset (group "publishing"). */
export const RUN_NEW_DAY = `materialize dlt_glucose_entries kind:dbt --partition ${NEW_DAY}`;
export const PUBLISH = 'publish';
/** Everything, publish included: what Dagster's "Materialize all" does for a partition. */
export const RUN_NEXT_DAY = `materialize --partition ${NEXT_DAY}`;
export const PSQL_OVERVIEW = `psql "select reading_date, reading_count, avg_glucose_mg_dl, time_in_range_pct, estimated_a1c_pct from marts.mrt_glucose_overview order by reading_date desc limit 3"`;

export const apiFields = `select _id, sgv, date, date_string, direction, trend, device, type
from raw.glucose_entries
where cast(date_string as date) = date '2025-01-20'
order by date desc
limit 5`;

export const lowestTimeInRange = `select reading_date, time_in_range_pct
from marts.mrt_glucose_overview
order by time_in_range_pct asc, reading_date
limit 1`;

const latestDay = `select reading_date, avg_glucose_mg_dl, time_in_range_pct, estimated_a1c_7d_avg
from marts.mrt_glucose_overview
order by reading_date desc
limit 1`;

export const dashboard: DashboardConfig = {
  title: 'Glucose monitoring (from Postgres)',
  intro: 'The panels query the marts that publish copied into Postgres, schema marts, the way Superset charts read their datasets. Run publish, then Refresh.',
  panels: [
    {
      title: 'Daily average (latest day)',
      engine: 'postgres',
      chart: 'number',
      sql: latestDay,
      y: 'avg_glucose_mg_dl',
      x: 'reading_date',
      unit: 'mg/dL',
      explain: 'The newest row of marts.mrt_glucose_overview.',
    },
    {
      title: 'Time in range (latest day)',
      engine: 'postgres',
      chart: 'number',
      sql: latestDay,
      y: 'time_in_range_pct',
      x: 'reading_date',
      unit: '%',
      explain: 'Share of readings between 70 and 180 mg/dL.',
    },
    {
      title: 'Estimated A1C, 7-day average',
      engine: 'postgres',
      chart: 'number',
      sql: latestDay,
      y: 'estimated_a1c_7d_avg',
      x: 'reading_date',
      unit: '%',
      explain: 'GMI = 3.31 + 0.02392 × mean glucose, averaged over the last seven days.',
    },
    {
      title: 'Daily average glucose',
      engine: 'postgres',
      chart: 'line',
      sql: `select reading_date, avg_glucose_mg_dl
from marts.mrt_glucose_overview
order by reading_date`,
      x: 'reading_date',
      y: 'avg_glucose_mg_dl',
      explain: 'One point per day: Superset’s "Glucose Trend" line chart.',
    },
    {
      title: 'Glucose by hour of day',
      engine: 'postgres',
      chart: 'line',
      sql: `select hour_of_day,
       round((sum(avg_glucose_mg_dl * reading_count) / sum(reading_count))::numeric, 1) as avg_glucose_mg_dl
from marts.mrt_glucose_hourly_patterns
group by hour_of_day
order by hour_of_day`,
      x: 'hour_of_day',
      y: 'avg_glucose_mg_dl',
      explain: 'marts.mrt_glucose_hourly_patterns over all weekdays (weighted by readings): the dawn rise and the three meals.',
    },
    {
      title: 'Time in and out of range (latest day)',
      engine: 'postgres',
      chart: 'bar',
      sql: `select band, pct from (
  select 1 as o, 'below 70' as band, time_below_range_pct as pct from marts.mrt_glucose_overview where reading_date = (select max(reading_date) from marts.mrt_glucose_overview)
  union all
  select 2, '70-180', time_in_range_pct from marts.mrt_glucose_overview where reading_date = (select max(reading_date) from marts.mrt_glucose_overview)
  union all
  select 3, 'above 180', time_above_range_pct from marts.mrt_glucose_overview where reading_date = (select max(reading_date) from marts.mrt_glucose_overview)
) bands
order by o`,
      x: 'band',
      y: 'pct',
      explain: 'The three bands of the newest day add up to 100 %: Superset’s "Time Distribution" chart.',
    },
  ],
};

const section: SectionConfig = {
  id: 'part-08-understanding-the-api',
  part: 8,
  anchor: 'step-1-understanding-the-api',
  title: 'The glucose platform end to end',
  checkpoint: 'part-07-backfill',
  panes: ['pipeline', 'dashboard', 'sql'],
  defaultTable: 'raw.glucose_entries',
  files: ['models/marts_postgres/mrt_glucose_overview.sql', 'models/gold/fct_daily_glucose_metrics.sql', 'models/silver/fct_glucose_readings.sql'],
  dashboard,
  queries: [
    {
      label: 'Raw entries, as the API sent them',
      sql: apiFields,
      explain: 'One row per Nightscout entry: _id, sgv in mg/dL, date in epoch milliseconds, dateString (now date_string), the trend arrow and its number.',
    },
    {
      label: 'Silver: categories and changes',
      sql: `select reading_timestamp, glucose_mg_dl, glucose_category, is_in_range, glucose_change_mg_dl, minutes_since_last_reading
from silver.fct_glucose_readings
where reading_date = date '2025-01-20'
order by reading_timestamp
limit 12`,
      explain: 'Silver adds the business logic: four glucose bands, a 0/1 in-range flag, and the change since the previous reading of the same device.',
    },
    {
      label: 'Gold: daily metrics',
      sql: `select reading_date, reading_count, avg_glucose_mg_dl, min_glucose_mg_dl, max_glucose_mg_dl, time_in_range_pct, time_below_range_pct, time_above_range_pct, estimated_a1c_pct
from gold.fct_daily_glucose_metrics
order by reading_date`,
      explain: 'One row per day: the numbers the overview mart and the dashboard are built from.',
    },
    {
      label: 'The overview mart',
      sql: `select reading_date, avg_glucose_mg_dl, time_in_range_pct, estimated_a1c_7d_avg, glucose_change_from_prev_day, coefficient_of_variation
from marts.mrt_glucose_overview
order by reading_date desc`,
      explain: 'What publish copies to Postgres: the daily metrics plus a 7-day A1C average, the change from the day before and the coefficient of variation.',
    },
    {
      label: 'Hourly pattern',
      sql: `select hour_of_day, sum(reading_count) as readings,
       round(sum(avg_glucose_mg_dl * reading_count) / sum(reading_count), 1) as avg_glucose_mg_dl
from marts.mrt_glucose_hourly_patterns
group by hour_of_day
order by hour_of_day`,
      explain: 'The hourly mart has one row per hour and weekday; summed over weekdays it shows the day’s shape.',
    },
  ],
  tasks: [
    {
      id: 'api-fields',
      title: 'Read the API’s fields in the raw table',
      description: 'List the five newest readings of 2025-01-20 in raw.glucose_entries with the fields the Nightscout API sends: _id, sgv, date, date_string, direction, trend, device and type.',
      hint: 'In the SQL console: select those columns from raw.glucose_entries where the day of date_string is 2025-01-20, newest first (order by date desc), limit 5.',
      check: { kind: 'same-result', sql: apiFields },
      solution: {
        explain: 'Each row is one entry as the API returned it: DLT only renamed dateString to date_string. date is the same moment as date_string, in epoch milliseconds; direction is the arrow a phone shows and trend its number.',
        sql: apiFields,
      },
    },
    {
      id: 'run-new-day',
      title: 'Run the platform for a new day',
      description: `Ingest ${NEW_DAY} and run every dbt model for it (bronze, silver, gold and the marts), without publishing yet.`,
      hint: 'The selection dlt_glucose_entries kind:dbt picks the ingestion asset and every dbt model, and leaves out publish_marts_to_postgres.',
      check: { kind: 'sql', sql: `select count(*) = 1 from marts.mrt_glucose_overview where reading_date = date '${NEW_DAY}'` },
      solution: {
        explain: `The run fetched ${NEW_DAY} from the API stand-in, merged it into raw.glucose_entries, rebuilt bronze, silver, gold and the two marts for that day on its own branch, passed the checks and merged into main. Postgres has not changed: nothing was published.`,
        commands: [RUN_NEW_DAY],
      },
    },
    {
      id: 'publish',
      title: 'Publish the marts to Postgres',
      description: `Copy the two marts into Postgres, then check with Postgres SQL that marts.mrt_glucose_overview has a row for ${NEW_DAY}.`,
      hint: 'publish in the terminal, then psql "select ... from marts.mrt_glucose_overview ...". Open the Dashboard tab afterwards.',
      check: { kind: 'postgres', sql: `select count(*) = 1 from marts.mrt_glucose_overview where reading_date = date '${NEW_DAY}'` },
      solution: {
        explain: 'publish_marts_to_postgres dropped and re-created marts.mrt_glucose_overview and marts.mrt_glucose_hourly_patterns in Postgres from the Iceberg marts on main, one transaction per table. The dashboard reads these tables.',
        commands: [PUBLISH, PSQL_OVERVIEW],
      },
    },
    {
      id: 'lowest-time-in-range',
      title: 'Find the hardest day',
      description: 'Which day in marts.mrt_glucose_overview has the lowest time in range? Return reading_date and time_in_range_pct of that one day.',
      hint: 'order by time_in_range_pct and keep the first row (ties: the earlier date).',
      check: { kind: 'same-result', sql: lowestTimeInRange },
      solution: {
        explain: 'Sorting the overview mart by time in range puts the hardest day first. On the dashboard, it is the lowest point of the time-in-range story; in Superset you would sort the same dataset.',
        sql: lowestTimeInRange,
      },
    },
    {
      id: 'next-day-end-to-end',
      title: 'One more day, published in the same run',
      description: `Materialize everything for ${NEXT_DAY}, the publishing asset included, and see the day appear on the dashboard.`,
      hint: 'materialize with no asset names selects every asset, publish_marts_to_postgres included (it runs after the marts are merged into main).',
      check: { kind: 'postgres', sql: `select max(reading_date) = date '${NEXT_DAY}' from marts.mrt_glucose_overview` },
      solution: {
        explain: 'With no selection the run covers the whole graph: ingestion, every dbt model, then publish_marts_to_postgres from main once the checks passed. Refresh the dashboard: the trend line gains a point and the numbers describe the new day.',
        commands: [RUN_NEXT_DAY],
      },
    },
  ],
  runForReal: {
    stack: 'example',
    intro: 'In Phlo the same flow is one partition of the example project: ingestion through every dbt model, then the publishing asset publish_marts_to_postgres, which copies the marts through Trino into Postgres schema marts. Partitions start on 2025-01-01; pick a day your Nightscout server has data for.',
    commands: [
      { cmd: 'phlo services start', note: 'the example project stack: Dagster on 3000, Trino on 8080, Superset on 8088, Postgres on 5432; in examples/glucose-platform, and the first time after Part 2\'s start (touch .phlo/.env)' },
      { cmd: 'phlo materialize dlt_glucose_entries --partition 2025-01-21', note: 'one day from the Nightscout API into raw.glucose_entries' },
      { cmd: 'phlo materialize dlt_glucose_entries --select "dlt_glucose_entries*" --partition 2025-01-21', note: 'the day and everything downstream of it (* in Dagster\'s selection syntax), publish_marts_to_postgres included' },
      { cmd: 'phlo logs --follow', note: 'the run’s events' },
      { cmd: 'docker exec -it glucose-platform-postgres-1 psql -U phlo phlo', note: 'then: select * from marts.mrt_glucose_overview order by reading_date desc limit 3;' },
    ],
    phloFiles: [
      'examples/glucose-platform/workflows/ingestion/nightscout/readings.py',
      'transforms/dbt/models/bronze/stg_glucose_entries.sql',
      'transforms/dbt/models/silver/fct_glucose_readings.sql',
      'transforms/dbt/models/gold/mrt_glucose_readings.sql',
      'transforms/dbt/models/marts_postgres/mrt_glucose_overview.sql',
      'examples/glucose-platform/workflows/quality/nightscout.py',
    ],
    urls: [
      { label: 'Dagster (example project)', url: 'http://localhost:3000' },
      { label: 'Superset (example project)', url: 'http://localhost:8088' },
    ],
  },
};

export default section;
