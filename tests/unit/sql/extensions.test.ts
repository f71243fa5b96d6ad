/**
 * DuckDB's hint "INSTALL iceberg" ends in a blocked download in the browser (a raw CSP/XHR
 * error). The query error says instead that extensions are not available offline and what
 * the sandbox offers (sandboxes/lakehouse/sql/extensions.ts via parseDuckDbError).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuckDbError } from '../../../sandboxes/lakehouse/sql/engine.ts';
import { extensionProblem, extensionStatement } from '../../../sandboxes/lakehouse/sql/extensions.ts';

const CSP = `IO Error: Failed to download extension "iceberg" at URL "https://extensions.duckdb.org/v1.4.1/wasm_eh/iceberg.duckdb_extension.wasm"
Extension "iceberg" is an existing extension.
(ERROR NetworkError: Failed to execute 'send' on 'XMLHttpRequest': Refused to connect because it violates the document's Content Security Policy.)`;

test('INSTALL iceberg: no raw CSP/XHR text, but why and what to use instead', () => {
  const e = parseDuckDbError(CSP, 'INSTALL iceberg');
  assert.match(e.message, /extension "iceberg" cannot be installed or loaded in this sandbox/);
  assert.match(e.message, /raw\."glucose_entries@dev"/);
  assert.match(e.message, /\$snapshots/);
  assert.doesNotMatch(e.message, /XMLHttpRequest|Content Security Policy/);
});

test('LOAD httpfs and a failed autoload are explained too', () => {
  assert.match(extensionProblem('anything', 'load httpfs;')!, /"httpfs".*nothing is read over the network/s);
  assert.match(extensionProblem(CSP, "select * from read_parquet('x')")!, /"iceberg"/);
});

test('ordinary errors keep DuckDB\'s own message', () => {
  assert.equal(extensionProblem('Catalog Error: Table with name nope does not exist!', 'select * from nope'), null);
  assert.match(parseDuckDbError('Catalog Error: Table with name nope does not exist!', 'select * from nope').message, /nope does not exist/);
});

test('an INSTALL or LOAD statement is answered before DuckDB runs it (DuckDB-WASM may report INSTALL as done)', () => {
  assert.match(extensionStatement('INSTALL iceberg')!, /"iceberg" cannot be installed/);
  assert.match(extensionStatement('-- first\ninstall iceberg; load iceberg;')!, /"iceberg"/);
  assert.match(extensionStatement('select 1; LOAD httpfs')!, /"httpfs"/);
  assert.equal(extensionStatement("select 'install iceberg' as s"), null);
  assert.equal(extensionStatement('select * from raw.glucose_entries'), null);
});

test('the Node engine answers INSTALL iceberg in words too', async () => {
  const { createNodeEngine } = await import('../../../sandboxes/lakehouse/sql/duckdb-node.ts');
  const engine = await createNodeEngine();
  try {
    await assert.rejects(engine.query('INSTALL iceberg'), /cannot be installed or loaded in this sandbox/);
  } finally {
    await engine.close();
  }
});
