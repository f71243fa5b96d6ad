/**
 * Part 3's hands-on section against the warehouse the site ships: main is put at the
 * checkpoint part-03-snapshots (seven daily runs), what the walkthrough says about the
 * metadata tree and file skipping is checked on it, every prepared query runs, and the tasks
 * are solved in order with their own solutions (commands through the learner's terminal, SQL
 * as the learner's last query): each fails before its solution and passes after it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { part03ExploreSnapshots as section } from '../../../src/sandbox/sections/part-03-explore-snapshots.ts';
import { sectionHarness, githubSlug, repo } from './prebuilt-section.ts';
import type { TaskCheck } from '../../../src/sandbox/sections/types.ts';

const MDX = join(repo, 'content/parts/03-apache-iceberg.mdx');
const { withLake, rowsOf, terminal, passes, checkShape, setLastQuery, runQuery } = sectionHarness({
  section,
  tmpPrefix: 'part03-',
  phloPathsOk: ['src/phlo/iceberg/catalog.py', 'src/phlo/iceberg/tables.py', 'examples/glucose-platform/workflows/ingestion/nightscout/readings.py'],
  forbiddenCommands: /\bMINUS\b|FOR VERSION AS OF|FOR TIMESTAMP AS OF|make trino|DEFAULT 0\.0|dlt_assets\.py|SET SESSION/,
});

/** A check whose query cannot bind yet (the column is not there) fails, as the browser paints it. */
const passesOrFalse = (check: TaskCheck) => passes(check).catch(() => false);
const cmdOf = (line: string) => line.replace(/^npm run pipeline -- /, '');

/** Numbers Part 3's text quotes: the first day's readings, as the first snapshot committed them. */
const FIRST_SNAPSHOT_READINGS = 280;

test('the section is well formed and matches its MDX heading', () => {
  checkShape();
  assert.equal(section.checkpoint, 'part-03-snapshots');
  const mdx = readFileSync(MDX, 'utf8');
  const slugs = [...mdx.matchAll(/^#{2,4}\s+(.+)$/gm)].map((m) => githubSlug(m[1]!));
  assert.ok(slugs.includes(section.anchor), `a heading makes #${section.anchor}`);
  assert.match(mdx, new RegExp(`anchor: "?${section.anchor}"?`), 'frontmatter lists the anchor');
  assert.match(mdx, new RegExp(`<HandsOn section="${section.id}"`), 'the section is embedded');
  assert.match(mdx, /npm run pipeline -- alter raw\.glucose_entries add-column a1c_level double/, 'the text shows the command the task needs');
});

test('what the walkthrough says about the metadata tree holds: seven manifests, a date filter reads two files', async () => {
  const table = await withLake((l) => l.warehouse.table('raw.glucose_entries', 'main'));
  assert.deepEqual(table.metadata['partition-specs'].map((s) => s.fields.length), [0], 'the raw table has no partition spec, as in Phlo');
  const plan = await table.plan({ filter: { op: '>=', column: 'date_string', value: '2025-01-06T00:00:00' } });
  assert.equal(plan.manifestsRead.length + plan.skippedManifests.length, 7, 'one manifest per daily run');
  assert.equal(plan.tasks.length, 2, 'the files of 6 and 7 January are read');
  assert.equal(plan.skippedFiles.length, 5, 'the other five are skipped by their column bounds');
  // The prepared query shows the same from the $files metadata table.
  const files = await rowsOf(section.queries.find((q) => q.label === 'Files a date filter can skip')!.sql);
  assert.equal(files.length, 7);
  assert.deepEqual(files.map((f) => f.read_for_jan_6_on), [false, false, false, false, false, true, true]);
});

test('the checkpoint has one snapshot per daily run, and time travel by time picks the right one', async () => {
  const snaps = await withLake((l) => l.snapshots('main', 'raw.glucose_entries'));
  assert.equal(snaps.length, 7, 'seven appends');
  const perDay = await rowsOf(`select cast(date_string as date) as day, count(*) as n from raw.glucose_entries group by 1 order by 1`);
  const [first] = await rowsOf(`select count(*) as n from raw."glucose_entries#2025-01-02T12:00:00Z"`);
  const [second] = await rowsOf(`select count(*) as n from raw."glucose_entries#2025-01-03T12:00:00Z"`);
  assert.equal(Number(first!.n), FIRST_SNAPSHOT_READINGS);
  assert.equal(Number(first!.n), Number(perDay[0]!.n), 'noon on 2 January reads the first day only');
  assert.equal(Number(second!.n), Number(perDay[0]!.n) + Number(perDay[1]!.n), 'noon on 3 January reads two days');
});

test('every prepared query runs on the checkpoint and returns rows', async () => {
  for (const q of section.queries) assert.ok((await rowsOf(q.sql)).length > 0, `${q.label} returns rows`);
});

test('every task fails before its solution and passes after it, in order; schema evolution rewrites nothing', async () => {
  setLastQuery(null);
  for (const task of section.tasks) assert.equal(await passesOrFalse(task.check), false, `${task.id} must not pass at the checkpoint`);
  for (const task of section.tasks) {
    setLastQuery(null);
    assert.equal(await passesOrFalse(task.check), false, `${task.id} must not pass before its solution`);
    const snapsBefore = await withLake((l) => l.snapshots('main', 'raw.glucose_entries'));
    const filesBefore = (await withLake((l) => l.warehouse.files('raw.glucose_entries'))).map((f) => f.path);
    for (const cmd of task.solution.commands ?? []) {
      const r = await terminal(cmdOf(cmd));
      assert.equal(r.code, 0, `${task.id}: "${cmd}" failed: ${r.err.join('\n')}`);
      if (task.id === 'add-column') assert.match(r.out.join('\n'), /Schema 0 -> 1; a1c_level has field id \d+\. No data file was rewritten; the current snapshot is unchanged/);
    }
    if (task.id === 'add-column') {
      assert.deepEqual(await withLake((l) => l.snapshots('main', 'raw.glucose_entries')), snapsBefore, 'adding a column adds no snapshot');
      assert.deepEqual((await withLake((l) => l.warehouse.files('raw.glucose_entries'))).map((f) => f.path), filesBefore, 'and rewrites no file');
      // Time travel keeps the schema the snapshot was written with, as Trino does.
      await assert.rejects(rowsOf(`select a1c_level from raw."glucose_entries#2025-01-02T12:00:00Z"`));
      assert.deepEqual((await rowsOf(task.solution.sql!)).map((r) => [Number(r.readings), Number(r.with_a1c_level)]), [[FIRST_SNAPSHOT_READINGS, 0]]);
    }
    if (task.solution.sql) await runQuery(task.solution.sql);
    assert.equal(await passes(task.check), true, `${task.id} passes after its solution`);
  }
  // The eighth snapshot was appended under the new schema: its new rows read a1c_level as null too.
  const [all] = await rowsOf(`select count(*) as n, count(a1c_level) as with_a1c from raw.glucose_entries`);
  assert.ok(Number(all!.n) > 7 * 250);
  assert.equal(Number(all!.with_a1c), 0);
  assert.equal((await withLake((l) => l.snapshots('main', 'raw.glucose_entries'))).length, 8);
});
