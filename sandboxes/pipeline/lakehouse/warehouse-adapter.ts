/**
 * The pipeline's Lakehouse port over the real warehouse (sandboxes/lakehouse/warehouse.ts):
 * Iceberg v2 tables under the Nessie-style catalog, SQL through DuckDB-WASM. Every write is
 * an Iceberg commit on a branch; `replace` overwrites a table's rows (a new snapshot, the
 * old ones stay for time travel) and recreates the table only when the model's columns
 * changed.
 */
import type * as arrow from 'apache-arrow';
import type { Warehouse } from '../../lakehouse/warehouse.ts';
import type { CompactOutcome, ExpireOutcome, Lakehouse, RefInfo, SnapshotInfo, TableLayout, WriteOutcome } from './port.ts';
import type { Table } from '../../lakehouse/iceberg/table.ts';
import type { ColumnDef } from '../util/arrow.ts';
import type { Storage } from '../../lakehouse/storage/storage.ts';
import { isNull, notNull, or } from '../../lakehouse/iceberg/filter.ts';
import type { PrimitiveType } from '../../lakehouse/iceberg/types.ts';
import { icebergTypeOf } from '../../lakehouse/iceberg/arrow.ts';

const ICEBERG_TYPE: Record<ColumnDef['type'], PrimitiveType> = {
  string: 'string', int64: 'long', int32: 'int', float64: 'double', timestamp: 'timestamp', date: 'date', bool: 'boolean',
};

function totalRecords(summary: Record<string, unknown> | undefined): number {
  return Number(summary?.['total-records'] ?? 0);
}

export class WarehouseLakehouse implements Lakehouse {
  readonly warehouse: Warehouse;
  readonly storage: Storage;

  constructor(warehouse: Warehouse) {
    this.warehouse = warehouse;
    this.storage = warehouse.storage;
  }

  query(sql: string, ref: string): Promise<arrow.Table> {
    return this.warehouse.sql(sql, { ref });
  }

  tableExists(ref: string, table: string): Promise<boolean> { return this.warehouse.hasTable(table, ref); }
  listTables(ref: string): Promise<string[]> { return this.warehouse.tables(ref); }

  async createTable(ref: string, table: string, columns: ColumnDef[], message: string): Promise<void> {
    await this.warehouse.createTable(table, {
      ref, message,
      schema: columns.map((c) => ({ name: c.name, type: ICEBERG_TYPE[c.type], required: c.nullable === false })),
    });
  }

  async merge(ref: string, table: string, rows: arrow.Table, key: string[], message: string): Promise<WriteOutcome> {
    const t = await this.warehouse.table(table, { ref, message });
    const r = await t.merge(rows, { key });
    const snap = r.snapshot ?? t.currentSnapshot();
    return {
      // A merge that changed nothing commits nothing: report no snapshot.
      snapshotId: r.snapshot && r.inserted + r.updated > 0 ? String(r.snapshot['snapshot-id']) : null,
      inserted: r.inserted, updated: r.updated, unchanged: r.unchanged, deleted: 0,
      totalRows: totalRecords(snap?.summary as Record<string, unknown> | undefined),
    };
  }

  async replace(ref: string, table: string, rows: arrow.Table, message: string): Promise<WriteOutcome> {
    let exists = await this.warehouse.hasTable(table, ref);
    if (exists) {
      const t = await this.warehouse.table(table, { ref, message });
      const have = t.schema().fields.map((f) => `${f.name}:${typeof f.type === 'string' ? f.type : JSON.stringify(f.type)}`).join(',');
      const want = rows.schema.fields.map((f) => `${f.name}:${icebergTypeOf(f.type)}`).join(',');
      if (have !== want) {
        // The model's columns changed: start the table again rather than mis-map columns.
        await this.warehouse.dropTable(table, ref, `${table}: columns changed, recreate`);
        exists = false;
      }
    }
    if (!exists) {
      const t = await this.warehouse.createTable(table, { ref, message: `create table ${table}`, schema: rows.schema });
      const snap = rows.numRows ? await t.append(rows) : null;
      return { snapshotId: snap ? String(snap['snapshot-id']) : null, inserted: rows.numRows, updated: 0, unchanged: 0, deleted: 0, totalRows: rows.numRows };
    }
    const t = await this.warehouse.table(table, { ref, message });
    const before = totalRecords(t.currentSnapshot()?.summary as Record<string, unknown> | undefined);
    const first = t.schema().fields[0].name;
    const snap = await t.overwrite(or(isNull(first), notNull(first)), rows);
    return { snapshotId: snap ? String(snap['snapshot-id']) : null, inserted: rows.numRows, updated: 0, unchanged: 0, deleted: before, totalRows: rows.numRows };
  }

  async snapshots(ref: string, table: string): Promise<SnapshotInfo[]> {
    return (await this.warehouse.snapshots(table, ref)).map((s) => ({ snapshotId: s.snapshotId, timestampMs: s.timestampMs, operation: s.operation, summary: s.summary }));
  }

  async refs(): Promise<RefInfo[]> {
    return (await this.warehouse.references()).map((r) => ({ name: r.name, type: r.type === 'TAG' ? 'tag' : 'branch', hash: r.hash }));
  }

  async createBranch(name: string, from: string): Promise<void> { await this.warehouse.createBranch(name, from); }
  async createTag(name: string, from: string): Promise<void> { await this.warehouse.tag(name, from); }
  async deleteBranch(name: string): Promise<void> { await this.warehouse.deleteRef(name); }
  async mergeBranch(from: string, into: string, message: string): Promise<void> { await this.warehouse.merge(from, into, { message }); }
  async refHash(ref: string): Promise<string> {
    const r = (await this.warehouse.references()).find((x) => x.name === ref);
    if (!r) throw new Error(`No branch or tag named "${ref}".`);
    return r.hash;
  }
  async layout(ref: string, table: string): Promise<TableLayout> {
    return layoutOf(await this.warehouse.table(table, ref));
  }

  async compact(ref: string, table: string, opts: { minInputFiles?: number; targetFileSizeBytes?: number } = {}): Promise<CompactOutcome> {
    const t = await this.warehouse.table(table, { ref, message: `${table}: compaction (rewrite data files)` });
    const before = await layoutOf(t);
    const r = await t.rewriteDataFiles(opts);
    return { before, after: await layoutOf(t), snapshotId: r?.snapshotId != null ? String(r.snapshotId) : null, rewrittenFiles: r?.rewrittenDataFiles ?? 0, addedFiles: r?.addedDataFiles ?? 0 };
  }

  async expire(ref: string, table: string, opts: { olderThanMs: number; retainLast?: number }): Promise<ExpireOutcome> {
    const t = await this.warehouse.table(table, { ref, message: `${table}: expire snapshots older than ${new Date(opts.olderThanMs).toISOString()}` });
    const before = await layoutOf(t);
    // Under a catalog with branches and tags, other references may still read the files:
    // only the table metadata on this branch changes (a garbage collector removes files).
    const r = await t.expireSnapshots({ olderThanMs: opts.olderThanMs, retainLast: opts.retainLast ?? 1, deleteFiles: false });
    return { before, after: await layoutOf(t), expired: r.expiredSnapshots.length, unreferencedFiles: r.unreferencedFiles.length };
  }

  async close(): Promise<void> { await this.warehouse.close(); }
}

/** Files, manifests and snapshots of a table's current state. */
async function layoutOf(t: Table): Promise<TableLayout> {
  const files = await t.metadataTable('files');
  const manifests = t.currentSnapshot() ? await t.metadataTable('manifests') : [];
  const data = files.filter((f) => f.content === 0);
  return {
    dataFiles: data.length,
    deleteFiles: files.length - data.length,
    manifests: manifests.length,
    snapshots: t.snapshots().length,
    records: data.reduce((a, f) => a + Number(f.record_count), 0),
    bytes: files.reduce((a, f) => a + Number(f.file_size_in_bytes), 0),
  };
}
