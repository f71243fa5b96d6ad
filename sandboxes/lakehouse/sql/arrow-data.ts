/**
 * Arrow plumbing shared by both DuckDB factories.
 *
 * Timestamps with a time zone become plain UTC timestamps before DuckDB sees them: without
 * the ICU extension (not built into DuckDB-WASM, and we never download extensions)
 * functions over TIMESTAMP WITH TIME ZONE fail or hang the worker. The stored values are
 * already UTC microseconds, so dropping the zone label changes no value.
 */
import * as arrow from 'apache-arrow';

export function toArrowTable(data: arrow.Table | Uint8Array): arrow.Table {
  return data instanceof Uint8Array ? arrow.tableFromIPC(data) : data;
}

function withoutZone(type: arrow.DataType): arrow.DataType | null {
  if (arrow.DataType.isTimestamp(type) && type.timezone) return new arrow.Timestamp(type.unit, null);
  return null;
}

/** The same table with every zoned timestamp column relabelled as UTC without zone. */
export function stripTimeZones(table: arrow.Table): arrow.Table {
  const changed = table.schema.fields.some((f) => withoutZone(f.type));
  if (!changed) return table;
  const fields = table.schema.fields.map((f) => {
    const t = withoutZone(f.type);
    return t ? new arrow.Field(f.name, t, f.nullable, f.metadata) : f;
  });
  const schema = new arrow.Schema(fields, table.schema.metadata);
  const batches = table.batches.map((batch) => {
    const children = batch.data.children.map((child) => {
      const t = withoutZone(child.type);
      return t ? child.clone(t) : child;
    });
    const data = arrow.makeData({ type: new arrow.Struct(fields), length: batch.numRows, nullCount: 0, children });
    return new arrow.RecordBatch(schema, data);
  });
  return new arrow.Table(schema, batches);
}

/**
 * One record batch instead of many. Parquet readers hand out batches of ~1k rows, and
 * DuckDB ingests a million rows 2-3x slower as a thousand batches than as one. Flat column
 * types are concatenated buffer by buffer; a table with any other column type (nested,
 * dictionary) is returned as it is.
 */
export function combineBatches(table: arrow.Table): arrow.Table {
  if (table.batches.length <= 1) return table;
  const fields = table.schema.fields;
  if (!fields.every((f) => isFlat(f.type))) return table;
  const length = table.numRows;
  const children = fields.map((f, c) => concatData(f.type, table.batches.map((b) => b.data.children[c]!), length));
  const data = arrow.makeData({ type: new arrow.Struct(fields), length, nullCount: 0, children });
  return new arrow.Table(table.schema, [new arrow.RecordBatch(table.schema, data)]);
}

function isFlat(type: arrow.DataType): boolean {
  const T = arrow.DataType;
  return T.isInt(type) || T.isFloat(type) || T.isTimestamp(type) || T.isDate(type) || T.isTime(type) || T.isDecimal(type) ||
    T.isFixedSizeBinary(type) || T.isBool(type) || T.isUtf8(type) || T.isBinary(type);
}

function nullBitmapOf(parts: arrow.Data[], length: number): { bitmap: Uint8Array | undefined; nullCount: number } {
  const nullCount = parts.reduce((n, d) => n + d.nullCount, 0);
  if (nullCount === 0) return { bitmap: undefined, nullCount: 0 };
  const bitmap = new Uint8Array(Math.ceil(length / 8));
  let at = 0;
  for (const d of parts) {
    for (let i = 0; i < d.length; i++, at++) if (d.getValid(i)) bitmap[at >> 3]! |= 1 << (at & 7);
  }
  return { bitmap, nullCount };
}

function concatData(type: arrow.DataType, parts: arrow.Data[], length: number): arrow.Data {
  const { bitmap, nullCount } = nullBitmapOf(parts, length);
  if (arrow.DataType.isBool(type)) {
    const bits = new Uint8Array(Math.ceil(length / 8));
    let at = 0;
    for (const d of parts) {
      const values = d.values as Uint8Array;
      for (let i = 0; i < d.length; i++, at++) {
        const bit = d.offset + i;
        if ((values[bit >> 3]! >> (bit & 7)) & 1) bits[at >> 3]! |= 1 << (at & 7);
      }
    }
    return arrow.makeData({ type, length, nullCount, nullBitmap: bitmap, data: bits } as never);
  }
  // Sliced Data already has its value and offset buffers cut to the slice (only bit-packed
  // booleans and validity bitmaps still count from `data.offset`).
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isBinary(type)) {
    const offsets = new Int32Array(length + 1);
    let bytes = 0;
    for (const d of parts) bytes += d.valueOffsets[d.length]! - d.valueOffsets[0]!;
    const values = new Uint8Array(bytes);
    let at = 0;
    let pos = 0;
    for (const d of parts) {
      const first = d.valueOffsets[0]!;
      const last = d.valueOffsets[d.length]!;
      values.set((d.values as Uint8Array).subarray(first, last), pos);
      for (let i = 0; i < d.length; i++) offsets[at + i] = pos + d.valueOffsets[i]! - first;
      at += d.length;
      pos += last - first;
    }
    offsets[length] = pos;
    return arrow.makeData({ type, length, nullCount, nullBitmap: bitmap, valueOffsets: offsets, data: values } as never);
  }
  const first = parts[0]!;
  const stride = first.stride;
  const Ctor = (first.values as unknown as { constructor: new (n: number) => { set(a: ArrayLike<unknown>, o: number): void } }).constructor;
  const values = new Ctor(length * stride);
  let at = 0;
  for (const d of parts) {
    values.set((d.values as unknown as { subarray(a: number, b: number): ArrayLike<unknown> }).subarray(0, d.length * stride), at * stride);
    at += d.length;
  }
  return arrow.makeData({ type, length, nullCount, nullBitmap: bitmap, data: values } as never);
}
