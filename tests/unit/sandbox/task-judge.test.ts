/**
 * The judge the page and the section tests share (src/sandbox/pipeline/task-judge.ts): a
 * same-result failure names the rows that differ, a pipeline-run task is judged on the run
 * it describes (not on an earlier task's run), and both sides read state through TaskFacts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareResults, judgeTask, type QueryRows, type TaskFacts } from '../../../src/sandbox/pipeline/task-judge.ts';
import { judgeRun, type RunSummary } from '../../../src/sandbox/pipeline/run-summary.ts';

const rows = (columns: string[], ...r: (string | number | null)[][]): QueryRows => ({ columns, rows: r });

test('same rows in another order pass; the detail counts them', () => {
  const want = rows(['day', 'readings'], ['2025-01-23', 288], ['2025-01-24', 288], ['2025-01-25', 283]);
  const got = rows(['day', 'n'], ['2025-01-25', 283], ['2025-01-23', 288], ['2025-01-24', 288]);
  assert.deepEqual(compareResults(got, want), { passed: true, detail: 'your last result matches (3 rows)' });
});

test('a failure names the rows missing and the rows not expected, the first three of each', () => {
  const want = rows(['day', 'readings'], ['2025-01-23', 288], ['2025-01-24', 288], ['2025-01-25', 283]);
  const got = rows(['day', 'readings'], ...Array.from({ length: 20 }, (_, i) => [`2025-01-${String(i + 1).padStart(2, '0')}`, 288]));
  const out = compareResults(got, want);
  assert.equal(out.passed, false);
  assert.match(out.detail, /^your last result has 20 rows, the task expects 3 rows/);
  assert.match(out.detail, /missing \(2025-01-23, 288\), \(2025-01-24, 288\), \(2025-01-25, 283\)/);
  assert.match(out.detail, /not expected \(2025-01-01, 288\), \(2025-01-02, 288\), \(2025-01-03, 288\) and 17 more/);
  assert.doesNotMatch(out.detail, /do not match the expected/);
});

test('one value off among equal counts is shown as that row, not as "7 rows that do not match the expected 7"', () => {
  const want = rows(['hour', 'avg'], ...Array.from({ length: 7 }, (_, i) => [i, 100 + i]));
  const got = rows(['hour', 'avg'], ...Array.from({ length: 7 }, (_, i) => [i, i === 4 ? 999 : 100 + i]));
  const out = compareResults(got, want);
  assert.equal(out.passed, false);
  assert.match(out.detail, /7 rows, the task expects 7 rows; missing \(4, 104\); not expected \(4, 999\)/);
});

test('a different number of columns is said in columns', () => {
  const out = compareResults(rows(['a'], [1]), rows(['a', 'b'], [1, 2]));
  assert.equal(out.passed, false);
  assert.match(out.detail, /1 column \(a\); the task asks for 2 columns \(a, b\)/);
});

test('duplicates count: two equal rows are not one', () => {
  assert.equal(compareResults(rows(['a'], [1]), rows(['a'], [1], [1])).passed, false);
  assert.equal(compareResults(rows(['a'], [1], [1]), rows(['a'], [1], [1])).passed, true);
});

const run = (over: Partial<RunSummary>): RunSummary => ({ status: 'success', command: 'materialize fct_glucose_readings --partition 2025-01-20', assets: ['fct_glucose_readings'], failedChecks: [], ranChecks: [], at: 0, ...over });
const fixTest = { kind: 'pipeline-run', status: 'success', asset: 'fct_glucose_readings', passedCheck: 'not_null_fct_glucose_readings_glucose_change_mg_dl' } as const;

test('Part 6 "fix the test and pass": the first task\'s run (no test yet) does not pass it; the run with the warn test does', () => {
  const first = judgeRun(run({}), fixTest);
  assert.equal(first.passed, false);
  assert.match(first.detail, /did not run not_null_fct_glucose_readings_glucose_change_mg_dl/);
  assert.equal(judgeRun(run({ ranChecks: ['dbt_test.not_null_fct_glucose_readings_glucose_change_mg_dl'] }), fixTest).passed, true);
});

test('a run that did the wrong thing says what it did', () => {
  const failed = judgeRun(run({ status: 'failed', failedCheck: 'dbt_test.unique_x', failedChecks: ['dbt_test.unique_x'] }), { kind: 'pipeline-run', status: 'failed', failedCheck: 'not_null' });
  assert.equal(failed.passed, false);
  assert.match(failed.detail, /failed on dbt_test\.unique_x, but not on a check matching not_null/);
  assert.match(judgeRun(run({}), { kind: 'pipeline-run', status: 'failed' }).detail, /succeeded, the task asks for a run that fails/);
});

function facts(over: Partial<TaskFacts>): TaskFacts {
  const none = () => {
    throw new Error('not used');
  };
  return { query: none, lastQuery: () => null, refs: none, log: none, snapshotCount: none, lastRun: () => null, scaleRuns: none, postgres: () => null, catalog: none, typedAnswer: () => null, ...over };
}

test('sql checks say on which ref they looked and what they found', async () => {
  const out = await judgeTask({ kind: 'sql', ref: 'dev', sql: 'select false' }, facts({ query: async () => rows(['x'], [false as never]) }));
  assert.deepEqual(out, { passed: false, detail: 'not on dev yet (the check query on dev returned false)' });
});

test('ref-exists with minCommitsAhead counts commits beyond main (the section tests used to ignore it)', async () => {
  const f = facts({
    refs: async () => [{ name: 'main', type: 'BRANCH', hash: 'm' }, { name: 'exp', type: 'BRANCH', hash: 'e' }],
    log: async (ref) => (ref === 'main' ? ['m', 'a'] : ['e', 'm', 'a']),
  });
  assert.equal((await judgeTask({ kind: 'ref-exists', name: 'exp', minCommitsAhead: 2 }, f)).passed, false);
  assert.equal((await judgeTask({ kind: 'ref-exists', name: 'exp', minCommitsAhead: 1 }, f)).passed, true);
});
