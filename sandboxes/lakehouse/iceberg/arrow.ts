/**
 * The bridge between Iceberg types and Apache Arrow (v17, the version DuckDB-WASM uses).
 * Values move through raw Arrow buffers rather than `vector.get()`, because `get` turns
 * microsecond timestamps into fractional milliseconds and loses precision.
 */
import * as arrow from 'apache-arrow';
import type { IcebergType, ListType, MapType, NestedField, Schema, StructType } from './types.ts';
import { kindOf, parseDecimal, parseFixed, type Value } from './values.ts';

export const FIELD_ID_KEY = 'PARQUET:field_id';

export function arrowTypeFor(type: IcebergType): arrow.DataType {
  const k = kindOf(type);
  switch (k) {
    case 'boolean': return new arrow.Bool();
    case 'int': return new arrow.Int32();
    case 'long': return new arrow.Int64();
    case 'float': return new arrow.Float32();
    case 'double': return new arrow.Float64();
    case 'date': return new arrow.DateDay();
    case 'time': return new arrow.TimeMicrosecond();
    case 'timestamp': return new arrow.TimestampMicrosecond();
    case 'timestamptz': return new arrow.TimestampMicrosecond('UTC');
    case 'timestamp_ns': return new arrow.TimestampNanosecond();
    case 'timestamptz_ns': return new arrow.TimestampNanosecond('UTC');
    case 'string': return new arrow.Utf8();
    case 'uuid': return new arrow.FixedSizeBinary(16);
    case 'binary': return new arrow.Binary();
    case 'fixed': return new arrow.FixedSizeBinary(parseFixed(type as string)!);
    case 'decimal': { const d = parseDecimal(type as string)!; return new arrow.Decimal(d.scale, d.precision, 128); }
    case 'struct':
      return new arrow.Struct((type as StructType).fields.map((f) => arrowFieldFor(f)));
    case 'list': {
      const l = type as ListType;
      return new arrow.List(new arrow.Field('element', arrowTypeFor(l.element), !l['element-required'], new Map([[FIELD_ID_KEY, String(l['element-id'])]])));
    }
    case 'map': {
      const m = type as MapType;
      const entries = new arrow.Struct([
        new arrow.Field('key', arrowTypeFor(m.key), false, new Map([[FIELD_ID_KEY, String(m['key-id'])]])),
        new arrow.Field('value', arrowTypeFor(m.value), !m['value-required'], new Map([[FIELD_ID_KEY, String(m['value-id'])]])),
      ]);
      return new arrow.Map_(new arrow.Field('key_value', entries, false));
    }
    default: throw new Error(`unknown Iceberg type ${JSON.stringify(type)}`);
  }
}

export function isNested(type: IcebergType): boolean {
  return typeof type !== 'string';
}

/** An all-null column of any Arrow type, nested ones included (children are empty or null). */
export function nullData(type: arrow.DataType, n: number): arrow.Data {
  const nullBitmap = new Uint8Array((n + 7) >> 3);
  if (arrow.DataType.isStruct(type)) {
    return arrow.makeData({ type, length: n, nullCount: n, nullBitmap, children: type.children.map((c) => nullData(c.type, n)) });
  }
  if (arrow.DataType.isList(type)) {
    return arrow.makeData({ type, length: n, nullCount: n, nullBitmap, valueOffsets: new Int32Array(n + 1), child: nullData(type.children[0].type, 0) });
  }
  if (arrow.DataType.isMap(type)) {
    return arrow.makeData({ type, length: n, nullCount: n, nullBitmap, valueOffsets: new Int32Array(n + 1), child: nullData(type.children[0].type, 0) as arrow.Data<arrow.Struct> });
  }
  return constantVector(icebergTypeOf(type), null, n).data[0];
}

export function arrowFieldFor(field: NestedField, name = field.name): arrow.Field {
  return new arrow.Field(name, arrowTypeFor(field.type), !field.required, new Map([[FIELD_ID_KEY, String(field.id)]]));
}

export function arrowSchemaFor(schema: Schema): arrow.Schema {
  return new arrow.Schema(schema.fields.map((f) => arrowFieldFor(f)));
}

/** Iceberg type of an Arrow type (for creating a table from an Arrow table's schema). */
export function icebergTypeOf(t: arrow.DataType): IcebergType {
  if (arrow.DataType.isDictionary(t)) return icebergTypeOf(t.dictionary);
  if (arrow.DataType.isBool(t)) return 'boolean';
  if (arrow.DataType.isInt(t)) return t.bitWidth === 64 ? 'long' : 'int';
  if (arrow.DataType.isFloat(t)) return t.precision === arrow.Precision.SINGLE ? 'float' : 'double';
  if (arrow.DataType.isDate(t)) return 'date';
  if (arrow.DataType.isTime(t)) return 'time';
  if (arrow.DataType.isTimestamp(t)) return t.timezone ? 'timestamptz' : 'timestamp';
  if (arrow.DataType.isUtf8(t) || arrow.DataType.isLargeUtf8(t)) return 'string';
  if (arrow.DataType.isBinary(t) || arrow.DataType.isLargeBinary(t)) return 'binary';
  if (arrow.DataType.isFixedSizeBinary(t)) return `fixed[${t.byteWidth}]`;
  if (arrow.DataType.isDecimal(t)) return `decimal(${t.precision},${t.scale})`;
  throw new Error(`Arrow type ${String(t)} has no Iceberg counterpart here; cast the column first`);
}

function isValid(data: arrow.Data, i: number): boolean {
  const bm = data.nullBitmap;
  if (!bm || bm.length === 0 || data.nullCount === 0) return true;
  const j = data.offset + i;
  return (bm[j >> 3] & (1 << (j & 7))) !== 0;
}

const td = new TextDecoder();

/** Internal values (see values.ts) of one Arrow column, read from its buffers. */
export function columnValues(vector: arrow.Vector, type: IcebergType): Value[] {
  const out: Value[] = new Array(vector.length);
  let at = 0;
  const k = kindOf(type);
  if (isNested(type)) {
    // Nested values are passed through as plain JS objects/arrays (filters and stats skip them).
    for (let i = 0; i < vector.length; i++) {
      const v = vector.get(i) as { toJSON?: () => unknown } | null;
      out[i] = (v && typeof v.toJSON === 'function' ? v.toJSON() : v) as Value;
    }
    return out;
  }
  for (const data of vector.data) {
    const t = data.type as arrow.DataType;
    const off = data.offset;
    if (arrow.DataType.isDictionary(t)) {
      // Dictionary-encoded (pyarrow categoricals, some Parquet readers): decode via the dictionary.
      const dict = columnValues(data.dictionary!, type);
      const idx = data.values as ArrayLike<number | bigint>;
      for (let i = 0; i < data.length; i++, at++) out[at] = isValid(data, i) ? dict[Number(idx[i])] : null;
      continue;
    }
    const values = data.values as ArrayLike<number | bigint> & { BYTES_PER_ELEMENT?: number };
    for (let i = 0; i < data.length; i++, at++) {
      if (!isValid(data, i)) { out[at] = null; continue; }
      // Arrow JS slices value buffers (not validity or boolean bits) when it slices data.
      out[at] = readOne(data, t, values, i, off + i, k);
    }
  }
  return out;
}

function readOne(data: arrow.Data, t: arrow.DataType, values: ArrayLike<number | bigint>, j: number, bit: number, k: string): Value {
  if (arrow.DataType.isBool(t)) return ((data.values as Uint8Array)[bit >> 3] & (1 << (bit & 7))) !== 0;
  if (arrow.DataType.isUtf8(t) || arrow.DataType.isBinary(t) || arrow.DataType.isLargeUtf8(t) || arrow.DataType.isLargeBinary(t)) {
    const offs = data.valueOffsets as unknown as ArrayLike<number | bigint>;
    const bytes = (data.values as Uint8Array).subarray(Number(offs[j]), Number(offs[j + 1]));
    return k === 'string' ? td.decode(bytes) : bytes.slice();
  }
  if (arrow.DataType.isFixedSizeBinary(t)) {
    const w = t.byteWidth;
    return (data.values as Uint8Array).slice(j * w, j * w + w);
  }
  if (arrow.DataType.isDecimal(t)) {
    const words = data.values as Uint32Array;
    let x = 0n;
    for (let w = 3; w >= 0; w--) x = (x << 32n) | BigInt(words[j * 4 + w]);
    return BigInt.asIntN(128, x);
  }
  if (arrow.DataType.isTimestamp(t)) {
    const raw = BigInt(values[j] as bigint);
    const unit = t.unit;
    let us = raw;
    if (unit === arrow.TimeUnit.SECOND) us = raw * 1_000_000n;
    else if (unit === arrow.TimeUnit.MILLISECOND) us = raw * 1000n;
    else if (unit === arrow.TimeUnit.NANOSECOND) us = k.endsWith('_ns') ? raw : floorDiv(raw, 1000n);
    return us;
  }
  if (arrow.DataType.isDate(t)) {
    if (t.unit === arrow.DateUnit.MILLISECOND) return Math.floor(Number(values[j]) / 86_400_000);
    return Number(values[j]);
  }
  if (arrow.DataType.isTime(t)) {
    const raw = BigInt(values[j] as number | bigint);
    if (t.unit === arrow.TimeUnit.SECOND) return raw * 1_000_000n;
    if (t.unit === arrow.TimeUnit.MILLISECOND) return raw * 1000n;
    if (t.unit === arrow.TimeUnit.NANOSECOND) return raw / 1000n;
    return raw;
  }
  if (arrow.DataType.isDictionary(t)) {
    throw new Error('dictionary-encoded columns are decoded before reading values');
  }
  const v = values[j];
  if (k === 'long' || k === 'decimal') return BigInt(v as bigint);
  if (k === 'int' || k === 'float' || k === 'double' || k === 'date') return Number(v);
  if (k === 'time' || k.startsWith('timestamp')) return BigInt(v as bigint);
  return v as number;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** Build an Arrow vector of `type` from internal values (null = missing). */
export function vectorFromValues(type: IcebergType, vals: ArrayLike<Value>): arrow.Vector {
  const n = vals.length;
  const at = arrowTypeFor(type);
  const nullBitmap = new Uint8Array((n + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < n; i++) {
    if (vals[i] === null || vals[i] === undefined) nullCount++;
    else nullBitmap[i >> 3] |= 1 << (i & 7);
  }
  const k = kindOf(type);
  let props: Record<string, unknown>;
  switch (k) {
    case 'boolean': {
      const bits = new Uint8Array((n + 7) >> 3);
      for (let i = 0; i < n; i++) if (vals[i]) bits[i >> 3] |= 1 << (i & 7);
      props = { data: bits };
      break;
    }
    case 'int': case 'date': {
      const a = new Int32Array(n);
      for (let i = 0; i < n; i++) if (vals[i] !== null) a[i] = Number(vals[i]);
      props = { data: a };
      break;
    }
    case 'long': case 'time': case 'timestamp': case 'timestamptz': case 'timestamp_ns': case 'timestamptz_ns': {
      const a = new BigInt64Array(n);
      for (let i = 0; i < n; i++) if (vals[i] !== null) a[i] = BigInt(vals[i] as bigint);
      props = { data: a };
      break;
    }
    case 'float': case 'double': {
      const a = k === 'float' ? new Float32Array(n) : new Float64Array(n);
      for (let i = 0; i < n; i++) if (vals[i] !== null) a[i] = Number(vals[i]);
      props = { data: a };
      break;
    }
    case 'decimal': {
      const a = new Uint32Array(n * 4);
      for (let i = 0; i < n; i++) {
        if (vals[i] === null) continue;
        let x = BigInt.asUintN(128, vals[i] as bigint);
        for (let w = 0; w < 4; w++) { a[i * 4 + w] = Number(x & 0xffffffffn); x >>= 32n; }
      }
      props = { data: a };
      break;
    }
    case 'string': case 'binary': {
      const enc = new TextEncoder();
      const parts: Uint8Array[] = [];
      const offsets = new Int32Array(n + 1);
      let total = 0;
      for (let i = 0; i < n; i++) {
        const v = vals[i];
        const b = v === null ? new Uint8Array(0) : typeof v === 'string' ? enc.encode(v) : (v as Uint8Array);
        parts.push(b);
        total += b.length;
        offsets[i + 1] = total;
      }
      const data = new Uint8Array(total);
      let p = 0;
      for (const b of parts) { data.set(b, p); p += b.length; }
      props = { data, valueOffsets: offsets };
      break;
    }
    case 'uuid': case 'fixed': {
      const w = (at as arrow.FixedSizeBinary).byteWidth;
      const data = new Uint8Array(n * w);
      for (let i = 0; i < n; i++) if (vals[i] !== null) data.set(vals[i] as Uint8Array, i * w);
      props = { data };
      break;
    }
    default:
      throw new Error(`cannot build an Arrow column of type ${JSON.stringify(type)}`);
  }
  return arrow.makeVector(arrow.makeData({ type: at, length: n, nullCount, nullBitmap: nullCount ? nullBitmap : undefined, ...props } as never));
}

/** A column of `n` copies of one value (identity partition values, defaults, nulls). */
export function constantVector(type: IcebergType, value: Value, n: number): arrow.Vector {
  return vectorFromValues(type, new Array(n).fill(value ?? null));
}

/** Assemble a one-batch table from vectors matching `schema`'s fields. */
export function tableFromVectors(schema: arrow.Schema, vectors: arrow.Vector[], length: number): arrow.Table {
  const children = vectors.map((v) => (v.data.length === 1 ? v.data[0] : rebuild(v)));
  const struct = arrow.makeData({ type: new arrow.Struct(schema.fields), length, nullCount: 0, children });
  return new arrow.Table(schema, [new arrow.RecordBatch(schema, struct)]);
}

function rebuild(v: arrow.Vector): arrow.Data {
  const t = icebergTypeOf(v.type);
  return vectorFromValues(t, columnValues(v, t)).data[0];
}

/** Rows of `table` at `indices`, preserving the schema (used for deletes and rewrites). */
export function takeRows(table: arrow.Table, indices: ArrayLike<number>, types: IcebergType[]): arrow.Table {
  const vectors = table.schema.fields.map((f, c) => {
    const vals = columnValues(table.getChildAt(c)!, types[c]);
    const picked = new Array<Value>(indices.length);
    for (let i = 0; i < indices.length; i++) picked[i] = vals[indices[i]];
    return vectorFromValues(types[c], picked);
  });
  return tableFromVectors(table.schema, vectors, indices.length);
}

/** Concatenate tables with identical schemas into one (empty schema table if none). */
export function concatTables(schema: arrow.Schema, tables: arrow.Table[]): arrow.Table {
  const nonEmpty = tables.filter((t) => t.numRows > 0);
  if (nonEmpty.length === 0) return new arrow.Table(schema);
  const batches = nonEmpty.flatMap((t) => t.batches.map((b) => new arrow.RecordBatch(schema, b.data)));
  return new arrow.Table(schema, batches);
}
