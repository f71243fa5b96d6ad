/**
 * The lakehouse miniature: Iceberg tables in a Nessie-style catalog, queried with SQL by
 * DuckDB-WASM, over any Storage. Browser-safe: nothing here imports `node:*`.
 * Node hosts add `./storage/node-fs.ts` (NodeFsStorage) and `./sql/duckdb-node.ts`
 * (createNodeEngine); the page adds `./sql/duckdb-browser.ts` (createBrowserEngine).
 *
 *   const warehouse = await openWarehouse({ storage, engine });
 *   await warehouse.createTable('glucose.raw_entries', { schema: [...] });
 *   await warehouse.createBranch('etl');
 *   await (await warehouse.table('glucose.raw_entries', 'etl')).append(rows);
 *   await warehouse.sql('SELECT count(*) FROM glucose.raw_entries', { ref: 'etl' });
 *   await warehouse.merge('etl', 'main');
 */
export {
  openWarehouse,
  Warehouse,
  filesOf,
  snapshotsOf,
  scanThrough,
  type WarehouseOptions,
  type ReadOptions,
  type SqlOptions,
  type SnapshotInfo,
  type FileInfo,
  type TableHandleOptions,
  type CreateOptions,
} from './warehouse.ts';
export { Catalog, openCatalog, diffTrees, type CatalogOptions, type CommitOptions, type MergeOptions, type OperationInput } from './catalog/catalog.ts';
export { CatalogTableOperations, tableDirFor } from './catalog/table-operations.ts';
export { CatalogError, MergeConflictError, ReferenceConflictError, type CatalogErrorCode } from './catalog/errors.ts';
export type { Commit, Content, KeyDiff, MergeResult as CatalogMergeResult, Operation, Reference, ReferenceType } from './catalog/model.ts';
export { SqlError, parseDuckDbError, type SqlEngine, type QueryOptions } from './sql/engine.ts';
export { DuckDbWasmEngine, type DuckDbBoot, type DuckDbEngineOptions } from './sql/duckdb-engine.ts';
export { TableBinder, type BindResult } from './sql/table-binder.ts';
export { findTableMentions, type TableMention } from './sql/table-names.ts';
export { tableToRows, formatTextTable, type JsonValue } from './sql/rows.ts';
export { recordsToArrow } from './sql/records.ts';
export * from './storage/index.ts';
export * from './iceberg/index.ts';
