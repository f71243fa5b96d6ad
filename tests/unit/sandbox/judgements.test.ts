/**
 * When the exercise list judges (src/sandbox/ui/judgements.ts): a verdict computed against
 * a state the learner has since changed is never shown, a change re-judges, and a check that
 * hangs does not hold back every later verdict. Part 4's "20 rows … expected 3" with a 3-row
 * result on screen was a verdict about the previous query painted after the new one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Judgements, type Verdict } from '../../../src/sandbox/ui/judgements.ts';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

test('a verdict about the state before a change is dropped, and the task is judged again on the new state', async () => {
  let onScreen = 20; // rows of the learner's last result
  const shown: string[] = [];
  const j = new Judgements<string>({
    tasks: () => ['find-the-audit'],
    judge: async () => {
      const seen = onScreen;
      await tick(30); // the check query runs while the learner runs another query
      return { passed: seen === 3, detail: `${seen} rows` };
    },
    commit: (_t, v: Verdict) => void shown.push(v.detail),
  });
  const first = j.changed(); // result of the 20-row query
  await tick(10);
  onScreen = 3; // the learner's 3-row query finished
  void j.changed();
  await first;
  assert.deepEqual(shown, ['3 rows'], 'only the verdict about the 3-row result is shown');
});

test('the Check button\'s verdict is dropped when the state changed meanwhile, and a pass re-judges', async () => {
  let state = 'old';
  const shown: string[] = [];
  const j = new Judgements<string>({
    tasks: () => ['t'],
    judge: async () => {
      const s = state;
      await tick(20);
      return { passed: s === 'new', detail: s };
    },
    commit: (_t, v) => void shown.push(v.detail),
  });
  const click = j.judgeOne('t');
  await tick(5);
  state = 'new';
  void j.changed();
  await click;
  await j.judgeAll();
  assert.ok(!shown.includes('old'), `no verdict about the old state: ${shown.join(', ')}`);
  assert.equal(shown.at(-1), 'new');
});

test('every change is judged: the last state always gets a verdict', async () => {
  let n = 0;
  const shown: number[] = [];
  const j = new Judgements<string>({ tasks: () => ['a', 'b'], judge: async () => ({ passed: false, detail: String(n) }), commit: (_t, v) => void shown.push(Number(v.detail)) });
  for (n = 1; n <= 5; n++) void j.changed();
  n = 5;
  await j.judgeAll();
  assert.equal(shown.at(-1), 5);
});

test('a check that never answers is reported after the time limit and later tasks are still judged', async () => {
  const shown: string[] = [];
  const j = new Judgements<string>({
    tasks: () => ['stuck', 'next'],
    judge: (t) => (t === 'stuck' ? new Promise<Verdict>(() => {}) : Promise.resolve({ passed: true, detail: 'ok' })),
    commit: (t, v) => void shown.push(`${t}: ${v.detail}`),
    limitMs: 50,
  });
  await j.judgeAll();
  assert.match(shown[0]!, /^stuck: the check did not finish within 0.05 s/);
  assert.equal(shown[1], 'next: ok');
});

test('a check that throws shows its message, not a stuck "not yet"', async () => {
  const shown: string[] = [];
  const j = new Judgements<string>({ tasks: () => ['t'], judge: async () => Promise.reject(new Error('table raw.x does not exist')), commit: (_t, v) => void shown.push(v.detail) });
  await j.judgeAll();
  assert.deepEqual(shown, ['table raw.x does not exist']);
});
