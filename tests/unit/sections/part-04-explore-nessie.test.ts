/**
 * Part 4's hands-on section against the warehouse the site ships: the prebuilt warehouse is
 * built by the real builder into a temporary directory, main is put at the section's
 * checkpoint, every prepared query runs, and the tasks are solved in order with their own
 * solutions (through the pipeline CLI, as the learner's terminal runs them): each check fails
 * before its solution and passes after it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import section, { AUDIT_BRANCH, FAILED_BRANCH } from '../../../src/sandbox/sections/part-04-explore-nessie.ts';
import { sectionHarness, githubSlug, repo } from './prebuilt-section.ts';

const MDX = join(repo, 'content/parts/04-project-nessie.mdx');
const { withLake, rowsOf, terminal, passes, checkShape, setLastQuery, runQuery } = sectionHarness({
  section,
  tmpPrefix: 'part04-',
  /** Phlo paths marked as present at the pinned commit in the facts sheet. */
  phloPathsOk: [
  'src/phlo/defs/nessie/operations.py',
  'examples/glucose-platform/.phlo/trino/catalog/iceberg.properties',
  'examples/glucose-platform/.phlo/trino/catalog/iceberg_dev.properties',
  'src/phlo/cli/branch.py',
  'examples/glucose-platform/.phlo/docker-compose.yml',
  ],
  forbiddenCommands: /phlo branch|:10003|phlo quality run|phlo catalog sync|SET SESSION|nessie branch/,
});

test('the section is well formed and matches its MDX heading', () => {
  checkShape();
  assert.equal(section.id, 'part-04-explore-nessie');
  assert.equal(section.checkpoint, 'part-04-nessie');
  const mdx = readFileSync(MDX, 'utf8');
  const headings = [...mdx.matchAll(/^## (Hands-on:.*)$/gm)].map((m) => githubSlug(m[1]!));
  assert.deepEqual(headings, [section.anchor], 'one hands-on heading, producing the section anchor');
  assert.match(mdx, new RegExp(`anchor: "?${section.anchor}"?`), 'frontmatter lists the anchor');
  assert.match(mdx, new RegExp(`HandsOn[^\\n]*${section.id}`), 'the section is embedded (or marked) in the MDX');
});

test('the checkpoint holds the branches the section talks about, and no ref of a later part', async () => {
  const refs = await withLake((lake) => lake.refs());
  const names = refs.map((r) => r.name);
  for (const n of ['main', 'dev', AUDIT_BRANCH, FAILED_BRANCH]) assert.ok(names.includes(n), `${n} exists (refs: ${names.join(', ')})`);
  // Part 4's reader has met main, dev and run branches: no checkpoint tags of other parts.
  assert.deepEqual(refs.filter((r) => r.type === 'tag').map((r) => r.name), [], 'no tags at the start of Part 4');
  assert.deepEqual(names.filter((n) => !['main', 'dev'].includes(n) && !n.startsWith('pipeline-run-')), [], 'only main, dev and run branches');
  assert.equal(names.filter((n) => n.startsWith('pipeline-run-')).length, 3, 'the audited run and the two failed runs (2025-01-21, 2025-01-22)');
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
    setLastQuery(null);
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
    if (task.solution.sql) await runQuery(task.solution.sql);
    assert.equal(await passes(task.check), true, `${task.id} passes after its solution`);
  }
  const merged = await terminal('merge dev main');
  assert.equal(merged.code, 0, 'after the resolution, the fresh dev merges cleanly');
});
