/**
 * The Iceberg core of the lakehouse miniature: real Apache Iceberg v2 tables (and reading
 * v1) in TypeScript, in Node and in the browser.
 *
 * Design note. Hand-written, because it is the lesson: table metadata (JSON, v1 forms
 * normalized), snapshots, sequence numbers, manifest lists and manifests (the spec's Avro
 * schemas with field ids), partition transforms, column-stat bounds in the single-value
 * binary form, scan planning with pruning, v2 position/equality deletes, copy-on-write
 * writes, schema evolution, optimistic commits, expiry and metadata tables. Also
 * hand-written: the small Avro container codec (avsc needs Node's buffer/crypto/util,
 * which a Vite browser bundle lacks). Libraries: Parquet through parquet-wasm (fast,
 * Arrow-native, keeps field ids; see parquet.ts), Arrow through apache-arrow 17 (the
 * version DuckDB-WASM uses), deflate through the platform's (De)CompressionStream.
 *
 * Usage:
 *   const storage = new MemoryStorage();                    // or NodeFsStorage, OpfsStorage
 *   const t = await createTable(null, storage, 'glucose/raw', {
 *     schema: [{ name: 'ts', type: 'timestamptz', required: true }, { name: 'mgdl', type: 'int' }],
 *     partitionSpec: [{ source: 'ts', transform: 'day' }],
 *   });                                                     // null ops = version-hint.text
 *   await t.append(arrowTable);
 *   await t.merge(arrowTable, { key: 'ts' });               // -> { inserted, updated, unchanged, snapshot }
 *   await t.delete(lt('ts', '2024-01-01'));
 *   await t.updateSchema().addColumn('note', 'string').commit();
 *   const { table, plan } = await t.scan({ snapshotId, filter: gte('ts', '2024-01-02') });
 *   const plan2 = await t.plan({ asOf: '2024-01-02T00:00:00Z' }); t.readFile(plan2.tasks[0]);
 *   await loadTable(storage, 'path/to/any/iceberg/table');  // tables written by other engines
 * In the browser call `initParquet(wasmUrl)` once first (Node needs nothing).
 * Commits against a stale base throw CommitConflictError; `table.withRetry(t => t.append(x))`
 * reloads and re-applies.
 */
export { createTable, loadTable, Table, SchemaUpdate, type TableOptions, type CreateTableOptions, type MergeResult, type ExpireResult } from './table.ts';
export { FileTableOperations, withRetry, metadataVersion, VERSION_HINT, type TableOperations } from './table-operations.ts';
export { CommitConflictError, IcebergError } from './errors.ts';
export { eq, ne, lt, lte, gt, gte, isIn, isNull, notNull, and, or, type Predicate } from './filter.ts';
export type { FileScanTask, ScanPlan, ScanOptions, SnapshotSelector, DeleteFileRef } from './scan.ts';
export { buildSchema, buildPartitionSpec, rowsToArrow, arrowToRows, conformToSchema, type FieldInput, type PartitionFieldInput } from './schema.ts';
export { deterministicIds, randomIds, type IdSource } from './write.ts';
export { initParquet, readParquet, writeParquet } from './parquet.ts';
export { findCurrentMetadata, readMetadataFile } from './load.ts';
export { parseMetadata, serializeMetadata } from './metadata.ts';
export { readManifestList, readManifest } from './manifest.ts';
export { readAvroFile, writeAvroFile } from './avro.ts';
export { METADATA_TABLES, type MetadataTableName } from './metadata-tables.ts';
export { arrowSchemaFor, arrowTypeFor, columnValues, FIELD_ID_KEY } from './arrow.ts';
export { formatValue, toInternal, type Value } from './values.ts';
export type * from './types.ts';
