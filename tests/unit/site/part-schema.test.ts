/** The part frontmatter schema accepts a complete part and names the field it rejects. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { partFrontmatter } from '../../../src/content/part-schema.ts';

const good = {
  title: 'Iceberg table format',
  description: 'How Iceberg keeps snapshots, manifests and data files, and why that gives time travel.',
  part: 3,
  readingMinutes: 20,
  topics: ['Snapshots', 'Time travel'],
  prerequisites: ['Part 2'],
  learn: ['Read a metadata file'],
  handsOn: [{ anchor: 'hands-on-explore-snapshots', title: 'Explore snapshots' }],
};

function issuesOf(data: unknown): string[] {
  const result = partFrontmatter.safeParse(data);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

test('a complete part is accepted', () => {
  assert.deepEqual(issuesOf(good), []);
});

test('a page that is not a part needs no part fields', () => {
  assert.deepEqual(issuesOf({ title: 'Series overview' }), []);
});

test('a part number out of range names the field', () => {
  const issues = issuesOf({ ...good, part: 14 });
  assert.equal(issues.length, 1);
  assert.match(issues[0], /^part: /);
});

test('a missing field of a part is named', () => {
  const { readingMinutes: _omitted, ...rest } = good;
  assert.deepEqual(issuesOf(rest), ['readingMinutes: part 3 must set "readingMinutes" in its frontmatter']);
});

test('a wrong type is named with its path', () => {
  const issues = issuesOf({ ...good, handsOn: [{ anchor: 'Hands On!', title: 'x' }] });
  assert.ok(issues.some((i) => i.startsWith('handsOn.0.anchor: ')), issues.join('\n'));
  assert.ok(issues.some((i) => i.startsWith('handsOn.0.title: ')), issues.join('\n'));
});
