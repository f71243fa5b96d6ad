/**
 * The shared body of the Part 2 and Part 3 section tests. It replays the prebuilt warehouse's
 * story up to the section's checkpoint in Node (one daily run per day, each committed at
 * 06:00 UTC the next morning, every asset except publishing), then registers the tests every
 * such section must pass:
 * - the checkpoint exists in the builder's story;
 * - the anchor is a heading of the part;
 * - every prepared query returns rows;
 * - every task fails at the checkpoint and passes after its own solution, in order.
 * It returns what a file needs for its own part-specific tests.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SectionConfig, Task, TaskCheck } from '../../../src/sandbox/sections/types.ts';
import { openNodeLakehouse } from '../../../sandboxes/pipeline/lakehouse/open-node.ts';
import type { WarehouseLakehouse } from '../../../sandboxes/pipeline/lakehouse/warehouse-adapter.ts';
import { glucoseDefinitions } from '../../../sandboxes/pipeline/orchestrate/definitions.ts';
import { Pipeline } from '../../../sandboxes/pipeline/orchestrate/pipeline.ts';
import type { RunRecord } from '../../../sandboxes/pipeline/orchestrate/runlog.ts';
import { readProjectFiles, GLUCOSE_PROJECT_DIR } from '../../../sandboxes/pipeline/transform/load-dir.ts';
import { runCommand } from '../../../sandboxes/pipeline/cli/commands.ts';
import { arrowToRows } from '../../../sandboxes/pipeline/util/arrow.ts';

const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));

/** GitHub's heading slug: lower case, punctuation dropped, spaces to hyphens. */
const slug = (h: string) => h.trim().toLowerCase().replace(/<[^>]+>/g, '').replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
const headings = (mdx: string) => [...mdx.matchAll(/^#{2,4}\s+(.+)$/gm)].map((m) => slug(m[1]!));

/** The day after `day` at 06:00 UTC: when the builder commits a daily run. */
const nextMorning = (day: string) => Date.parse(`${day}T06:00:00Z`) + 86_400_000;

export interface StorySectionOptions {
  section: SectionConfig;
  /** The part number and anchor the section must declare. */
  part: number;
  anchor: string;
  /** Repository-relative path of the part's MDX file. */
  mdx: string;
  /** Seed for the warehouse ids of this test file. */
  idSeed: string;
  /** The daily partitions materialised before the checkpoint, in order. */
  days: string[];
  /**
   * Tests that must see the checkpoint untouched: registered before the task test, which
   * changes the warehouse as the learner would.
   */
  atCheckpoint?: (tools: { rows: (sql: string) => Promise<Record<string, unknown>[]>; lake: () => WarehouseLakehouse }) => void;
}

export function storySection({ section, part, anchor, mdx, idSeed, days, atCheckpoint }: StorySectionOptions) {
  let now = 0;
  let lake: WarehouseLakehouse;
  let pipeline: Pipeline;
  let lastRun: RunRecord | null = null;

  before(async () => {
    lake = await openNodeLakehouse({ clock: () => now, idSeed });
    pipeline = new Pipeline({ lake, definitions: glucoseDefinitions({ project: readProjectFiles(GLUCOSE_PROJECT_DIR) }), clock: () => now });
    const noPublish = pipeline.graph.order.filter((k) => pipeline.graph.nodes.get(k)!.kind !== 'publish');
    for (const day of days) {
      now = nextMorning(day);
      const r = await pipeline.materialize({ select: noPublish, partitions: [day] });
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
    assert.equal(section.part, part);
    assert.equal(section.anchor, anchor);
    const ids = section.tasks.map((t) => t.id);
    assert.equal(new Set(ids).size, ids.length, `duplicate task ids: ${ids.join(', ')}`);
    assert.ok(section.tasks.length >= 3 && section.tasks.length <= 6);
    assert.ok(section.queries.length >= 3 && section.queries.length <= 6);
    assert.equal(new Set(section.queries.map((q) => q.label)).size, section.queries.length, 'query labels are unique');
    const story = readFileSync(root('sandboxes/pipeline/cli/build-warehouse.ts'), 'utf8');
    assert.ok(story.includes(`checkpoint('${section.checkpoint}'`), `the prebuilt warehouse defines no checkpoint ${section.checkpoint}`);
  });

  test(`the anchor is a heading of Part ${part} and the frontmatter lists it`, () => {
    const text = readFileSync(root(mdx), 'utf8');
    assert.ok(headings(text).includes(section.anchor), `no heading in ${mdx} makes the anchor #${section.anchor}`);
    assert.match(text, new RegExp(`anchor:\\s*"?${section.anchor}"?`));
  });

  test('every prepared query runs on the checkpoint and returns rows', async () => {
    for (const q of section.queries) {
      const r = await rows(q.sql);
      assert.ok(r.length > 0, `"${q.label}" returned no rows`);
    }
  });

  atCheckpoint?.({ rows, lake: () => lake });

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

  return { rows, lake: () => lake };
}
