/**
 * Part 9, "Layer 1: Pandera schemas (ingestion)" and the two layers after it. Starts from the
 * `part-09-quality` checkpoint of the prebuilt warehouse: main holds 2025-01-01 .. 2025-01-20
 * in every layer; the run for 2025-01-21 stopped at validation (impossible values) and the
 * run for 2025-01-22 was stopped by the blocking range check on raw.glucose_entries (a failing
 * sensor). Neither reached main; the second run's branch, pipeline-run-5cd29964, still holds
 * the faulty readings for inspection.
 *
 * The learner replays each bad day and reads what each layer reports, fixes the data and
 * lands the day, makes a dbt test catch a bug in a transform, and then writes two asset
 * checks of their own in checks.yml (a declarative range check and a custom SQL check) and
 * runs them against the audit branch of the faulty day.
 *
 * Solution files are built from the shipped project (files.generated.ts), so they stay the
 * shipped file plus exactly the edit the task asks for.
 */
import type { SectionConfig } from './types.ts';
import { GLUCOSE_PROJECT_FILES } from '../../../sandboxes/pipeline/project/files.generated.ts';
import { pipelineConfigWith } from '../pipeline/pipeline-config.ts';

/** The branch the prebuilt run for 2025-01-22 left behind (run ids follow from the seed). */
export const FAULT_BRANCH = 'pipeline-run-5cd29964';

const SILVER_SQL = 'models/silver/fct_glucose_readings.sql';
const CHECKS = 'checks.yml';


/** The shipped file with each `from` replaced by its `to` (a missing `from` leaves it as is; the test catches that). */
function edited(path: string, ...pairs: [string, string][]): string {
  let text = GLUCOSE_PROJECT_FILES[path] ?? '';
  for (const [from, to] of pairs) text = text.replace(from, to);
  return text;
}

/** Silver "switched to mmol/L" by mistake: the column keeps its mg/dL name. */
export const MMOL_BUG_SQL = edited(SILVER_SQL, [
  '    glucose_mg_dl,\n    reading_timestamp,',
  '    round(glucose_mg_dl / 18.0, 1) as glucose_mg_dl,  -- "report in mmol/L"\n    reading_timestamp,',
]);

const DECLARATIVE_GROUP = `quality:
  - name: raw_sensor_checks
    table: raw.glucose_entries
    blocking: true
    checks:
      # A sensor reports numbers between 40 and 400 mg/dL; outside it says LOW or HIGH.
      - range_check: { column: sgv, min_value: 40, max_value: 400 }
`;

const CUSTOM_CHECK = `      # No body changes by more than 60 mg/dL between two readings 5-10 minutes apart.
      - custom_sql_check:
          name_: glucose_jumps
          sql: |
            select _id, date_string, previous_sgv, sgv
            from (
              select _id, date_string, sgv,
                     lag(sgv) over (order by date_string) as previous_sgv,
                     lag(date_string) over (order by date_string) as previous_time
              from data
            ) as paired
            where abs(sgv - previous_sgv) > 60
              and date_string - previous_time <= interval 10 minute
`;

/** checks.yml with the declarative check only, and with both checks. */
export const CHECKS_DECLARATIVE = edited(CHECKS, ['quality: []\n', DECLARATIVE_GROUP]);
export const CHECKS_BOTH = edited(CHECKS, ['quality: []\n', DECLARATIVE_GROUP + CUSTOM_CHECK]);

const REPLAY_21 = 'materialize dlt_glucose_entries --partition 2025-01-21 --as-of 2025-01-22T06:00:00Z';
const LAND_21 = 'materialize dlt_glucose_entries+ --partition 2025-01-21 --as-of 2025-01-22T06:00:00Z';
const REPLAY_22 = 'materialize dlt_glucose_entries --partition 2025-01-22 --as-of 2025-01-23T06:00:00Z';
const SILVER_RUN = 'materialize fct_glucose_readings --partition 2025-01-20';
const CHECK_FAULT = `check dlt_glucose_entries --ref ${FAULT_BRANCH} --partition 2025-01-22`;

export const JUMPS_SQL = `select _id, date_string, previous_sgv, sgv
from (
  select _id, date_string, sgv,
         lag(sgv) over (order by date_string) as previous_sgv,
         lag(date_string) over (order by date_string) as previous_time
  from raw.glucose_entries
  where cast(date_string as date) = date '2025-01-22'
) as paired
where abs(sgv - previous_sgv) > 60
  and date_string - previous_time <= interval 10 minute
order by date_string`;

const section: SectionConfig = {
  id: 'part-09-layer-1-pandera-schemas',
  part: 9,
  anchor: 'layer-1-pandera-schemas-ingestion',
  title: 'Three layers of checks on two bad days',
  checkpoint: 'part-09-quality',
  panes: ['pipeline', 'sql'],
  defaultTable: 'raw.glucose_entries',
  queries: [
    {
      label: 'The last days on main',
      sql: `select reading_date, reading_count, avg_glucose_mg_dl, time_in_range_pct
from gold.fct_daily_glucose_metrics
order by reading_date desc
limit 5`,
      explain: 'main ends on 2025-01-20: the runs for 2025-01-21 and 2025-01-22 failed, and a failed run never touches main.',
    },
    {
      label: 'The faulty day on its audit branch',
      ref: FAULT_BRANCH,
      sql: `select cast(date_string as date) as day, count(*) as readings,
       count(*) filter (where sgv < 20 or sgv > 600) as outside_20_600,
       min(sgv) as lowest, max(sgv) as highest
from raw.glucose_entries
where cast(date_string as date) >= date '2025-01-20'
group by 1
order by 1`,
      explain: `Read on the branch the failed run kept (${FAULT_BRANCH}): 2025-01-22 has readings from 5 to 898 mg/dL, which no body produces. Only this branch has them; main never did.`,
    },
    {
      label: 'The faulty readings',
      ref: FAULT_BRANCH,
      sql: `select date_string, sgv, direction
from raw.glucose_entries
where cast(date_string as date) = date '2025-01-22'
  and (sgv < 20 or sgv > 600)
order by date_string
limit 12`,
      explain: 'A failing sensor alternating between implausibly low and high values for a few hours: what the range check counted.',
    },
    {
      label: 'What bronze would have kept',
      ref: FAULT_BRANCH,
      sql: `select count(*) as raw_readings,
       count(*) filter (where sgv between 20 and 600) as kept_by_stg_filter,
       count(*) filter (where sgv not between 20 and 600) as silently_dropped
from raw.glucose_entries
where cast(date_string as date) = date '2025-01-22'`,
      explain: 'stg_glucose_entries keeps only 20-600 mg/dL. Had the raw range check not stopped the run, bronze would have dropped the fault without a word, and every dbt test downstream would have passed.',
    },
    {
      label: 'Jumps between neighbouring readings',
      ref: FAULT_BRANCH,
      sql: JUMPS_SQL,
      explain: 'A rule about pairs of rows (a window over time), which no single-column check can state: the SQL behind the custom check of the last task.',
    },
  ],
  files: ['pipeline.config.ts', CHECKS, SILVER_SQL, 'models/silver/fct_glucose_readings.yml'],
  tasks: [
    {
      id: 'replay-validation',
      title: 'Layer 1: replay the day validation stopped',
      description: "Mark 2025-01-21 as an 'impossible' day in pipeline.config.ts, ingest it as the server looked at 06:00 the next morning, and read the validation report: how many rows broke which rule?",
      hint: `In pipeline.config.ts set badDays: { '2025-01-21': 'impossible' }, then run: ${REPLAY_21}`,
      check: { kind: 'pipeline-run', status: 'failed', failedCheck: 'validation.RawGlucoseEntries' },
      solution: {
        explain: 'RawGlucoseEntries checks every staged row before anything is written: 8 problems in 284 rows, 6 sgv values outside 1-1000 (-50 and 1500) and 2 directions that are not trend arrows ("Sideways"). Validation is lazy, so the report lists all of them, not just the first; the table was not touched.',
        files: { 'pipeline.config.ts': pipelineConfigWith("{ '2025-01-21': 'impossible' }") },
        commands: [REPLAY_21],
      },
    },
    {
      id: 'land-fixed-day',
      title: 'Fix the data and land the day',
      description: 'The source has resent 2025-01-21 without the corrupt readings: remove the bad day from pipeline.config.ts and run the day through every layer, so that gold has a row for it on main.',
      hint: `Set badDays back to {} and run: ${LAND_21}`,
      check: { kind: 'sql', ref: 'main', sql: `select count(*) = 1 from gold.fct_daily_glucose_metrics where reading_date = date '2025-01-21'` },
      solution: {
        explain: 'With clean input every layer passes: validation, the raw checks, the dbt tests of each model and the checks on silver and gold. The run branch is merged and main gains 2025-01-21. Fixing the data, not loosening the schema, was the right repair: the rule was right.',
        files: { 'pipeline.config.ts': pipelineConfigWith('{}') },
        commands: [LAND_21],
      },
    },
    {
      id: 'dbt-test-catches-bug',
      title: 'Layer 2: let a dbt test catch a bug',
      description: `Someone "switches silver to mmol/L": in ${SILVER_SQL} replace glucose_mg_dl with round(glucose_mg_dl / 18.0, 1) as glucose_mg_dl and run the silver model for 2025-01-20. Which test fails? (Restore the file afterwards.)`,
      hint: `Edit the select list of the silver model, then run: ${SILVER_RUN}`,
      check: { kind: 'pipeline-run', status: 'failed', failedCheck: 'dbt_test.expect_column_values_to_be_between_fct_glucose_readings_glucose_mg_dl' },
      solution: {
        explain: 'The source data was fine; the transform was wrong. The between-20-and-600 test on fct_glucose_readings.glucose_mg_dl fails for every row (the values now run from about 3 to 15), the model fails, and nothing downstream runs. The asset check on silver would have said the same, but the dbt test fails first, inside the model build. Press Restore on the file before you go on.',
        files: { [SILVER_SQL]: MMOL_BUG_SQL },
        commands: [SILVER_RUN],
      },
    },
    {
      id: 'replay-range-check',
      title: 'Layer 3: watch the blocking range check',
      description: "Now replay 2025-01-22 with its failing sensor ('sensor-fault'). Its values pass the raw schema (1-1000 mg/dL); find which check stops the run, with which severity, and how many rows it counted. Use checks dlt_glucose_entries to see every check result.",
      hint: `In pipeline.config.ts set badDays: { '2025-01-22': 'sensor-fault' }, then run: ${REPLAY_22}`,
      check: { kind: 'pipeline-run', status: 'failed', failedCheck: 'glucose_entries_quality.range_check(sgv' },
      solution: {
        explain: 'Validation passes (5 and 898 are inside 1-1000), the merge writes the rows on the run branch, and then the asset checks run: range_check(sgv, 20..600) is an ERROR check of a blocking group, and 44 of 259 rows (17 %) are far beyond its 2 % tolerance. The run stops before main; the count check, a WARN, passes with 259 readings.',
        files: { 'pipeline.config.ts': pipelineConfigWith("{ '2025-01-22': 'sensor-fault' }") },
        commands: [REPLAY_22],
      },
    },
    {
      id: 'declare-a-check',
      title: 'Declare a check of your own',
      description: `In checks.yml, declare a blocking group raw_sensor_checks on raw.glucose_entries with one range_check: sgv between 40 and 400 (what a sensor reports as a number). Run your checks against the faulty day on its audit branch.`,
      hint: `Replace quality: [] with a list of one group (the comment at the top of checks.yml shows the shape), then run: ${CHECK_FAULT}`,
      check: { kind: 'pipeline-run', status: 'failed', failedCheck: 'raw_sensor_checks.range_check(sgv, 40..400)' },
      solution: {
        explain: 'Five lines of YAML, no code: a check kind and its parameters. It runs after dlt_glucose_entries like the built-in group and fails on the same 44 readings. It is tighter than the built-in (no tolerance, the device range instead of the physiological one), and it can only ever ask one question of one column.',
        files: { [CHECKS]: CHECKS_DECLARATIVE },
        commands: [CHECK_FAULT],
      },
    },
    {
      id: 'write-custom-sql',
      title: 'Write a custom SQL check',
      description: 'Add a custom_sql_check named glucose_jumps to the same group: it fails for every reading more than 60 mg/dL away from the one before it, when the two are at most 10 minutes apart. Run the checks on the audit branch again.',
      hint: `The query runs over data (the day's rows) and returns the failing rows; lag(sgv) over (order by date_string) is the previous reading. The prepared query "Jumps between neighbouring readings" is most of it. Then: ${CHECK_FAULT}`,
      check: { kind: 'pipeline-run', status: 'failed', failedCheck: 'glucose_jumps' },
      solution: {
        explain: 'A window function compares each reading with the one before it: 43 readings of 2025-01-22 jump by more than 60 mg/dL within 10 minutes, and no day on main has one. A sensor that alternated between 45 and 390 would pass both range checks and still fail this one: the custom check states a rule about rows together, which no declarative kind can.',
        files: { [CHECKS]: CHECKS_BOTH },
        commands: [CHECK_FAULT],
      },
    },
  ],
  runForReal: {
    stack: 'example',
    intro: 'In Phlo the same layers are a Pandera schema module, dbt tests in each model\'s YAML, and asset checks declared with @phlo.quality or written with @asset_check. Phlo has no quality CLI at the pinned commit, and neither stack registers the glucose asset checks (the @phlo.quality ones would also fail on a severity Dagster does not have), so only the dbt tests run, with dbt. These commands are for the example project started with phlo services start (partitions start on 2025-01-01).',
    commands: [
      { cmd: 'phlo services start', note: 'the example project stack (Dagster on 3000, Trino on 8080); in examples/glucose-platform, and the first time after Part 2\'s start (touch .phlo/.env)' },
      { cmd: 'phlo schema list', note: 'the Pandera schemas Phlo found: RawGlucoseEntries, FactGlucoseReadings, FactDailyGlucoseMetrics' },
      { cmd: 'phlo schema show RawGlucoseEntries', note: 'fields, types and checks of the raw schema' },
      { cmd: 'phlo materialize dlt_glucose_entries --partition 2025-01-15', note: 'ingest one day (the schema shapes the table; rows are not validated at the pin)' },
      { cmd: 'docker exec glucose-platform-dagster-webserver-1 dbt test --project-dir /app/transforms/dbt --profiles-dir /app/transforms/dbt/profiles --select stg_glucose_entries', note: 'the model\'s dbt tests, inside the Dagster container' },
      { cmd: 'phlo logs --follow', note: 'the runs\' events (no asset checks at the pin)' },
    ],
    phloFiles: [
      'examples/glucose-platform/workflows/schemas/nightscout.py',
      'examples/glucose-platform/workflows/quality/nightscout.py',
      'examples/glucose-platform/workflows/ingestion/nightscout/readings.py',
      'src/phlo/quality/checks.py',
      'src/phlo/quality/decorator.py',
    ],
    urls: [{ label: 'Dagster (example project)', url: 'http://localhost:3000' }],
  },
};

export default section;
