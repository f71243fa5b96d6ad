/**
 * Part 4's hands-on section against the warehouse the site ships: the prebuilt warehouse is
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
import section, { AUDIT_BRANCH, FAILED_BRANCH } from '../../../src/sandbox/sections/part-04-explore-nessie.ts';
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
const MDX = join(repo, 'content/parts/04-project-nessie.mdx');
/** Phlo paths marked as present at the pinned commit in the facts sheet. */
const PHLO_PATHS_OK = new Set([
  'src/phlo/defs/nessie/operations.py',
  'examples/glucose-platform/.phlo/trino/catalog/iceberg.properties',
  'examples/glucose-platform/.phlo/trino/catalog/iceberg_dev.properties',
  'docker-compose.yml',
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
  dir = await mkdtemp(join(tmpdir(), 'part04-'));
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
    assert.doesNotMatch(c.cmd, /phlo quality run|phlo catalog sync|SET SESSION|nessie branch/, `${c.cmd} exists at the pinned commit`);
  }
}

test('the section is well formed and matches its MDX heading', () => {
  checkShape(section);
  assert.equal(section.id, 'part-04-explore-nessie');
  assert.equal(section.checkpoint, 'part-04-branches');
  const mdx = readFileSync(MDX, 'utf8');
  const headings = [...mdx.matchAll(/^## (Hands-on:.*)$/gm)].map((m) => githubSlug(m[1]!));
  assert.deepEqual(headings, [section.anchor], 'one hands-on heading, producing the section anchor');
  assert.match(mdx, new RegExp(`anchor: "?${section.anchor}"?`), 'frontmatter lists the anchor');
  assert.match(mdx, new RegExp(`HandsOn[^\\n]*${section.id}`), 'the section is embedded (or marked) in the MDX');
});

test('the checkpoint holds the branches the section talks about', async () => {
  const refs = await withLake((lake) => lake.refs());
  const names = refs.map((r) => r.name);
  for (const n of ['main', 'dev', AUDIT_BRANCH, FAILED_BRANCH, section.checkpoint]) assert.ok(names.includes(n), `${n} exists (refs: ${names.join(', ')})`);
  const days = await rowsOf(`select max(cast(date_string as date)) = date '2025-01-20' as ok from raw.glucose_entries`);
  assert.equal(days[0]!.ok, true, 'main ends on 2025-01-20');
});

test('every prepared query runs on the checkpoint and returns rows', async () => {
  for (const q of section.queries) {
    const rows = await rowsOf(q.sql, q.ref ?? 'main');
    assert.ok(rows.length > 0, `${q.label} returns rows`);
  }
  const audit = await rowsOf(section.queries[2]!.sql);
  assert.equal(audit.length, 3, 'the audit branch holds three days after main\'s last');
  assert.ok(audit.every((r) => Number(r.readings) > 270 && Number(r.readings) <= 288), 'each nearly or fully complete');
  const failed = await rowsOf(section.queries[4]!.sql);
  assert.ok(Number(failed[0]!.implausible) > 0, 'the failed run branch keeps the faulty readings');
});

test('every task fails before its solution and passes after it, in order', async () => {
  for (const task of section.tasks) {
    lastQuery = null;
    assert.equal(await passes(task.check), false, `${task.id} must not pass before its solution`);
    if (task.id === 'resolve-conflict') {
      const merge = await terminal('merge dev main');
      assert.notEqual(merge.code, 0, 'merging dev into main conflicts');
      assert.match(merge.err.join('\n'), /raw\.glucose_entries/, 'the conflict names the table both branches changed');
    }
    for (const cmd of task.solution.commands ?? []) {
      const r = await terminal(cmd);
      assert.equal(r.code, 0, `${task.id}: "${cmd}" failed: ${r.err.join('\n')}`);
    }
    if (task.solution.sql) lastQuery = await rowsOf(task.solution.sql);
    assert.equal(await passes(task.check), true, `${task.id} passes after its solution`);
  }
  const merged = await terminal('merge dev main');
  assert.equal(merged.code, 0, 'after the resolution, the fresh dev merges cleanly');
});
