/**
 * Part 5's hands-on section against the warehouse the site ships: the prebuilt warehouse is
 * built by the real builder into a temporary directory, main is put at the section's
 * checkpoint, every prepared query runs, and the tasks are solved in order with their own
 * solutions (through the pipeline CLI, as the learner's terminal runs them): each check fails
 * before its solution and passes after it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import section from '../../../src/sandbox/sections/part-05-trace-an-ingestion.ts';
import { sectionHarness, githubSlug, repo } from './prebuilt-section.ts';

const MDX = join(repo, 'content/parts/05-data-ingestion.mdx');
const { withLake, rowsOf, terminal, passes, checkShape, setLastQuery, runQuery } = sectionHarness({
  section,
  tmpPrefix: 'part05-',
  /** Phlo paths marked as present at the pinned commit in the facts sheet. */
  phloPathsOk: [
  'examples/glucose-platform/workflows/ingestion/nightscout/readings.py',
  'examples/glucose-platform/workflows/schemas/nightscout.py',
  'src/phlo/defs/partitions.py',
  'src/phlo/iceberg/tables.py',
  'src/phlo/defs/resources/iceberg.py',
  ],
  forbiddenCommands: /phlo catalog history|phlo quality run|phlo catalog sync|SET SESSION|nessie branch|--select glucose_entries|2024-/,
});

test('the section is well formed and matches its MDX heading', () => {
  checkShape();
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
    setLastQuery(null);
    assert.equal(await passes(task.check), false, `${task.id} must not pass before its solution`);
    const snapshotsBefore = (await withLake((lake) => lake.snapshots('main', 'raw.glucose_entries'))).length;
    for (const cmd of task.solution.commands ?? []) {
      const r = await terminal(cmd);
      assert.equal(r.code, 0, `${task.id}: "${cmd}" failed: ${r.err.join('\n')}`);
    }
    const snapshotsAfter = (await withLake((lake) => lake.snapshots('main', 'raw.glucose_entries'))).length;
    if (task.id === 're-run-same-day') assert.equal(snapshotsAfter, snapshotsBefore, 'a re-run of the same day commits no snapshot');
    if (task.id === 'run-one-day' || task.id === 'late-reading') assert.equal(snapshotsAfter, snapshotsBefore + 1, `${task.id} commits one snapshot`);
    if (task.id === 'run-one-day') {
      const day = await rowsOf(`select count(*) as n from raw.glucose_entries where cast(date_string as date) = date '2025-01-08'`);
      // The text of Part 5 quotes these numbers: 282 readings at 06:00, six still on their way.
      assert.equal(Number(day[0]!.n), 282, 'at 06:00 six readings of 2025-01-08 have not arrived yet (the late-reading task needs them)');
    }
    if (task.solution.sql) await runQuery(task.solution.sql);
    assert.equal(await passes(task.check), true, `${task.id} passes after its solution`);
  }
  const added = await rowsOf(section.tasks.at(-1)!.check.kind === 'same-result' ? (section.tasks.at(-1)!.check as { sql: string }).sql : '');
  assert.equal(added.length, 1, 'only 2025-01-08 changed in the late run');
});
