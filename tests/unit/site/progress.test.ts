/** The reader's progress: marking, merging two machines' progress, and the export file. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadProgress, markPartRead, markTaskPassed, mergeProgress, parseProgress, tasksPassed, saveProgress, emptyProgress, PROGRESS_KEY, type KeyValue } from '../../../src/lib/progress.ts';

const memory = (): KeyValue & { data: Map<string, string> } => {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
};

test('parts read and tasks passed are kept, and a part can be unmarked', () => {
  const s = memory();
  markPartRead(s, 3, true, new Date('2026-01-01T10:00:00Z'));
  markTaskPassed(s, 'part-03-explore-snapshots', 'time-travel', new Date('2026-01-01T10:05:00Z'));
  markTaskPassed(s, 'part-03-explore-snapshots', 'time-travel', new Date('2026-01-02T00:00:00Z'));
  const p = loadProgress(s);
  assert.equal(p.parts['3'], '2026-01-01T10:00:00.000Z');
  assert.equal(p.tasks['part-03-explore-snapshots']!['time-travel'], '2026-01-01T10:05:00.000Z', 'the first pass is kept');
  assert.equal(tasksPassed(p, 'part-03-explore-snapshots', ['time-travel', 'other']), 1);
  assert.equal(tasksPassed(p, 'part-03-explore-snapshots', ['other']), 0, 'a task that no longer exists does not count');
  markPartRead(s, 3, false);
  assert.equal(loadProgress(s).parts['3'], undefined);
});

test('an export round-trips, and importing merges with what the browser had', () => {
  const home = memory();
  markPartRead(home, 1, true, new Date('2026-01-01T00:00:00Z'));
  markTaskPassed(home, 's', 'a', new Date('2026-01-03T00:00:00Z'));
  const file = JSON.stringify(loadProgress(home), null, 1);
  const work = memory();
  markPartRead(work, 2, true, new Date('2026-01-02T00:00:00Z'));
  markTaskPassed(work, 's', 'a', new Date('2026-01-01T00:00:00Z'));
  const merged = mergeProgress(loadProgress(work), parseProgress(file));
  saveProgress(work, merged);
  const back = loadProgress(work);
  assert.deepEqual(Object.keys(back.parts).sort(), ['1', '2']);
  assert.equal(back.tasks.s!.a, '2026-01-01T00:00:00.000Z', 'the earlier pass wins');
  assert.deepEqual(parseProgress(JSON.stringify(back)), back, 'export -> import is lossless');
});

test('a file that is not a progress export is refused with a reason, and a damaged entry does not break pages', () => {
  assert.throws(() => parseProgress('not json'), /not JSON/);
  assert.throws(() => parseProgress('{"hello":1}'), /not a progress file/);
  assert.throws(() => parseProgress(JSON.stringify({ ...emptyProgress(), version: 9 })), /version 9/);
  assert.throws(() => parseProgress(JSON.stringify({ ...emptyProgress(), parts: { x: 1 } })), /part "x"/);
  const s = memory();
  s.setItem(PROGRESS_KEY, '{broken');
  assert.deepEqual(loadProgress(s), emptyProgress());
});
