/**
 * Part 5's hands-on section against the warehouse the site ships: the prebuilt warehouse is
 * built by the real builder into a temporary directory, main is put at the section's
 * checkpoint, every prepared query runs, and the tasks are solved in order with their own
 * solutions (through the pipeline CLI, as the learner's terminal runs them): each check fails
 * before its solution and passes after it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, cp, rename, mkdir, stat } from 'node:fs/promises';
import { readFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import section from '../../../src/sandbox/sections/part-05-trace-an-ingestion.ts';
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

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const MDX = join(repo, 'content/parts/05-data-ingestion.mdx');
/** Phlo paths marked as present at the pinned commit in the facts sheet. */
const PHLO_PATHS_OK = new Set([
  'examples/glucose-platform/workflows/ingestion/nightscout/readings.py',
  'examples/glucose-platform/workflows/schemas/nightscout.py',
  'src/phlo/defs/partitions.py',
  'src/phlo/iceberg/tables.py',
  'src/phlo/defs/resources/iceberg.py',
]);

/**
 * The prebuilt warehouse is built once per version of the sandboxes' sources and shared by
 * the section tests through a cache in the temp folder (a lock directory keeps two test files
 * from building it at the same time); each test works on its own copy.
 */
async function prebuiltWarehouse(into: string): Promise<void> {
  const hash = createHash('sha256');
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else hash.update(full.slice(repo.length)).update(readFileSync(full));
    }
  };
  walk(join(repo, 'sandboxes'));
  const cache = join(tmpdir(), `phlo-course-warehouse-${hash.digest('hex').slice(0, 16)}`);
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
        await buildWarehouse(tmp);
        await rename(tmp, cache);
      }
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
  await cp(cache, into, { recursive: true });
}

let dir: string;
/** One warehouse and one SQL engine for the whole file; the terminal's run clock is `now`. */
let lake: WarehouseLakehouse;
let now = Date.now();
const project = readProjectFiles(GLUCOSE_PROJECT_DIR);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'part05-'));
  await prebuiltWarehouse(join(dir, 'wh'));
  lake = await openNodeLakehouse({ dir: join(dir, 'wh'), clock: () => now });
  if ((await lake.refHash('main')) !== (await lake.refHash(section.checkpoint))) await lake.warehouse.assignRef('main', section.checkpoint);
});

after(async () => {
  await lake?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function withLake<T>(fn: (l: WarehouseLakehouse) => Promise<T>): Promise<T> {
  return fn(lake);
}

/** The learner's terminal: the pipeline CLI over the shared warehouse (the CLI's close() is kept from closing it). */
const wiring: CliWiring = {
  async open(args) {
    const asOf = flag(args, 'as-of');
    now = asOf ? Date.parse(asOf) : Date.now();
    const shared = Object.assign(Object.create(lake) as WarehouseLakehouse, { close: async () => {} });
    const pipeline = new Pipeline({ lake: shared, definitions: glucoseDefinitions({ project, seed: 'phlo' }), clock: () => now });
    return { pipeline, lake: shared };
  },
};

const rowsOf = (sql: string, ref = 'main') => withLake(async (lake) => arrowToRows(await lake.query(sql, ref)));

/** argv of a terminal command line (double quotes group words). */
function argvOf(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

async function terminal(line: string): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
  let code: number;
  try {
    code = await runCommand(argvOf(line), wiring, io);
  } catch (e) {
    err.push((e as Error).message);
    code = 1;
  }
  return { code, out, err };
}

/** The learner's last query result, for same-result checks. */
let lastQuery: Record<string, unknown>[] | null = null;

const canon = (rows: Record<string, unknown>[]) => JSON.stringify(rows.map((r) => Object.values(r)));

async function passes(check: TaskCheck): Promise<boolean> {
  switch (check.kind) {
    case 'sql': {
      const rows = await rowsOf(check.sql, check.ref ?? 'main');
      if (check.expect === 'rows') return rows.length > 0;
      return rows.length > 0 && Object.values(rows[0]!)[0] === true;
    }
    case 'same-result':
      return lastQuery !== null && canon(lastQuery) === canon(await rowsOf(check.sql, check.ref ?? 'main'));
    case 'ref-exists':
      return withLake(async (lake) => (await lake.refs()).some((r) => r.name === check.name && (!check.type || r.type === check.type)));
    case 'snapshot-count':
      return withLake(async (lake) => {
        const n = (await lake.snapshots(check.ref ?? 'main', check.table)).length;
        return (check.atLeast === undefined || n >= check.atLeast) && (check.exactly === undefined || n === check.exactly);
      });
    case 'pipeline-run':
      throw new Error('pipeline-run checks are not used in this section');
  }
}

function githubSlug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

function checkShape(s: SectionConfig) {
  const ids = s.tasks.map((t) => t.id);
  assert.equal(new Set(ids).size, ids.length, 'task ids are unique');
  assert.ok(s.tasks.length >= 3 && s.tasks.length <= 6, '3 to 6 tasks');
  assert.ok(s.queries.length >= 3 && s.queries.length <= 6, '3 to 6 prepared queries');
  assert.equal(new Set(s.queries.map((q) => q.label)).size, s.queries.length, 'query labels are unique');
  for (const t of s.tasks) {
    assert.ok(t.hint.length > 10 && t.solution.explain.length > 20, `${t.id} has a hint and an explained solution`);
    assert.ok(t.solution.sql || t.solution.commands?.length, `${t.id} has a solution to apply`);
  }
  for (const p of s.runForReal.phloFiles) assert.ok(PHLO_PATHS_OK.has(p), `${p} is a path checked at the pinned commit`);
  for (const c of s.runForReal.commands) {
    assert.doesNotMatch(c.cmd, /phlo quality run|phlo catalog sync|SET SESSION|nessie branch|--select glucose_entries|2024-/, `${c.cmd} exists at the pinned commit`);
  }
}

test('the section is well formed and matches its MDX heading', () => {
  checkShape(section);
  assert.equal(section.id, 'part-05-trace-an-ingestion');
  assert.equal(section.checkpoint, 'part-05-ingestion');
  const mdx = readFileSync(MDX, 'utf8');
  const headings = [...mdx.matchAll(/^## (Hands-on:.*)$/gm)].map((m) => githubSlug(m[1]!));
  assert.deepEqual(headings, [section.anchor], 'one hands-on heading, producing the section anchor');
  assert.match(mdx, new RegExp(`anchor: "?${section.anchor}"?`), 'frontmatter lists the anchor');
  assert.match(mdx, new RegExp(`HandsOn[^\\n]*${section.id}`), 'the section is embedded (or marked) in the MDX');
});

test('the checkpoint holds days 2025-01-01 .. 2025-01-07, with the late readings of 2025-01-03 merged by a re-run', async () => {
  const days = await rowsOf(`select count(distinct cast(date_string as date)) as days, max(cast(date_string as date)) = date '2025-01-07' as ends_ok, count(*) = count(distinct _id) as one_row_per_id from raw.glucose_entries`);
  assert.deepEqual(days[0], { days: 7, ends_ok: true, one_row_per_id: true });
  const late = await rowsOf(section.queries[3]!.sql);
  assert.ok(late.length > 0, 'the re-run of 2025-01-03 added late readings (the prepared query shows them)');
});

test('every prepared query runs on the checkpoint and returns rows', async () => {
  for (const q of section.queries) {
    const rows = await rowsOf(q.sql, q.ref ?? 'main');
    assert.ok(rows.length > 0, `${q.label} returns rows`);
  }
  const perDay = await rowsOf(section.queries[0]!.sql);
  assert.ok(perDay.every((r) => r.readings === r.distinct_ids), 'one row per _id on every day');
  const loads = await rowsOf(section.queries[2]!.sql);
  assert.equal(loads.length, 7, 'one load id per day, even for the day loaded twice');
});

test('every task fails before its solution and passes after it, in order', async () => {
  for (const task of section.tasks) {
    lastQuery = null;
    assert.equal(await passes(task.check), false, `${task.id} must not pass before its solution`);
    const snapshotsBefore = (await lake.snapshots('main', 'raw.glucose_entries')).length;
    for (const cmd of task.solution.commands ?? []) {
      const r = await terminal(cmd);
      assert.equal(r.code, 0, `${task.id}: "${cmd}" failed: ${r.err.join('\n')}`);
    }
    const snapshotsAfter = (await lake.snapshots('main', 'raw.glucose_entries')).length;
    if (task.id === 're-run-same-day') assert.equal(snapshotsAfter, snapshotsBefore, 'a re-run of the same day commits no snapshot');
    if (task.id === 'run-one-day' || task.id === 'late-reading') assert.equal(snapshotsAfter, snapshotsBefore + 1, `${task.id} commits one snapshot`);
    if (task.id === 'run-one-day') {
      const day = await rowsOf(`select count(*) as n from raw.glucose_entries where cast(date_string as date) = date '2025-01-08'`);
      // The text of Part 5 quotes these numbers: 282 readings at 06:00, six still on their way.
      assert.equal(Number(day[0]!.n), 282, 'at 06:00 six readings of 2025-01-08 have not arrived yet (the late-reading task needs them)');
    }
    if (task.solution.sql) lastQuery = await rowsOf(task.solution.sql);
    assert.equal(await passes(task.check), true, `${task.id} passes after its solution`);
  }
  const added = await rowsOf(section.tasks.at(-1)!.check.kind === 'same-result' ? (section.tasks.at(-1)!.check as { sql: string }).sql : '');
  assert.equal(added.length, 1, 'only 2025-01-08 changed in the late run');
});
