/** Part 4, "Hands-on: explore Nessie": branches, a paused audit, merging and conflicts. */
import type { SectionConfig } from './types.ts';

export const part04ExploreNessie: SectionConfig = {
  id: 'part-04-explore-nessie',
  part: 4,
  anchor: 'hands-on-explore-nessie',
  title: 'Explore Nessie: branches, audits, merges',
  checkpoint: 'part-04-branches',
  panes: ['branches', 'sql', 'pipeline'],
  defaultTable: 'raw.glucose_entries',
  queries: [
    {
      label: 'main against the audited run',
      sql: `SELECT 'main' AS ref, count(*) AS readings FROM raw.glucose_entries\nUNION ALL\nSELECT 'pipeline-run-5dd29af7', count(*) FROM raw."glucose_entries@pipeline-run-5dd29af7"`,
      explain: 'A table name in quotes can carry a branch after @: the same table on two references in one query.',
    },
    {
      label: 'Days only the run branch has',
      sql: `SELECT CAST(date_string AS DATE) AS day, count(*) AS readings\nFROM raw."glucose_entries@pipeline-run-5dd29af7"\nWHERE CAST(date_string AS DATE) > (SELECT max(CAST(date_string AS DATE)) FROM raw.glucose_entries)\nGROUP BY day ORDER BY day`,
    },
  ],
  files: ['pipeline.config.ts', 'models/silver/fct_glucose_readings.sql'],
  tasks: [
    {
      id: 'branch-with-commit',
      title: 'Branch and commit',
      description: 'Create a branch named experiment and make at least one commit on it.',
      hint: 'Branches pane: create experiment, switch to it, then "Commit the delete".',
      check: { kind: 'ref-exists', name: 'experiment', type: 'branch', minCommitsAhead: 1 },
      solution: {
        explain: 'A branch starts as a pointer to main’s commit; the commit on it moves only the branch.',
        commands: ['branch create experiment'],
      },
    },
    {
      id: 'publish-audit',
      title: 'Publish the audited run',
      description: 'The run for 2025-01-23 to 2025-01-25 passed its audit but was never merged. Merge it into main.',
      hint: 'Branches pane, Merge: from pipeline-run-5dd29af7 into main.',
      check: { kind: 'sql', sql: "SELECT count(*) > 0 FROM raw.glucose_entries WHERE CAST(date_string AS DATE) = DATE '2025-01-25'" },
      solution: {
        explain: 'Merging the run branch is the Publish of Write-Audit-Publish: main moves to the audited commit in one step.',
        commands: ['merge pipeline-run-5dd29af7 main'],
      },
    },
  ],
  runForReal: {
    intro: 'On the Docker stack, Nessie keeps the branches and Trino reads one catalog per reference.',
    commands: [
      { cmd: 'curl http://localhost:10003/api/v2/trees', note: 'every branch and tag with its hash' },
      { cmd: 'docker exec trino trino --catalog iceberg --schema raw --execute "SELECT COUNT(*) FROM glucose_entries"', note: 'main' },
    ],
    phloFiles: ['src/phlo/defs/nessie/operations.py'],
    urls: [{ label: 'Nessie API', url: 'http://localhost:10003/api/v2/trees' }],
  },
};
