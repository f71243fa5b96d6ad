/**
 * A run whose checks passed is not thrown away when its merge into main fails for a reason
 * other than a conflict (issue 13, item 4). A writer killed mid-commit left a lock; the next
 * run's merge timed out on it and the run ended with "main keeps the other run's changes",
 * which was untrue: no other run existed. Such failures are retried; a failure that stays
 * says what happened and how to merge the kept branch; only a real merge conflict says that
 * another run won.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { openNodeLakehouse } from '../../../sandboxes/pipeline/lakehouse/open-node.ts';
import { readProjectFiles, GLUCOSE_PROJECT_DIR } from '../../../sandboxes/pipeline/transform/load-dir.ts';
import { glucoseDefinitions } from '../../../sandboxes/pipeline/orchestrate/definitions.ts';
import { Pipeline } from '../../../sandboxes/pipeline/orchestrate/pipeline.ts';
import { StorageError } from '../../../sandboxes/lakehouse/storage/storage.ts';
import { MergeConflictError } from '../../../sandboxes/lakehouse/catalog/errors.ts';

const now = Date.parse('2025-01-10T06:00:00Z');
const lake = await openNodeLakehouse({ clock: () => now, idSeed: 'merge-retry' });
after(() => lake.close());
const pipeline = new Pipeline({ lake, definitions: glucoseDefinitions({ project: readProjectFiles(GLUCOSE_PROJECT_DIR) }), clock: () => now });
const mergeBranch = lake.mergeBranch.bind(lake);
const lockTimeout = () => new StorageError('io', 'catalog/refs/branches/main', 'Timed out after 10 s waiting for the lock catalog/refs/branches/main.lock: its owner is unknown.');

test('a merge that fails once on a lock is retried and the run lands on main', async () => {
  let calls = 0;
  lake.mergeBranch = async (from, into, message) => {
    if (++calls === 1) throw lockTimeout();
    return mergeBranch(from, into, message);
  };
  try {
    const before = await lake.refHash('main');
    const r = await pipeline.materialize({ select: ['dlt_glucose_entries'], partitions: ['2025-01-03'] });
    assert.equal(r.status, 'SUCCESS', r.failure ?? '');
    assert.equal(calls, 2);
    assert.notEqual(await lake.refHash('main'), before);
  } finally {
    lake.mergeBranch = mergeBranch;
  }
});

test('a merge that keeps failing (not a conflict) says main was not changed and how to merge the kept branch', async () => {
  lake.mergeBranch = async () => { throw lockTimeout(); };
  try {
    const before = await lake.refHash('main');
    const r = await pipeline.materialize({ select: ['dlt_glucose_entries'], partitions: ['2025-01-04'] });
    assert.equal(r.status, 'FAILURE');
    assert.doesNotMatch(r.failure!, /other run/);
    assert.match(r.failure!, /Timed out/);
    assert.match(r.failure!, /main was not changed/);
    assert.match(r.failure!, new RegExp(`npm run pipeline -- merge ${r.branch!.replace(/[/]/g, '\\/')} main`));
    assert.equal(await lake.refHash('main'), before);
    assert.ok((await lake.refs()).some((x) => x.name === r.branch), 'the branch with the checked writes is kept');
  } finally {
    lake.mergeBranch = mergeBranch;
  }
});

test('a real merge conflict is not retried and says another run changed the same tables', async () => {
  let calls = 0;
  lake.mergeBranch = async (from, into) => { calls++; throw new MergeConflictError(from, into, ['raw.glucose_entries'], 'f'.repeat(64)); };
  try {
    const r = await pipeline.materialize({ select: ['dlt_glucose_entries'], partitions: ['2025-01-05'] });
    assert.equal(r.status, 'FAILURE');
    assert.equal(calls, 1);
    assert.match(r.failure!, /Another run changed the same tables on main/);
  } finally {
    lake.mergeBranch = mergeBranch;
  }
});
