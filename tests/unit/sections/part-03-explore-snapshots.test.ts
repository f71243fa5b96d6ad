/**
 * Part 3's hands-on section against a real warehouse built by the pipeline in Node: the
 * checkpoint it names exists in the prebuilt warehouse's story, the anchor is a heading of
 * the page, every prepared query runs, and every task fails at the checkpoint and passes
 * after its own solution (tasks done in order, as a learner would).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { part03ExploreSnapshots as section } from '../../../src/sandbox/sections/part-03-explore-snapshots.ts';
import { storySection } from './story-section.ts';

const { rows, lake } = storySection({
  section,
  part: 3,
  anchor: 'hands-on-explore-snapshots',
  mdx: 'content/parts/03-apache-iceberg.mdx',
  idSeed: 'part-03-test',
  days: ['2025-01-01', '2025-01-02', '2025-01-03', '2025-01-04', '2025-01-05', '2025-01-06', '2025-01-07'],
  atCheckpoint: ({ lake }) => {
    test('what the walkthrough says about the metadata tree holds: seven manifests, a date filter reads two files', async () => {
      const table = await lake().warehouse.table('raw.glucose_entries', 'main');
      assert.deepEqual(table.metadata['partition-specs'].map((s) => s.fields.length), [0], 'the raw table has no partition spec, as in Phlo');
      const plan = await table.plan({ filter: { op: '>=', column: 'date_string', value: '2025-01-06T00:00:00' } });
      assert.equal(plan.manifestsRead.length + plan.skippedManifests.length, 7, 'one manifest per daily run');
      assert.equal(plan.tasks.length, 2, 'the files of 6 and 7 January are read');
      assert.equal(plan.skippedFiles.length, 5, 'the other five are skipped by their column bounds');
    });
  },
});

test('the checkpoint has one snapshot per daily run, and time travel by time picks the right one', async () => {
  const snaps = await lake().snapshots('main', 'raw.glucose_entries');
  assert.ok(snaps.length >= 7, `expected a snapshot per day, got ${snaps.length}`);
  const perDay = await rows(`select cast(date_string as date) as day, count(*) as n from raw.glucose_entries group by 1 order by 1`);
  const [first] = await rows(`select count(*) as n from raw."glucose_entries#2025-01-02T12:00:00Z"`);
  const [second] = await rows(`select count(*) as n from raw."glucose_entries#2025-01-03T12:00:00Z"`);
  assert.equal(Number(first!.n), Number(perDay[0]!.n), 'noon on 2 January reads the first day only');
  assert.equal(Number(second!.n), Number(perDay[0]!.n) + Number(perDay[1]!.n), 'noon on 3 January reads two days');
});
