/** Part 5, "Hands-on: trace an ingestion": stage, validate, merge on _id; re-runs change nothing. */
import type { SectionConfig } from './types.ts';

export const part05TraceAnIngestion: SectionConfig = {
  id: 'part-05-trace-an-ingestion',
  part: 5,
  anchor: 'hands-on-trace-an-ingestion',
  title: 'Trace an ingestion',
  checkpoint: 'part-05-ingestion',
  panes: ['pipeline', 'sql', 'timeline'],
  defaultTable: 'raw.glucose_entries',
  queries: [
    {
      label: 'The late readings of 2025-01-03',
      sql: `-- the day now, against the day as its first run left it (committed 06:00 on the 4th)\nSELECT\n  (SELECT count(*) FROM raw.glucose_entries WHERE CAST(date_string AS DATE) = DATE '2025-01-03') AS readings_now,\n  (SELECT count(*) FROM raw."glucose_entries#2025-01-04T07:00:00Z" WHERE CAST(date_string AS DATE) = DATE '2025-01-03') AS after_first_run`,
      explain: 'The re-run merged the readings that reached the server late; nothing was duplicated.',
    },
    {
      label: 'Any duplicate ids?',
      sql: `SELECT _id, count(*) AS copies\nFROM raw.glucose_entries\nGROUP BY _id\nHAVING count(*) > 1`,
      explain: 'Merging on _id keeps one row per reading: this query should return no rows.',
    },
  ],
  files: ['pipeline.config.ts'],
  tasks: [
    {
      id: 'ingest-a-day',
      title: 'Ingest a new day',
      description: 'Ingest 2025-01-08 and watch the stage, validate and merge steps in the terminal.',
      hint: 'materialize dlt_glucose_entries --partition 2025-01-08',
      check: { kind: 'sql', sql: "SELECT count(*) > 0 FROM raw.glucose_entries WHERE CAST(date_string AS DATE) = DATE '2025-01-08'" },
      solution: {
        explain: 'One partition: fetched, staged as Parquet, validated, merged on _id, committed as one snapshot.',
        commands: ['materialize dlt_glucose_entries --partition 2025-01-08'],
      },
    },
    {
      id: 'idempotent',
      title: 'Run it twice',
      description: 'Run the same day again: the run succeeds and the row count of that day does not change.',
      hint: 'Run the same materialize command again, then count the day’s rows.',
      check: { kind: 'pipeline-run', status: 'success', asset: 'dlt_glucose_entries' },
      solution: {
        explain: 'The merge deletes the batch’s keys and appends the batch: the second run finds every key already there.',
        commands: ['materialize dlt_glucose_entries --partition 2025-01-08'],
      },
    },
  ],
  runForReal: {
    intro: 'On the Docker stack, the same asset runs in Dagster with DLT staging to MinIO and PyIceberg merging through Nessie.',
    commands: [
      { cmd: 'docker exec dagster-web dagster asset materialize -m phlo.framework.definitions --select dlt_glucose_entries --partition 2025-01-08', note: 'ingest one day' },
      { cmd: 'docker exec trino trino --catalog iceberg --schema raw --execute "SELECT COUNT(*) AS total FROM glucose_entries"', note: 'count the rows' },
    ],
    phloFiles: ['examples/glucose-platform/workflows/ingestion/nightscout/readings.py', 'examples/glucose-platform/workflows/schemas/nightscout.py', 'src/phlo/iceberg/tables.py'],
  },
};
