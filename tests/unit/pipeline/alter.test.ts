/**
 * `alter TABLE add-column|rename-column` in the pipeline terminal (Part 3's schema evolution):
 * a metadata-only commit, old rows read the added column as null, the old snapshot keeps its
 * own schema, and bad input is refused with a message that says what to type instead.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../../sandboxes/pipeline/cli/commands.ts';
import { parseColumnType } from '../../../sandboxes/pipeline/cli/alter.ts';
import { pipelineFromArgs } from '../../../sandboxes/pipeline/cli/node-wiring.ts';
import { openNodeLakehouse } from '../../../sandboxes/pipeline/lakehouse/open-node.ts';
import { arrowToRows } from '../../../sandboxes/pipeline/util/arrow.ts';

const dir = mkdtempSync(join(tmpdir(), 'phlo-alter-'));
const lake = await openNodeLakehouse({ dir: join(dir, 'wh'), clock: () => Date.parse('2025-01-20T06:00:00Z') });
after(async () => { await lake.close(); rmSync(dir, { recursive: true, force: true }); });

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
  const wiring = { open: async (args: Parameters<typeof pipelineFromArgs>[1]) => ({ pipeline: pipelineFromArgs(lake, args), lake }) };
  const code = await runCommand(['--as-of', '2025-01-20T06:00:00Z', ...argv], wiring, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}
const rows = async (sql: string) => arrowToRows(await lake.query(sql, 'main'));

test('column types: Iceberg names, a few SQL spellings, decimals; anything else is refused with the list', () => {
  assert.deepEqual(parseColumnType('double'), { type: 'double' });
  assert.deepEqual(parseColumnType('BIGINT'), { type: 'long' });
  assert.deepEqual(parseColumnType('varchar'), { type: 'string' });
  assert.deepEqual(parseColumnType('decimal(5, 2)'), { type: 'decimal(5,2)' });
  const bad = parseColumnType('number');
  assert.ok('error' in bad && /"number" is not a column type\. Use one of boolean, int, long/.test(bad.error));
  assert.ok('error' in parseColumnType('decimal(2,5)'));
});

test('a table that does not exist yet is named, with what the ref holds', async () => {
  const r = await cli('alter', 'raw.glucose_entries', 'add-column', 'a1c_level', 'double');
  assert.equal(r.code, 1);
  assert.match(r.err, /Table raw\.glucose_entries does not exist on main \(no tables there yet\)/);
});

test('add-column is a metadata-only commit: the snapshot is unchanged, old rows read null, time travel keeps the old schema', async () => {
  assert.equal((await cli('materialize', 'dlt_glucose_entries', '--partition', '2025-01-02')).code, 0);
  const before = await lake.snapshots('main', 'raw.glucose_entries');
  const files = await lake.warehouse.files('raw.glucose_entries');
  const r = await cli('alter', 'raw.glucose_entries', 'add-column', 'a1c_level', 'double');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Altered raw\.glucose_entries on main: add column a1c_level double\./);
  assert.match(r.out, /Schema 0 -> 1; a1c_level has field id \d+\. No data file was rewritten/);
  assert.deepEqual(await lake.snapshots('main', 'raw.glucose_entries'), before, 'no new snapshot');
  assert.deepEqual((await lake.warehouse.files('raw.glucose_entries')).map((f) => f.path), files.map((f) => f.path), 'no file rewritten');
  const [now] = await rows(`select count(*) as n, count(a1c_level) as with_a1c from raw.glucose_entries`);
  assert.ok(Number(now!.n) > 200);
  assert.equal(Number(now!.with_a1c), 0, 'rows written before the column existed read it as null');
  // Time travel by snapshot id reads with the schema the snapshot was written with (as Trino does).
  await assert.rejects(lake.query(`select a1c_level from raw."glucose_entries@${before[0]!.snapshotId}"`, 'main'));
  // The next ingestion appends under the new schema.
  assert.equal((await cli('materialize', 'dlt_glucose_entries', '--partition', '2025-01-03')).code, 0);
  const [after3] = await rows(`select count(*) as n, count(a1c_level) as with_a1c from raw.glucose_entries`);
  assert.ok(Number(after3!.n) > Number(now!.n));
  assert.equal(Number(after3!.with_a1c), 0);
});

test('rename-column keeps the field id; bad input is refused and changes nothing', async () => {
  const ids = () => lake.warehouse.table('raw.glucose_entries').then((t) => t.schema().fields.map((f) => [f.id, f.name]));
  const before = await ids();
  const dup = await cli('alter', 'raw.glucose_entries', 'add-column', 'sgv', 'int');
  assert.equal(dup.code, 1);
  assert.match(dup.err, /already has a column "sgv"\. Nothing was changed\./);
  const type = await cli('alter', 'raw.glucose_entries', 'add-column', 'note', 'text2');
  assert.equal(type.code, 2);
  assert.match(type.err, /"text2" is not a column type/);
  const usage = await cli('alter', 'raw.glucose_entries', 'drop-column', 'sgv', 'x');
  assert.equal(usage.code, 2);
  assert.match(usage.err, /Unknown alter action "drop-column"[\s\S]*alter TABLE add-column NAME TYPE/);
  const missing = await cli('alter', 'raw.glucose_entries', 'rename-column', 'nope', 'still_nope');
  assert.equal(missing.code, 1);
  assert.match(missing.err, /has no column "nope"/);
  assert.deepEqual(await ids(), before, 'nothing changed');
  const ok = await cli('alter', 'raw.glucose_entries', 'rename-column', 'a1c_level', 'hba1c_pct');
  assert.equal(ok.code, 0, ok.err);
  const after = await ids();
  assert.equal(after.find(([, n]) => n === 'hba1c_pct')![0], before.find(([, n]) => n === 'a1c_level')![0], 'same field id, new name');
});
