/** Part 2, "In your browser: the first ingestion": one day through every layer, then the next. */
import type { SectionConfig } from './types.ts';

export const part02FirstIngestion: SectionConfig = {
  id: 'part-02-first-ingestion',
  part: 2,
  anchor: 'in-your-browser-the-first-ingestion-hands-on',
  title: 'The first ingestion, in your browser',
  checkpoint: 'part-02-first-ingest',
  panes: ['sql', 'pipeline', 'timeline'],
  defaultTable: 'raw.glucose_entries',
  queries: [
    {
      label: 'Readings per category (silver)',
      sql: `SELECT glucose_category, count(*) AS readings\nFROM silver.fct_glucose_readings\nGROUP BY glucose_category\nORDER BY readings DESC`,
      explain: 'The silver model sorts every reading into a category; this is the query Step 5d runs in Trino.',
    },
    {
      label: 'The day in gold',
      sql: `SELECT reading_date, reading_count, avg_glucose_mg_dl, time_in_range_pct\nFROM gold.fct_daily_glucose_metrics\nORDER BY reading_date`,
      explain: 'One row per day: what the dashboard of Step 6 draws.',
    },
    {
      label: 'Glucose over the day',
      sql: `SELECT reading_timestamp, glucose_mg_dl\nFROM silver.fct_glucose_readings\nORDER BY reading_timestamp`,
    },
  ],
  files: ['pipeline.config.ts', 'models/bronze/stg_glucose_entries.sql', 'models/silver/fct_glucose_readings.sql'],
  tasks: [
    {
      id: 'ingest-second-day',
      title: 'Ingest the next day',
      description: 'Run the pipeline for 2025-01-02 through every layer, as Steps 5a to 5c do in Dagster.',
      hint: 'In the pipeline terminal: materialize --partition 2025-01-02 --downstream dlt_glucose_entries',
      check: { kind: 'sql', sql: "SELECT count(*) > 0 FROM gold.fct_daily_glucose_metrics WHERE reading_date = DATE '2025-01-02'" },
      solution: {
        explain: 'materialize with --downstream runs the ingestion asset and every dbt model after it for that partition, on a run branch merged into main when the checks pass.',
        commands: ['materialize --partition 2025-01-02 --downstream dlt_glucose_entries'],
      },
    },
    {
      id: 'count-silver',
      title: 'Count the silver readings of 2025-01-01',
      description: 'Query silver.fct_glucose_readings for the number of readings taken on 2025-01-01.',
      hint: 'reading_timestamp is a timestamp: CAST it to DATE and compare with DATE \'2025-01-01\'.',
      check: { kind: 'same-result', sql: "SELECT count(*) FROM silver.fct_glucose_readings WHERE CAST(reading_timestamp AS DATE) = DATE '2025-01-01'" },
      solution: {
        explain: 'The same count Step 5d asks Trino for, here answered by DuckDB over the same Iceberg table.',
        sql: "SELECT count(*) AS readings\nFROM silver.fct_glucose_readings\nWHERE CAST(reading_timestamp AS DATE) = DATE '2025-01-01'",
      },
    },
  ],
  runForReal: {
    intro: 'On the Docker stack, Dagster runs the same assets against MinIO, Nessie and Trino.',
    commands: [
      { cmd: 'make up-core', note: 'Postgres, MinIO, Nessie and Dagster' },
      { cmd: 'docker exec dagster-web dagster asset materialize -m phlo.framework.definitions --select dlt_glucose_entries --partition 2025-01-01', note: 'the first day' },
      { cmd: 'make up-query', note: 'Trino' },
    ],
    phloFiles: ['examples/glucose-platform/workflows/ingestion/nightscout/readings.py', 'examples/glucose-platform/transforms/dbt/models/bronze/stg_glucose_entries.sql'],
    urls: [{ label: 'Dagster', url: 'http://localhost:10006' }],
  },
};
