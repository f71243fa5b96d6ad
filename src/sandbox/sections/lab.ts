/**
 * "The lab": a demo section that shows every pane at once. It is what the browser tests
 * drive, and a place to try a pane before a part uses it.
 */
import type { SectionConfig } from './types.ts';
import { pipelineConfigWith } from '../pipeline/pipeline-config.ts';

export const lab: SectionConfig = {
  id: 'lab',
  part: 0,
  anchor: 'the-lab',
  title: 'The lab: every pane of the sandbox',
  checkpoint: 'latest',
  panes: ['sql', 'timeline', 'branches', 'explorer', 'pipeline'],
  defaultTable: 'raw.glucose_entries',
  queries: [
    {
      label: 'Daily averages',
      sql: `SELECT reading_date, avg_glucose_mg_dl, time_in_range_pct\nFROM gold.fct_daily_glucose_metrics\nORDER BY reading_date`,
      explain: 'One row per day from the gold layer: the mean glucose and the share of readings in range (70-180 mg/dL).',
    },
    {
      label: 'Readings per day',
      sql: `SELECT CAST(date_string AS DATE) AS day, count(*) AS readings\nFROM raw.glucose_entries\nGROUP BY day\nORDER BY day`,
      explain: 'A sensor reading every 5 minutes gives 288 a day; fewer means a gap (sensor warm-up, a lost signal).',
    },
    {
      label: 'Glucose over time',
      sql: `SELECT date_string AS reading_time, sgv AS glucose_mg_dl\nFROM raw.glucose_entries\nORDER BY reading_time`,
      explain: 'Every raw reading: thousands of rows, drawn as a time series.',
    },
    {
      label: 'Direction counts',
      sql: `SELECT direction, count(*) AS readings\nFROM raw.glucose_entries\nGROUP BY direction\nORDER BY readings DESC`,
      explain: 'How often the sensor reported each trend arrow.',
    },
  ],
  files: [
    'pipeline.config.ts',
    'models/silver/fct_glucose_readings.sql',
    'models/gold/fct_daily_glucose_metrics.sql',
    'models/gold/fct_daily_glucose_metrics.yml',
  ],
  tasks: [
    {
      id: 'count-readings',
      title: 'Count the raw readings',
      description: 'Write a query that returns the number of rows in raw.glucose_entries on main, and run it.',
      hint: 'count(*) counts rows; the table is raw.glucose_entries.',
      check: { kind: 'same-result', sql: 'SELECT count(*) FROM raw.glucose_entries' },
      solution: {
        explain: 'count(*) over the whole table gives one row with one number: every reading ingested so far.',
        sql: 'SELECT count(*) AS readings FROM raw.glucose_entries',
      },
    },
    {
      id: 'branch-experiment',
      title: 'Make a branch of your own',
      description: 'Create a branch named experiment from main.',
      hint: 'Use the branch graph: type the name and press "Create branch".',
      check: { kind: 'ref-exists', name: 'experiment', type: 'branch' },
      solution: {
        explain: 'A branch is only a pointer to a commit: creating one copies no data.',
        commands: ['branch create experiment'],
      },
    },
    {
      id: 'run-a-day',
      title: 'Ingest one more day',
      description: 'Run the pipeline for a new day and let its checks merge it into main.',
      hint: 'In the pipeline terminal: materialize --partition 2025-01-08 --downstream dlt_glucose_entries',
      check: { kind: 'pipeline-run', status: 'success' },
      solution: {
        explain: 'The run writes the day on its own branch, runs the asset checks, and merges into main only when they pass.',
        commands: ['materialize --partition 2025-01-08 --downstream dlt_glucose_entries'],
      },
    },
    {
      id: 'fail-range-check',
      title: 'Make the range check fail',
      description: 'Give one day a faulty sensor in pipeline.config.ts, ingest that day, and watch the audit stop it before main.',
      hint: "In pipeline.config.ts set badDays: { '2025-02-22': 'sensor-fault' }, then run: materialize dlt_glucose_entries --partition 2025-02-22",
      check: { kind: 'pipeline-run', status: 'failed', failedCheck: 'range' },
      solution: {
        explain: 'A stuck sensor reports values no body produces. The blocking range check (20 to 600 mg/dL) fails on the run branch, so the run never merges and main keeps its last good state.',
        files: {
          'pipeline.config.ts': pipelineConfigWith("{ '2025-02-22': 'sensor-fault' }", '2025-02-22: the sensor fails and reports values no body produces.'),
        },
        commands: ['materialize dlt_glucose_entries --partition 2025-02-22'],
      },
    },
  ],
  runForReal: {
    stack: 'example',
    intro: 'On the Docker stack the same steps run in Dagster, with Nessie as the catalog and Trino for SQL. These commands are for the example project (in examples/glucose-platform, after uv sync), the stack with the glucose assets at the pinned commit.',
    commands: [
      { cmd: 'touch .phlo/.env && phlo services start', note: 'Postgres, MinIO, Nessie, Trino, Dagster, Superset and pgweb (the start needs .phlo/.env; empty means the defaults)' },
      { cmd: 'phlo materialize dlt_glucose_entries --partition 2025-01-08', note: 'ingest one day, as the pipeline pane does here (it runs dagster asset materialize in the Dagster container)' },
      { cmd: 'docker exec -it glucose-platform-trino-1 trino', note: 'a Trino CLI to query the tables' },
    ],
    phloFiles: ['examples/glucose-platform/.phlo/docker-compose.yml', 'src/phlo/cli/main.py', 'src/phlo/defs/transform/dbt.py'],
    urls: [{ label: 'Dagster (example project)', url: 'http://localhost:3000' }],
  },
};
