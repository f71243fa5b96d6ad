import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as arrow from 'apache-arrow';
import { resultFromArrow } from '../../../src/sandbox/ui/grid.ts';
import { csvOfKept, CsvFile, csvHeader } from '../../../src/sandbox/ui/csv.ts';
import { planChart } from '../../../src/sandbox/ui/chart.ts';

/** `n` rows in batches of 2048, as DuckDB sends them. */
function batched(n: number): arrow.Table {
  const batches: arrow.RecordBatch[] = [];
  for (let from = 0; from < n; from += 2048) {
    const ids = Array.from({ length: Math.min(2048, n - from) }, (_, i) => from + i);
    batches.push(...new arrow.Table({ id: arrow.vectorFromArray(ids, new arrow.Int32()), note: arrow.vectorFromArray(ids.map((i) => (i % 2 ? `a,"${i}"` : null)), new arrow.Utf8()) }).batches);
  }
  return new arrow.Table(batches);
}

test('a kept result knows how much of the query it holds, and gives rows a slice at a time (issue 13, item 9)', () => {
  const data = resultFromArrow(batched(10_000), { rows: 5_000_000, kept: 10_000, complete: true });
  assert.equal(data.rowCount, 10_000);
  assert.equal(data.totalRows, 5_000_000);
  assert.equal(data.complete, true);
  assert.deepEqual(data.slice(4095, 4098), [[4095, 'a,"4095"'], [4096, null], [4097, 'a,"4097"']]);
  assert.deepEqual(data.slice(9_999, 20_000), [[9_999, 'a,"9999"']]);
  assert.equal(planChart(data), null);

  const whole = resultFromArrow(batched(3));
  assert.equal(whole.totalRows, 3);
  assert.equal(whole.complete, true);
  assert.deepEqual(whole.rows, [[0, null], [1, 'a,"1"'], [2, null]]);

  const stopped = resultFromArrow(batched(100), { rows: 250, kept: 100, complete: false });
  assert.equal(stopped.complete, false);
  assert.equal(stopped.totalRows, 250);
});

test('two columns of one name (a self-join) both keep their values', () => {
  const a = arrow.vectorFromArray([1, 2], new arrow.Int32());
  const b = arrow.vectorFromArray([7, 8], new arrow.Int32());
  const schema = new arrow.Schema([new arrow.Field('sgv', new arrow.Int32()), new arrow.Field('sgv', new arrow.Int32())]);
  const batch = new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: 2, nullCount: 0, children: [a.data[0]!, b.data[0]!] }));
  assert.deepEqual(resultFromArrow(new arrow.Table([batch])).slice(0, 2), [[1, 7], [2, 8]]);
});

test('CSV of a kept result: header, quoting, NULL as empty, every row or the first N', async () => {
  const data = resultFromArrow(batched(10_000));
  const all = await (await csvOfKept(data)).blob().text();
  const lines = all.trimEnd().split('\n');
  assert.equal(lines.length, 10_001);
  assert.deepEqual(lines.slice(0, 3), ['id,note', '0,', '1,"a,""1"""']);
  const first = await csvOfKept(data, 5);
  assert.equal(first.rows, 5);
  assert.equal((await first.blob().text()).trimEnd().split('\n').length, 6);

  // Batches streamed into a file, as Download CSV does when it runs the query again.
  const file = new CsvFile();
  file.add(csvHeader(['id', 'note']));
  for (const b of batched(5000).batches) file.addBatch(b);
  assert.equal(file.rows, 5000);
  assert.equal((await file.blob().text()).trimEnd().split('\n').length, 5001);
});
