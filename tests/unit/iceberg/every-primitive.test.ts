/**
 * Every Iceberg primitive type through every output. A table whose added columns carry an
 * `initial-default` of each primitive type (given in the spec's JSON single-value form) is
 * read through its old file (the defaults) and through a file written after the columns were
 * added (the write-defaults); each value must come out in the one form value-forms.ts
 * documents, the same in the reader's in-memory rows, the CLI's JSON and text table, the SQL
 * console's grid cells and CSV, the explorer's text, and the rows exercise checks compare.
 * Nothing crashes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as arrow from 'apache-arrow';
import type { PrimitiveType } from '../../../sandboxes/lakehouse/iceberg/types.ts';
import { NodeFsStorage } from '../../../sandboxes/lakehouse/storage/node-fs.ts';
import { createTable, rowsToArrow, arrowToRows, deterministicIds, loadTable, IcebergError, type Table } from '../../../sandboxes/lakehouse/iceberg/index.ts';
import { fromJsonSingleValue, toJsonSingleValue } from '../../../sandboxes/lakehouse/iceberg/json-single-value.ts';
import { jsonOfValue, textOfValue, valueFormsHelp, VALUE_FORMS } from '../../../sandboxes/lakehouse/sql/value-forms.ts';
import { tableToRows, formatTextTable } from '../../../sandboxes/lakehouse/sql/rows.ts';
import { createNodeEngine } from '../../../sandboxes/lakehouse/sql/duckdb-node.ts';
import { TableBinder } from '../../../sandboxes/lakehouse/sql/table-binder.ts';
import { scanThrough } from '../../../sandboxes/lakehouse/warehouse.ts';
import type { SqlEngine } from '../../../sandboxes/lakehouse/sql/engine.ts';
import { resultFromArrow, cellText, toCsv } from '../../../src/sandbox/ui/grid.ts';

/** [column, Iceberg type, default in the JSON single-value form, documented output, grid cell text]. */
const PRIMITIVES: [string, PrimitiveType, unknown, unknown, string][] = [
  ['b', 'boolean', true, true, 'true'],
  ['i', 'int', -2147483648, -2147483648, '-2147483648'],
  ['l', 'long', 9007199254740993n, '9007199254740993', '9007199254740993'],
  ['l_small', 'long', -5, -5, '-5'],
  ['f', 'float', 1.5, 1.5, '1.5'],
  ['d', 'double', -2.25, -2.25, '-2.25'],
  ['dec', 'decimal(9,2)', '14.20', 14.2, '14.2'],
  ['dec_wide', 'decimal(38,10)', '1234567890123456789.0123456789', '1234567890123456789.0123456789', '1234567890123456789.0123456789'],
  ['dt', 'date', '2017-11-16', '2017-11-16', '2017-11-16'],
  ['dt_old', 'date', '1969-12-31', '1969-12-31', '1969-12-31'],
  ['tm', 'time', '22:31:08.123456', '22:31:08.123456', '22:31:08.123456'],
  ['ts', 'timestamp', '2017-11-16T22:31:08.123456', '2017-11-16T22:31:08.123456Z', '2017-11-16 22:31:08.123456'],
  ['ts_old', 'timestamp', '1969-12-31T23:59:59.999999', '1969-12-31T23:59:59.999999Z', '1969-12-31 23:59:59.999999'],
  ['tstz', 'timestamptz', '2017-11-16T22:31:08.123456+00:00', '2017-11-16T22:31:08.123456Z', '2017-11-16 22:31:08.123456'],
  ['s', 'string', 'iceberg ❄, "quoted"', 'iceberg ❄, "quoted"', 'iceberg ❄, "quoted"'],
  ['u', 'uuid', 'f79c3e09-677c-4bbd-a479-3f349cb785e7', 'f79c3e09-677c-4bbd-a479-3f349cb785e7', 'f79c3e09-677c-4bbd-a479-3f349cb785e7'],
  ['fx', 'fixed[4]', '00010203', '00010203', '00010203'],
  ['bin', 'binary', '0000ff', '0000ff', '0000ff'],
];
const expectedRow = Object.fromEntries([['id', null], ...PRIMITIVES.map(([n, , , out]) => [n, out])]);

let dir = '';
let table: Table;
let engine: SqlEngine;
let duck: arrow.Table;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'phlo-primitives-'));
  const storage = new NodeFsStorage(dir);
  const t = await createTable(null, storage, 't', { ids: deterministicIds('primitives'), now: () => Date.UTC(2024, 0, 1), schema: [{ name: 'id', type: 'int' }] });
  await t.append(rowsToArrow([{ id: 1 }], t.schema()));
  let update = t.updateSchema();
  for (const [name, type, json] of PRIMITIVES) update = update.addColumn(name, type, { initialDefault: json });
  await update.commit();
  // A second file written after the columns exist, without them: the write-defaults fill it.
  await t.append(rowsToArrow([{ id: 2 }], t.schema()));
  table = await loadTable(storage, 't');
  engine = await createNodeEngine();
  duck = await scanThrough({ binder: new TableBinder(engine), engine }, table, {});
});

after(async () => {
  await engine?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sorted = <T extends Record<string, unknown>>(rows: T[]) => [...rows].sort((a, b) => Number(a.id) - Number(b.id));

test('the JSON single-value form of every primitive round-trips, and malformed ones are refused', () => {
  for (const [name, type, json] of PRIMITIVES) {
    assert.deepEqual(toJsonSingleValue(type, fromJsonSingleValue(type, json)), json, name);
  }
  assert.equal(toJsonSingleValue('timestamp_ns', fromJsonSingleValue('timestamp_ns', '1969-12-31T23:59:59.999999999')), '1969-12-31T23:59:59.999999999');
  assert.equal(toJsonSingleValue('timestamptz', fromJsonSingleValue('timestamptz', '2017-11-16T23:31:08+01:00')), '2017-11-16T22:31:08.000000+00:00');
  const refused: [PrimitiveType, unknown][] = [
    ['boolean', 'true'], ['int', 2 ** 31], ['int', 1.5], ['long', 2n ** 63n], ['decimal(9,2)', '14.201'], ['decimal(3,2)', '14.20'],
    ['date', '2017-02-30'], ['time', '25:00:00'], ['timestamp', '2017-11-16T22:31:08+01:00'], ['uuid', 'not-a-uuid'],
    ['fixed[4]', '00'], ['binary', 'xyz'], ['string', 5],
  ];
  for (const [type, v] of refused) assert.throws(() => fromJsonSingleValue(type, v), /is not a/, `${type} ${String(v)}`);
});

test('defaults are stored in the spec form, and a bad one is refused when the column is added', async () => {
  const fields = Object.fromEntries(table.schema().fields.map((f) => [f.name, f]));
  for (const [name, , json] of PRIMITIVES) {
    assert.deepEqual(fields[name]!['initial-default'], typeof json === 'bigint' ? json : json, name);
    assert.deepEqual(fields[name]!['write-default'], fields[name]!['initial-default'], name);
  }
  await assert.rejects(table.updateSchema().addColumn('bad', 'decimal(4,2)', { initialDefault: 'abc' }).commit(), (e: Error) => e instanceof IcebergError && /column "bad"/.test(e.message) && /JSON single-value form/.test(e.message));
});

test('the reader: initial-defaults through the old file and write-defaults in the new one, as in-memory values', async () => {
  const { table: t, plan } = await table.scan();
  const rows = sorted(arrowToRows(t, plan.schema));
  assert.equal(rows.length, 2);
  for (const row of rows) {
    for (const [name, type, json, out] of PRIMITIVES) {
      assert.deepEqual(row[name], fromJsonSingleValue(type, json), `${name} of row ${row.id}`);
      assert.deepEqual(jsonOfValue(type, row[name] as never), out, `${name} of row ${row.id}`);
      assert.equal(textOfValue(type, row[name] as never), String(out), `explorer text of ${name}`);
    }
  }
});

test('SQL results (CLI json, exercise checks, the grid) carry every type in its documented form', () => {
  const rows = sorted(tableToRows(duck));
  assert.deepEqual(rows, [{ ...expectedRow, id: 1 }, { ...expectedRow, id: 2 }]);
  assert.doesNotThrow(() => JSON.stringify(rows));
});

test('the text table and the grid show every type; CSV quotes what needs quoting', () => {
  const text = formatTextTable(duck);
  for (const [name, , , , cell] of PRIMITIVES) assert.ok(text.includes(String(expectedRow[name]).slice(0, 39)), `${name} in the text table`);
  const data = resultFromArrow(duck);
  for (const [name, , , , cell] of PRIMITIVES) {
    const c = data.columns.findIndex((col) => col.name === name);
    for (const row of data.rows) assert.equal(cellText(row[c]!), cell, `grid cell of ${name}`);
  }
  const csv = toCsv(data).trim().split('\n');
  assert.equal(csv.length, 3);
  assert.equal(csv[0], ['id', ...PRIMITIVES.map(([n]) => n)].join(','));
  const line = csv.find((l) => l.startsWith('1,'))!;
  assert.equal(line, ['1', ...PRIMITIVES.map(([, , , out]) => (typeof out === 'string' && /[",]/.test(out) ? `"${out.replace(/"/g, '""')}"` : String(out)))].join(','));
});

test('exercise checks compare rows as JSON text (exercises.ts rowKeys): every type serializes, equal results compare equal', () => {
  // exercises.ts itself needs Vite (import.meta.glob); its check is resultFromArrow + JSON.stringify.
  const a = resultFromArrow(duck).rows.map((r) => JSON.stringify(r)).sort();
  const b = tableToRows(duck).map((r) => JSON.stringify(Object.values(r))).sort();
  assert.deepEqual(a, b);
});

test('npm run lakehouse -- scan --format json and the text table, through the real CLI; help states the forms', () => {
  const repo = fileURLToPath(new URL('../../../', import.meta.url));
  const main = join(repo, 'sandboxes/lakehouse/cli/main.ts');
  const json = spawnSync(process.execPath, [main, 'scan', join(dir, 't'), '--format', 'json'], { cwd: repo, encoding: 'utf8' });
  assert.equal(json.status, 0, json.stderr);
  assert.deepEqual(sorted(JSON.parse(json.stdout)), [{ ...expectedRow, id: 1 }, { ...expectedRow, id: 2 }]);
  const text = spawnSync(process.execPath, [main, 'scan', join(dir, 't')], { cwd: repo, encoding: 'utf8' });
  assert.equal(text.status, 0, text.stderr);
  assert.ok(text.stdout.includes('f79c3e09-677c-4bbd-a479-3f349cb785e7') && text.stdout.includes('9007199254740993'));
  const help = spawnSync(process.execPath, [main, 'help'], { cwd: repo, encoding: 'utf8' });
  assert.ok(help.stdout.includes(valueFormsHelp()));
  for (const [types] of VALUE_FORMS) assert.ok(help.stdout.includes(types));
});
