/**
 * Part 12's hands-on section against the warehouse the site ships: main at the
 * `part-07-backfill` checkpoint, the prepared queries run, and the five tasks are solved in
 * order through the learner's terminal (scale, compact, expire) and the console: each check
 * fails before its solution and passes after it. The numbers Part 12's text quotes (files,
 * manifests, snapshots before and after maintenance; rows per scale run) are asserted here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import section, { layoutSql } from '../../../src/sandbox/sections/part-12-step-5-kubernetes-deployment.ts';
import { sectionHarness, githubSlug, repo } from './prebuilt-section.ts';
import { readScaleRuns } from '../../../sandboxes/pipeline/orchestrate/scale-record.ts';
import { splitDays, amdahl, serialFraction, ingestSlice } from '../../../sandboxes/pipeline/orchestrate/scale.ts';

const MDX = join(repo, 'content/parts/12-production-deployment.mdx');
const { withLake, rowsOf, terminal, passes, checkShape, setLastQuery, runQuery } = sectionHarness({
  section,
  tmpPrefix: 'part12-',
  phloPathsOk: ['.env.example', 'docker-compose.yml', 'src/phlo/defs/partitions.py', 'examples/glucose-platform/phlo.yaml', 'src/phlo/infrastructure/config.py', 'src/phlo/config.py'],
  forbiddenCommands: /phlo k8s|kubectl|helm |phlo quality run|phlo catalog sync|nessie-setup|2024-/,
});

const layout = async () => {
  const r = (await rowsOf(layoutSql))[0]!;
  return { data_files: Number(r.data_files), manifests: Number(r.manifests), snapshots: Number(r.snapshots), records: Number(r.records) };
};

test('the section is well formed and matches its MDX heading', () => {
  checkShape();
  assert.equal(section.id, 'part-12-step-5-kubernetes-deployment');
  assert.ok(section.panes.includes('scale'));
  const mdx = readFileSync(MDX, 'utf8');
  // The series index links to the anchor; it sits on the hands-on heading. The numbered steps are a
  // real sequence (Step 1 to Step 5, nothing else between them), and the hands-on comes after the
  // scaling and table-maintenance sections its two halves need.
  const h2 = [...mdx.matchAll(/^## (.*)$/gm)].map((m) => m[1]!);
  assert.equal(h2.map((h) => githubSlug(h)).filter((s) => s === section.anchor).length, 0, 'no heading repeats the anchor id');
  const anchorAt = mdx.indexOf(`<div id="${section.anchor}"`);
  assert.ok(anchorAt >= 0, 'an element carries the section anchor');
  assert.match(mdx.slice(anchorAt), /^<div[^\n]*\n\n## Hands-on: /, 'the anchor sits on the hands-on heading');
  const firstStep = h2.findIndex((h) => h.startsWith('Step 1:'));
  assert.deepEqual(h2.slice(firstStep, firstStep + 5).map((h) => h.slice(0, 7)), ['Step 1:', 'Step 2:', 'Step 3:', 'Step 4:', 'Step 5:'], 'Steps 1-5 follow each other');
  assert.ok(!/kubernetes/i.test(h2.find((h) => h.startsWith('Hands-on:'))!), 'the scaling exercise is not titled as a Kubernetes deployment');
  const embed = mdx.indexOf(`<HandsOn section="${section.id}"`);
  for (const h of ['## Scaling and high availability', '## Table maintenance']) {
    assert.ok(mdx.indexOf(h) >= 0 && mdx.indexOf(h) < embed, `the sandbox comes after "${h}"`);
  }
  assert.match(mdx, new RegExp(`anchor: "?${section.anchor}"?`), 'frontmatter lists the anchor');
  assert.match(mdx, new RegExp(`<HandsOn section="${section.id}"`), 'the section is embedded in the MDX');
});

test('slices are contiguous, cover every day once, and Amdahl arithmetic holds', () => {
  const s = splitDays('2025-01-01', 365, 4);
  assert.deepEqual(s.map((x) => x.days), [92, 91, 91, 91]);
  assert.equal(s[0]!.from, '2025-01-01');
  assert.equal(s.at(-1)!.to, '2025-12-31', 'the whole of 2025');
  assert.deepEqual(splitDays('2025-01-01', 3, 8).map((x) => x.days), [1, 1, 1], 'never more workers than days');
  assert.throws(() => splitDays('2025-01-01', 366, 1), /1 to 365 days/);
  assert.equal(amdahl(1, 4), 4);
  assert.equal(amdahl(0, 4), 1);
  // The text quotes these: 90 % parallel gives 1.82x on two workers, 3.08x on four, at most 10x.
  assert.equal(amdahl(0.9, 2).toFixed(2), '1.82');
  assert.equal(amdahl(0.9, 4).toFixed(2), '3.08');
  assert.ok(amdahl(0.9, 1e9) < 10);
  assert.ok(Math.abs(serialFraction(amdahl(0.9, 2), 2)! - 0.1) < 1e-12, 'Karp–Flatt recovers the serial fraction');
  assert.equal(serialFraction(1.5, 1), null);
});

test('a slice ingests its days into its own warehouse, one commit per day', async () => {
  const r = await ingestSlice({ worker: 1, from: '2025-01-01', to: '2025-01-07', days: 7 });
  assert.equal(r.snapshots, 7);
  // The same source as the prebuilt warehouse, read the morning after the slice, when every
  // late reading has arrived: at least what main holds for those days (read at 06:00 each day).
  const main = await rowsOf(`select count(*) as n from raw.glucose_entries where cast(date_string as date) <= date '2025-01-07'`);
  assert.equal(r.rows, 1992);
  assert.ok(r.rows >= Number(main[0]!.n));
});

test('every prepared query runs on the checkpoint and returns rows', async () => {
  for (const q of section.queries) {
    const rows = await rowsOf(q.sql, q.ref ?? 'main');
    assert.ok(rows.length > 0, `${q.label} returns rows`);
  }
});

test('every task fails before its solution and passes after it, in order; the numbers the text quotes', async () => {
  const start = await layout();
  // Part 12's text quotes these (the part-07-backfill checkpoint: 20 days, one small file per merge).
  assert.deepEqual(start, { data_files: 22, manifests: 22, snapshots: 22, records: 5675 });
  const rowsBefore = await rowsOf(`select count(*) as n, sum(sgv) as s from raw.glucose_entries`);
  assert.equal(Number(rowsBefore[0]!.n), start.records);
  for (const task of section.tasks) {
    setLastQuery(null);
    assert.equal(await passes(task.check), false, `${task.id} must not pass before its solution`);
    const outputs: string[] = [];
    for (const cmd of task.solution.commands ?? []) {
      const r = await terminal(cmd);
      assert.equal(r.code, 0, `${task.id}: "${cmd}" failed: ${r.err.join('\n')}`);
      outputs.push(...r.out);
    }
    if (task.solution.sql) await runQuery(task.solution.sql);
    assert.equal(await passes(task.check), true, `${task.id} passes after its solution`);
    if (task.id === 'backfill-one-worker' || task.id === 'backfill-two-workers') {
      const runs = await withLake((l) => readScaleRuns(l.storage));
      const last = runs.at(-1)!;
      assert.equal(last.days, 14);
      assert.equal(last.rows, 3984, 'every reading of 2025-01-01 .. 2025-01-14');
      assert.equal(last.slices.length, last.workers);
      assert.equal(last.slices.reduce((a, s) => a + s.days, 0), 14);
      assert.ok(outputs.some((l) => /Recorded in pipeline\/scale\//.test(l)));
    }
    if (task.id === 'compact-the-table') {
      const after = await layout();
      assert.deepEqual(after, { data_files: 1, manifests: 2, snapshots: 23, records: start.records });
      const op = await rowsOf(`select operation from raw."glucose_entries$snapshots" order by committed_at desc limit 1`);
      assert.equal(op[0]!.operation, 'replace');
      assert.ok(outputs.some((l) => l.includes(`Rewrote ${start.data_files} data file(s) into 1`)), outputs.join('\n'));
    }
    if (task.id === 'expire-snapshots') {
      const after = await layout();
      assert.deepEqual(after, { data_files: 1, manifests: 2, snapshots: 1, records: start.records });
      assert.ok(outputs.some((l) => /Expired 22 snapshot\(s\)/.test(l)), outputs.join('\n'));
      // Tags still read the old files: the checkpoint is intact.
      const tagged = await rowsOf(`select count(*) as n from raw.glucose_entries`, 'part-07-backfill');
      assert.equal(Number(tagged[0]!.n), start.records, 'the checkpoint tag still reads its files');
    }
  }
  const rowsAfter = await rowsOf(`select count(*) as n, sum(sgv) as s from raw.glucose_entries`);
  assert.deepEqual(rowsAfter, rowsBefore, 'maintenance never changes the rows');
  // Compacting again finds nothing to do.
  const again = await terminal('compact raw.glucose_entries');
  assert.equal(again.code, 0);
  assert.ok(again.out.some((l) => l.startsWith('Nothing to compact')));
  const bad = await terminal('expire raw.glucose_entries --older-than yesterday');
  assert.equal(bad.code, 2);
  assert.match(bad.err.join('\n'), /--older-than TIME/);
});
