/**
 * Rows <-> Arrow with declared column types. Arrow is the currency between the pipeline,
 * the Iceberg writer and DuckDB, so the types here decide the Iceberg column types:
 * int64 -> long, float64 -> double, timestamp (µs, UTC, no zone) -> timestamp, date -> date.
 */
import * as arrow from 'apache-arrow';
import type { ColumnType } from '../validate/schema.ts';

export interface ColumnDef { name: string; type: ColumnType; nullable?: boolean }

export function arrowType(t: ColumnType): arrow.DataType {
  switch (t) {
    case 'string': return new arrow.Utf8();
    case 'int64': return new arrow.Int64();
    case 'int32': return new arrow.Int32();
    case 'float64': return new arrow.Float64();
    case 'timestamp': return new arrow.TimestampMicrosecond();
    case 'date': return new arrow.DateDay();
    case 'bool': return new arrow.Bool();
  }
}

/** Values as plain JS: int64 as number (safe for our magnitudes), timestamp/date as epoch ms. */
export function rowsToArrow(columns: ColumnDef[], rows: Record<string, unknown>[]): arrow.Table {
  const vectors: Record<string, arrow.Vector> = {};
  for (const c of columns) {
    const type = arrowType(c.type);
    const values = rows.map((r) => {
      const v = r[c.name];
      if (v === null || v === undefined) return null;
      if (c.type === 'int64') return BigInt(Math.trunc(Number(v)));
      if (c.type === 'timestamp' || c.type === 'date') return typeof v === 'number' ? v : v instanceof Date ? v.getTime() : Date.parse(String(v));
      return v;
    });
    vectors[c.name] = arrow.vectorFromArray(values, type);
  }
  const fields = columns.map((c) => new arrow.Field(c.name, arrowType(c.type), c.nullable ?? true));
  const schema = new arrow.Schema(fields);
  if (rows.length === 0) return new arrow.Table(schema);
  const data = arrow.makeData({
    type: new arrow.Struct(fields),
    length: rows.length,
    nullCount: 0,
    children: columns.map((c) => vectors[c.name].data[0]),
  });
  return new arrow.Table(schema, new arrow.RecordBatch(schema, data));
}

/** Plain JS rows: BigInt -> number, timestamps -> epoch ms numbers, dates -> epoch ms. */
export function arrowToRows(table: arrow.Table): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const names = table.schema.fields.map((f) => f.name);
  const cols = names.map((n) => table.getChild(n)!);
  const scales = table.schema.fields.map((f) => (arrow.DataType.isDecimal(f.type) ? (f.type as arrow.Decimal).scale : null));
  for (let i = 0; i < table.numRows; i++) {
    const row: Record<string, unknown> = {};
    names.forEach((n, j) => {
      let v = cols[j].get(i);
      if (v != null && scales[j] !== null) v = decimalToNumber(v as Uint32Array, scales[j]!);
      // 64-bit ids (snapshot ids) do not fit a double: keep those as decimal strings.
      if (typeof v === 'bigint') v = Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
      row[n] = v ?? null;
    });
    out.push(row);
  }
  return out;
}

/** DuckDB returns SUM(BIGINT) as a 128-bit decimal: four little-endian 32-bit words. */
function decimalToNumber(words: Uint32Array, scale: number): number {
  let big = 0n;
  for (let k = words.length - 1; k >= 0; k--) big = (big << 32n) | BigInt(words[k]);
  const bits = BigInt(words.length * 32);
  if (big >> (bits - 1n)) big -= 1n << bits;
  return Number(big) / 10 ** scale;
}
