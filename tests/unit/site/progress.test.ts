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

// Issue 13 item 11: an imported file is input from outside the page.
import { parseProgressFile, PROGRESS_FILE_MAX_BYTES, ProgressFileError } from '../../../src/lib/progress-file.ts';

const course = { parts: ['3', '13'], sections: { 'part-03-explore-snapshots': ['time-travel', 'diff-snapshots'] } };
const T = '2026-01-01T10:00:00.000Z';
const file = (over: Record<string, unknown>) => JSON.stringify({ ...emptyProgress(), ...over });

test('a "__proto__" key in a progress file or in storage is refused and never reaches Object.prototype', () => {
  const text = `{"format":"phlo-course-progress","version":1,"parts":{},"tasks":{"__proto__":{"polluted":"${T}"}}}`;
  assert.throws(() => parseProgress(text), /section "__proto__"/);
  assert.throws(() => parseProgressFile(text, course), ProgressFileError);
  const s = memory();
  s.setItem(PROGRESS_KEY, text);
  loadProgress(s);
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is untouched');
});

test('tasksPassed counts only the reader\'s own entries, never inherited keys', () => {
  const p = emptyProgress();
  assert.equal(tasksPassed(p, 'constructor', ['toString', 'constructor']), 0);
  assert.equal(tasksPassed(p, 'part-03-explore-snapshots', ['constructor', 'hasOwnProperty']), 0);
});

test('wrong types, non-dates, extra fields and oversize files are refused with a reason', () => {
  const refused = (text: string, why: RegExp) => assert.throws(() => parseProgressFile(text, course), (e: Error) => e instanceof ProgressFileError && why.test(e.message));
  refused(file({ parts: { '3': 'yesterday' } }), /part "3"/);
  refused(file({ parts: { '3': 12 } }), /part "3"/);
  refused(file({ parts: { '3': '2026-13-45T99:00:00Z' } }), /part "3"/);
  refused(file({ parts: [] }), /"parts" that is not an object/);
  refused(file({ tasks: { 'part-03-explore-snapshots': { 'time-travel': true } } }), /time-travel/);
  refused(file({ tasks: { 'part-03-explore-snapshots': ['time-travel'] } }), /section "part-03-explore-snapshots"/);
  refused(file({ extra: 1 }), /bad entry at the file: Unrecognized key/i);
  const big = file({ note: 'x'.repeat(PROGRESS_FILE_MAX_BYTES) });
  refused(big, /at most 256 KB/);
  // The reported size (the File's) is checked before anything is read.
  assert.throws(() => parseProgressFile('', course, 30 * 1024 * 1024), /30720 KB/);
});

test('only the course\'s own parts and tasks are imported; the rest is counted as left out', () => {
  const text = file({ parts: { '3': T, '99': T }, tasks: { 'part-03-explore-snapshots': { 'time-travel': T, gone: T }, 'no-such-section': { a: T } } });
  const { progress, skipped } = parseProgressFile(text, course);
  assert.deepEqual(Object.keys(progress.parts), ['3']);
  assert.deepEqual(Object.keys(progress.tasks), ['part-03-explore-snapshots']);
  assert.deepEqual(Object.keys(progress.tasks['part-03-explore-snapshots']!), ['time-travel']);
  assert.equal(skipped, 3);
  assert.equal(Object.getPrototypeOf(progress.tasks), null);
});
