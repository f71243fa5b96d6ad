/**
 * Part 3, "Hands-on: explore snapshots": an Iceberg table's history, in the browser.
 *
 * The section starts at the checkpoint `part-03-snapshots` of the prebuilt warehouse
 * (sandboxes/pipeline/cli/build-warehouse.ts): seven daily runs, 2025-01-01 to 2025-01-07,
 * each committed at 06:00 UTC on the following morning, so raw.glucose_entries has seven
 * append snapshots and every rebuilt model one snapshot per run. The time-travel queries use
 * those commit times: `raw."glucose_entries#2025-01-02T12:00:00Z"` is the table as it was at
 * noon on 2 January, after the first run and before the second.
 *
 * The checks compare the learner's answer with the same answer computed from the current
 * table (the rows of a day never change in this story), so any correct route passes: time
 * travel by snapshot id, by time, or a filter.
 */
import type { SectionConfig } from './types.ts';

export const part03ExploreSnapshots: SectionConfig = {
  id: 'part-03-explore-snapshots',
  part: 3,
  anchor: 'hands-on-explore-snapshots',
  title: 'Explore snapshots',
  checkpoint: 'part-03-snapshots',
  panes: ['timeline', 'explorer', 'sql', 'pipeline'],
  defaultTable: 'raw.glucose_entries',
  queries: [
    {
      label: 'Rows per day, now',
      sql: `select cast(date_string as date) as day, count(*) as readings
from raw.glucose_entries
group by 1
order by 1`,
      explain: 'The current snapshot: seven days, one daily run each.',
    },
    {
      label: 'The table after its first commit',
      sql: `select count(*) as readings,
       min(date_string) as first_reading,
       max(date_string) as last_reading
from raw."glucose_entries#2025-01-02T12:00:00Z"`,
      explain: 'A table name with #TIME reads the snapshot that was current at that moment: here, only the first day existed.',
    },
    {
      label: 'Row count at each morning',
      sql: `select '2025-01-02 12:00' as as_of, count(*) as readings from raw."glucose_entries#2025-01-02T12:00:00Z"
union all
select '2025-01-03 12:00', count(*) from raw."glucose_entries#2025-01-03T12:00:00Z"
union all
select '2025-01-04 12:00', count(*) from raw."glucose_entries#2025-01-04T12:00:00Z"
union all
select 'now', count(*) from raw.glucose_entries
order by 1`,
      explain: 'The same table read at four moments. Old snapshots stay readable because their files are never rewritten.',
    },
    {
      label: 'Diff: what the third snapshot added',
      sql: `select cast(date_string as date) as day, count(*) as readings
from (
  select * from raw."glucose_entries#2025-01-04T12:00:00Z"
  except
  select * from raw."glucose_entries#2025-01-03T12:00:00Z"
)
group by 1
order by 1`,
      explain: 'EXCEPT keeps the rows of the newer snapshot that the older one lacks: the diff of two versions in plain SQL.',
    },
    {
      label: 'Files a date filter can skip',
      sql: `select cast(regexp_extract(lower_bounds, '"date_string":"([^"]+)"', 1) as timestamp) as min_date_string,
       cast(regexp_extract(upper_bounds, '"date_string":"([^"]+)"', 1) as timestamp) as max_date_string,
       record_count,
       cast(regexp_extract(upper_bounds, '"date_string":"([^"]+)"', 1) as timestamp) >= TIMESTAMP '2025-01-06 00:00:00' as read_for_jan_6_on
from raw."glucose_entries$files"
order by 1`,
      explain: 'The manifests keep each data file\'s column bounds. A filter date_string >= 2025-01-06 can only match files whose maximum reaches that day: two are read, five are skipped without being opened. The explorer\'s “Which files would a query read?” plans that filter and gives each skipped file its reason.',
    },
    {
      label: 'Silver, two mornings apart',
      sql: `select 'after day 2' as version, count(*) as readings from silver."fct_glucose_readings#2025-01-03T12:00:00Z"
union all
select 'now', count(*) from silver.fct_glucose_readings`,
      explain: 'Silver is rebuilt on every run (an overwrite), yet each earlier version is still a snapshot you can read.',
    },
  ],
  tasks: [
    {
      id: 'first-snapshot-count',
      title: 'Read the first snapshot',
      description: 'How many readings did raw.glucose_entries hold right after its first snapshot? Answer with a query that returns that count.',
      hint: 'Find the oldest snapshot in the timeline and query raw."glucose_entries@SNAPSHOT_ID", or read it by time with raw."glucose_entries#2025-01-02T12:00:00Z".',
      check: {
        kind: 'same-result',
        sql: `select count(*) as readings from raw.glucose_entries where cast(date_string as date) = DATE '2025-01-01'`,
      },
      solution: {
        explain: 'The first run committed the first snapshot at 06:00 UTC on 2 January. Any moment between that and the second commit reads the same snapshot: the first day only.',
        sql: `select count(*) as readings
from raw."glucose_entries#2025-01-02T12:00:00Z"`,
      },
    },
    {
      id: 'diff-snapshots',
      title: 'Diff two snapshots',
      description: 'Which rows did the third snapshot add? Return them grouped by day, with the count per day.',
      hint: 'Take the table at the third snapshot EXCEPT the table at the second, then group by cast(date_string as date).',
      check: {
        kind: 'same-result',
        sql: `select cast(date_string as date) as day, count(*) as readings from raw.glucose_entries where cast(date_string as date) = DATE '2025-01-03' group by 1`,
      },
      solution: {
        explain: 'An append snapshot only adds files, so the difference between two neighbouring snapshots is exactly the rows of the run that committed the newer one: the readings of 3 January.',
        sql: `select cast(date_string as date) as day, count(*) as readings
from (
  select * from raw."glucose_entries#2025-01-04T12:00:00Z"
  except
  select * from raw."glucose_entries#2025-01-03T12:00:00Z"
)
group by 1`,
      },
    },
    {
      id: 'time-travel-silver',
      title: 'Time-travel a rebuilt table',
      description: 'silver.fct_glucose_readings is replaced on every run. Count its rows as they were at noon on 3 January.',
      hint: 'The same #TIME suffix works on any table: silver."fct_glucose_readings#2025-01-03T12:00:00Z".',
      check: {
        kind: 'same-result',
        sql: `select count(*) as readings from silver.fct_glucose_readings where cast(reading_timestamp as date) <= DATE '2025-01-02'`,
      },
      solution: {
        explain: 'At noon on 3 January the second run had rebuilt silver from two days of readings. The overwrite removed the old files from the current snapshot but not from storage, so the older snapshot still reads them.',
        sql: `select count(*) as readings
from silver."fct_glucose_readings#2025-01-03T12:00:00Z"`,
      },
    },
    {
      id: 'add-column',
      title: 'Add a column, read old rows under the new schema',
      description: 'Add an optional column a1c_level (type double) to raw.glucose_entries from the pipeline terminal. Then read the rows of the first snapshot under the new schema: one row with their count and the count of their non-null a1c_level values.',
      hint: 'npm run pipeline -- alter raw.glucose_entries add-column a1c_level double. Then count(*) and count(a1c_level) from raw.glucose_entries, for the _id values of the first snapshot: where _id in (select _id from raw."glucose_entries#2025-01-02T12:00:00Z").',
      check: {
        kind: 'same-result',
        // Fails while the column is missing from the current schema (the query cannot bind).
        sql: `select count(*) as readings, count(a1c_level) as with_a1c_level from raw.glucose_entries where cast(date_string as date) = DATE '2025-01-01'`,
      },
      solution: {
        explain: 'Adding a column writes a new schema with the next field id into the table metadata: no data file is rewritten and no snapshot is added. The files of the first snapshot have no column with that id, so under the new schema their rows read a1c_level as null. Time travel itself reads a snapshot with the schema it was written with (as Trino does), which is why the old rows are looked up by _id in the current table.',
        commands: ['npm run pipeline -- alter raw.glucose_entries add-column a1c_level double'],
        sql: `select count(*) as readings,
       count(a1c_level) as with_a1c_level
from raw.glucose_entries
where _id in (select _id from raw."glucose_entries#2025-01-02T12:00:00Z")`,
      },
    },
    {
      id: 'eighth-snapshot',
      title: 'Commit a new snapshot',
      description: 'Materialise dlt_glucose_entries for 2025-01-08 and watch an eighth snapshot appear on raw.glucose_entries.',
      hint: 'npm run pipeline -- materialize dlt_glucose_entries --partition 2025-01-08, then look at the timeline again.',
      check: { kind: 'snapshot-count', table: 'raw.glucose_entries', atLeast: 8 },
      solution: {
        explain: 'The run appended one new data file, wrote a manifest for it and a manifest list for the new snapshot, then a new metadata file, and swapped the catalog pointer to it in one commit.',
        commands: [
          'npm run pipeline -- materialize dlt_glucose_entries --partition 2025-01-08',
          'npm run pipeline -- snapshots raw.glucose_entries',
        ],
      },
    },
  ],
  runForReal: {
    stack: 'example',
    intro:
      'On the Docker stack (the example project, as in Part 2), Trino reads the real table through Nessie\'s Iceberg REST catalog, and that changes what history it can see: Nessie hands out the table as it was at one Nessie commit, with only that commit\'s snapshot. So $snapshots shows one row, and FOR VERSION AS OF an older snapshot id fails. Time travel on Phlo\'s stack goes through Nessie instead: its commit log, and the table\'s metadata at any commit hash. The long snapshot list of the sandbox is what a plain Iceberg catalog keeps. Load a few days first (Part 2) so there is a history to read.',
    commands: [
      { cmd: 'docker exec -it glucose-platform-trino-1 trino', note: 'a Trino CLI in the example project\'s trino container; type the next three queries at its prompt' },
      { cmd: 'SELECT snapshot_id, parent_id, committed_at, operation, summary FROM iceberg.raw."glucose_entries$snapshots";', note: 'one row through Nessie: the snapshot main\'s current commit points at' },
      { cmd: 'SELECT file_path, record_count, file_size_in_bytes FROM iceberg.raw."glucose_entries$files";', note: 'the data files of that snapshot' },
      { cmd: 'SELECT path, added_data_files_count FROM iceberg.raw."glucose_entries$manifests";', note: 'the manifests that list them' },
      { cmd: 'curl -s "http://localhost:19120/api/v2/trees/main/history?max-records=10"', note: 'in another terminal: Nessie\'s commit log of main, newest first; each commit has a hash' },
      { cmd: 'curl -s "http://localhost:19120/api/v2/trees/main@COMMIT_HASH/contents/raw.glucose_entries"', note: 'put a hash from the log in place of COMMIT_HASH: the table\'s metadataLocation and snapshotId at that commit' },
    ],
    phloFiles: [
      'src/phlo/iceberg/catalog.py',
      'src/phlo/iceberg/tables.py',
      'examples/glucose-platform/workflows/ingestion/nightscout/readings.py',
    ],
    urls: [
      { label: 'MinIO console (minio / minio123)', url: 'http://localhost:9001' },
      { label: 'Trino', url: 'http://localhost:8080' },
    ],
  },
};

export default part03ExploreSnapshots;
