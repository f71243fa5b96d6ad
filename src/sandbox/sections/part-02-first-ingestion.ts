/**
 * Part 2, "Step 5: First data ingestion": the first pipeline run, in the browser.
 *
 * The section starts at the checkpoint `part-02-start` of the prebuilt warehouse
 * (sandboxes/pipeline/cli/build-warehouse.ts): an empty lakehouse, the catalog and its main
 * branch with no table and no run. The learner materialises 2025-01-01, the first daily
 * partition Phlo defines, reads the run log, queries the raw rows and the first snapshot, then
 * carries the day through bronze, silver and gold. Until the first run the prepared queries
 * answer that their table does not exist yet on main (they return rows after it).
 */
import type { SectionConfig } from './types.ts';

const TRANSFORMS = 'stg_glucose_entries fct_glucose_readings fct_daily_glucose_metrics';

export const part02FirstIngestion: SectionConfig = {
  id: 'part-02-first-ingestion',
  part: 2,
  anchor: 'step-5-first-data-ingestion',
  title: 'Your first ingestion run',
  checkpoint: 'part-02-start',
  panes: ['pipeline', 'sql', 'timeline'],
  defaultTable: 'raw.glucose_entries',
  // The lakehouse is empty: the terminal suggests the first run, not a later day.
  terminalExample: 'materialize dlt_glucose_entries --partition 2025-01-01',
  queries: [
    {
      label: 'Raw rows, as ingested',
      sql: `select _id, sgv, date_string, direction, trend, device, _dlt_load_id
from raw.glucose_entries
order by date_string
limit 10`,
      explain: 'The Nightscout fields after DLT normalised them: camelCase became snake_case, and the _dlt_ columns record the load. Before the first run this answers that the table does not exist yet: materialise 2025-01-01 first.',
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
      explain: 'Silver adds what analysis needs: the hour, a glucose band, an in-range flag. It exists once the transforms have run for the day.',
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
      id: 'first-run',
      title: 'Materialise the first day',
      description: 'The lakehouse is empty. In the pipeline terminal, materialise the asset dlt_glucose_entries for the partition 2025-01-01, the first day Phlo defines, and read the run log it prints.',
      hint: 'npm run pipeline -- materialize ASSET --partition DAY; then npm run pipeline -- runs lists the run, and npm run pipeline -- logs RUN_ID prints its events.',
      check: { kind: 'pipeline-run', status: 'success', asset: 'dlt_glucose_entries' },
      solution: {
        explain: 'The run creates a branch, fetches the day, stages it as Parquet, validates it, creates raw.glucose_entries (the table does not exist yet), merges the rows on _id, runs the checks and only then merges the branch into main.',
        commands: [
          'npm run pipeline -- materialize dlt_glucose_entries --partition 2025-01-01',
          'npm run pipeline -- runs',
        ],
      },
    },
    {
      id: 'count-first-day',
      title: 'Count what the run stored',
      description: 'Write a query that counts the readings of 2025-01-01 in raw.glucose_entries, and compare the number with the run log\'s "inserted".',
      hint: 'The timestamp column is date_string; cast it to a date and compare with DATE \'2025-01-01\'.',
      check: {
        kind: 'same-result',
        sql: `select count(*) as readings from raw.glucose_entries where cast(date_string as date) = DATE '2025-01-01'`,
      },
      solution: {
        explain: 'The run log reports how many rows the merge inserted. Counting the day in the table gives the same number: every fetched reading with a new _id became one row.',
        sql: `select count(*) as readings
from raw.glucose_entries
where cast(date_string as date) = DATE '2025-01-01'`,
      },
    },
    {
      id: 'first-snapshot',
      title: 'Find the first snapshot',
      description: 'The run committed the first snapshot of raw.glucose_entries. Query the table\'s snapshots metadata table for its id and operation.',
      hint: 'A metadata table is the table name with $snapshots, in quotes: raw."glucose_entries$snapshots". Select snapshot_id and operation.',
      check: {
        kind: 'same-result',
        sql: `select snapshot_id, operation from raw."glucose_entries$snapshots"`,
      },
      solution: {
        explain: 'One write, one snapshot: an append with no parent, whose summary counts the records it added. Part 3 opens it up; the timeline pane and npm run pipeline -- snapshots raw.glucose_entries show the same list.',
        sql: `select snapshot_id, operation
from raw."glucose_entries$snapshots"`,
      },
    },
    {
      id: 'transform-first-day',
      title: 'Carry the day through the transforms',
      description: 'Materialise the bronze, silver and gold models for 2025-01-01 so that gold.fct_daily_glucose_metrics has its first row.',
      hint: `List the three models after materialize: ${TRANSFORMS}, with --partition 2025-01-01.`,
      check: {
        kind: 'sql',
        sql: `select count(*) = 1 from gold.fct_daily_glucose_metrics where reading_date = DATE '2025-01-01'`,
      },
      solution: {
        explain: 'The dbt models read the layer below them: staging renames, silver enriches each reading, gold aggregates one row per day. Each model that stores rows commits its own first snapshot.',
        commands: [`npm run pipeline -- materialize ${TRANSFORMS} --partition 2025-01-01`],
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
  ],
  runForReal: {
    stack: 'example',
    intro:
      'On the Docker stack the same run happens in Dagster: the asset dlt_glucose_entries fetches the day from the Nightscout API, stages it with DLT and merges it into the Iceberg table raw.glucose_entries through Nessie. At the pinned commit only the example project (examples/glucose-platform) has that asset; the repository-root stack (make up) does not. Ports and logins are those of its .phlo/docker-compose.yml.',
    commands: [
      { cmd: 'git clone https://github.com/iamgp/phlo.git && cd phlo/examples/glucose-platform', note: 'the repository; the series pins commit 0fb5f06' },
      { cmd: 'uv sync && source .venv/bin/activate', note: 'the phlo command line, with Phlo taken from the repository' },
      { cmd: 'touch .phlo/.env', note: 'once: phlo services start passes this file to Docker Compose, and a fresh clone does not have it (empty means the defaults)' },
      { cmd: 'phlo services start', note: 'every service without a profile (the first start builds the Dagster image)' },
      { cmd: 'phlo services status', note: 'running and healthy?' },
      { cmd: 'phlo materialize dlt_glucose_entries --partition 2025-01-01', note: 'the first day; or in Dagster at http://localhost:3000: dlt_glucose_entries, Materialize, partition 2025-01-01' },
      { cmd: 'phlo services logs dagster-webserver -f', note: 'follow the run in the service log' },
      {
        cmd: 'docker exec -it glucose-platform-trino-1 trino --catalog iceberg --schema raw --execute "SELECT count(*) FROM glucose_entries"',
        note: 'the rows the run merged',
      },
      {
        cmd: `docker exec -it glucose-platform-trino-1 trino --execute 'SELECT snapshot_id, committed_at, operation FROM iceberg.raw."glucose_entries$snapshots"'`,
        note: 'the snapshot of the table as Nessie\'s main branch holds it (single quotes keep $snapshots away from the shell)',
      },
    ],
    phloFiles: [
      'examples/glucose-platform/.phlo/docker-compose.yml',
      'examples/glucose-platform/workflows/ingestion/nightscout/readings.py',
      'src/phlo/defs/partitions.py',
      'src/phlo/iceberg/tables.py',
    ],
    urls: [
      { label: 'Dagster (example project)', url: 'http://localhost:3000' },
      { label: 'MinIO console (minio / minio123)', url: 'http://localhost:9001' },
      { label: 'Trino', url: 'http://localhost:8080' },
    ],
  },
};

export default part02FirstIngestion;
