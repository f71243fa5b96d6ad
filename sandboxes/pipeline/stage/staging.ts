/**
 * Staging (the ideas of DLT): the normalised batch (see the dlt_normalize plugin) is written
 * as a typed Parquet file before anything touches the Iceberg table, and read back from
 * there for the merge. A failed merge can be retried from the staged file without fetching
 * again.
 */
import { parquetWriteBuffer } from 'hyparquet-writer';
import { parquetReadObjects } from 'hyparquet';
import type { TableSchema, ColumnType } from '../validate/schema.ts';

/** camelCase -> snake_case, as DLT normalises column names. */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
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
