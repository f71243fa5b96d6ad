import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as arrow from 'apache-arrow';
import { createNodeEngine } from '../../../sandboxes/lakehouse/sql/duckdb-node.ts';
import { SqlError, parseDuckDbError } from '../../../sandboxes/lakehouse/sql/engine.ts';
import { tableToRows } from '../../../sandboxes/lakehouse/sql/rows.ts';
import type { DuckDbWasmEngine } from '../../../sandboxes/lakehouse/sql/duckdb-engine.ts';

let engine: DuckDbWasmEngine;
before(async () => {
  engine = await createNodeEngine({ timeLimitMs: 20_000, cancelGraceMs: 1_000 });
});
after(async () => {
  await engine.close();
});

const readings = () =>
  new arrow.Table({
    id: arrow.vectorFromArray([1, 2, 3], new arrow.Int32()),
    // zoned timestamps: must come out as plain UTC TIMESTAMP columns
    ts: arrow.vectorFromArray([Date.UTC(2024, 0, 1, 10), Date.UTC(2024, 0, 1, 23, 55), Date.UTC(2024, 0, 2, 0, 5)], new arrow.TimestampMicrosecond('UTC')),
    mg_dl: arrow.vectorFromArray([95, 210, 150], new arrow.Float64()),
  });

test('queries return Arrow; no extension can be loaded', async () => {
  const t = await engine.query("SELECT 42 AS x, current_setting('autoload_known_extensions') AS autoload, current_setting('autoinstall_known_extensions') AS autoinstall");
  assert.deepEqual(tableToRows(t), [{ x: 42, autoload: false, autoinstall: false }]);
  await assert.rejects(engine.query("SELECT * FROM read_parquet('x.parquet')"), SqlError);
});

test('registerArrow under a schema; zoned timestamps become UTC TIMESTAMP and aggregate', async () => {
  await engine.registerArrow('glucose.raw_entries', readings());
  const t = await engine.query("SELECT CAST(date_trunc('day', ts) AS DATE) AS day, count(*) AS n, avg(mg_dl) AS avg FROM glucose.raw_entries GROUP BY 1 ORDER BY 1");
  assert.deepEqual(tableToRows(t), [
    { day: '2024-01-01', n: 2, avg: 152.5 },
    { day: '2024-01-02', n: 1, avg: 150 },
  ]);
  const d = await engine.query('DESCRIBE glucose.raw_entries');
  assert.equal(tableToRows(d).find((r) => r.column_name === 'ts')!.column_type, 'TIMESTAMP');
  // IPC bytes work too, and re-registering replaces the table
  await engine.registerArrow('glucose.raw_entries', arrow.tableToIPC(readings().slice(0, 1), 'stream'));
  assert.deepEqual(tableToRows(await engine.query('SELECT count(*) AS n FROM glucose.raw_entries')), [{ n: 1 }]);
  await engine.dropTable('glucose.raw_entries');
  await assert.rejects(engine.query('SELECT * FROM glucose.raw_entries'), /does not exist/);
});

test('JSON rows: safe and unsafe 64-bit ints, dates, timestamps with micros, decimals, lists, structs', async () => {
  const t = await engine.query(
    "SELECT 9007199254740993::BIGINT AS big, 12::BIGINT AS small, DATE '2024-03-01' AS d, TIMESTAMP '2024-03-01 12:34:56.123456' AS ts, " +
      "TIMESTAMP '1969-12-31 23:59:59.5' AS before_epoch, 9.99::DECIMAL(10,2) AS price, 12345678901234567.89::DECIMAL(38,2) AS huge, " +
      "[1, 2] AS l, {'a': 1, 'b': 'x'} AS s, NULL::INT AS n, 'x'::BLOB AS b",
  );
  assert.deepEqual(tableToRows(t), [{
    big: '9007199254740993', small: 12, d: '2024-03-01', ts: '2024-03-01T12:34:56.123456Z',
    before_epoch: '1969-12-31T23:59:59.500Z', price: 9.99, huge: '12345678901234567.89',
    l: [1, 2], s: { a: 1, b: 'x' }, n: null, b: '78',
  }]);
});

test('errors keep DuckDB message and position', async () => {
  const sql = 'SELECT id,\n  nope\nFROM range(3) t(id)';
  await assert.rejects(engine.query(sql), (e: unknown) => {
    assert.ok(e instanceof SqlError);
    assert.match(e.message, /Referenced column "nope" not found/);
    assert.equal(e.line, 2);
    assert.equal(e.column, 3);
    assert.equal(sql.slice(e.position!, e.position! + 4), 'nope');
    return true;
  });
  await assert.rejects(engine.query('SELEC 1'), (e: SqlError) => e instanceof SqlError && /syntax error/.test(e.message) && e.position === 0);
});

test('parseDuckDbError locates shortened excerpts', () => {
  const long = 'SELECT ' + Array.from({ length: 40 }, (_, i) => `c${i}`).join(', ') + ', missing FROM t';
  const at = long.indexOf('missing');
  const excerpt = '...' + long.slice(at - 20, at + 15) + '...';
  const msg = `Binder Error: no column\n\nLINE 1: ${excerpt}\n${' '.repeat('LINE 1: '.length + 3 + 20)}^`;
  const e = parseDuckDbError(msg, long);
  assert.equal(e.position, at);
  assert.equal(e.message, 'Binder Error: no column');
});

const SLOW = 'SELECT count(*) FROM range(3000000000) a(i), range(10) b(j) WHERE i * j % 7 = 3';

test('an AbortSignal interrupts a running query, and the engine keeps working', async () => {
  const controller = new AbortController();
  const started = performance.now();
  setTimeout(() => controller.abort(), 200);
  await assert.rejects(engine.query(SLOW, { signal: controller.signal }), (e: SqlError) => e.kind === 'cancelled');
  assert.ok(performance.now() - started < 5_000);
  assert.deepEqual(tableToRows(await engine.query('SELECT 1 AS one')), [{ one: 1 }]);
});

test('a time limit stops a query', async () => {
  await assert.rejects(engine.query(SLOW, { timeLimitMs: 300 }), (e: SqlError) => e.kind === 'timeout' && /300 ms/.test(e.message));
});

test('a query stuck inside the worker is stopped by restarting it; registered tables survive', async () => {
  // No grace at all: the worker is replaced before DuckDB can answer the interrupt, as it is
  // when a query is stuck inside WebAssembly.
  const impatient = await createNodeEngine({ timeLimitMs: 20_000, cancelGraceMs: 0 });
  try {
    await impatient.registerArrow('keep.me', readings());
    await assert.rejects(impatient.query(SLOW, { timeLimitMs: 300 }), (e: SqlError) => e.kind === 'timeout');
    assert.equal(impatient.restarts, 1);
    assert.deepEqual(tableToRows(await impatient.query('SELECT count(*) AS n FROM keep.me')), [{ n: 3 }]);
  } finally {
    await impatient.close();
  }
});

test('many small record batches are combined into one, values and nulls intact', async () => {
  const { combineBatches } = await import('../../../sandboxes/lakehouse/sql/arrow-data.ts');
  const n = 2500;
  const whole = new arrow.Table({
    id: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => BigInt(i)), new arrow.Int64()),
    mg: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : i % 300)), new arrow.Int32()),
    ok: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => (i % 11 === 0 ? null : i % 3 === 0)), new arrow.Bool()),
    note: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : `r${i}-é`)), new arrow.Utf8()),
    ts: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => Date.UTC(2026, 0, 1) + i * 300_000), new arrow.TimestampMicrosecond('UTC')),
  });
  // Slices of slices: batches whose data start at non-zero offsets, as readers produce.
  const batches = [];
  for (let at = 0; at < n; at += 333) batches.push(...whole.slice(at, Math.min(n, at + 333)).batches);
  const chunked = new arrow.Table(whole.schema, batches);
  assert.ok(chunked.batches.length > 5);
  const combined = combineBatches(chunked);
  assert.equal(combined.batches.length, 1);
  assert.deepEqual(tableToRows(combined), tableToRows(whole));
  await engine.registerArrow('chunks.t', chunked);
  const back = await engine.query('SELECT count(*) AS n, count(mg) AS mg, count(ok) AS ok, count(note) AS note, sum(id) AS ids, max(note) AS last FROM chunks.t');
  assert.deepEqual(tableToRows(back), [{ n, mg: n - Math.ceil(n / 7), ok: n - Math.ceil(n / 11), note: n - n / 5, ids: (n * (n - 1)) / 2, last: 'r999-é' }]);
});

test('JSON rows of sliced Arrow data read the right elements', () => {
  const t = new arrow.Table({
    big: arrow.vectorFromArray([1n, 2n, 3n, 4n], new arrow.Int64()),
    ts: arrow.vectorFromArray([0, 1000, 2000, 3000], new arrow.TimestampMicrosecond()),
    d: arrow.vectorFromArray([0, 86_400_000, 2 * 86_400_000, 3 * 86_400_000], new arrow.DateDay()),
  });
  assert.deepEqual(tableToRows(t.slice(2)), [
    { big: 3, ts: '1970-01-01T00:00:02Z', d: '1970-01-03' },
    { big: 4, ts: '1970-01-01T00:00:03Z', d: '1970-01-04' },
  ]);
});

test('keep: the first rows are kept, the rest counted; every batch reaches onBatch; a cancel while counting returns the rows kept (issue 13, item 9)', async () => {
  const progress = { rows: 0, kept: 0, complete: false };
  let streamed = 0;
  const table = await engine.query('SELECT range AS i FROM range(100000)', { keep: { rows: 5000 }, progress, onBatch: (b) => void (streamed += b.numRows) });
  assert.equal(table.numRows, 5000);
  assert.deepEqual(tableToRows(table.slice(4998)), [{ i: 4998 }, { i: 4999 }]);
  assert.deepEqual(progress, { rows: 100000, kept: 5000, complete: true });
  assert.equal(streamed, 100000);

  // Endless: once 1000 rows are kept, Cancel ends the counting and the kept rows come back.
  const controller = new AbortController();
  const endless = { rows: 0, kept: 0, complete: false };
  setTimeout(() => controller.abort(), 500);
  const some = await engine.query('SELECT range AS i FROM range(1000000000000)', { keep: { rows: 1000 }, progress: endless, signal: controller.signal });
  assert.equal(some.numRows, 1000);
  assert.equal(endless.complete, false);
  assert.ok(endless.rows >= 1000);
  assert.deepEqual(tableToRows(await engine.query('SELECT 1 AS one')), [{ one: 1 }]);
});
