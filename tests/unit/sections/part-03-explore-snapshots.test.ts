/**
 * Part 3's hands-on section against a real warehouse built by the pipeline in Node: the
 * checkpoint it names exists in the prebuilt warehouse's story, the anchor is a heading of
 * the page, every prepared query runs, and every task fails at the checkpoint and passes
 * after its own solution (tasks done in order, as a learner would).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { part03ExploreSnapshots as section } from '../../../src/sandbox/sections/part-03-explore-snapshots.ts';
import type { Task, TaskCheck } from '../../../src/sandbox/sections/types.ts';
import { openNodeLakehouse } from '../../../sandboxes/pipeline/lakehouse/open-node.ts';
import type { WarehouseLakehouse } from '../../../sandboxes/pipeline/lakehouse/warehouse-adapter.ts';
import { glucoseDefinitions } from '../../../sandboxes/pipeline/orchestrate/definitions.ts';
import { Pipeline } from '../../../sandboxes/pipeline/orchestrate/pipeline.ts';
import type { RunRecord } from '../../../sandboxes/pipeline/orchestrate/runlog.ts';
import { readProjectFiles, GLUCOSE_PROJECT_DIR } from '../../../sandboxes/pipeline/transform/load-dir.ts';
import { runCommand } from '../../../sandboxes/pipeline/cli/commands.ts';
import { arrowToRows } from '../../../sandboxes/pipeline/util/arrow.ts';

const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));
const MDX = 'content/parts/03-apache-iceberg.mdx';

/** GitHub's heading slug: lower case, punctuation dropped, spaces to hyphens. */
const slug = (h: string) => h.trim().toLowerCase().replace(/<[^>]+>/g, '').replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
const headings = (mdx: string) => [...mdx.matchAll(/^#{2,4}\s+(.+)$/gm)].map((m) => slug(m[1]!));

let now = 0;
let lake: WarehouseLakehouse;
let pipeline: Pipeline;
let lastRun: RunRecord | null = null;

before(async () => {
  // The story of build-warehouse.ts up to `part-03-snapshots`: daily runs for 2025-01-01 ..
  // 2025-01-07, each committed at 06:00 UTC the next morning, every asset except publishing.
  lake = await openNodeLakehouse({ clock: () => now, idSeed: 'part-03-test' });
  pipeline = new Pipeline({ lake, definitions: glucoseDefinitions({ project: readProjectFiles(GLUCOSE_PROJECT_DIR) }), clock: () => now });
  const noPublish = pipeline.graph.order.filter((k) => pipeline.graph.nodes.get(k)!.kind !== 'publish');
  for (let d = 1; d <= 7; d++) {
    now = Date.parse(`2025-01-0${d + 1}T06:00:00Z`);
    const r = await pipeline.materialize({ select: noPublish, partitions: [`2025-01-0${d}`] });
    assert.equal(r.status, 'SUCCESS', r.failure ?? '');
  }
  // The learner works later, when every day of January has reached the source.
  now = Date.parse('2025-02-01T09:00:00Z');
});

after(async () => {
  await lake?.close();
});

const rows = async (sql: string) => arrowToRows(await lake.query(sql, 'main'));
const canon = (rs: Record<string, unknown>[]) => rs.map((r) => JSON.stringify(Object.values(r), (_k, v) => (typeof v === 'bigint' ? v.toString() : v))).sort();

async function passes(check: TaskCheck, learnerRows: Record<string, unknown>[] | null): Promise<boolean> {
  switch (check.kind) {
    case 'sql': {
      const r = await rows(check.sql);
      return check.expect === 'rows' ? r.length > 0 : r.length > 0 && Object.values(r[0]!)[0] === true;
    }
    case 'same-result':
      return learnerRows !== null && JSON.stringify(canon(learnerRows)) === JSON.stringify(canon(await rows(check.sql)));
    case 'snapshot-count': {
      if (!(await lake.tableExists(check.ref ?? 'main', check.table))) return false;
      const n = (await lake.snapshots(check.ref ?? 'main', check.table)).length;
      return (check.atLeast === undefined || n >= check.atLeast) && (check.exactly === undefined || n === check.exactly);
    }
    case 'pipeline-run':
      return lastRun !== null && lastRun.status.toLowerCase() === check.status && (!check.asset || lastRun.selection.includes(check.asset));
    case 'ref-exists':
      return (await lake.refs()).some((r) => r.name === check.name && (!check.type || r.type === check.type));
  }
}

/** Run a solution command the way the pipeline terminal does, on this warehouse. */
async function runSolutionCommand(cmd: string): Promise<void> {
  const prefix = 'npm run pipeline -- ';
  assert.ok(cmd.startsWith(prefix), `solution commands use the pipeline CLI: ${cmd}`);
  const argv = cmd.slice(prefix.length).match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ''));
  const shared = Object.create(lake, { close: { value: async () => {} } }) as WarehouseLakehouse;
  const err: string[] = [];
  const code = await runCommand(argv, { open: async () => ({ pipeline, lake: shared }) }, { out: () => {}, err: (l) => err.push(l) });
  assert.equal(code, 0, `${cmd} failed: ${err.join('\n')}`);
  if (argv[0] === 'materialize' || argv[0] === 'backfill') lastRun = (await pipeline.runs()).sort((a, b) => a.startedAt - b.startedAt).at(-1)!;
}

test('the section names its part, anchor, checkpoint and unique task ids', () => {
  assert.equal(section.part, 3);
  assert.equal(section.anchor, 'hands-on-explore-snapshots');
  const ids = section.tasks.map((t) => t.id);
  assert.equal(new Set(ids).size, ids.length, `duplicate task ids: ${ids.join(', ')}`);
  assert.ok(section.tasks.length >= 3 && section.tasks.length <= 6);
  assert.ok(section.queries.length >= 3 && section.queries.length <= 6);
  assert.equal(new Set(section.queries.map((q) => q.label)).size, section.queries.length, 'query labels are unique');
  const story = readFileSync(root('sandboxes/pipeline/cli/build-warehouse.ts'), 'utf8');
  assert.ok(story.includes(`checkpoint('${section.checkpoint}'`), `the prebuilt warehouse defines no checkpoint ${section.checkpoint}`);
});

test('the anchor is a heading of Part 3 and the frontmatter lists it', () => {
  const mdx = readFileSync(root(MDX), 'utf8');
  assert.ok(headings(mdx).includes(section.anchor), `no heading in ${MDX} makes the anchor #${section.anchor}`);
  assert.match(mdx, new RegExp(`anchor:\\s*"?${section.anchor}"?`));
});

test('every prepared query runs on the checkpoint and returns rows', async () => {
  for (const q of section.queries) {
    const r = await rows(q.sql);
    assert.ok(r.length > 0, `"${q.label}" returned no rows`);
  }
});

test('what the walkthrough says about the metadata tree holds: seven manifests, a date filter reads two files', async () => {
  const table = await lake.warehouse.table('raw.glucose_entries', 'main');
  assert.deepEqual(table.metadata['partition-specs'].map((s) => s.fields.length), [0], 'the raw table has no partition spec, as in Phlo');
  const plan = await table.plan({ filter: { op: '>=', column: 'date_string', value: '2025-01-06T00:00:00' } });
  assert.equal(plan.manifestsRead.length + plan.skippedManifests.length, 7, 'one manifest per daily run');
  assert.equal(plan.tasks.length, 2, 'the files of 6 and 7 January are read');
  assert.equal(plan.skippedFiles.length, 5, 'the other five are skipped by their column bounds');
});

test('every task fails at the checkpoint and passes after its solution, in order', async () => {
  for (const task of section.tasks as Task[]) {
    assert.equal(await passes(task.check, null), false, `task ${task.id} passes at the checkpoint, before the learner did anything`);
  }
  for (const task of section.tasks as Task[]) {
    for (const cmd of task.solution.commands ?? []) await runSolutionCommand(cmd);
    const learner = task.solution.sql ? await rows(task.solution.sql) : null;
    assert.equal(await passes(task.check, learner), true, `task ${task.id} does not pass after its solution`);
  }
});

test('the checkpoint has one snapshot per daily run, and time travel by time picks the right one', async () => {
  const snaps = await lake.snapshots('main', 'raw.glucose_entries');
  assert.ok(snaps.length >= 7, `expected a snapshot per day, got ${snaps.length}`);
  const perDay = await rows(`select cast(date_string as date) as day, count(*) as n from raw.glucose_entries group by 1 order by 1`);
  const [first] = await rows(`select count(*) as n from raw."glucose_entries#2025-01-02T12:00:00Z"`);
  const [second] = await rows(`select count(*) as n from raw."glucose_entries#2025-01-03T12:00:00Z"`);
  assert.equal(Number(first!.n), Number(perDay[0]!.n), 'noon on 2 January reads the first day only');
  assert.equal(Number(second!.n), Number(perDay[0]!.n) + Number(perDay[1]!.n), 'noon on 3 January reads two days');
});
