/**
 * SQL in the sandbox reaches the warehouse's own tables and nothing else (issue 13, item 6):
 * no host file can be read, listed, written or attached, no extension loaded, and no SET
 * turns that back on. Tables must still register with access off: at start, for tables
 * added later (a pipeline run) and after a worker restart. The same engine class runs in
 * the browser (DuckDB-WASM in a Web Worker), where tests/browser/sql-sandbox.spec.ts
 * repeats the attacks.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { createNodeEngine } from '../../../sandboxes/lakehouse/sql/duckdb-node.ts';
import { SqlError } from '../../../sandboxes/lakehouse/sql/engine.ts';
import { tableToRows } from '../../../sandboxes/lakehouse/sql/rows.ts';
import type { DuckDbWasmEngine } from '../../../sandboxes/lakehouse/sql/duckdb-engine.ts';

let engine: DuckDbWasmEngine;
let dir: string;
let secret: string;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'phlo-sql-sandbox-'));
  secret = path.join(dir, 'secret.csv');
  writeFileSync(secret, 'name,value\nsecret,42\n');
  engine = await createNodeEngine({ timeLimitMs: 20_000, cancelGraceMs: 1_000 });
  await engine.registerArrow('raw.entries', readings(3));
});

after(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

const readings = (n: number) => new arrow.Table({ id: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => i + 1), new arrow.Int32()) });

/** Every way into the host we know of, each with what its refusal must say. */
const attacks = (): [string, RegExp][] => {
  const files = /cannot read or write files: "[^"]+" is outside the warehouse/;
  return [
    [`SELECT * FROM read_csv('${secret}')`, files],
    [`SELECT * FROM read_csv_auto('${secret}')`, files],
    [`SELECT * FROM read_csv(['${secret}'])`, files],
    [`SELECT * FROM sniff_csv('${secret}')`, files],
    [`SELECT * FROM read_text('${secret}')`, files],
    [`SELECT * FROM read_blob('${secret}')`, files],
    [`SELECT * FROM glob('${dir}/*')`, files],
    ["SELECT * FROM glob('/etc/*')", files],
    ["SELECT * FROM read_csv('/etc/passwd')", files],
    [`COPY (SELECT 1 AS x) TO '${dir}/out.csv'`, files],
    [`COPY raw.entries FROM '${secret}'`, files],
    [`ATTACH '${dir}/other.db' AS other`, files],
    [`EXPORT DATABASE '${dir}/export'`, files],
    [`IMPORT DATABASE '${dir}'`, files],
    ['LOAD parquet', /cannot be installed or loaded/],
    ["SELECT date_trunc('day', TIMESTAMPTZ '2024-01-01 10:00:00+00')", /needs DuckDB's 'icu' extension.*TIMESTAMP \(UTC\)/],
    [`SELECT * FROM parquet_scan('${dir}/x.parquet')`, /parquet_scan is part of DuckDB's 'parquet' extension, which the sandbox does not have/],
    [`SELECT * FROM read_json('${secret}')`, /read_json is part of DuckDB's 'json' extension/],
    [`SELECT * FROM '${secret}'`, files],
    ['SET enable_external_access = true', /settings are fixed.*"enable_external_access"/],
    ['RESET enable_external_access', /settings are fixed/],
    ['SET lock_configuration = false', /settings are fixed.*"lock_configuration"/],
    ["SET disabled_filesystems = ''", /settings are fixed/],
    ['SET autoload_known_extensions = true', /settings are fixed/],
    [`SET profiling_output = '${dir}/profile.json'`, /settings are fixed/],
  ];
};

async function assertAllRefused(engine: DuckDbWasmEngine): Promise<void> {
  for (const [sql, why] of attacks()) {
    await assert.rejects(engine.query(sql), (e: unknown) => {
      assert.ok(e instanceof SqlError, sql);
      assert.match(e.message, why, sql);
      assert.doesNotMatch(e.message, /secret,42/, sql);
      return true;
    });
  }
  assert.equal(existsSync(path.join(dir, 'out.csv')), false, 'COPY TO wrote a host file');
  assert.equal(existsSync(path.join(dir, 'export')), false, 'EXPORT DATABASE wrote a host folder');
  assert.equal(existsSync(path.join(dir, 'other.db')), false, 'ATTACH created a host file');
}

test('no query reaches the host file system, loads an extension or turns access back on', async () => {
  await assertAllRefused(engine);
  const settings = tableToRows(await engine.query("SELECT current_setting('enable_external_access') AS access, current_setting('lock_configuration') AS locked"));
  assert.deepEqual(settings, [{ access: false, locked: true }]);
  // Ordinary SQL over the warehouse's tables is untouched.
  assert.deepEqual(tableToRows(await engine.query('CREATE TABLE scratch AS SELECT sum(id) AS s FROM raw.entries; SELECT s FROM scratch')), [{ s: 6 }]);
});

test('tables register with access off: new ones, replaced ones, and again after a worker restart', async () => {
  await engine.registerArrow('marts.later', readings(5));
  await engine.registerArrow('raw.entries', readings(4));
  assert.deepEqual(tableToRows(await engine.query('SELECT (SELECT count(*) FROM marts.later) AS later, (SELECT count(*) FROM raw.entries) AS raw')), [{ later: 5, raw: 4 }]);
  // No grace for an interrupt: a time limit replaces the worker, as for a query stuck inside WebAssembly.
  const restarted = await createNodeEngine({ timeLimitMs: 20_000, cancelGraceMs: 0 });
  try {
    await restarted.registerArrow('raw.entries', readings(4));
    await assert.rejects(restarted.query('SELECT count(*) FROM range(3000000000) a(i), range(10) b(j) WHERE i * j % 7 = 3', { timeLimitMs: 300 }), (e: SqlError) => e.kind === 'timeout');
    assert.equal(restarted.restarts, 1);
    assert.deepEqual(tableToRows(await restarted.query('SELECT count(*) AS n FROM raw.entries')), [{ n: 4 }]);
    await restarted.registerArrow('marts.after_restart', readings(2));
    assert.deepEqual(tableToRows(await restarted.query('SELECT count(*) AS n FROM marts.after_restart')), [{ n: 2 }]);
    // The new worker is locked down too.
    await assertAllRefused(restarted);
  } finally {
    await restarted.close();
  }
});
