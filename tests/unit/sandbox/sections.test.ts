/**
 * Every hands-on section config against the real prebuilt warehouse (built here in memory
 * by the pipeline's own builder): its checkpoint exists, its prepared queries run at that
 * checkpoint, its task checks run, and a task the learner has not done yet does not pass.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from '../../../sandboxes/lakehouse/storage/memory.ts';
import { openWarehouse } from '../../../sandboxes/lakehouse/warehouse.ts';
import { createNodeEngine } from '../../../sandboxes/lakehouse/sql/duckdb-node.ts';
import type { SqlEngine } from '../../../sandboxes/lakehouse/sql/engine.ts';
import { tableToRows } from '../../../sandboxes/lakehouse/sql/rows.ts';
import { buildWarehouse } from '../../../sandboxes/pipeline/cli/build-warehouse.ts';
import { LayeredStorage } from '../../../src/sandbox/runtime/layered-storage.ts';
import { parseCheckpoints, applyCheckpoint, type Checkpoint } from '../../../src/sandbox/runtime/checkpoints.ts';
import { sections } from '../../../src/sandbox/sections/index.ts';
import { attachOpsTables } from '../../../sandboxes/pipeline/observe/ops-tables.ts';
import { readProjectFiles, GLUCOSE_PROJECT_DIR } from '../../../sandboxes/pipeline/transform/load-dir.ts';

/** Files the pipeline pane can show: the shipped project's files, the settings, learner plugins. */
const project = readProjectFiles(GLUCOSE_PROJECT_DIR);
const paneCanShow = (f: string) => f in project || f === 'pipeline.config.ts' || /^plugins\/[a-z0-9_]+\.ts$/.test(f);

const shipped = new MemoryStorage();
let checkpoints = new Map<string, Checkpoint>();
let engine: SqlEngine;

before(async () => {
  await buildWarehouse(shipped);
  checkpoints = parseCheckpoints(JSON.parse(new TextDecoder().decode(await shipped.read('checkpoints.json'))));
  engine = await createNodeEngine();
}, { timeout: 180_000 });

after(async () => {
  await engine?.close();
});

test('section ids, panes and tasks are well formed', () => {
  for (const [id, s] of Object.entries(sections)) {
    assert.equal(s.id, id);
    assert.ok(s.panes.length > 0, id);
    assert.equal(new Set(s.tasks.map((t) => t.id)).size, s.tasks.length, `${id}: task ids are unique`);
    assert.ok(s.runForReal.commands.length > 0, `${id}: run it for real has commands`);
    for (const f of s.files ?? []) assert.ok(paneCanShow(f), `${id}: ${f} is a file the pipeline pane can show`);
  }
});

for (const s of Object.values(sections)) {
  test(`${s.id}: checkpoint "${s.checkpoint}", prepared queries and task checks run`, { timeout: 120_000 }, async () => {
    const cp = checkpoints.get(s.checkpoint);
    if (s.id !== 'lab') assert.ok(cp, `checkpoint ${s.checkpoint} is in checkpoints.json (${[...checkpoints.keys()].join(', ')})`);
    const wh = await openWarehouse({ storage: new LayeredStorage(shipped, new MemoryStorage()), engine });
    // As the browser session does: the run log as SQL (ops.*).
    attachOpsTables(wh);
    if (cp) {
      await applyCheckpoint(wh, cp);
      assert.equal((await wh.references()).find((r) => r.name === 'main')?.hash, cp.branches.main);
    }
    // A section that starts before its tables exist (Part 2's empty lakehouse) or before a column is
    // added (Part 3's schema evolution) has queries and checks that cannot bind yet: they must fail
    // with the warehouse's own "does not exist" / missing-column message, and a task must have
    // terminal commands that create what is missing.
    const notYet = (e: unknown) => /does not exist on '|Referenced column "?\w+"? not found/.test((e as Error).message);
    const canCreate = s.tasks.some((t) => t.solution.commands?.length);
    const sqlOrNotYet = async (sql: string, ref: string, what: string) => {
      try {
        return tableToRows(await wh.sql(sql, { ref }));
      } catch (e) {
        assert.ok(notYet(e) && canCreate, `${s.id}: ${what} failed: ${(e as Error).message}`);
        return null;
      }
    };
    for (const q of s.queries) {
      const rows = await sqlOrNotYet(q.sql, q.ref ?? 'main', q.label);
      assert.ok(rows === null || Array.isArray(rows), q.label);
    }
    for (const t of s.tasks) {
      const c = t.check;
      if (c.kind === 'sql' || c.kind === 'same-result') {
        const rows = await sqlOrNotYet(c.sql, c.ref ?? 'main', `the check of ${t.id}`);
        if (rows && c.kind === 'sql' && c.expect !== 'rows') assert.notEqual(Object.values(rows[0] ?? {})[0], true, `${s.id}/${t.id} must not pass before the learner acts`);
      }
      if (t.solution.sql) await sqlOrNotYet(t.solution.sql, 'main', `the solution of ${t.id}`);
      if (c.kind === 'snapshot-count') assert.ok((await wh.snapshots(c.table, c.ref ?? 'main')).length > 0);
    }
  });
}
