/**
 * Starlight links every page to the one before it in the sidebar. Part 1 follows the learning
 * paths there, so without `prev: false` its "Previous" link would send a reader who starts the
 * series at Part 1 to the Architect path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

test('Part 1 has no "Previous" link', () => {
  const mdx = readFileSync(new URL('../../../content/parts/01-what-is-a-data-lakehouse.mdx', import.meta.url), 'utf8');
  const front = parse(/^---\n([\s\S]*?)\n---/.exec(mdx)![1]);
  assert.equal(front.part, 1);
  assert.equal(front.prev, false);
});
