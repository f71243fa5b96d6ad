/**
 * Part 4, "Hands-on: explore Nessie". Starts from the `part-04-nessie` checkpoint of the
 * prebuilt warehouse (the state of `part-04-branches`, with only the refs a reader of Parts 1-4
 * has met): main holds 2025-01-01 .. 2025-01-20 (two bad days were stopped by their audits and
 * kept on their run branches), `dev` points at the same commit as main, and one run for
 * 2025-01-23 .. 2025-01-25 passed its audit but was left unmerged on its run branch. No tags.
 *
 * The learner reads that state, publishes the audited branch into `dev`, tags it, lets main
 * move on, and then meets a real merge conflict and resolves it the way Nessie expects.
 */
import type { SectionConfig } from './types.ts';

/**
 * The run branch the prebuilt warehouse leaves unmerged (`pipeline/run-<id>` in Phlo; the
 * miniature's catalog allows no "/" in names, so it is `pipeline-run-<id>`). The id follows
 * from the builder's fixed seed; tests/unit/sections/part-04-explore-nessie.test.ts checks it.
 */
export const AUDIT_BRANCH = 'pipeline-run-5dd29af7';
/** The run branch kept after 2025-01-22 failed its range check (a failing sensor). */
export const FAILED_BRANCH = 'pipeline-run-5cd29964';

const daysOnAudit = `select cast(date_string as date) as day, count(*) as readings
from raw."glucose_entries@${AUDIT_BRANCH}"
where cast(date_string as date) > date '2025-01-20'
group by 1
order by 1`;

const section: SectionConfig = {
  id: 'part-04-explore-nessie',
  part: 4,
  anchor: 'hands-on-explore-nessie',
  title: 'Explore Nessie',
  checkpoint: 'part-04-nessie',
  panes: ['branches', 'sql', 'pipeline', 'timeline'],
  defaultTable: 'raw.glucose_entries',
  queries: [
    {
      label: 'Readings per day on main',
      ref: 'main',
      sql: `select cast(date_string as date) as day, count(*) as readings
from raw.glucose_entries
group by 1
order by 1`,
      explain: 'What consumers of main see: every day up to 2025-01-20, and nothing from the two days whose audits failed.',
    },
    {
      label: 'main and dev side by side',
      sql: `select 'main' as ref, count(*) as readings, max(cast(date_string as date)) as last_day
from raw."glucose_entries@main"
union all
select 'dev', count(*), max(cast(date_string as date))
from raw."glucose_entries@dev"`,
      explain: 'One query, two branches: the @ref suffix picks the branch per table, the way a Trino catalog per branch does in Phlo.',
    },
    {
      label: 'The audit waiting on its branch',
      sql: daysOnAudit,
      explain: `Three days that passed their checks on ${AUDIT_BRANCH} but were never published to main.`,
    },
    {
      label: 'Daily metrics: audit branch vs main',
      sql: `select 'audit' as ref, count(*) as days, max(reading_date) as last_day
from gold."fct_daily_glucose_metrics@${AUDIT_BRANCH}"
union all
select 'main', count(*), max(reading_date)
from gold."fct_daily_glucose_metrics@main"`,
      explain: 'A run branch carries every table the run wrote, not just the raw one: publishing it moves them all at once.',
    },
    {
      label: 'What the failed run kept',
      sql: `select count(*) as readings,
       count(*) filter (where sgv < 20 or sgv > 600) as implausible
from raw."glucose_entries@${FAILED_BRANCH}"
where cast(date_string as date) = date '2025-01-22'`,
      explain: 'The failing sensor of 2025-01-22 is still there on its run branch, for inspection; main never saw it.',
    },
  ],
  tasks: [
    {
      id: 'find-the-audit',
      title: 'Find what the audit branch holds',
      description: `List the branches, then query the days that ${AUDIT_BRANCH} holds after 2025-01-20, with the number of readings per day.`,
      hint: `Add @${AUDIT_BRANCH} to the table name inside the quotes: raw."glucose_entries@${AUDIT_BRANCH}". Group by the day of date_string.`,
      check: { kind: 'same-result', sql: daysOnAudit },
      solution: {
        explain: 'The run branch holds 2025-01-23, 2025-01-24 and 2025-01-25 (the last a few readings short: its late readings had not reached the server when the run started). main stops at 2025-01-20: the audit passed, but nobody published it.',
        sql: daysOnAudit,
      },
    },
    {
      id: 'merge-into-dev',
      title: 'Publish the audit to dev',
      description: `Merge ${AUDIT_BRANCH} into dev (not main yet), then compare main and dev side by side.`,
      hint: 'In the terminal, merge takes the source first and the target second.',
      check: { kind: 'sql', ref: 'dev', sql: `select max(cast(date_string as date)) = date '2025-01-25' from raw.glucose_entries` },
      solution: {
        explain: 'dev had not moved since the run branch forked from it, so the miniature\'s merge is a fast-forward: dev now points at the run branch commit, and every table the run wrote changes on dev in one step. main is untouched. (A Nessie merge never fast-forwards: it would write one new merge commit on dev with the same tables.)',
        commands: [`merge ${AUDIT_BRANCH} dev`],
      },
    },
    {
      id: 'tag-dev',
      title: 'Tag the audited state',
      description: 'Give the state of dev a name that will not move: a tag called audited-2025-01-25.',
      hint: 'tag create NAME --from REF',
      check: { kind: 'ref-exists', name: 'audited-2025-01-25', type: 'tag' },
      solution: {
        explain: 'A tag is a reference that never moves by itself. Whatever happens to dev later, audited-2025-01-25 keeps pointing at this commit, so you can always query the tables as they were.',
        commands: ['tag create audited-2025-01-25 --from dev'],
      },
    },
    {
      id: 'main-moves-on',
      title: 'Let main move on',
      description: 'Ingest 2025-01-26 the normal way: the pipeline writes on its own run branch, audits it and merges it into main.',
      hint: 'materialize dlt_glucose_entries with --partition 2025-01-26',
      check: { kind: 'sql', ref: 'main', sql: `select count(*) > 0 from raw.glucose_entries where cast(date_string as date) = date '2025-01-26'` },
      solution: {
        explain: 'The run created its own branch from main, wrote raw.glucose_entries there, passed its checks and was merged into main. main now has a commit that dev does not have, on the same table dev changed.',
        commands: ['materialize dlt_glucose_entries --partition 2025-01-26'],
      },
    },
    {
      id: 'resolve-conflict',
      title: 'Meet a conflict and resolve it',
      description: 'Try to merge dev into main and read the error. Then bring 2025-01-23 .. 2025-01-25 into main the way Nessie suggests: redo the change on top of main.',
      hint: 'Both branches changed raw.glucose_entries since they split, so the catalog refuses to pick one. Re-run the three days: each run starts from main as it is now.',
      check: {
        kind: 'sql',
        ref: 'main',
        sql: `select count(distinct cast(date_string as date)) = 4 from raw.glucose_entries where cast(date_string as date) between date '2025-01-23' and date '2025-01-26'`,
      },
      solution: {
        explain: 'merge dev main fails with a conflict on raw.glucose_entries: both sides replaced that table\'s metadata pointer since their common ancestor, and a catalog cannot combine two Iceberg table versions. Nothing is written. Re-running the days creates a fresh run branch from the current main; the merge on _id makes the re-run safe, and the audited days arrive on top of 2025-01-26. Finally reset dev to main so it can be used again.',
        commands: [
          'materialize dlt_glucose_entries --partition 2025-01-23 --partition 2025-01-24 --partition 2025-01-25',
          'branch delete dev',
          'branch create dev --from main',
        ],
      },
    },
  ],
  runForReal: {
    stack: 'example',
    intro: 'On the Docker stack (the example project, Nessie on port 19120), Nessie is a real server with a REST API, and Trino reads each branch through its own catalog (iceberg is main, iceberg_dev is dev). Phlo creates no dev branch by itself at the pinned commit, so create it first. The phlo branch commands would be the short way, but at the pinned commit every one of them fails (they need the pynessie package, which is not a Phlo dependency), so these are Nessie\'s own REST calls; jq picks the hashes out of its JSON.',
    commands: [
      { cmd: 'curl -s http://localhost:19120/api/v2/config', note: 'the default branch is main' },
      { cmd: 'curl -s -X POST "http://localhost:19120/api/v2/trees?name=dev&type=BRANCH" -H "Content-Type: application/json" -d "$(curl -s http://localhost:19120/api/v2/trees/main | jq -c .reference)"', note: 'dev from main\'s current commit' },
      { cmd: 'curl -s http://localhost:19120/api/v2/trees', note: 'the branches and the commit each points at' },
      { cmd: 'curl -s "http://localhost:19120/api/v2/trees/main/history?max-records=10"', note: 'the newest commits on main' },
      { cmd: 'docker exec -it glucose-platform-trino-1 trino --execute "SELECT count(*) FROM iceberg_dev.raw.glucose_entries"', note: 'dev through its own Trino catalog' },
      { cmd: 'curl -s http://localhost:19120/api/v2/trees/main/diff/dev', note: 'the tables whose pointer differs between main and dev' },
      { cmd: 'MAIN=$(curl -s http://localhost:19120/api/v2/trees/main | jq -r .reference.hash); DEV=$(curl -s http://localhost:19120/api/v2/trees/dev | jq -r .reference.hash)', note: 'the two heads' },
      { cmd: 'curl -s -X POST "http://localhost:19120/api/v2/trees/main@$MAIN/history/merge" -H "Content-Type: application/json" -d "{\\"fromRefName\\": \\"dev\\", \\"fromHash\\": \\"$DEV\\"}"', note: 'merge dev into main; dev stays. Nessie writes one new merge commit on main, even when main has not moved since dev was created' },
    ],
    phloFiles: [
      'src/phlo/defs/nessie/operations.py',
      'src/phlo/cli/branch.py',
      'examples/glucose-platform/.phlo/trino/catalog/iceberg.properties',
      'examples/glucose-platform/.phlo/trino/catalog/iceberg_dev.properties',
      'examples/glucose-platform/.phlo/docker-compose.yml',
    ],
    urls: [{ label: 'Nessie API (example project)', url: 'http://localhost:19120/api/v2/config' }],
  },
};

export default section;
