/**
 * Workshop mode: the two agendas an instructor can run the course with, built from the
 * parts and their hands-on sections, and the facilitator notes for each hands-on section
 * (what attendees get wrong, and how to unblock them). The /workshop/ page and its printable
 * handout render this; tests check that every block points at a published part and an
 * existing section, and that the timings add up.
 */
export type Block =
  | { kind: 'welcome' | 'wrap-up'; minutes: number; title: string; detail: string }
  | { kind: 'break'; minutes: number; title: string }
  /** Presenting a part: the instructor walks through its key ideas and diagrams. */
  | { kind: 'talk'; minutes: number; part: number; focus: string }
  /** Attendees work through a hands-on section in the browser. */
  | { kind: 'hands-on'; minutes: number; part: number; section: string };

export interface Agenda {
  id: 'half-day' | 'full-day';
  title: string;
  start: string;
  summary: string;
  blocks: Block[];
}

export const agendas: Agenda[] = [
  {
    id: 'half-day',
    title: 'Half day: the lakehouse core',
    start: '09:00',
    summary: 'Tables, branches, ingestion and transformation: the four ideas everything else builds on, each tried in the browser.',
    blocks: [
      { kind: 'welcome', minutes: 15, title: 'Welcome and set-up check', detail: 'Everyone opens the workshop URL, sees "Available offline" in a page footer, and starts the Part 3 sandbox once so the engines are saved on their laptop.' },
      { kind: 'talk', minutes: 15, part: 1, focus: 'Lakes, warehouses and why the lakehouse; the stack and the medallion layers.' },
      { kind: 'talk', minutes: 15, part: 3, focus: 'Metadata tree, snapshots, hidden partitioning, schema evolution.' },
      { kind: 'hands-on', minutes: 25, part: 3, section: 'part-03-explore-snapshots' },
      { kind: 'talk', minutes: 10, part: 4, focus: 'Commits across tables, branches, merges and Write-Audit-Publish.' },
      { kind: 'hands-on', minutes: 25, part: 4, section: 'part-04-explore-nessie' },
      { kind: 'break', minutes: 15, title: 'Break' },
      { kind: 'talk', minutes: 10, part: 5, focus: 'Two-step ingestion: stage with DLT, merge with PyIceberg; idempotency and late data.' },
      { kind: 'hands-on', minutes: 25, part: 5, section: 'part-05-trace-an-ingestion' },
      { kind: 'talk', minutes: 10, part: 6, focus: 'Models, ref() and the DAG; the four layers; tests.' },
      { kind: 'hands-on', minutes: 25, part: 6, section: 'part-06-run-dbt-transforms' },
      { kind: 'wrap-up', minutes: 20, title: 'Wrap-up: running it for real', detail: 'Show one "Run it for real" panel on the Docker stack, point at the learning paths, and collect questions.' },
    ],
  },
  {
    id: 'full-day',
    title: 'Full day: from raw readings to a governed, observed platform',
    start: '09:00',
    summary: 'The whole pipeline, ingestion to dashboard, with quality, orchestration, observability and plugins.',
    blocks: [
      { kind: 'welcome', minutes: 15, title: 'Welcome and set-up check', detail: 'Everyone opens the workshop URL, sees "Available offline" in a page footer, and starts the Part 2 sandbox once so the engines are saved on their laptop.' },
      { kind: 'talk', minutes: 15, part: 1, focus: 'Lakes, warehouses and why the lakehouse.' },
      { kind: 'talk', minutes: 10, part: 2, focus: 'The services, ports and logins of the real stack.' },
      { kind: 'hands-on', minutes: 20, part: 2, section: 'part-02-first-ingestion' },
      { kind: 'talk', minutes: 10, part: 3, focus: 'Snapshots, the metadata tree and hidden partitioning.' },
      { kind: 'hands-on', minutes: 25, part: 3, section: 'part-03-explore-snapshots' },
      { kind: 'break', minutes: 15, title: 'Break' },
      { kind: 'talk', minutes: 10, part: 4, focus: 'Branches, merges and Write-Audit-Publish.' },
      { kind: 'hands-on', minutes: 25, part: 4, section: 'part-04-explore-nessie' },
      { kind: 'talk', minutes: 10, part: 5, focus: 'Two-step ingestion and idempotency.' },
      { kind: 'hands-on', minutes: 20, part: 5, section: 'part-05-trace-an-ingestion' },
      { kind: 'break', minutes: 60, title: 'Lunch' },
      { kind: 'talk', minutes: 10, part: 6, focus: 'Models, refs, layers and tests.' },
      { kind: 'hands-on', minutes: 25, part: 6, section: 'part-06-run-dbt-transforms' },
      { kind: 'talk', minutes: 10, part: 7, focus: 'Assets, partitions, backfills, schedules and sensors.' },
      { kind: 'hands-on', minutes: 20, part: 7, section: 'part-07-running-pipelines-manually' },
      { kind: 'talk', minutes: 10, part: 9, focus: 'The three layers of validation.' },
      { kind: 'hands-on', minutes: 20, part: 9, section: 'part-09-layer-1-pandera-schemas' },
      { kind: 'break', minutes: 15, title: 'Break' },
      { kind: 'hands-on', minutes: 20, part: 8, section: 'part-08-understanding-the-api' },
      { kind: 'talk', minutes: 10, part: 11, focus: 'Freshness, volume, failures: knowing the pipeline is healthy.' },
      { kind: 'hands-on', minutes: 20, part: 11, section: 'part-11-dashboards-visualizing-health' },
      { kind: 'talk', minutes: 10, part: 13, focus: 'Extending the platform without forking it.' },
      { kind: 'hands-on', minutes: 20, part: 13, section: 'part-13-try-the-example-plugin' },
      { kind: 'wrap-up', minutes: 20, title: 'Wrap-up: governance, production, next steps', detail: 'Walk through Parts 10 and 12 at the level of their diagrams, show one "Run it for real" panel on the Docker stack, and point at the learning paths.' },
    ],
  },
];

export interface FacilitatorNotes {
  /** What attendees get wrong here. */
  pitfalls: string[];
  /** How to unblock them, in the order to try. */
  unblock: string[];
}

/** Notes per hands-on section id. */
export const facilitatorNotes: Record<string, FacilitatorNotes> = {
  'part-02-first-ingestion': {
    pitfalls: [
      'Typing the Dagster UI steps from the real stack into the sandbox terminal: the sandbox has a command line, not a web UI.',
      'Querying bronze before the run finished and concluding the table is empty.',
      'Expecting the first snapshot to have a parent.',
      'Running a prepared query before the first run: the lakehouse starts empty, so it answers that raw.glucose_entries does not exist on main yet.',
    ],
    unblock: [
      'Have them type help in the pipeline terminal and read the materialize line.',
      'Point at the asset graph: every node turns green before the tables are complete.',
      'Open the Snapshots tab: the first snapshot of a table has no parent by definition.',
    ],
  },
  'part-03-explore-snapshots': {
    pitfalls: [
      'Using Trino\'s FOR VERSION AS OF syntax in the DuckDB console; the sandbox writes a snapshot in the table name instead.',
      'Comparing two snapshots in the wrong order and reading additions as removals.',
      'Expecting a date filter to skip files on a table that is not partitioned by day.',
      'Selecting the added column from raw."glucose_entries#TIME": time travel reads a snapshot with the schema it was written with, so the column is not there.',
    ],
    unblock: [
      'Click a snapshot in the timeline: it loads the right query, then let them edit it.',
      'In Compare, pick the older snapshot first.',
      'Open the explorer on the filter query: it lists each file read or skipped and why.',
    ],
  },
  'part-04-explore-nessie': {
    pitfalls: [
      'Writing on main by accident because the ref picker still says main.',
      'Reading a merge conflict as an error of the tool rather than two branches changing the same table.',
      'Expecting a tag to move when the branch it was made from moves on.',
    ],
    unblock: [
      'Check the ref picker above the console before any write.',
      'Open the Branches tab: the conflict names the table both sides changed; merge in the other order or re-run on top.',
      'Show the graph: a tag is a fixed commit, a branch is a moving name.',
    ],
  },
  'part-05-trace-an-ingestion': {
    pitfalls: [
      'Forgetting --as-of and getting a full day straight away, so the late-reading task has nothing left to merge.',
      'Expecting a re-run to double the rows.',
      'Looking for the late readings in the day the run happened instead of the day they were measured.',
    ],
    unblock: [
      'Reset to checkpoint, then paste the solution command with its --as-of time.',
      'Read the merge line of the log: inserted, updated and unchanged counts.',
      'Filter on date_string, not on the load id or the run time.',
    ],
  },
  'part-06-run-dbt-transforms': {
    pitfalls: [
      'Editing a model and running only the ingestion asset, so nothing downstream changes.',
      'Expecting a view (the bronze staging model) to appear as a stored table.',
      'Writing a schema test under the wrong model or column in the YAML, which then never runs.',
    ],
    unblock: [
      'Use the selection syntax with a trailing + to run a model and everything after it.',
      'Run compile on the model to see the SQL that actually runs.',
      'Compare their YAML with the solution side by side; indentation is the usual culprit.',
    ],
  },
  'part-07-running-pipelines-manually': {
    pitfalls: [
      'Backfilling a range that includes days already loaded and expecting new rows.',
      'Confusing a run (one execution) with a materialization (one asset, one partition).',
      'Reading a failed asset check as a failed run step.',
    ],
    unblock: [
      'List the runs and open one log: each partition of each asset is a materialization event.',
      'Pick a range after the checkpoint\'s last day.',
      'Look at the asset graph after the run: the check failure is shown on the asset, and downstream assets are skipped.',
    ],
  },
  'part-08-understanding-the-api': {
    pitfalls: [
      'Querying the marts in Postgres before running publish.',
      'Using DuckDB SQL in the Postgres console (or the reverse) and getting a syntax error.',
      'Expecting the dashboard to change before the new day is published.',
    ],
    unblock: [
      'Run publish, then refresh the dashboard.',
      'psql in the terminal talks to Postgres; the SQL console talks to the lakehouse.',
      'Follow one reading from the raw table to the mart with the prepared queries.',
    ],
  },
  'part-09-layer-1-pandera-schemas': {
    pitfalls: [
      'Fixing the bad day by deleting rows from the table instead of fixing the source or the rule.',
      'Setting a check\'s severity to WARN and expecting it to block the merge.',
      'Reading the first failed rule and missing that the report lists every failing row.',
    ],
    unblock: [
      'Open the run log: validation failures list each rule with the rows that broke it.',
      'Compare ERROR and WARN in the checks list: only ERROR in a blocking group stops the run.',
      'Reset to checkpoint if the warehouse got into an odd state; edited files are kept.',
    ],
  },
  'part-10-setting-up-trino-data-source': {
    pitfalls: [
      'Searching the catalog for a model\'s file name instead of its table name.',
      'Reading lineage in one direction only when asked for impact.',
      'Expecting every schema change to break the contract.',
    ],
    unblock: [
      'Search for a column name: results list every table that has it.',
      'Impact analysis follows lineage downstream from the column.',
      'Adding a column is compatible; dropping or retyping one is not.',
    ],
  },
  'part-11-dashboards-visualizing-health': {
    pitfalls: [
      'Evaluating the freshness alert at the current time rather than the time the task gives.',
      'Looking for the failed run\'s bad rows in main, which the failed run never touched.',
      'Treating every WARN as an incident.',
    ],
    unblock: [
      'Give the alert command the --at time from the task.',
      'The failed run\'s branch or its log holds the rows; main does not.',
      'Ask which alert would wake someone up, and why the others should not.',
    ],
  },
  'part-12-step-5-kubernetes-deployment': {
    pitfalls: [
      'Expecting four workers to be four times faster on a two-core laptop.',
      'Compacting a table and expecting old snapshots to lose their files before expiry.',
      'Reading the illustrative Kubernetes YAML as files that exist in the Phlo repository.',
    ],
    unblock: [
      'Look at the speed-up curve next to the number of cores the browser reports.',
      'Expire snapshots after compaction, then count files again.',
      'Point at the note on each illustrative file.',
    ],
  },
  'part-13-try-the-example-plugin': {
    pitfalls: [
      'Writing an import at the top of the plugin file; plugins here receive what they need instead.',
      'Registering the plugin but materializing an asset name that does not exist.',
      'A quality check that throws instead of returning a failed result.',
    ],
    unblock: [
      'Read the error line: it names the plugin file and line.',
      'Run plugins and assets to list what is registered.',
      'Compare with the example plugin, then apply the solution and diff.',
    ],
  },
};

/** Minutes of an agenda, and its end time from its start. */
export function agendaTimes(agenda: Agenda): { starts: string[]; end: string; minutes: number } {
  const [h, m] = agenda.start.split(':').map(Number);
  let at = h! * 60 + m!;
  const fmt = (t: number) => `${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
  const starts = agenda.blocks.map((b) => {
    const s = fmt(at);
    at += b.minutes;
    return s;
  });
  return { starts, end: fmt(at), minutes: at - (h! * 60 + m!) };
}
