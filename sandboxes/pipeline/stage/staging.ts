/**
 * Staging (the ideas of DLT): normalise the API's JSON to a typed table with DLT's
 * snake_case names and load ids, and write it as a Parquet file before anything touches the
 * Iceberg table. A failed merge can then be retried from the staged file without fetching
 * again, and the file is what validation reads.
 */
import { parquetWriteBuffer } from 'hyparquet-writer';
import { parquetReadObjects } from 'hyparquet';
import type { NightscoutEntry } from '../source/nightscout.ts';
import type { TableSchema, ColumnType } from '../validate/schema.ts';

/** camelCase -> snake_case, as DLT normalises column names. */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

export interface StagedBatch {
  rows: Record<string, unknown>[];
  /** Rows dropped because an earlier row had the same key (the uploader sent it twice). */
  duplicatesSkipped: number;
  loadId: string;
}

/**
 * Normalise entries to staged rows. `date_string` becomes a timestamp (epoch ms here), the
 * way DLT infers it. Duplicates on `_id` keep the last one seen (Phlo's default `last`).
 */
export function normaliseEntries(entries: NightscoutEntry[], loadId: string): StagedBatch {
  const byKey = new Map<string, Record<string, unknown>>();
  const order: Record<string, unknown>[] = [];
  let duplicatesSkipped = 0;
  entries.forEach((e) => {
    const row: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e)) row[snakeCase(k)] = v;
    const ds = typeof e.dateString === 'string' ? Date.parse(e.dateString) : NaN;
    row.date_string = Number.isFinite(ds) ? ds : null;
    row._dlt_load_id = loadId;
    const key = e._id == null ? null : String(e._id);
    if (key !== null && byKey.has(key)) {
      duplicatesSkipped++;
      Object.assign(byKey.get(key)!, row);
      return;
    }
    if (key !== null) byKey.set(key, row);
    order.push(row);
  });
  order.forEach((row, i) => { row._dlt_id = `${loadId}.${String(i).padStart(5, '0')}`; });
  return { rows: order, duplicatesSkipped, loadId };
}

function parquetType(t: ColumnType): 'STRING' | 'INT64' | 'INT32' | 'DOUBLE' | 'TIMESTAMP' | 'BOOLEAN' {
  switch (t) {
    case 'string': return 'STRING';
    case 'int64': return 'INT64';
    case 'int32': return 'INT32';
    case 'float64': return 'DOUBLE';
    case 'timestamp': case 'date': return 'TIMESTAMP';
    case 'bool': return 'BOOLEAN';
  }
}

/**
 * Write staged rows as Parquet. Values that do not fit the declared type are written as
 * null here and caught by validation, which reads the original rows; staging never throws
 * on bad data.
 */
export function writeStagingParquet(schema: TableSchema, rows: Record<string, unknown>[]): Uint8Array {
  const columnData = schema.columns.map((c) => {
    const pt = parquetType(c.type);
    const data = rows.map((r) => {
      const v = r[c.name];
      if (v === null || v === undefined) return null;
      if (pt === 'INT64') return typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : null;
      if (pt === 'INT32' || pt === 'DOUBLE') return typeof v === 'number' ? v : null;
      if (pt === 'TIMESTAMP') return typeof v === 'number' ? new Date(v) : null;
      if (pt === 'BOOLEAN') return typeof v === 'boolean' ? v : null;
      return typeof v === 'string' ? v : String(v);
    });
    return { name: c.name, data, type: pt, nullable: true };
  });
  return new Uint8Array(parquetWriteBuffer({ columnData, kvMetadata: [{ key: 'writer', value: 'phlo-miniature staging' }] }));
}

/** Read a staging file back into rows (timestamps as epoch ms, int64 as number). */
export async function readStagingParquet(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const rows = (await parquetReadObjects({ file: buffer })) as Record<string, unknown>[];
  for (const r of rows) {
    for (const [k, v] of Object.entries(r)) {
      if (typeof v === 'bigint') r[k] = Number(v);
      else if (v instanceof Date) r[k] = v.getTime();
      else if (v === undefined) r[k] = null;
    }
  }
  return rows;
}
