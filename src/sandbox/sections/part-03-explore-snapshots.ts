/** Part 3, "Hands-on: explore snapshots": seven daily runs, one snapshot each, to travel through. */
import type { SectionConfig } from './types.ts';

export const part03ExploreSnapshots: SectionConfig = {
  id: 'part-03-explore-snapshots',
  part: 3,
  anchor: 'hands-on-explore-snapshots',
  title: 'Explore snapshots',
  checkpoint: 'part-03-snapshots',
  panes: ['timeline', 'sql', 'explorer'],
  defaultTable: 'raw.glucose_entries',
  queries: [
    {
      label: 'Readings per day',
      sql: `SELECT CAST(date_string AS DATE) AS day, count(*) AS readings\nFROM raw.glucose_entries\nGROUP BY day\nORDER BY day`,
      explain: 'Seven days, one snapshot per daily run.',
    },
    {
      label: 'As of the morning of 2025-01-04',
      sql: `-- a quoted table name can carry a time after #: the snapshot current then\nSELECT count(*) AS readings\nFROM raw."glucose_entries#2025-01-04T07:00:00Z"`,
      explain: 'Each run committed at 06:00 UTC the next morning, so at 07:00 on the 4th the table held three days.',
    },
    {
      label: 'Then and now, per day',
      sql: `SELECT CAST(date_string AS DATE) AS day, count(*) AS readings\nFROM raw."glucose_entries#2025-01-04T07:00:00Z"\nGROUP BY day\nORDER BY day`,
    },
  ],
  tasks: [
    {
      id: 'third-snapshot-count',
      title: 'Travel back to the third snapshot',
      description: 'How many rows did raw.glucose_entries hold right after its third snapshot? Answer with a query that returns that number.',
      hint: 'In the Snapshots pane, press "Query as of this snapshot" on the third one from the bottom.',
      check: { kind: 'same-result', sql: 'SELECT count(*) FROM raw."glucose_entries#2025-01-04T07:00:00Z"' },
      solution: {
        explain: 'The third snapshot was committed at 06:00 on 2025-01-04; reading the table as of any time before the fourth run gives its rows.',
        sql: 'SELECT count(*) AS readings FROM raw."glucose_entries#2025-01-04T07:00:00Z"',
      },
    },
    {
      id: 'seven-snapshots',
      title: 'Count the snapshots',
      description: 'Check in the timeline that raw.glucose_entries has one snapshot per daily run: at least seven.',
      hint: 'The Snapshots pane lists them, newest first.',
      check: { kind: 'snapshot-count', table: 'raw.glucose_entries', atLeast: 7 },
      solution: { explain: 'Every commit of the table is a snapshot: seven runs, seven snapshots.' },
    },
  ],
  runForReal: {
    intro: 'On the Docker stack, Trino reads the same snapshots with FOR VERSION AS OF and FOR TIMESTAMP AS OF.',
    commands: [
      { cmd: 'docker exec trino trino --catalog iceberg --schema raw --execute "SELECT COUNT(*) FROM glucose_entries"', note: 'now' },
      { cmd: `docker exec trino trino --catalog iceberg --schema raw --execute 'SELECT snapshot_id, committed_at, operation FROM "glucose_entries$snapshots"'`, note: 'the snapshot list' },
    ],
    phloFiles: ['src/phlo/iceberg/catalog.py', 'src/phlo/iceberg/tables.py'],
  },
};
