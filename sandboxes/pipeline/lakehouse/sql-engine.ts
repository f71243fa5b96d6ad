/**
 * The SQL side the stand-in lakehouse and the tests use: run a query to Arrow, load Arrow
 * into a named table. The Node implementation lives in duckdb-node.ts; a browser host
 * provides its own (DuckDB-WASM in a worker).
 */
import type * as arrow from 'apache-arrow';

export interface SqlEngine {
  query(sql: string): Promise<arrow.Table>;
  /** Create or replace table `schema.name` from Arrow. */
  load(schema: string, name: string, table: arrow.Table): Promise<void>;
  close(): Promise<void>;
}
