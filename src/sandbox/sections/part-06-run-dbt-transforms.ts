/**
 * Part 6, "Hands-on: run dbt transforms". Starts from the `part-07-backfill` checkpoint of
 * the prebuilt warehouse: main holds twenty days (2025-01-01 .. 2025-01-20) in every layer.
 * That checkpoint is chosen for its history as much as its size: the last run was a
 * partitioned backfill of 2025-01-08 .. 2025-01-20, so the silver table (rebuilt in full)
 * holds four late readings of 2025-01-07 that the incremental gold model, which only merges
 * the partitions a run names, never saw.
 *
 * The learner runs one model, tightens the in-range band in the silver model and runs it
 * with everything downstream (only the run's partition moves in the incremental gold model),
 * rebuilds with --full-refresh, then adds a schema test that fails on purpose and fixes it
 * with a severity.
 *
 * Solution files are built from the shipped project (files.generated.ts), so they stay the
 * shipped model plus exactly the edit the task asks for.
 */
import type { SectionConfig } from './types.ts';
import { GLUCOSE_PROJECT_FILES } from '../../../sandboxes/pipeline/project/files.generated.ts';

const SILVER_SQL = 'models/silver/fct_glucose_readings.sql';
const SILVER_YML = 'models/silver/fct_glucose_readings.yml';

/** The shipped file with each `from` replaced by its `to` (a missing `from` leaves the text as is; the test catches that). */
function edited(path: string, ...pairs: [string, string][]): string {
  let text = GLUCOSE_PROJECT_FILES[path] ?? '';
  for (const [from, to] of pairs) text = text.replace(from, to);
  return text;
}

/** Silver with the in-range band tightened to 70-140 mg/dL, in the category and the flag. */
export const TIGHT_RANGE_SQL = edited(
  SILVER_SQL,
  ["when glucose_mg_dl <= 180 then 'in_range'", "when glucose_mg_dl <= 140 then 'in_range'  -- tight range: 70-140 mg/dL"],
  ['case when glucose_mg_dl between 70 and 180 then 1', 'case when glucose_mg_dl between 70 and 140 then 1'],
);

const CHANGE_COLUMN = `      - name: hour_of_day`;

/** The YAML with a not_null test on glucose_change_mg_dl: the first reading has no previous one. */
export const FAILING_TEST_YML = edited(SILVER_YML, [
  CHANGE_COLUMN,
  `      - name: glucose_change_mg_dl
        tests: [not_null]
${CHANGE_COLUMN}`,
]);

/** The same test with severity warn: reported, but it no longer stops the run. */
export const WARN_TEST_YML = edited(SILVER_YML, [
  CHANGE_COLUMN,
  `      - name: glucose_change_mg_dl
        tests:
          - not_null:
              config:
                severity: warn
${CHANGE_COLUMN}`,
]);

const ONE_MODEL = 'materialize fct_glucose_readings --partition 2025-01-20';
const DOWNSTREAM = 'materialize fct_glucose_readings+ --partition 2025-01-20';
const FULL_REFRESH = 'materialize fct_glucose_readings+ --partition 2025-01-20 --full-refresh';

const section: SectionConfig = {
  id: 'part-06-run-dbt-transforms',
  part: 6,
  anchor: 'hands-on-run-dbt-transforms',
  title: 'Run dbt transforms',
  checkpoint: 'part-07-backfill',
  panes: ['pipeline', 'sql'],
  queries: [
    {
      label: 'Rows per layer',
      sql: `select 1 as step, 'raw' as layer, 'raw.glucose_entries' as relation, count(*) as row_count from raw.glucose_entries
union all select 2, 'silver', 'silver.fct_glucose_readings', count(*) from silver.fct_glucose_readings
union all select 3, 'gold', 'gold.mrt_glucose_readings', count(*) from gold.mrt_glucose_readings
union all select 4, 'gold', 'gold.fct_daily_glucose_metrics', count(*) from gold.fct_daily_glucose_metrics
union all select 5, 'marts', 'marts.mrt_glucose_overview', count(*) from marts.mrt_glucose_overview
union all select 6, 'marts', 'marts.mrt_glucose_hourly_patterns', count(*) from marts.mrt_glucose_hourly_patterns
order by step`,
      explain: 'Bronze is a view, so it has no rows of its own: run "compile stg_glucose_entries" in the terminal to see its SELECT. Silver has one row per reading; gold is one row per reading and one per day; the marts are one row per day and one per hour and weekday.',
    },
    {
      label: 'One reading through the layers',
      sql: `select r._id, r.sgv, r.date_string,
       s.glucose_category, s.hour_of_day, s.day_name, s.glucose_change_mg_dl,
       d.avg_glucose_mg_dl as day_avg, d.time_in_range_pct as day_time_in_range
from raw.glucose_entries r
join silver.fct_glucose_readings s on s.entry_id = r._id
join gold.fct_daily_glucose_metrics d on d.reading_date = s.reading_date
order by r.date_string desc
limit 5`,
      explain: 'The raw names (_id, sgv) become readable columns in bronze; silver adds the category, the hour and the change since the previous reading; gold folds the day into one row.',
    },
    {
      label: 'Silver and gold, category by category',
      sql: `select s.glucose_category as silver_category, g.glucose_category as gold_category, count(*) as readings
from silver.fct_glucose_readings s
full outer join gold.mrt_glucose_readings g on g.entry_id = s.entry_id
group by 1, 2
order by 1, 2`,
      explain: 'Where the two columns differ, silver and gold disagree about a reading. An empty gold_category is a reading the incremental gold model has not merged yet.',
    },
    {
      label: 'Daily metrics (gold)',
      sql: `select reading_date, day_name, reading_count, avg_glucose_mg_dl, time_in_range_pct, time_below_range_pct, time_above_range_pct, estimated_a1c_pct
from gold.fct_daily_glucose_metrics
order by reading_date`,
      explain: 'One row per day. Time in range is the share of readings in 70-180 mg/dL; the estimated A1C is 3.31 + 0.02392 x the mean.',
    },
    {
      label: 'The overview mart',
      sql: `select reading_date, avg_glucose_mg_dl, time_in_range_pct, estimated_a1c_7d_avg, glucose_change_from_prev_day, coefficient_of_variation
from marts.mrt_glucose_overview
order by reading_date`,
      explain: 'The mart a dashboard reads: window functions add a 7-day A1C average, the change from the previous day and the coefficient of variation.',
    },
    {
      label: 'Time in range by hour (mart)',
      sql: `select hour_of_day, sum(reading_count) as readings, round(avg(avg_glucose_mg_dl), 1) as avg_glucose_mg_dl, round(avg(time_in_range_pct), 1) as time_in_range_pct
from marts.mrt_glucose_hourly_patterns
group by hour_of_day
order by hour_of_day`,
      explain: 'The hourly-patterns mart averages is_in_range from the gold readings, so it follows the silver definition of "in range". Run it again after the tasks.',
    },
  ],
  files: [SILVER_SQL, SILVER_YML, 'models/gold/mrt_glucose_readings.sql', 'models/gold/fct_daily_glucose_metrics.sql', 'models/bronze/stg_glucose_entries.sql'],
  tasks: [
    {
      id: 'run-one-model',
      title: 'Run one model',
      description: 'Materialize only the silver model fct_glucose_readings for the partition 2025-01-20, and read what the run did.',
      hint: 'In the terminal: materialize MODEL --partition DAY. The model name alone selects that one asset.',
      check: { kind: 'pipeline-run', status: 'success', asset: 'fct_glucose_readings' },
      solution: {
        explain: 'The selection names one asset, so the run compiles fct_glucose_readings (its ref to the bronze view is inlined as a subquery), replaces the silver table on a run branch, runs the model\'s tests and the silver asset checks, and merges into main. Nothing downstream ran: gold still reads what it had.',
        commands: [ONE_MODEL],
      },
    },
    {
      id: 'tighten-range',
      title: 'Tighten the in-range band and run downstream',
      description: 'In models/silver/fct_glucose_readings.sql, make "in_range" mean 70-140 mg/dL (in the category and in is_in_range), then run the model and everything downstream of it for 2025-01-20.',
      hint: 'Change the two 180s in the category CASE and the is_in_range CASE to 140. A + after the model name selects it and its descendants: materialize fct_glucose_readings+ --partition 2025-01-20.',
      check: {
        kind: 'sql',
        ref: 'main',
        sql: `select count(*) filter (where glucose_category = 'in_range' and glucose_mg_dl > 140) = 0
   and count(*) filter (where glucose_category = 'hyperglycemia_mild' and glucose_mg_dl between 141 and 180) > 0
from gold.mrt_glucose_readings
where reading_date = date '2025-01-20'`,
      },
      solution: {
        explain: 'Silver is a table, rebuilt from all of bronze on every run, so every reading of all twenty days got the new category. Gold\'s mrt_glucose_readings is incremental: with a partition it merges only the rows of that day, so 2025-01-20 moved and the other nineteen days still carry the old categories.',
        files: { [SILVER_SQL]: TIGHT_RANGE_SQL },
        commands: [DOWNSTREAM],
      },
    },
    {
      id: 'full-refresh',
      title: 'Rebuild the incremental models in full',
      description: 'Make gold agree with silver on every day: the same number of readings, and no reading above 140 mg/dL still called in_range.',
      hint: 'Compare silver and gold with the prepared query "Silver and gold, category by category". The flag --full-refresh makes incremental models rebuild from scratch.',
      check: {
        kind: 'sql',
        ref: 'main',
        sql: `select (select count(*) from gold.mrt_glucose_readings) = (select count(*) from silver.fct_glucose_readings)
   and (select count(*) from gold.mrt_glucose_readings where glucose_category = 'in_range' and glucose_mg_dl > 140) = 0`,
      },
      solution: {
        explain: 'With --full-refresh an incremental model ignores is_incremental() and replaces its table from the whole of its input. Gold now has every reading silver has, including the four late readings of 2025-01-07 that no partitioned run had merged, and every category follows the new rule.',
        commands: [FULL_REFRESH],
      },
    },
    {
      id: 'failing-test',
      title: 'Add a schema test that fails',
      description: 'In models/silver/fct_glucose_readings.yml, add a not_null test on the column glucose_change_mg_dl, run the silver model, and watch the test stop the run.',
      hint: 'Add a column entry "- name: glucose_change_mg_dl" with "tests: [not_null]" under columns, then run: materialize fct_glucose_readings --partition 2025-01-20. The change is computed with lag(): what is the previous reading of the very first one?',
      check: { kind: 'pipeline-run', status: 'failed', failedCheck: 'not_null_fct_glucose_readings_glucose_change_mg_dl' },
      solution: {
        explain: 'The very first reading (2025-01-01, just after midnight) has no previous reading, so lag() gives NULL and not_null_fct_glucose_readings_glucose_change_mg_dl finds one failing row. An error-severity test failure stops the model: the run keeps its branch for inspection and main is not touched.',
        files: { [SILVER_YML]: FAILING_TEST_YML },
        commands: [ONE_MODEL],
      },
    },
    {
      id: 'fix-test',
      title: 'Fix the test and pass',
      description: 'The NULL is correct data, so make the test report it without stopping the run, and run the silver model again until it succeeds.',
      hint: 'A test takes a config: write "- not_null:" with "config:" and "severity: warn" under it. Then run the same materialize command.',
      // The run must have run the test: the first task's run also succeeded, without it.
      check: { kind: 'pipeline-run', status: 'success', asset: 'fct_glucose_readings', passedCheck: 'not_null_fct_glucose_readings_glucose_change_mg_dl' },
      solution: {
        explain: 'With severity warn the test still runs and the log still shows its one failing row as WARN, but it no longer stops the model, so the run merges into main. (Removing the test would also let the run succeed, but then nothing watches the column, and this task asks for the test to run; severity keeps the information.)',
        files: { [SILVER_YML]: WARN_TEST_YML },
        commands: [ONE_MODEL],
      },
    },
  ],
  runForReal: {
    stack: 'example',
    intro: 'In the example project the dbt project lives in examples/glucose-platform/transforms/dbt (mounted at /app/transforms/dbt) and runs inside the Dagster container against Trino, which writes Iceberg tables through Nessie. These commands are for the example project started with phlo services start (Dagster on 3000, Trino on 8080); partitions start on 2025-01-01.',
    commands: [
      { cmd: 'phlo services start', note: 'the example project stack; in examples/glucose-platform, and the first time after Part 2\'s start (touch .phlo/.env)' },
      { cmd: 'phlo materialize fct_glucose_readings --select "fct_glucose_readings*" --partition 2025-01-15', note: 'the silver model and everything downstream (* in Dagster; + would be one layer), as a Dagster run; the first argument is required even with --select' },
      { cmd: 'docker exec glucose-platform-dagster-webserver-1 dbt build --project-dir /app/transforms/dbt --profiles-dir /app/transforms/dbt/profiles --select fct_glucose_readings', note: 'dbt directly: run the model, then its tests' },
      { cmd: 'docker exec glucose-platform-dagster-webserver-1 dbt compile --project-dir /app/transforms/dbt --profiles-dir /app/transforms/dbt/profiles --select fct_glucose_readings', note: 'the compiled SQL lands in target/compiled/' },
      { cmd: 'docker exec glucose-platform-dagster-webserver-1 dbt test --project-dir /app/transforms/dbt --profiles-dir /app/transforms/dbt/profiles --select fct_glucose_readings', note: 'only the tests' },
    ],
    phloFiles: [
      'transforms/dbt/models/silver/fct_glucose_readings.sql',
      'transforms/dbt/models/silver/fct_glucose_readings.yml',
      'transforms/dbt/models/bronze/stg_glucose_entries.sql',
      'src/phlo/framework/discovery.py',
    ],
    urls: [{ label: 'Dagster (example project)', url: 'http://localhost:3000' }],
  },
};

export default section;
