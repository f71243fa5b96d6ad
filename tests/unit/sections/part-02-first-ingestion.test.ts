/**
 * Part 2's hands-on section against a real warehouse built by the pipeline in Node: the
 * checkpoint it names exists in the prebuilt warehouse's story, the anchor is a heading of
 * the page, every prepared query runs, and every task fails at the checkpoint and passes
 * after its own solution (tasks done in order, as a learner would).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { part02FirstIngestion as section } from '../../../src/sandbox/sections/part-02-first-ingestion.ts';
import { storySection } from './story-section.ts';

const { rows } = storySection({
  section,
  part: 2,
  anchor: 'step-5-first-data-ingestion',
  mdx: 'content/parts/02-getting-started-with-phlo.mdx',
  idSeed: 'part-02-test',
  days: ['2025-01-01'],
});

test('the numbers the tasks lean on are real: the first day is a full day of five-minute readings', async () => {
  const [day] = await rows(`select count(*) as n, count(distinct _id) as ids from raw.glucose_entries where cast(date_string as date) = DATE '2025-01-01'`);
  assert.equal(Number(day!.n), Number(day!.ids), 'the merge keeps each _id once');
  assert.ok(Number(day!.n) > 200 && Number(day!.n) <= 288, `a day has up to 288 readings, got ${day!.n}`);
});
