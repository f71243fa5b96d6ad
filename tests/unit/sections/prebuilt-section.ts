/**
 * The harness the hands-on section tests share: the prebuilt warehouse the site ships (built
 * by the real builder, cached per version of the sandboxes' sources), main put at the
 * section's checkpoint, the learner's terminal (the pipeline CLI over that warehouse), and
 * the task checks judged by the page's own judge (src/sandbox/pipeline/task-judge.ts), so
 * the tests and the sandbox cannot disagree on a task.
 */
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, cp, rename, mkdir, stat } from 'node:fs/promises';
import { readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SectionConfig, TaskCheck } from '../../../src/sandbox/sections/types.ts';
import { buildWarehouse } from '../../../sandboxes/pipeline/cli/build-warehouse.ts';
import { runCommand } from '../../../sandboxes/pipeline/cli/commands.ts';
import type { CliWiring } from '../../../sandboxes/pipeline/cli/commands.ts';
import { flag } from '../../../sandboxes/pipeline/cli/args.ts';
import { openNodeLakehouse } from '../../../sandboxes/pipeline/lakehouse/open-node.ts';
import type { WarehouseLakehouse } from '../../../sandboxes/pipeline/lakehouse/warehouse-adapter.ts';
import { glucoseDefinitions } from '../../../sandboxes/pipeline/orchestrate/definitions.ts';
import { Pipeline } from '../../../sandboxes/pipeline/orchestrate/pipeline.ts';
import { readProjectFiles, GLUCOSE_PROJECT_DIR } from '../../../sandboxes/pipeline/transform/load-dir.ts';
import { arrowToRows } from '../../../sandboxes/pipeline/util/arrow.ts';
import { readScaleRuns } from '../../../sandboxes/pipeline/orchestrate/scale-record.ts';
import { openPostgres, type PostgresLike } from '../../../sandboxes/pipeline/publish/postgres.ts';
import type { RunRecord } from '../../../sandboxes/pipeline/orchestrate/runlog.ts';
import { learnerProject, learnerSettings } from '../../../src/sandbox/pipeline/learner-files.ts';
import { learnerPlugins } from '../../../src/sandbox/pipeline/learner-files.ts';
import { SHIPPED_PLUGIN_FILES, isPluginFile } from '../../../src/sandbox/pipeline/learner-plugins.ts';
import { nodePluginApi } from '../../../sandboxes/pipeline/cli/node-wiring.ts';
import { summarizeRun, type RunSummary } from '../../../src/sandbox/pipeline/run-summary.ts';
import { queryPublished } from '../../../src/sandbox/pipeline/postgres-query.ts';
import { openProjectCatalog } from '../../../sandboxes/pipeline/catalog/tasks.ts';
import { judgeTask, queryRows, type QueryRows, type TaskFacts } from '../../../src/sandbox/pipeline/task-judge.ts';
import { parseCheckpoints, applyCheckpoint } from '../../../src/sandbox/runtime/checkpoints.ts';
import { warehouseSourcesHash, BUILT_WAREHOUSE_STAMP } from '../../../scripts/warehouse-sources.mjs';

/** Node's stand-in for the browser's blob-URL import of the learner's transpiled TypeScript. */
const dataUrlImport = (js: string) => import(`data:text/javascript,${encodeURIComponent(js)}`);

export const repo = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The prebuilt warehouse is built once per version of the sandboxes' sources and shared by
 * the section tests through a cache in the temp folder (a lock directory keeps two test files
 * from building it at the same time); each test works on its own copy.
 */
export async function prebuiltWarehouse(into: string): Promise<void> {
  const sources = warehouseSourcesHash();
  const cache = join(tmpdir(), `phlo-course-warehouse-${sources}`);
  const lock = `${cache}.lock`;
  const ready = () => existsSync(join(cache, 'checkpoints.json'));
  while (!ready()) {
    try {
      await mkdir(lock);
    } catch {
      // Someone else is building; a lock older than five minutes is left from a crash.
      const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > 300_000) await rm(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    try {
      if (!ready()) {
        const tmp = `${cache}.tmp-${process.pid}`;
        // The site build wrote the same warehouse from the same sources (the builder is
        // deterministic): copy it rather than build it again.
        const built = join(repo, 'public', 'warehouse');
        const stamp = existsSync(BUILT_WAREHOUSE_STAMP) ? readFileSync(BUILT_WAREHOUSE_STAMP, 'utf8').trim() : '';
        if (stamp === sources && existsSync(join(built, 'checkpoints.json'))) await cp(built, tmp, { recursive: true });
        else await buildWarehouse(tmp);
        await rename(tmp, cache);
      }
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
  await cp(cache, into, { recursive: true });
}

export function githubSlug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

export interface SectionHarnessOptions {
  section: SectionConfig;
  /** Prefix of the test's temporary folder, e.g. "part04-". */
  tmpPrefix: string;
  /** Phlo paths the facts sheet marks as present at the pinned commit. */
  phloPathsOk: string[];
  /** Commands the run-it-for-real panel must not show (they do not exist at the pin). */
  forbiddenCommands: RegExp;
}

/** Registers before/after hooks for one section's test file and returns its tools. */
export function sectionHarness({ section, tmpPrefix, phloPathsOk, forbiddenCommands }: SectionHarnessOptions) {
  let dir: string;
  /** One warehouse and one SQL engine for the whole file; the terminal's run clock is `now`. */
  let lake: WarehouseLakehouse;
  let now = Date.now();
  /** The learner's last query result, for same-result checks (read as the page's console reads it). */
  let lastQuery: QueryRows | null = null;
  /** The learner's edited files (path -> text), as the pipeline pane sends them with each command. */
  let edits: Record<string, string> = {};
  /** The learner's last pipeline run, as the pipeline pane records it for pipeline-run checks. */
  let lastRun: RunSummary | null = null;
  /** The answer typed in a catalog-answer task's box (Part 10). */
  let answer: string | null = null;
  const shipped = readProjectFiles(GLUCOSE_PROJECT_DIR);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), tmpPrefix));
    await prebuiltWarehouse(join(dir, 'wh'));
    lake = await openNodeLakehouse({ dir: join(dir, 'wh'), clock: () => now });
    if ((await lake.refHash('main')) !== (await lake.refHash(section.checkpoint))) await lake.warehouse.assignRef('main', section.checkpoint);
    // As the browser session does: an exclusive checkpoint leaves only its own refs.
    const cp = parseCheckpoints(JSON.parse(readFileSync(join(dir, 'wh', 'checkpoints.json'), 'utf8'))).get(section.checkpoint);
    if (cp?.exclusive) await applyCheckpoint(lake.warehouse, cp);
  });

  /** PGlite for publish_marts_to_postgres, booted only when a command publishes (as the browser host does). */
  let pg: Promise<PostgresLike & { close(): Promise<void> }> | null = null;

  after(async () => {
    await lake?.close();
    if (pg) await (await pg).close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const withLake = <T>(fn: (l: WarehouseLakehouse) => Promise<T>): Promise<T> => fn(lake);

  /** The files a command runs with: the section's plugin files as shipped (Part 13), then the learner's edits. */
  const runFiles = (): Record<string, string> => {
    const files: Record<string, string> = {};
    for (const f of section.files ?? []) if (isPluginFile(f) && SHIPPED_PLUGIN_FILES[f]) files[f] = readFileSync(join(repo, SHIPPED_PLUGIN_FILES[f]!), 'utf8');
    return { ...files, ...edits };
  };
  /** Where a skipped plugin file is reported: the running command's error output. */
  let terminalErr: ((line: string) => void) | null = null;

  /** The learner's terminal: the pipeline CLI over the shared warehouse (the CLI's close() is kept from closing it). */
  const wiring: CliWiring = {
    async open(args) {
      const asOf = flag(args, 'as-of');
      now = asOf ? Date.parse(asOf) : Date.now();
      const shared = Object.assign(Object.create(lake) as WarehouseLakehouse, { close: async () => {} });
      const project = learnerProject(shipped, edits);
      const settings = await learnerSettings(edits, dataUrlImport);
      // Plugin files the section lists (Part 13) are registered on every run, as in the browser.
      const { registry, definitions } = await learnerPlugins(glucoseDefinitions({ project, seed: settings.seed ?? 'phlo', badDays: settings.badDays ?? {} }), runFiles(), {
        api: nodePluginApi(),
        importModule: dataUrlImport,
        warn: (m) => terminalErr?.(m),
      });
      const pipeline = new Pipeline({
        lake: shared,
        registry,
        definitions,
        clock: () => now,
        postgres: () => (pg ??= openPostgres()),
        onEvent: (_e, run) => {
          runOfCommand = run;
        },
      });
      return { pipeline, lake: shared };
    },
  };

  const rowsOf = (sql: string, ref = 'main') => withLake(async (l) => arrowToRows(await l.query(sql, ref)));

  /** argv of a terminal command line (double quotes group words). */
  const argvOf = (line: string): string[] => [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);

  let runOfCommand: RunRecord | null = null;

  /** Run one command line as the learner's terminal does; a run it makes becomes the last run. */
  async function terminal(line: string): Promise<{ code: number; out: string[]; err: string[]; run: RunRecord | null }> {
    runOfCommand = null;
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    terminalErr = io.err;
    let code: number;
    try {
      code = await runCommand(argvOf(line), wiring, io);
    } catch (e) {
      err.push((e as Error).message);
      code = 1;
    }
    const run = runOfCommand as RunRecord | null;
    if (run) lastRun = summarizeRun(run, line);
    return { code, out, err, run };
  }

  /**
   * Apply a task's solution as the sandbox's "Apply" button does: file edits first (saved
   * in the editor), then the commands in the terminal, then the SQL as the learner's last
   * query. Returns the terminal results so a test can assert on their output.
   */
  async function applySolution(solution: SectionConfig['tasks'][number]['solution']) {
    if (solution.files) edits = { ...edits, ...solution.files };
    if (solution.answer !== undefined) answer = solution.answer;
    const results = [];
    for (const cmd of solution.commands ?? []) results.push({ cmd, ...(await terminal(cmd)) });
    if (solution.sql) await runQuery(solution.sql);
    earlyPasses.push(...(await laterTasksPassing(solution)));
    return results;
  }

  /** The learner runs `sql` in the SQL console: its result becomes the last result. */
  async function runQuery(sql: string, ref = 'main'): Promise<QueryRows> {
    lastQuery = await withLake(async (l) => queryRows(await l.query(sql, ref)));
    return lastQuery;
  }

  /**
   * Tasks after the one whose solution was just applied that already pass. The page keeps a
   * pass once it happened, so a later task passing here is judged at the wrong moment: its
   * check accepts a state an earlier task makes (Part 6's "fix the test" passed on the first
   * task's run).
   */
  const earlyPasses: string[] = [];
  async function laterTasksPassing(solution: SectionConfig['tasks'][number]['solution']): Promise<string[]> {
    const i = section.tasks.findIndex((t) => t.solution === solution);
    if (i < 0) return [];
    const out: string[] = [];
    for (const later of section.tasks.slice(i + 1)) if (await passes(later.check)) out.push(`${later.id} passes after ${section.tasks[i]!.id}'s solution`);
    return out;
  }

  /** How the harness reads the learner's state for the judge the page uses (src/sandbox/pipeline/task-judge.ts). */
  const facts: TaskFacts = {
    query: (sql, ref) => withLake(async (l) => queryRows(await l.query(sql, ref))),
    lastQuery: () => lastQuery,
    refs: () => withLake((l) => l.warehouse.references()),
    log: (ref) => withLake(async (l) => (await l.warehouse.log(ref)).map((c) => c.hash)),
    snapshotCount: (table, ref) => withLake(async (l) => (await l.warehouse.snapshots(table, ref)).length),
    lastRun: () => lastRun,
    scaleRuns: () => readScaleRuns(lake.storage),
    // The marts the terminal's publish wrote, read with the browser's own code (postgres-query.ts).
    postgres: async (sql) => queryPublished(pg ? await pg : null, sql),
    // Part 10: the catalog over the learner's warehouse and edited project files, as the catalog pane builds it.
    catalog: (ref) => openProjectCatalog({ warehouse: lake.warehouse, ref, files: learnerProject(shipped, edits), sql: (q, r) => rowsOf(q, r) }),
    typedAnswer: () => answer,
  };

  /** A check's verdict and its explanation, exactly as the page's exercise list shows it. */
  const judge = (check: TaskCheck) => judgeTask(check, facts);
  async function passes(check: TaskCheck): Promise<boolean> {
    return (await judge(check)).passed;
  }

  function checkShape() {
    const ids = section.tasks.map((t) => t.id);
    assert.equal(new Set(ids).size, ids.length, 'task ids are unique');
    assert.ok(section.tasks.length >= 3 && section.tasks.length <= 6, '3 to 6 tasks');
    assert.ok(section.queries.length >= 3 && section.queries.length <= 6, '3 to 6 prepared queries');
    assert.equal(new Set(section.queries.map((q) => q.label)).size, section.queries.length, 'query labels are unique');
    for (const t of section.tasks) {
      assert.ok(t.hint.length > 10 && t.solution.explain.length > 20, `${t.id} has a hint and an explained solution`);
      assert.ok(t.solution.sql || t.solution.commands?.length || t.solution.files || t.solution.answer !== undefined, `${t.id} has a solution to apply`);
    }
    for (const p of section.runForReal.phloFiles) assert.ok(phloPathsOk.includes(p), `${p} is a path checked at the pinned commit`);
    for (const c of section.runForReal.commands) {
      assert.doesNotMatch(c.cmd, forbiddenCommands, `${c.cmd} exists at the pinned commit`);
    }
  }

  return {
    withLake,
    rowsOf,
    terminal,
    passes,
    checkShape,
    applySolution,
    judge,
    runQuery,
    /** Later tasks that passed as soon as an earlier task's solution was applied (should be none). */
    earlyPasses: () => [...earlyPasses],
    setLastQuery: (rows: QueryRows | null) => {
      lastQuery = rows;
    },
    /** Replace the learner's edited files (e.g. {} to restore every file). */
    setEdits: (files: Record<string, string>) => {
      edits = { ...files };
    },
    edits: () => ({ ...edits }),
    lastRun: () => lastRun,
    /** What the learner typed in a catalog-answer task's box. */
    setAnswer: (a: string | null) => {
      answer = a;
    },
  };
}
