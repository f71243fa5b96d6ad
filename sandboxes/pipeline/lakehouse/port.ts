/**
 * What the pipeline needs from the lakehouse, in one small interface. The pipeline never
 * reaches past it, so it runs the same over the real Iceberg + Nessie-style warehouse
 * (warehouse-adapter.ts) in Node, a Web Worker or a WebContainer.
 *
 * Table names are "namespace.table" as Phlo names them: raw.glucose_entries,
 * silver.fct_glucose_readings, gold.fct_daily_glucose_metrics, marts.mrt_glucose_overview.
 */
import type * as arrow from 'apache-arrow';
import type { Storage } from '../../lakehouse/storage/storage.ts';
import type { ColumnDef } from '../util/arrow.ts';

export interface WriteOutcome {
  /** The Iceberg snapshot the write committed (a decimal string: ids are 64-bit); null when nothing changed. */
  snapshotId: string | null;
  inserted: number;
  updated: number;
  /** Incoming rows identical to the stored ones (left alone). */
  unchanged: number;
  deleted: number;
  /** Rows in the table after the write. */
  totalRows: number;
}

export interface SnapshotInfo {
  snapshotId: string;
  timestampMs: number;
  operation: string;
  summary: Record<string, string>;
}

export interface RefInfo { name: string; type: 'branch' | 'tag'; hash: string }

/** A table's physical shape at the head of a branch: what maintenance changes. */
export interface TableLayout {
  dataFiles: number;
  deleteFiles: number;
  manifests: number;
  snapshots: number;
  records: number;
  bytes: number;
}

export interface CompactOutcome {
  before: TableLayout;
  after: TableLayout;
  /** The `replace` snapshot; null when no partition had enough small files to rewrite. */
  snapshotId: string | null;
  rewrittenFiles: number;
  addedFiles: number;
}

export interface ExpireOutcome {
  before: TableLayout;
  after: TableLayout;
  expired: number;
  /** Files only the expired snapshots reached; left on storage for a garbage collector. */
  unreferencedFiles: number;
}

export interface Lakehouse {
  readonly storage: Storage;
  /** SQL over the tables as they are on `ref`; the result as Arrow. */
  query(sql: string, ref: string): Promise<arrow.Table>;
  tableExists(ref: string, table: string): Promise<boolean>;
  listTables(ref: string): Promise<string[]>;
  createTable(ref: string, table: string, columns: ColumnDef[], message: string): Promise<void>;
  /** Upsert on `key`: rows whose key exists replace the old row, the rest are added. */
  merge(ref: string, table: string, rows: arrow.Table, key: string[], message: string): Promise<WriteOutcome>;
  /** Replace the table's contents (dbt's "table" materialisation). */
  replace(ref: string, table: string, rows: arrow.Table, message: string): Promise<WriteOutcome>;
  snapshots(ref: string, table: string): Promise<SnapshotInfo[]>;
  refs(): Promise<RefInfo[]>;
  createBranch(name: string, from: string): Promise<void>;
  createTag(name: string, from: string): Promise<void>;
  deleteBranch(name: string): Promise<void>;
  /** Merge `from` into `into`; throws with the conflicting tables when both changed them. */
  mergeBranch(from: string, into: string, message: string): Promise<void>;
  refHash(ref: string): Promise<string>;
  /** Table maintenance (optional: the stand-in lakehouse has no files to maintain). */
  layout?(ref: string, table: string): Promise<TableLayout>;
  compact?(ref: string, table: string, opts: { minInputFiles?: number; targetFileSizeBytes?: number }): Promise<CompactOutcome>;
  expire?(ref: string, table: string, opts: { olderThanMs: number; retainLast?: number }): Promise<ExpireOutcome>;
  close(): Promise<void>;
}
