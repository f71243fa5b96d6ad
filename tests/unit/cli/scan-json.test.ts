/**
 * `npm run lakehouse -- scan … --format json` on every fixture table (written by other engines)
 * and every table state the warehouse builder writes: it succeeds, the JSON parses, and its
 * values equal the reader's own in-memory rows under the documented encoding
 * (sandboxes/lakehouse/sql/value-forms.ts). The JSON goes through the CLI's own path
 * (DuckDB over the bound table, rows.ts); the real command runs once for each kind of table.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeFsStorage } from '../../../sandboxes/lakehouse/storage/node-fs.ts';
import { loadTable, type Table } from '../../../sandboxes/lakehouse/iceberg/table.ts';
import { createNodeEngine } from '../../../sandboxes/lakehouse/sql/duckdb-node.ts';
import { TableBinder } from '../../../sandboxes/lakehouse/sql/table-binder.ts';
import { scanThrough } from '../../../sandboxes/lakehouse/warehouse.ts';
import { tableToRows } from '../../../sandboxes/lakehouse/sql/rows.ts';
import type { SqlEngine } from '../../../sandboxes/lakehouse/sql/engine.ts';
import { fixturesRoot } from '../iceberg-fixtures.ts';
import { documentedRows, canonical } from '../iceberg/rows-json.ts';
import { warehouseTables } from '../iceberg/warehouse-tables.ts';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const main = join(repo, 'sandboxes/lakehouse/cli/main.ts');

/** Every table directory among the fixtures: a folder whose metadata/ holds a metadata file. */
function fixtureTables(dir = fixturesRoot): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const full = join(dir, e.name);
    if (e.name === 'metadata') continue;
    if (existsSync(join(full, 'metadata')) && readdirSync(join(full, 'metadata')).some((f) => f.endsWith('.metadata.json'))) out.push(full);
    else out.push(...fixtureTables(full));
  }
  return out.sort();
}

let engine: SqlEngine;
let binder: TableBinder;
let whDir = '';

before(async () => {
  engine = await createNodeEngine();
  binder = new TableBinder(engine);
  whDir = await mkdtemp(join(tmpdir(), 'phlo-scan-json-'));
});

after(async () => {
  await engine?.close();
  if (whDir) await rm(whDir, { recursive: true, force: true });
});

/** The CLI's JSON for a table (its own path: DuckDB, rows.ts, JSON.stringify) compared with our rows. */
async function roundTrip(table: Table, label: string): Promise<number> {
  const json = JSON.stringify(tableToRows(await scanThrough({ binder, engine }, table, {})));
  const parsed = JSON.parse(json) as Record<string, unknown>[];
  const { table: mine, plan } = await table.scan();
  assert.deepEqual(canonical(parsed), canonical(documentedRows(mine, plan.schema)), label);
  return parsed.length;
}

test('scan --format json round-trips on every fixture table', async () => {
  const dirs = fixtureTables();
  assert.ok(dirs.length >= 17, `found ${dirs.length} fixture tables`);
  for (const dir of dirs) {
    const table = await loadTable(new NodeFsStorage(dir, { readOnly: true }), '', { name: basename(dir) });
    await roundTrip(table, relative(fixturesRoot, dir));
  }
  // The real command, on a table with decimals, dates, a null partition and UTF-8.
  const dir = dirs.find((d) => d.endsWith('spark/rename_column'))!;
  const r = spawnSync(process.execPath, [main, 'scan', dir, '--format', 'json'], { cwd: repo, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  const table = await loadTable(new NodeFsStorage(dir, { readOnly: true }), '', { name: basename(dir) });
  const { table: mine, plan } = await table.scan();
  assert.deepEqual(canonical(JSON.parse(r.stdout)), canonical(documentedRows(mine, plan.schema)));
});

test('scan --format json round-trips on every table state the warehouse builder writes', async () => {
  const states = await warehouseTables(whDir);
  assert.ok(new Set(states.map((s) => s.name)).size >= 8, 'every table of the prebuilt warehouse');
  let rows = 0;
  for (const s of states) rows += await roundTrip(s.table, `${s.name} at ${s.refs.join(', ')}`);
  assert.ok(rows > 0);
  // The real command, by catalog name.
  const s = states.find((x) => x.name.endsWith('raw_entries') || x.name.includes('glucose_entries')) ?? states[0]!;
  const r = spawnSync(process.execPath, [main, 'scan', s.name, '--warehouse', whDir, '--ref', s.refs[0]!, '--format', 'json'], { cwd: repo, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  const { table: mine, plan } = await s.table.scan();
  assert.deepEqual(canonical(JSON.parse(r.stdout)), canonical(documentedRows(mine, plan.schema)));
});
