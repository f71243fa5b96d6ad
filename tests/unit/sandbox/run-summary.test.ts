/**
 * How a `pipeline-run` task judges the learner's last run: what failed is collected from the
 * asset checks (ERROR only), the dbt test events and the validation events, and a task's
 * failedCheck matches any of them, not only the first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarizeRun, judgeRun } from '../../../src/sandbox/pipeline/run-summary.ts';
import type { RunRecord, RunEvent } from '../../../sandboxes/pipeline/orchestrate/runlog.ts';
import type { CheckResult } from '../../../sandboxes/pipeline/checks/types.ts';

const check = (group: string, name: string, passed: boolean, severity: 'WARN' | 'ERROR' = 'ERROR'): CheckResult => ({
  checkGroup: group, check: name, kind: name.split('(')[0]!, asset: 'dlt_glucose_entries', severity, passed, blocking: true,
  total: 10, failures: passed ? 0 : 1, observed: {}, message: '', sample: [],
});

const event = (type: RunEvent['type'], message: string, metadata?: Record<string, unknown>): RunEvent => ({ seq: 1, at: 0, type, message, metadata });

function run(status: RunRecord['status'], checks: CheckResult[], events: RunEvent[]): RunRecord {
  return {
    runId: 'r1', kind: 'materialize', status, branch: null, selection: [], partitions: [], startedAt: 0, endedAt: 0, ms: 0,
    failure: null, mainBefore: null, mainAfter: null, events, checks, materializations: [],
  };
}

test('failed ERROR checks come first, then failed dbt tests, then validation; WARN failures and passes are left out', () => {
  const s = summarizeRun(run('FAILURE', [check('g', 'range_check(sgv, 20..600)', false), check('g', 'count_check', false, 'WARN'), check('mine', 'glucose_jumps', false), check('g', 'unique_check', true)], [
    event('ASSET_CHECK', 'PASS dbt test not_null_x_y: pass', { test: 'not_null_x_y' }),
    event('ASSET_CHECK', 'FAIL dbt test unique_x_id: 2 failing row(s)', { test: 'unique_x_id' }),
    event('ASSET_CHECK', 'WARN dbt test accepted_values_x_z: 1 failing row(s)', { test: 'accepted_values_x_z' }),
    event('VALIDATION', 'validation failed: 8 problem(s)', { schema: 'RawGlucoseEntries' }),
  ]), 'materialize');
  assert.equal(s.failedCheck, 'g.range_check(sgv, 20..600)');
  assert.deepEqual(s.failedChecks, ['g.range_check(sgv, 20..600)', 'mine.glucose_jumps', 'dbt_test.unique_x_id', 'validation.RawGlucoseEntries']);
});

test('a failedCheck task passes when any failure contains its text, and the status must match', () => {
  const s = summarizeRun(run('FAILURE', [check('g', 'range_check(sgv, 20..600)', false), check('mine', 'glucose_jumps', false)], []), 'check');
  assert.equal(judgeRun(s, { kind: 'pipeline-run', status: 'failed', failedCheck: 'glucose_jumps' }).passed, true);
  assert.equal(judgeRun(s, { kind: 'pipeline-run', status: 'failed', failedCheck: 'range' }).passed, true);
  assert.equal(judgeRun(s, { kind: 'pipeline-run', status: 'failed', failedCheck: 'validation' }).passed, false);
  assert.equal(judgeRun(s, { kind: 'pipeline-run', status: 'success' }).passed, false);
  assert.equal(judgeRun(null, { kind: 'pipeline-run', status: 'failed' }).passed, false);
});

test('a summary stored before failedChecks existed is still judged by its failedCheck', () => {
  const old = { status: 'failed' as const, command: 'x', failedCheck: 'glucose_entries_quality.range_check(sgv, 20..600)', at: 0 };
  assert.equal(judgeRun(old, { kind: 'pipeline-run', status: 'failed', failedCheck: 'range' }).passed, true);
  assert.equal(judgeRun(old, { kind: 'pipeline-run', status: 'failed', failedCheck: 'jumps' }).passed, false);
});
