/**
 * Part 12, "Step 5: Kubernetes deployment" in the browser: the two lessons of running at
 * scale that fit in a page.
 *
 * 1. Scale out: the 2025 backfill cut into contiguous slices, one per Web Worker, each worker
 *    ingesting its slice into its own in-memory warehouse (the Scale pane; `scale` in the
 *    terminal runs the same slices on one thread). Wall time per worker count, the speed-up
 *    and the worker-seconds are plotted against Amdahl's law.
 * 2. Maintain: raw.glucose_entries at the `part-07-backfill` checkpoint has one small data
 *    file per daily merge. `compact` rewrites them into one file as an Iceberg `replace`
 *    snapshot; `expire` drops the old snapshots from main's table metadata (the files stay
 *    for tags and other branches, as under Nessie, until a garbage collector removes them).
 */
import type { SectionConfig } from './types.ts';

export const RAW = 'raw.glucose_entries';

/** What the maintenance tasks measure: live data files, manifests and snapshots of main. */
export const layoutSql = `select
  (select count(*) from raw."glucose_entries$files") as data_files,
  (select count(*) from raw."glucose_entries$manifests") as manifests,
  (select count(*) from raw."glucose_entries$snapshots") as snapshots,
  (select sum(record_count) from raw."glucose_entries$files") as records`;

const filesSql = `select file_path, record_count, file_size_in_bytes
from raw."glucose_entries$files"
order by file_path`;

const section: SectionConfig = {
  id: 'part-12-step-5-kubernetes-deployment',
  part: 12,
  anchor: 'step-5-kubernetes-deployment',
  title: 'Scale out, then maintain the table',
  checkpoint: 'part-07-backfill',
  panes: ['scale', 'pipeline', 'sql', 'timeline'],
  defaultTable: RAW,
  queries: [
    {
      label: 'Daily readings (a full-table query)',
      sql: `select cast(date_string as date) as day, count(*) as readings, round(avg(sgv), 1) as avg_sgv
from raw.glucose_entries
group by 1
order by 1`,
      explain: 'A typical scan of the whole table: every data file is opened once, so fewer files means less work before the first row.',
    },
    {
      label: 'Files, manifests, snapshots',
      sql: layoutSql,
      explain: 'The physical shape of raw.glucose_entries on main: every daily merge added a small data file, a manifest and a snapshot.',
    },
    {
      label: 'The small files',
      sql: filesSql,
      explain: 'One Parquet file per day of readings, a few kilobytes each: far below the 128 MB a query engine likes to read at once.',
    },
    {
      label: 'Snapshot history',
      sql: `select committed_at, snapshot_id, operation
from raw."glucose_entries$snapshots"
order by committed_at`,
      explain: 'Each snapshot is a version you can time-travel to, and each keeps its files alive until it expires.',
    },
  ],
  tasks: [
    {
      id: 'backfill-one-worker',
      title: 'Backfill with one worker',
      description: 'In the Scale pane, run a backfill of at least 14 days with 1 worker. This is the baseline every speed-up is measured against.',
      hint: 'Pick the number of days (14 is enough), tick 1 worker, and press Run. In the terminal, scale --days 14 --workers 1 does the same on one thread.',
      check: { kind: 'scale-runs', workers: [1], minDays: 14 },
      solution: {
        explain: 'One worker ingests every day of the range, one commit per day, into its own warehouse. Its wall time is the serial time T(1) that the speed-up S(N) = T(1) / T(N) divides.',
        commands: ['scale --days 14 --workers 1'],
      },
    },
    {
      id: 'backfill-two-workers',
      title: 'Backfill with two workers',
      description: 'Run the same number of days with 2 workers and compare the wall time and the worker-seconds with the single worker.',
      hint: 'Same days, 2 workers. Each worker takes a contiguous half of the days.',
      check: { kind: 'scale-runs', workers: [1, 2], minDays: 14 },
      solution: {
        explain: 'Two workers each ingest half of the days at the same time. On a machine with two free cores the wall time drops, but never to half: starting the workers and collecting the results is serial, and the worker-seconds (what a cluster bills) go up a little.',
        commands: ['scale --days 14 --workers 2'],
      },
    },
    {
      id: 'count-the-files',
      title: 'Count the small files',
      description: 'Before maintaining the table, measure it: run the query that returns the numbers of data files, manifests and snapshots of raw.glucose_entries on main.',
      hint: 'The prepared query "Files, manifests, snapshots" reads the $files, $manifests and $snapshots metadata tables.',
      check: { kind: 'same-result', sql: layoutSql },
      solution: {
        explain: 'Every daily merge committed a snapshot, wrote one small data file and one manifest. A query has to open each of them; that overhead grows with the number of days, not with the amount of data.',
        sql: layoutSql,
      },
    },
    {
      id: 'compact-the-table',
      title: 'Compact the table',
      description: 'Rewrite the small data files of raw.glucose_entries into one, as a replace snapshot, and check that the rows did not change.',
      hint: 'In the terminal: compact raw.glucose_entries. Then run the layout query again.',
      check: { kind: 'sql', sql: `select count(*) = 1 from raw."glucose_entries$files"` },
      solution: {
        explain: 'Compaction reads every small file (applying any deletes), writes the rows into one file per partition and commits a snapshot whose operation is replace: the data is the same, only the files that hold it changed. The old files stay, because the older snapshots still point at them.',
        commands: [`compact ${RAW}`],
      },
    },
    {
      id: 'expire-snapshots',
      title: 'Expire the old snapshots',
      description: 'Drop every snapshot of raw.glucose_entries older than February 2025 from main, keeping only the current one.',
      hint: 'expire raw.glucose_entries --older-than 2025-02-01T00:00:00Z (the current snapshot always stays).',
      check: { kind: 'sql', sql: `select count(*) = 1 from raw."glucose_entries$snapshots"` },
      solution: {
        explain: 'Expiry removes the old snapshots from the table metadata on main, so time travel to them ends here. The small files they alone referenced are no longer reachable from main; under a catalog with branches and tags they stay on storage until a garbage collector that sees every reference removes them.',
        commands: [`expire ${RAW} --older-than 2025-02-01T00:00:00Z`],
      },
    },
  ],
  runForReal: {
    stack: 'example',
    intro: 'In the example project (phlo services start), a parallel backfill is phlo backfill with --parallel N: it starts one dagster asset materialize process per partition in the Dagster container and keeps N of them running at once (each is its own run; no run queue or launcher is involved). Compaction is a Trino procedure on the Iceberg table.',
    commands: [
      { cmd: 'phlo services start', note: 'the example project stack (Dagster on 3000, Trino on 8080); in examples/glucose-platform, and the first time after Part 2\'s start (touch .phlo/.env)' },
      { cmd: 'phlo backfill dlt_glucose_entries --start-date 2025-01-01 --end-date 2025-01-31 --parallel 2', note: 'one dagster asset materialize process per day, two running at once' },
      { cmd: 'docker exec -it glucose-platform-trino-1 trino --catalog iceberg --schema raw --execute "SELECT count(*) FROM \\"glucose_entries\\$files\\""', note: 'data files of the table on main' },
      { cmd: 'docker exec -it glucose-platform-trino-1 trino --catalog iceberg --schema raw --execute "ALTER TABLE glucose_entries EXECUTE optimize"', note: 'compaction: rewrite small files' },
    ],
    phloFiles: ['examples/glucose-platform/phlo.yaml', 'docker-compose.yml', 'src/phlo/defs/partitions.py'],
    urls: [{ label: 'Dagster (example project)', url: 'http://localhost:3000' }, { label: 'Trino (example project)', url: 'http://localhost:8080' }],
  },
};

export default section;
