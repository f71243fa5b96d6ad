import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateRows, describeReport } from '../../../sandboxes/pipeline/validate/validate.ts';
import { RawGlucoseEntries, FactGlucoseReadings } from '../../../sandboxes/pipeline/validate/glucose-schemas.ts';
import { col, defineSchema } from '../../../sandboxes/pipeline/validate/schema.ts';
import { writeStagingParquet, readStagingParquet } from '../../../sandboxes/pipeline/stage/staging.ts';
import { dltNormalize } from '../../../sandboxes/pipeline/plugins/builtin.ts';
import { fetchDay } from '../../../sandboxes/pipeline/source/nightscout.ts';

const row = (over: Record<string, unknown> = {}) => ({
  _id: 'id1', sgv: 120, date: 1735689600000, date_string: 1735689600000, direction: 'Flat', trend: 4, device: 'share2', type: 'sgv',
  utc_offset: 0, sys_time: 'x', rssi: 99, _dlt_load_id: 'l', _dlt_id: 'l.1', ...over,
});

test('a clean batch passes RawGlucoseEntries', () => {
  const r = validateRows(RawGlucoseEntries, [row(), row({ _id: 'id2' })]);
  assert.equal(r.passed, true);
  assert.equal(r.rowsChecked, 2);
  assert.match(describeReport(r), /all 2 rows passed/);
});

test('each broken rule is reported with row, key, column, value and the rule in words', () => {
  const r = validateRows(RawGlucoseEntries, [
    row({ _id: 'a', sgv: -50 }),
    row({ _id: 'b', sgv: 1500 }),
    row({ _id: 'c', direction: 'Sideways' }),
    row({ _id: 'a' }),
    row({ _id: null }),
    row({ _id: 'e', sgv: 12.5 }),
  ]);
  assert.equal(r.passed, false);
  const msgs = r.failures.map((f) => f.message);
  assert.ok(msgs.includes('row 0 (_id a): sgv is -50, but RawGlucoseEntries requires a value between 1 and 1000'));
  assert.ok(msgs.includes('row 1 (_id b): sgv is 1500, but RawGlucoseEntries requires a value between 1 and 1000'));
  assert.ok(msgs.some((m) => m.startsWith('row 2 (_id c): direction is "Sideways", but RawGlucoseEntries requires one of Flat, FortyFiveUp')));
  assert.ok(msgs.includes('row 3 (_id a): _id "a" already appears in row 0; _id must be unique'));
  assert.ok(msgs.includes('row 4: _id is empty, but RawGlucoseEntries requires a value'));
  assert.ok(msgs.some((m) => m.startsWith('row 5 (_id e): sgv is 12.5')));
  assert.equal(r.summary['sgv: a value between 1 and 1000'], 2);
  assert.equal(r.summary['_id: unique'], 1);
  assert.match(describeReport(r, 2), /and \d+ more/);
});

test('strict schemas refuse undeclared columns; silver allows only its categories', () => {
  const ok = { entry_id: 'x', glucose_mg_dl: 100, reading_timestamp: 1, direction: 'Flat', hour_of_day: 3, day_of_week: 7, glucose_category: 'in_range', is_in_range: 1 };
  assert.equal(validateRows(FactGlucoseReadings, [ok]).passed, true);
  const bad = validateRows(FactGlucoseReadings, [{ ...ok, glucose_category: 'high', is_in_range: 2, extra: 1 }]);
  assert.deepEqual(bad.failures.map((f) => f.column).sort(), ['extra', 'glucose_category', 'is_in_range']);
  assert.equal(validateRows(FactGlucoseReadings, [{ ...ok, glucose_mg_dl: 19 }]).passed, false);
});

test('schemas declared with col.* give types, nullability and rules', () => {
  const s = defineSchema('T', { a: col.int64({ nullable: false, min: 0 }), b: col.string({ oneOf: ['x'] }) });
  assert.deepEqual(s.columns.map((c) => [c.name, c.type, c.nullable]), [['a', 'int64', false], ['b', 'string', true]]);
  assert.equal(validateRows(s, [{ a: 0, b: null }]).passed, true);
  assert.equal(validateRows(s, [{ a: -1, b: 'y' }]).failures.length, 2);
});

test('staging writes a Parquet file that reads back to the same typed rows', async () => {
  const entries = fetchDay({ seed: 'stage', duplicateRate: 0 }, '2025-01-03', Date.parse('2025-01-06T00:00:00Z')).entries;
  const rows = await dltNormalize.transform(entries as unknown as Record<string, unknown>[], { timestamps: ['date_string'] }, { loadId: 'glucose_entries_2025_01_03', partition: '2025-01-03' });
  assert.deepEqual(Object.keys(rows[0]).sort(), ['_dlt_id', '_dlt_load_id', '_id', 'date', 'date_string', 'device', 'direction', 'rssi', 'sgv', 'sys_time', 'trend', 'type', 'utc_offset']);
  const bytes = writeStagingParquet(RawGlucoseEntries, rows);
  assert.equal(new TextDecoder().decode(bytes.slice(0, 4)), 'PAR1');
  const back = await readStagingParquet(bytes);
  assert.equal(back.length, rows.length);
  assert.deepEqual(back[10], rows[10]);
  assert.equal(back[0].date_string, Date.parse(entries[0].dateString));
  assert.equal(new Set(back.map((r) => r._dlt_id)).size, back.length, 'content ids differ per reading');
});
