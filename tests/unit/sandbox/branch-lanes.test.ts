/**
 * The branch graph's lanes (src/sandbox/ui/branch-lanes.ts): a lane shows only commits
 * reachable from its ref. Part 4's main sits at an early checkpoint while the shipped
 * warehouse's checkpoint tags point far ahead; those commits must not be drawn on main.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutLanes } from '../../../src/sandbox/ui/branch-lanes.ts';
import type { Commit, Reference } from '../../../sandboxes/lakehouse/catalog/model.ts';

let clock = 0;
const commit = (hash: string, ...parents: string[]): Commit =>
  ({ hash, parents, message: hash, author: 't', time: new Date(Date.UTC(2025, 0, 1, 0, clock++)).toISOString(), tree: 'x' }) as unknown as Commit;

const m1 = commit('m1');
const m2 = commit('m2', 'm1');
const r1 = commit('r1', 'm2'); // on a run branch
const t1 = commit('t1', 'm2'); // only the checkpoint tag has these
const t2 = commit('t2', 't1');

const refs: Reference[] = [
  { type: 'TAG', name: 'part-13-plugins', hash: 't2' },
  { type: 'BRANCH', name: 'pipeline-run-1', hash: 'r1' },
  { type: 'BRANCH', name: 'main', hash: 'm2' },
  { type: 'BRANCH', name: 'dev', hash: 'm2' },
  { type: 'TAG', name: 'audited', hash: 'm2' },
];
const logs = new Map<string, Commit[]>([
  ['main', [m2, m1]],
  ['dev', [m2, m1]],
  ['pipeline-run-1', [r1, m2, m1]],
  ['part-13-plugins', [t2, t1, m2, m1]],
  ['audited', [m2, m1]],
]);

test('every commit sits on the lane of a ref that contains it; main\'s lane holds only main\'s commits', () => {
  const { lanes, laneOf, commits } = layoutLanes(refs, logs);
  assert.equal(lanes[0]!.ref, 'main');
  for (const c of commits) {
    const lane = lanes[laneOf.get(c.hash)!]!;
    assert.ok(logs.get(lane.ref)!.some((x) => x.hash === c.hash), `${c.hash} is drawn on ${lane.ref}, which does not contain it`);
  }
  assert.deepEqual(commits.filter((c) => laneOf.get(c.hash) === 0).map((c) => c.hash).sort(), ['m1', 'm2']);
});

test('a tag ahead of every branch gets its own lane; a ref with nothing of its own (dev at main, a tag on main) gets none', () => {
  const { lanes, laneOf } = layoutLanes(refs, logs);
  assert.deepEqual(lanes.map((l) => l.ref), ['main', 'pipeline-run-1', 'part-13-plugins']);
  assert.equal(lanes[laneOf.get('t2')!]!.ref, 'part-13-plugins');
  assert.equal(lanes[laneOf.get('r1')!]!.ref, 'pipeline-run-1');
});

test('commits come newest first, each once', () => {
  const { commits } = layoutLanes(refs, logs);
  assert.deepEqual(commits.map((c) => c.hash), ['t2', 't1', 'r1', 'm2', 'm1']);
});
