import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fetchDay, generateEntries, VALID_DIRECTIONS } from '../../../sandboxes/pipeline/source/nightscout.ts';
import { readEntriesFile } from '../../../sandboxes/pipeline/source/file-reader.ts';

const endOfNextDay = (d: string) => Date.parse(`${d}T00:00:00Z`) + 2 * 86_400_000;

test('same seed and day give identical entries; another seed gives others', () => {
  const a = fetchDay({ seed: 's1' }, '2025-02-03', endOfNextDay('2025-02-03'));
  const b = fetchDay({ seed: 's1' }, '2025-02-03', endOfNextDay('2025-02-03'));
  const c = fetchDay({ seed: 's2' }, '2025-02-03', endOfNextDay('2025-02-03'));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.entries.map((e) => e.sgv), c.entries.map((e) => e.sgv));
});

test('a full day holds one reading per five minutes (288), Nightscout-shaped', () => {
  const r = fetchDay({ seed: 'x', duplicateRate: 0, lateRate: 0 }, '2025-01-03', endOfNextDay('2025-01-03'));
  assert.equal(r.entries.length, 288);
  const times = r.entries.map((e) => e.date).sort((x, y) => x - y);
  for (let i = 1; i < times.length; i++) assert.equal(times[i] - times[i - 1], 300_000);
  for (const e of r.entries) {
    assert.match(e._id, /^[0-9a-f]{24}$/);
    assert.equal(new Date(e.date).toISOString(), e.dateString);
    assert.ok(e.sgv >= 40 && e.sgv <= 400, `sgv ${e.sgv} in normal range`);
    assert.ok((VALID_DIRECTIONS as readonly string[]).includes(String(e.direction)));
    assert.equal(e.type, 'sgv');
    assert.equal(e.device, 'share2');
    assert.equal(typeof e.trend, 'number');
  }
  assert.equal(new Set(r.entries.map((e) => e._id)).size, 288);
  // Nightscout returns newest first.
  assert.ok(r.entries[0].date > r.entries[287].date);
});

test('daily curves have meals: the day spans lows and highs, not a flat line', () => {
  const all = generateEntries({ seed: 'phlo', duplicateRate: 0, lateRate: 0 }, '2025-01-01', '2025-01-14');
  const sgv = all.map((e) => e.sgv);
  assert.ok(Math.max(...sgv) > 180, 'some readings above range');
  assert.ok(Math.min(...sgv) < 110, 'some low readings');
  const mean = sgv.reduce((s, v) => s + v, 0) / sgv.length;
  assert.ok(mean > 100 && mean < 180, `mean ${mean}`);
});

test('a new sensor session leaves a two-hour warm-up gap', () => {
  // 2025-01-02 is day 20090 since the epoch, a multiple of ten: a sensor change.
  const r = fetchDay({ seed: 'phlo', duplicateRate: 0, lateRate: 0 }, '2025-01-02', endOfNextDay('2025-01-02'));
  assert.equal(r.sensorGap, 24);
  assert.equal(r.entries.length, 288 - 24);
});

test('late entries are missing at first and present when fetched again later', () => {
  const day = '2025-01-03';
  const early = fetchDay({ seed: 'phlo', lateRate: 0.05, duplicateRate: 0 }, day, Date.parse(`${day}T23:59:59Z`) + 120_000);
  const later = fetchDay({ seed: 'phlo', lateRate: 0.05, duplicateRate: 0 }, day, endOfNextDay(day));
  assert.ok(early.notYetArrived > 0);
  assert.equal(later.notYetArrived, 0);
  assert.equal(later.entries.length, early.entries.length + early.notYetArrived);
  const ids = new Set(early.entries.map((e) => e._id));
  const lateOnes = later.entries.filter((e) => !ids.has(e._id));
  for (const e of lateOnes) assert.equal(e.dateString.slice(0, 10), day, 'late readings belong to their own day');
});

test('duplicates are re-sent copies of the same _id', () => {
  const r = fetchDay({ seed: 'phlo', duplicateRate: 0.1, lateRate: 0 }, '2025-01-04', endOfNextDay('2025-01-04'));
  const ids = r.entries.map((e) => e._id);
  assert.ok(ids.length > new Set(ids).size);
});

test('bad-data modes: impossible values, or a failing sensor within 1-1000', () => {
  const imp = fetchDay({ seed: 'phlo', badDays: { '2025-01-05': 'impossible' } }, '2025-01-05', endOfNextDay('2025-01-05'));
  assert.ok(imp.entries.some((e) => e.sgv < 0));
  assert.ok(imp.entries.some((e) => e.sgv > 1000));
  assert.ok(imp.entries.some((e) => e.direction === 'Sideways'));
  const fault = fetchDay({ seed: 'phlo', badDays: { '2025-01-05': 'sensor-fault' } }, '2025-01-05', endOfNextDay('2025-01-05'));
  const out = fault.entries.filter((e) => e.sgv < 20 || e.sgv > 600);
  assert.ok(out.length >= 40);
  assert.ok(fault.entries.every((e) => e.sgv >= 1 && e.sgv <= 1000));
  const normal = fetchDay({ seed: 'phlo', badDays: { '2025-01-05': 'impossible' } }, '2025-01-06', endOfNextDay('2025-01-06'));
  assert.ok(normal.entries.every((e) => e.sgv >= 40 && e.sgv <= 400));
});

test('file reader: JSON and CSV exports become entries; unreadable rows are named', () => {
  const json = readEntriesFile('mine.json', JSON.stringify([{ _id: 'a1', sgv: 120, dateString: '2025-01-01T00:05:00.000Z', direction: 'Flat' }]));
  assert.deepEqual(json.problems, []);
  assert.equal(json.entries[0].date, Date.parse('2025-01-01T00:05:00.000Z'));
  const csv = readEntriesFile('mine.csv', '_id,sgv,date,direction\n"b1",130,1735689900000,Flat\nb2,oops,1735690200000,Flat\n');
  assert.equal(csv.entries.length, 1);
  assert.equal(csv.entries[0].sgv, 130);
  assert.equal(csv.entries[0].dateString, '2025-01-01T00:05:00.000Z');
  assert.equal(csv.problems.length, 1);
  assert.match(csv.problems[0].where, /line 3/);
  assert.match(csv.problems[0].message, /"sgv" holds "oops"/);
  assert.match(readEntriesFile('x.json', '{').problems[0].message, /not valid JSON/);
});
