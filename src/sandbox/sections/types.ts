/**
 * The contract between a part of the series and its hands-on sandbox.
 *
 * Each hands-on section of a part is described by one `SectionConfig` in
 * `src/sandbox/sections/<id>.ts` and embedded in the MDX with `<HandsOn section="<id>" />`.
 * The config says which warehouse state the section starts from (a checkpoint of the
 * prebuilt warehouse), which panes it shows, which queries are one click away, which
 * pipeline files the learner can edit, and the tasks that check themselves against the
 * learner's own warehouse.
 *
 * Everything here is plain data (no functions) so the same config can be shipped to the
 * page, run by the Node tests, and listed by the workshop page.
 */

/** The panes a section can show, in the order given. */
export type PaneKind = 'sql' | 'timeline' | 'branches' | 'explorer' | 'pipeline' | 'dashboard' | 'scale' | 'catalog';

export interface PreparedQuery {
  /** Button label, e.g. "Daily averages". */
  label: string;
  sql: string;
  /** Branch or tag to run it on (default: the section's current ref). */
  ref?: string;
  /** One sentence shown under the editor when the query is loaded. */
  explain?: string;
}

/**
 * How a task decides it is done. Checks run against the learner's warehouse, never
 * against a stored answer, so any correct route passes.
 */
export type TaskCheck =
  /** A SQL query on the learner's warehouse: passes when its first row's first column is true (or, with expect "rows", when it returns any row). */
  | { kind: 'sql'; sql: string; ref?: string; expect?: 'true' | 'rows' }
  /** The learner's last query in the console returned the same rows as this query (order-insensitive unless ordered). */
  | { kind: 'same-result'; sql: string; ref?: string }
  /** A branch or tag exists, optionally with at least N commits beyond its parent. */
  | { kind: 'ref-exists'; name: string; type?: 'branch' | 'tag'; minCommitsAhead?: number }
  /** A table on a ref has at least / exactly this many snapshots. */
  | { kind: 'snapshot-count'; table: string; ref?: string; atLeast?: number; exactly?: number }
  /**
   * The learner's last pipeline run (in the pipeline pane) ended with this status; with
   * `asset`, it materialized that asset; with `failedCheck`, a check or dbt test whose name
   * contains that text failed it; with `passedCheck`, such a check ran and did not stop the
   * run (passed, or failed at warn severity). Name the check the task is about: "the run
   * succeeded" alone is also true of an earlier task's run.
   */
  | { kind: 'pipeline-run'; status: 'success' | 'failed'; asset?: string; failedCheck?: string; passedCheck?: string }
  /**
   * The learner's recorded scale runs (Part 12: the Scale pane, or `scale` in the pipeline
   * terminal, writes them under pipeline/scale/ in the warehouse): passes when, for every
   * worker count listed, a run of at least `minDays` days was recorded.
   */
  | { kind: 'scale-runs'; workers: number[]; minDays?: number }
  /**
   * A Postgres query on the marts the learner published (`publish`): passes like a `sql`
   * check (first column of the first row true, or with expect "rows", any row). It fails
   * (not an error) while nothing is published. Needs the 'pipeline' pane: Postgres (PGlite)
   * lives in the section's pipeline worker.
   */
  | { kind: 'postgres'; sql: string; expect?: 'true' | 'rows' }
  /**
   * Part 10, the data catalog (built from the learner's warehouse on `ref`, default main, and
   * the project files with the learner's edits). The task shows an answer box; it passes
   * when the typed answer equals the catalog's own: the owner of table `target`, or the
   * number of downstream models a change of column `target` (TABLE.COLUMN) affects.
   */
  | { kind: 'catalog-answer'; question: 'owner' | 'impacted-models'; target: string; ref?: string }
  /**
   * Part 10, a data contract (contracts/<name>.yaml in the project) checked against its
   * table on `ref` (default main): passes when the check ends in `status`, and, if given,
   * a rule whose name contains `brokenRule` is broken, or `added` is a column the table has
   * beyond the contract (a safe addition).
   */
  | { kind: 'contract'; contract: string; status: 'pass' | 'fail'; ref?: string; brokenRule?: string; added?: string };

export interface TaskSolution {
  /** Why this is the answer, in a few sentences. */
  explain: string;
  /** SQL to load into the console (and run, when the learner presses "Apply"). */
  sql?: string;
  /** Commands to run in the pipeline terminal. */
  commands?: string[];
  /** File edits to apply: path -> full new content. */
  files?: Record<string, string>;
  /** For 'catalog-answer' tasks: the answer to type (Apply fills the answer box). */
  answer?: string;
}

export interface Task {
  id: string;
  title: string;
  /** What to do, in one or two sentences. */
  description: string;
  hint: string;
  check: TaskCheck;
  solution: TaskSolution;
}

/**
 * The Phlo stack a "run it for real" path uses at the pinned commit. 'example' is the example
 * project (`phlo services start` in examples/glucose-platform: Dagster on 3000, Trino on 8080,
 * containers glucose-platform-<service>-1), the only stack with the glucose ingestion and
 * publishing assets; 'root' is the repository-root stack (`make up`: Dagster on 10006, Trino on
 * 10005, containers named in docker-compose.yml), which has the observability and catalog
 * profiles but no glucose ingestion asset. tests/unit/facts checks every command against it.
 */
export type PhloStack = 'root' | 'example';

export interface RunForReal {
  /** Which stack the commands run against (the panel says so). */
  stack: PhloStack;
  /** One or two sentences on what the real stack does for this exercise. */
  intro: string;
  /** Shell commands in order, each with a short note. They must exist at the pinned Phlo commit. */
  commands: { cmd: string; note?: string }[];
  /** Phlo repository paths involved (linked at the pinned commit). */
  phloFiles: string[];
  /** Service URLs worth opening, e.g. { label: 'Dagster', url: 'http://localhost:10006' }. */
  urls?: { label: string; url: string }[];
}

/**
 * One panel of a dashboard pane: a query and how to draw its result, as a Superset chart
 * would be drawn from a dataset.
 *
 * - engine 'duckdb': the query runs on the learner's lakehouse (Iceberg tables, any
 *   namespace, DuckDB SQL) at `ref` (default: main). Works in every section.
 * - engine 'postgres': the query runs in PostgreSQL (PGlite) on the marts the learner
 *   published with `publish` (schema `marts`, Postgres SQL). The section must show the
 *   'pipeline' pane, whose worker owns that database; until `publish` has run, the panel
 *   says "run publish first" instead of drawing.
 *
 * Charts:
 * - 'line': `x` is a date/time (or number) column, `y` a number column; `series` (optional)
 *   names a column whose values each get their own line (e.g. day_name).
 * - 'bar': `x` is a category (text or number) column, `y` a number column, bars in the
 *   query's order.
 * - 'number': one big number, the first row's `y` column (default: the first column), with
 *   `unit` after it (e.g. "mg/dL", "%"); `x` (optional) names a column shown under it as
 *   its context (e.g. the date).
 * - 'table': the rows as a small table (at most 50 rows shown).
 * `x` and `y` default to the first column and the first numeric column of the result.
 */
export interface DashboardPanel {
  title: string;
  engine: 'duckdb' | 'postgres';
  sql: string;
  /** duckdb panels only: the branch or tag to read (default main). */
  ref?: string;
  chart: 'line' | 'bar' | 'number' | 'table';
  x?: string;
  y?: string;
  /** line charts: a column that splits the rows into one line per value. */
  series?: string;
  /** number panels: the unit shown after the value. */
  unit?: string;
  /** One sentence under the panel: what it shows and from which table. */
  explain?: string;
}

/** The 'dashboard' pane: a titled grid of panels, refreshed together or one at a time. */
export interface DashboardConfig {
  title: string;
  /** One or two sentences above the panels. */
  intro?: string;
  panels: DashboardPanel[];
}

export interface SectionConfig {
  /** Unique id, e.g. "part-03-explore-snapshots"; also the storage namespace of the learner's state. */
  id: string;
  /** The part number and the heading anchor of the section in that part. */
  part: number;
  anchor: string;
  title: string;
  /** Name of a checkpoint of the prebuilt warehouse (see the pipeline's checkpoints.json). */
  checkpoint: string;
  panes: PaneKind[];
  /** Table opened first in the timeline/explorer, e.g. "raw.glucose_entries". */
  defaultTable?: string;
  queries: PreparedQuery[];
  /** Pipeline files the learner sees and can edit (paths relative to the pipeline project root). */
  files?: string[];
  tasks: Task[];
  runForReal: RunForReal;
  /** Required when `panes` includes 'dashboard'. */
  dashboard?: DashboardConfig;
  /** The example command the pipeline terminal greets with (a default when absent). */
  terminalExample?: string;
}
