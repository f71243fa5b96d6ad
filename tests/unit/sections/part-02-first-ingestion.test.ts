/**
 * Part 2's hands-on section against the warehouse the site ships: main is put at the empty
 * checkpoint part-02-start, the prepared queries answer that their tables do not exist yet,
 * and the tasks are solved in order with their own solutions through the learner's terminal:
 * each fails before its solution and passes after it. The numbers the text of Part 2 quotes
 * are asserted here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { part02FirstIngestion as section } from '../../../src/sandbox/sections/part-02-first-ingestion.ts';
import { sectionHarness, githubSlug, repo } from './prebuilt-section.ts';
import type { TaskCheck } from '../../../src/sandbox/sections/types.ts';

const MDX = join(repo, 'content/parts/02-getting-started-with-phlo.mdx');
const { withLake, rowsOf, terminal, passes, checkShape, setLastQuery, runQuery, lastRun } = sectionHarness({
  section,
  tmpPrefix: 'part02-',
  phloPathsOk: [
    'examples/glucose-platform/.phlo/docker-compose.yml',
    'examples/glucose-platform/workflows/ingestion/nightscout/readings.py',
    'src/phlo/defs/partitions.py',
    'src/phlo/iceberg/tables.py',
  ],
  forbiddenCommands: /\bmake |docker exec -it trino |SET SESSION|services\/dagster && uv|--select glucose_entries|2024-|postgres_marts/,
});

/** A check whose table does not exist yet fails (the browser paints the error as "not yet"). */
const passesOrFalse = (check: TaskCheck) => passes(check).catch(() => false);

/** Numbers Part 2's text quotes: the readings of 2025-01-01 the first run stores. */
const FIRST_DAY_READINGS = 288;

test('the section is well formed, starts from the empty checkpoint and matches its MDX heading', () => {
  checkShape();
  assert.equal(section.checkpoint, 'part-02-start');
  assert.match(readFileSync(join(repo, 'sandboxes/pipeline/cli/build-warehouse.ts'), 'utf8'), /checkpoint\('part-02-start'/);
  const mdx = readFileSync(MDX, 'utf8');
  const slugs = [...mdx.matchAll(/^#{2,4}\s+(.+)$/gm)].map((m) => githubSlug(m[1]!));
  assert.ok(slugs.includes(section.anchor), `a heading makes #${section.anchor}`);
  assert.match(mdx, new RegExp(`anchor: "?${section.anchor}"?`), 'frontmatter lists the anchor');
  assert.match(mdx, new RegExp(`<HandsOn section="${section.id}"`), 'the section is embedded');
});

test('the checkpoint is an empty lakehouse: no table on main, and every prepared query says which table is missing', async () => {
  assert.deepEqual(await withLake((l) => l.listTables('main')), []);
  for (const q of section.queries) {
    await assert.rejects(rowsOf(q.sql), (e: Error) => {
      assert.match(e.message, /^table (raw|silver)\.\w+ does not exist on 'main' \(no tables there yet: nothing has been written to this lakehouse\)\.$/, `${q.label}: ${e.message}`);
      return true;
    });
  }
});

test('every task fails before its solution and passes after it, in order; the quoted numbers hold', async () => {
  setLastQuery(null);
  for (const task of section.tasks) assert.equal(await passesOrFalse(task.check), false, `${task.id} must not pass on the empty lakehouse`);
  for (const task of section.tasks) {
    setLastQuery(null);
    assert.equal(await passesOrFalse(task.check), false, `${task.id} must not pass before its solution`);
    for (const cmd of task.solution.commands ?? []) {
      // The pipeline pane drops the `npm run pipeline --` a learner may type (command-line.ts).
      const r = await terminal(cmd.replace(/^npm run pipeline -- /, ''));
      assert.equal(r.code, 0, `${task.id}: "${cmd}" failed: ${r.err.join('\n')}`);
      if (task.id === 'first-run' && cmd.includes('materialize')) {
        // The run log the text walks through: the table created, the rows inserted, the branch merged.
        const types = r.run!.events.map((e) => e.type);
        for (const t of ['RUN_START', 'BRANCH_CREATED', 'BRANCH_MERGED', 'RUN_SUCCESS']) assert.ok(types.includes(t as never), `the run log has ${t}: ${types.join(', ')}`);
        assert.match(r.out.join('\n'), new RegExp(`dlt_glucose_entries: raw\\.glucose_entries, ${FIRST_DAY_READINGS} inserted, 0 updated`));
      }
    }
    if (task.solution.sql) await runQuery(task.solution.sql);
    assert.equal(await passes(task.check), true, `${task.id} passes after its solution`);
    if (task.id === 'first-run') assert.equal(lastRun()?.status, 'success');
    if (task.id === 'count-first-day') assert.deepEqual((await rowsOf(task.solution.sql!)).map((r) => Number(r.readings)), [FIRST_DAY_READINGS]);
    if (task.id === 'first-snapshot') {
      const snaps = await rowsOf(`select operation, parent_id from raw."glucose_entries$snapshots"`);
      assert.deepEqual(snaps, [{ operation: 'append', parent_id: null }], 'one append snapshot with no parent');
    }
  }
  // After the run and the transforms, every prepared query returns rows.
  for (const q of section.queries) assert.ok((await rowsOf(q.sql)).length > 0, `${q.label} returns rows after the first run`);
  const [range] = await rowsOf(`select min(glucose_mg_dl) as lo, max(glucose_mg_dl) as hi, count(*) as n from silver.fct_glucose_readings`);
  assert.equal(Number(range!.n), FIRST_DAY_READINGS, 'silver keeps every reading of the day (none is out of range)');
  // The text's aside in the snapshot task: running the same day again commits nothing.
  const again = await terminal('materialize dlt_glucose_entries --partition 2025-01-01');
  assert.equal(again.code, 0, again.err.join('\n'));
  assert.match(again.out.join('\n'), /raw\.glucose_entries, 0 inserted, 0 updated/);
  assert.equal((await withLake((l) => l.snapshots('main', 'raw.glucose_entries'))).length, 1, 'still one snapshot');
});
