/**
 * Part 2, "Step 5: First data ingestion": the first pipeline run, in the browser.
 *
 * The section starts at the checkpoint `part-02-first-ingest` of the prebuilt warehouse
 * (sandboxes/pipeline/cli/build-warehouse.ts): one run has ingested 2025-01-01, the first
 * daily partition Phlo defines, and carried it through bronze, silver, gold and the marts.
 * That is where Step 5 of the Docker stack ends. The learner reads that run, queries what it
 * wrote, then makes a run of their own for the next day and finds the snapshot it commits.
 */
import type { SectionConfig } from './types.ts';

const TRANSFORMS = 'stg_glucose_entries fct_glucose_readings fct_daily_glucose_metrics';

export const part02FirstIngestion: SectionConfig = {
  id: 'part-02-first-ingestion',
  part: 2,
  anchor: 'step-5-first-data-ingestion',
  title: 'Your first ingestion run',
  checkpoint: 'part-02-first-ingest',
  panes: ['pipeline', 'sql', 'timeline'],
  defaultTable: 'raw.glucose_entries',
  queries: [
    {
      label: 'Raw rows, as ingested',
      sql: `select _id, sgv, date_string, direction, trend, device, _dlt_load_id
from raw.glucose_entries
order by date_string
limit 10`,
      explain: 'The Nightscout fields after DLT normalised them: camelCase became snake_case, and the _dlt_ columns record the load.',
    },
    {
      label: 'How many readings, how many ids',
      sql: `select count(*) as readings,
       count(distinct _id) as distinct_ids,
       min(date_string) as first_reading,
       max(date_string) as last_reading
from raw.glucose_entries`,
      explain: 'One reading every five minutes is 288 a day; sensor gaps make it a few fewer. The merge on _id keeps every id once.',
    },
    {
      label: 'Bronze: the staging view',
      sql: `-- stg_glucose_entries is a view: this is its SQL, run directly on raw
select _id as entry_id,
       sgv as glucose_mg_dl,
       date_string as reading_timestamp,
       direction,
       device,
       type as reading_type
from raw.glucose_entries
where sgv is not null
  and sgv between 20 and 600
order by reading_timestamp
limit 10`,
      explain: 'Bronze renames the raw columns and drops physiologically impossible values. Nothing is stored: a view runs its query each time.',
    },
    {
      label: 'Silver: one row per reading',
      sql: `select entry_id, glucose_mg_dl, reading_timestamp, hour_of_day, glucose_category, is_in_range
from silver.fct_glucose_readings
order by reading_timestamp
limit 10`,
      explain: 'Silver adds what analysis needs: the hour, a glucose band, an in-range flag.',
    },
    {
      label: 'Average glucose per hour',
      sql: `select hour(date_string) as hour_utc,
       count(*) as readings,
       round(avg(sgv)) as avg_mg_dl
from raw.glucose_entries
group by 1
order by 1`,
      explain: 'Twelve readings an hour when the sensor is healthy; watch the averages rise after meals.',
    },
  ],
  tasks: [
    {
      id: 'count-first-day',
      title: 'Count what the first run stored',
      description: 'Write a query that counts the readings in raw.glucose_entries for 2025-01-01, and compare the number with the run log.',
      hint: 'The timestamp column is date_string; cast it to a date and compare with DATE \'2025-01-01\'.',
      check: {
        kind: 'same-result',
        sql: `select count(*) as readings from raw.glucose_entries where cast(date_string as date) = DATE '2025-01-01'`,
      },
      solution: {
        explain: 'The run log of the first run reports how many rows it inserted. Counting the day in the table gives the same number: every fetched reading with a new _id became one row.',
        sql: `select count(*) as readings
from raw.glucose_entries
where cast(date_string as date) = DATE '2025-01-01'`,
      },
    },
    {
      id: 'range-in-silver',
      title: 'Find the lowest and highest reading',
      description: 'From silver.fct_glucose_readings, return the lowest and the highest glucose value of the day in one row.',
      hint: 'min() and max() over glucose_mg_dl, with no GROUP BY.',
      check: {
        kind: 'same-result',
        sql: `select min(glucose_mg_dl) as lowest, max(glucose_mg_dl) as highest from silver.fct_glucose_readings`,
      },
      solution: {
        explain: 'Silver holds one row per valid reading with readable column names, so the day\'s range is a plain aggregate.',
        sql: `select min(glucose_mg_dl) as lowest,
       max(glucose_mg_dl) as highest
from silver.fct_glucose_readings`,
      },
    },
    {
      id: 'materialize-next-day',
      title: 'Materialise the next day yourself',
      description: 'In the pipeline terminal, materialise the asset dlt_glucose_entries for the partition 2025-01-02 and read the run log it prints.',
      hint: 'npm run pipeline -- materialize ASSET --partition DAY; then npm run pipeline -- runs and npm run pipeline -- logs RUN_ID.',
      check: { kind: 'pipeline-run', status: 'success', asset: 'dlt_glucose_entries' },
      solution: {
        explain: 'The run creates a branch, fetches the day, stages it as Parquet, validates it, merges it into raw.glucose_entries on _id, runs the checks and only then merges the branch into main.',
        commands: [
          'npm run pipeline -- materialize dlt_glucose_entries --partition 2025-01-02',
          'npm run pipeline -- runs',
        ],
      },
    },
    {
      id: 'find-new-snapshot',
      title: 'Find the snapshot your run committed',
      description: 'List the snapshots of raw.glucose_entries: the first run made one, yours should have added a second.',
      hint: 'npm run pipeline -- snapshots raw.glucose_entries, or open the timeline pane.',
      check: { kind: 'snapshot-count', table: 'raw.glucose_entries', atLeast: 2 },
      solution: {
        explain: 'Each successful write to an Iceberg table commits one snapshot. The new one is an append: its summary counts the rows it added and the new total.',
        commands: [
          'npm run pipeline -- materialize dlt_glucose_entries --partition 2025-01-02',
          'npm run pipeline -- snapshots raw.glucose_entries',
        ],
      },
    },
    {
      id: 'transform-next-day',
      title: 'Carry the new day through the transforms',
      description: 'Materialise the bronze, silver and gold models so gold.fct_daily_glucose_metrics has a row for each of the two days.',
      hint: `List the three models after materialize: ${TRANSFORMS}, with --partition 2025-01-02.`,
      check: {
        kind: 'sql',
        sql: `select count(distinct reading_date) >= 2 from gold.fct_daily_glucose_metrics`,
      },
      solution: {
        explain: 'The dbt models read the layer below them: staging renames, silver enriches each reading, gold aggregates one row per day. Materialising them for the new partition adds 2025-01-02 to the daily metrics.',
        commands: [
          'npm run pipeline -- materialize dlt_glucose_entries --partition 2025-01-02',
          `npm run pipeline -- materialize ${TRANSFORMS} --partition 2025-01-02`,
        ],
        sql: `select reading_date, reading_count, avg_glucose_mg_dl, time_in_range_pct
from gold.fct_daily_glucose_metrics
order by reading_date`,
      },
    },
  ],
  runForReal: {
    intro:
      'On the Docker stack the same run happens in Dagster: the asset dlt_glucose_entries fetches the day from the Nightscout API, stages it with DLT and merges it into the Iceberg table raw.glucose_entries through Nessie. Ports and logins are those of the repository root stack (.env.example).',
    commands: [
      { cmd: 'git clone https://github.com/iamgp/phlo.git && cd phlo', note: 'the repository; the series pins commit 0fb5f06' },
      { cmd: 'cp .env.example .env', note: 'local defaults: Postgres lake/lakepass, MinIO minio/minio999' },
      { cmd: 'make up', note: 'every service without a profile' },
      { cmd: 'make health', note: 'Postgres, MinIO, Nessie, Trino and Dagster readiness' },
      { cmd: 'make dagster', note: 'opens http://localhost:10006: select dlt_glucose_entries, Materialize, partition 2025-01-01' },
      { cmd: 'docker compose logs -f dagster-daemon dagster-webserver', note: 'follow the services while the run executes' },
      {
        cmd: 'docker exec -it trino trino --catalog iceberg --schema raw --execute "SELECT count(*) FROM glucose_entries"',
        note: 'the rows the run merged',
      },
      {
        cmd: `docker exec -it trino trino --execute 'SELECT snapshot_id, committed_at, operation FROM iceberg.raw."glucose_entries$snapshots"'`,
        note: 'the snapshot it committed (single quotes keep $snapshots away from the shell)',
      },
    ],
    phloFiles: [
      'docker-compose.yml',
      '.env.example',
      'examples/glucose-platform/workflows/ingestion/nightscout/readings.py',
      'src/phlo/defs/partitions.py',
      'src/phlo/iceberg/tables.py',
    ],
    urls: [
      { label: 'Dagster', url: 'http://localhost:10006' },
      { label: 'MinIO console', url: 'http://localhost:10002' },
      { label: 'Trino', url: 'http://localhost:10005' },
    ],
  },
};

export default part02FirstIngestion;
