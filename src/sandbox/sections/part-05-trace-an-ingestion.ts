/**
 * Part 5, "Hands-on: trace an ingestion". Starts from the `part-05-ingestion` checkpoint of
 * the prebuilt warehouse: main holds 2025-01-01 .. 2025-01-07 in every layer, and 2025-01-03
 * was re-run a few days later, which merged the readings that had reached the server late.
 *
 * The learner ingests 2025-01-08 as the server looked early the next morning, reads the run
 * log phase by phase, re-runs the same day (nothing changes), then re-runs it after the late
 * readings arrived and sees them land in 2025-01-08, not in the day of the run.
 *
 * `--as-of` sets the run clock: what the (simulated) Nightscout server has received by then,
 * and the time the commit records. Late readings reach the server at 08:00 the next morning.
 */
import type { SectionConfig } from './types.ts';

const FIRST_RUN = 'materialize dlt_glucose_entries --partition 2025-01-08 --as-of 2025-01-09T06:00:00Z';
const LATE_RUN = 'materialize dlt_glucose_entries --partition 2025-01-08 --as-of 2025-01-09T09:00:00Z';

const countOfDay = `select count(*) as readings, count(distinct _id) as distinct_ids
from raw.glucose_entries
where cast(date_string as date) = date '2025-01-08'`;

const reRunCounts = `select count(*) as readings, count(distinct _id) as distinct_ids, count(distinct _dlt_load_id) as load_ids
from raw.glucose_entries
where cast(date_string as date) = date '2025-01-08'`;

const addedByLateRun = `select cast(date_string as date) as day, count(*) as added
from raw.glucose_entries
where _id not in (select _id from raw."glucose_entries#2025-01-09T08:00:00Z")
group by 1
order by 1`;

const section: SectionConfig = {
  id: 'part-05-trace-an-ingestion',
  part: 5,
  anchor: 'hands-on-trace-an-ingestion',
  title: 'Trace an ingestion',
  checkpoint: 'part-05-ingestion',
  panes: ['pipeline', 'sql', 'timeline', 'explorer'],
  defaultTable: 'raw.glucose_entries',
  queries: [
    {
      label: 'Readings per day',
      sql: `select cast(date_string as date) as day, count(*) as readings, count(distinct _id) as distinct_ids
from raw.glucose_entries
group by 1
order by 1`,
      explain: 'One row per reading: the two counts are always equal, because the merge keys on _id. 288 is a full day; 2025-01-02 is short because a new sensor was warming up.',
    },
    {
      label: 'What DLT wrote',
      sql: `select _id, sgv, date_string, direction, trend, device, utc_offset, sys_time, _dlt_load_id, _dlt_id
from raw.glucose_entries
order by date_string desc
limit 5`,
      explain: 'camelCase fields arrive as snake_case columns (dateString is date_string, utcOffset is utc_offset), and every row carries its load id.',
    },
    {
      label: 'One load id per day',
      sql: `select _dlt_load_id, count(*) as readings, min(date_string) as first, max(date_string) as last
from raw.glucose_entries
group by 1
order by 1`,
      explain: 'The load id names the table and the partition, so a re-run of a day writes the same id again instead of a new one.',
    },
    {
      label: 'The late readings of 2025-01-03',
      sql: `select _id, date_string, sgv
from raw.glucose_entries
where cast(date_string as date) = date '2025-01-03'
  and _id not in (select _id from raw."glucose_entries#2025-01-08T08:00:00Z")
order by date_string`,
      explain: 'Time travel to just before the re-run of 2025-01-03: these rows were not there yet. They belong to 2025-01-03 even though they arrived days later.',
    },
  ],
  tasks: [
    {
      id: 'run-one-day',
      title: 'Ingest one day',
      description: 'Materialize dlt_glucose_entries for 2025-01-08, as the server looked at 06:00 the next morning.',
      hint: `The pipeline terminal: materialize ASSET --partition DAY --as-of TIME. Use 2025-01-09T06:00:00Z.`,
      check: { kind: 'sql', ref: 'main', sql: `select count(*) > 0 from raw.glucose_entries where cast(date_string as date) = date '2025-01-08'` },
      solution: {
        explain: 'The run fetched the day, normalised and staged it as Parquet, validated it, merged it on _id into raw.glucose_entries on its own branch, passed the checks and was merged into main.',
        commands: [FIRST_RUN],
      },
    },
    {
      id: 'read-the-log',
      title: 'Read the run log',
      description: 'Open the run in the log and follow it phase by phase. Then count the rows 2025-01-08 has in raw.glucose_entries, and compare with what the log says was fetched and how many readings had not arrived yet.',
      hint: 'runs lists the runs; logs RUN shows every event. Count with a WHERE on the day of date_string.',
      check: { kind: 'same-result', sql: countOfDay },
      solution: {
        explain: 'The log says how many records were fetched, how many duplicates the batch dropped, how many readings of the day had not reached the server yet, and the snapshot the merge committed. The table holds the fetched readings minus the duplicates, one row per _id.',
        sql: countOfDay,
      },
    },
    {
      id: 're-run-same-day',
      title: 'Run the same day again',
      description: 'Run exactly the same command again and read the log: what did the merge do, and did the table get a new snapshot? Then count the rows, distinct ids and load ids of 2025-01-08.',
      hint: 'Press the up arrow in the terminal to get the first command back. Count with count(*), count(distinct _id) and count(distinct _dlt_load_id).',
      check: { kind: 'same-result', sql: reRunCounts },
      solution: {
        explain: 'Every incoming row matched a stored row with the same _id and the same content, so the merge reported them all as unchanged and committed no snapshot. The counts are the ones you saw before: one row per _id and one load id for the day. An append would have doubled the day.',
        commands: [FIRST_RUN],
        sql: reRunCounts,
      },
    },
    {
      id: 'late-reading',
      title: 'Merge the late readings',
      description: 'The readings that were missing arrive at 08:00. Run 2025-01-08 again as of 09:00 and check that the day is now complete, with 288 readings.',
      hint: 'Same command, with --as-of 2025-01-09T09:00:00Z.',
      check: { kind: 'sql', ref: 'main', sql: `select count(*) = 288 from raw.glucose_entries where cast(date_string as date) = date '2025-01-08'` },
      solution: {
        explain: 'The fetch for 2025-01-08 now returns the late readings too. The merge finds their _id values absent and inserts them; the rows it already had are unchanged. One new snapshot, and 2025-01-08 has its full 288 readings.',
        commands: [LATE_RUN],
      },
    },
    {
      id: 'which-day',
      title: 'See which day the merge changed',
      description: 'Time-travel to the table as it was before the late run (08:00), and list per day the readings that are new since then.',
      hint: 'A table name in quotes can carry a time: raw."glucose_entries#2025-01-09T08:00:00Z". Rows whose _id is not in that version are new.',
      check: { kind: 'same-result', sql: addedByLateRun },
      solution: {
        explain: 'Only 2025-01-08 gained rows: the late readings carry their own timestamps, and the merge places them by what they are, not by when they arrived. Nothing else in the table moved.',
        sql: addedByLateRun,
      },
    },
  ],
  runForReal: {
    stack: 'example',
    intro: 'In Phlo, the same run is one materialization of the dlt_glucose_entries asset for one daily partition: DLT stages Parquet on local disk inside the Dagster container, then PyIceberg deletes the batch\'s keys and appends the batch. These commands are for the example project started with phlo services start; partitions start on 2025-01-01, so pick a day on or after it for which your Nightscout server has data.',
    commands: [
      { cmd: 'phlo services start', note: 'the example project stack (Dagster on 3000, Trino on 8080)' },
      { cmd: 'phlo materialize dlt_glucose_entries --partition 2025-01-15', note: 'one day; watch the run in Dagster' },
      { cmd: 'phlo logs --follow', note: 'the run\'s events in the terminal' },
      { cmd: 'phlo materialize dlt_glucose_entries --partition 2025-01-15', note: 'again: the same rows (Phlo still commits a delete and an append snapshot)' },
      { cmd: 'curl -s "http://localhost:19120/api/v2/trees/main/history?max-records=5"', note: 'Nessie\'s commits on main: each PyIceberg commit of a run (the delete, the append) is one (phlo catalog history would list snapshots, but it errors at the pinned commit)' },
      { cmd: 'phlo catalog describe raw.glucose_entries', note: 'the table\'s schema, location and current snapshot' },
    ],
    phloFiles: [
      'examples/glucose-platform/workflows/ingestion/nightscout/readings.py',
      'examples/glucose-platform/workflows/schemas/nightscout.py',
      'src/phlo/defs/partitions.py',
      'src/phlo/iceberg/tables.py',
    ],
    urls: [{ label: 'Dagster (example project)', url: 'http://localhost:3000' }],
  },
};

export default section;
