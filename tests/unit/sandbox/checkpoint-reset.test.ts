/**
 * What a reset or a workshop "jump to checkpoint" would throw away, and the question asked
 * first (src/sandbox/runtime/checkpoints.ts): the learner's branches and tags by name, and
 * the refs they moved; no question for a jump that loses nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refsAfterReset, workLostByReset, resetQuestion, type Checkpoint, type RefState } from '../../../src/sandbox/runtime/checkpoints.ts';

const shipped: RefState[] = [
  { name: 'main', type: 'BRANCH', hash: 'm-final' },
  { name: 'dev', type: 'BRANCH', hash: 'd-final' },
  { name: 'part-13-plugins', type: 'TAG', hash: 't13' },
];
const cp: Checkpoint = { name: 'part-04-branches', branches: { main: 'm4', dev: 'm4', 'pipeline-run-5dd29af7': 'r4' }, tags: {} };

test('the refs after a reset: shipped refs with the checkpoint\'s branches moved', () => {
  const after = refsAfterReset(shipped, cp);
  assert.deepEqual(after.find((r) => r.name === 'main'), { name: 'main', type: 'BRANCH', hash: 'm4' });
  assert.ok(after.some((r) => r.name === 'pipeline-run-5dd29af7'));
  assert.ok(after.some((r) => r.name === 'part-13-plugins'));
});

test('a fresh section loses nothing, and a jump does not ask', () => {
  const risk = workLostByReset(refsAfterReset(shipped, cp), refsAfterReset(shipped, cp));
  assert.deepEqual(risk, { branches: [], tags: [], moved: [] });
  assert.equal(resetQuestion(risk, cp.name, 'jump'), null);
  assert.match(resetQuestion(risk, cp.name, 'reset')!, /No branch, tag or commit of yours is lost/);
});

test('the learner\'s branches, tags and moved refs are named in the question', () => {
  const now: RefState[] = [
    ...refsAfterReset(shipped, cp).map((r) => (r.name === 'main' ? { ...r, hash: 'm-mine' } : r)),
    { name: 'experiment', type: 'BRANCH', hash: 'e1' },
    { name: 'audited-2025-01-25', type: 'TAG', hash: 'm4' },
  ];
  const risk = workLostByReset(now, refsAfterReset(shipped, cp));
  assert.deepEqual(risk, { branches: ['experiment'], tags: ['audited-2025-01-25'], moved: ['main'] });
  const q = resetQuestion(risk, cp.name, 'jump')!;
  assert.match(q, /Jump to the checkpoint “part-04-branches”/);
  assert.match(q, /the branch experiment; the tag audited-2025-01-25; the commits made on main since the checkpoint/);
  assert.match(q, /edited pipeline files are kept/);
});

test('many branches are summed up, not listed without end', () => {
  const now: RefState[] = [...refsAfterReset(shipped, cp), ...Array.from({ length: 8 }, (_, i) => ({ name: `b${i}`, type: 'BRANCH' as const, hash: 'x' }))];
  assert.match(resetQuestion(workLostByReset(now, refsAfterReset(shipped, cp)), cp.name, 'reset')!, /8 branches b0, b1, b2, b3, b4 and 3 more/);
});
