/**
 * Node-only: DuckDB-WASM's blocking Node build with the eh module from node_modules. No
 * extension is ever loaded (DuckDB-WASM would fetch them from the network), so data moves in
 * and out as Arrow IPC, never through read_parquet.
 */
import { createRequire } from 'node:module';
import * as arrow from 'apache-arrow';
import type { SqlEngine } from './sql-engine.ts';

const require = createRequire(import.meta.url);

export async function openDuckDbNode(): Promise<SqlEngine> {
  const duckdb = require('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs');
  const dist = require.resolve('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm').replace(/duckdb-eh\.wasm$/, '');
  const db = await duckdb.createDuckDB(
    {
      mvp: { mainModule: dist + 'duckdb-mvp.wasm', mainWorker: dist + 'duckdb-node-mvp.worker.cjs' },
      eh: { mainModule: dist + 'duckdb-eh.wasm', mainWorker: dist + 'duckdb-node-eh.worker.cjs' },
    },
    new duckdb.VoidLogger(),
    duckdb.NODE_RUNTIME,
  );
  await db.instantiate();
  const conn = db.connect();
  conn.query('SET autoinstall_known_extensions = false');
  conn.query('SET autoload_known_extensions = false');
  let counter = 0;
  const run = (sql: string): arrow.Table => {
    try {
      // DuckDB's Arrow is a different copy of apache-arrow: bring it over as IPC bytes.
      return arrow.tableFromIPC(duckdb_ipc(conn.query(sql)));
    } catch (err) {
      throw new Error(String((err as Error).message ?? err).split('\n    at ')[0]);
    }
  };
  const duckdb_ipc = (t: { serialize?: () => Uint8Array }): Uint8Array => {
    const { tableToIPC } = require('apache-arrow');
    return tableToIPC(t, 'stream');
  };
  return {
    async query(sql) { return run(sql); },
    async load(schema, name, table) {
      const tmp = `__load_${++counter}`;
      conn.insertArrowFromIPCStream(arrow.tableToIPC(table, 'stream'), { name: tmp });
      run(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      run(`CREATE OR REPLACE TABLE "${schema}"."${name}" AS SELECT * FROM "${tmp}"`);
      run(`DROP TABLE "${tmp}"`);
    },
    async close() { conn.close(); await db.terminate?.(); },
  };
}
