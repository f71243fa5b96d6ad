/**
 * Arrow query results as plain JSON-ready rows, for the CLI's `--format json`, the page's
 * result grid, CSV, the exercise checks and tests. Each type takes the one form documented in
 * value-forms.ts (VALUE_FORMS): 64-bit integers are numbers when they fit exactly in a double,
 * else strings; dates `YYYY-MM-DD`; timestamps ISO-8601 in UTC; decimals numbers when exact,
 * else text at their scale; bytes hexadecimal.
 */
import * as arrow from 'apache-arrow';
import { bigintToJson, dateText, decimalToJson, floatToJson, hexOf, isoFromMicros, isoFromNanos, timeOfDay, type JsonValue } from './value-forms.ts';

export type { JsonValue };
export { bigintToJson };

export function tableToRows(table: arrow.Table): Record<string, JsonValue>[] {
  const names = table.schema.fields.map((f) => f.name);
  const columns = table.schema.fields.map((f, i) => columnToJson(table.getChildAt(i)!, f.type));
  const rows: Record<string, JsonValue>[] = [];
  for (let r = 0; r < table.numRows; r++) {
    const row: Record<string, JsonValue> = {};
    for (let c = 0; c < names.length; c++) row[names[c]!] = columns[c]![r]!;
    rows.push(row);
  }
  return rows;
}

/**
 * Rows as arrays, one value per column in the schema's order. Unlike `tableToRows`, two
 * columns of the same name (a self-join's `a.*, b.*`) both survive.
 */
export function tableToArrays(table: arrow.Table): JsonValue[][] {
  const columns = table.schema.fields.map((f, i) => columnToJson(table.getChildAt(i)!, f.type));
  const rows: JsonValue[][] = new Array(table.numRows);
  for (let r = 0; r < table.numRows; r++) rows[r] = columns.map((c) => c[r]!);
  return rows;
}

/** The columns of a table as JSON values, column by column (no per-row arrays: less garbage). */
export function tableToColumns(table: arrow.Table): JsonValue[][] {
  return table.schema.fields.map((f, i) => columnToJson(table.getChildAt(i)!, f.type));
}

function columnToJson(vector: arrow.Vector, type: arrow.DataType): JsonValue[] {
  const out: JsonValue[] = new Array(vector.length);
  let offset = 0;
  for (const data of vector.data) {
    for (let i = 0; i < data.length; i++) out[offset + i] = data.getValid(i) ? valueAt(data, i, type) : null;
    offset += data.length;
  }
  return out;
}

const MICROS_PER_UNIT: Record<number, bigint> = {
  [arrow.TimeUnit.SECOND]: 1_000_000n,
  [arrow.TimeUnit.MILLISECOND]: 1_000n,
  [arrow.TimeUnit.MICROSECOND]: 1n,
};

// Arrow JS slices value buffers along with the data (only bit-packed booleans and validity
// bitmaps keep `data.offset`), so element i of a Data is at index i of its values.
function valueAt(data: arrow.Data, i: number, type: arrow.DataType): JsonValue {
  if (arrow.DataType.isTimestamp(type)) {
    const raw = (data.values as BigInt64Array)[i]!;
    return type.unit === arrow.TimeUnit.NANOSECOND ? isoFromNanos(BigInt(raw)) : isoFromMicros(BigInt(raw) * MICROS_PER_UNIT[type.unit]!);
  }
  if (arrow.DataType.isDate(type)) {
    const values = data.values as Int32Array | BigInt64Array;
    const v = values[i]!;
    return dateText(type.unit === arrow.DateUnit.DAY ? Number(v) : Math.floor(Number(v) / 86_400_000));
  }
  if (arrow.DataType.isTime(type)) {
    const v = BigInt((data.values as BigInt64Array | Int32Array)[i]!);
    const micros = type.unit === arrow.TimeUnit.NANOSECOND ? v / 1000n : v * MICROS_PER_UNIT[type.unit]!;
    return timeOfDay(micros);
  }
  if (arrow.DataType.isDecimal(type)) {
    const words = (data.values as Uint32Array).subarray(i * (type.bitWidth / 32), (i + 1) * (type.bitWidth / 32));
    return decimalToJson(unscaledOf(words), type.scale);
  }
  if (arrow.DataType.isInt(type) && type.bitWidth === 64) {
    const v = BigInt((data.values as BigInt64Array | BigUint64Array)[i]!);
    return bigintToJson(v);
  }
  if (arrow.DataType.isBinary(type) || arrow.DataType.isFixedSizeBinary(type) || arrow.DataType.isLargeBinary?.(type)) {
    return hexOf(vectorValue(data, i) as Uint8Array);
  }
  if (arrow.DataType.isList(type) || arrow.DataType.isFixedSizeList(type)) {
    const child = vectorValue(data, i) as arrow.Vector | null;
    return child ? columnToJson(child, child.type) : null;
  }
  if (arrow.DataType.isStruct(type)) {
    const obj: Record<string, JsonValue> = {};
    type.children.forEach((field, c) => {
      const childData = data.children[c]!;
      obj[field.name] = childData.getValid(i) ? valueAt(childData, i, field.type) : null;
    });
    return obj;
  }
  if (arrow.DataType.isMap(type)) {
    const m = vectorValue(data, i) as { toJSON(): Record<string, unknown> } | null;
    return m ? plain(m.toJSON()) : null;
  }
  if (arrow.DataType.isInterval(type) || arrow.DataType.isDuration?.(type)) {
    return plain(vectorValue(data, i));
  }
  return plain(vectorValue(data, i));
}

function vectorValue(data: arrow.Data, i: number): unknown {
  return new arrow.Vector([data]).get(i);
}

function plain(v: unknown): JsonValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return bigintToJson(v);
  if (typeof v === 'number') return floatToJson(v);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Uint8Array) return hexOf(v);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number | bigint>, (x) => plain(x));
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object') {
    const o = v as { toJSON?: () => unknown };
    const base = typeof o.toJSON === 'function' ? o.toJSON() : v;
    if (base !== v) return plain(base);
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, plain(x)]));
  }
  return String(v);
}

/** Little-endian two's complement 32-bit words -> the unscaled decimal value. */
function unscaledOf(words: Uint32Array): bigint {
  let v = 0n;
  for (let w = words.length - 1; w >= 0; w--) v = (v << 32n) | BigInt(words[w]!);
  const bits = BigInt(words.length * 32);
  if (v >> (bits - 1n)) v -= 1n << bits;
  return v;
}

/** A fixed-width text table for terminals. */
export function formatTextTable(table: arrow.Table, maxWidth = 40): string {
  const rows = tableToRows(table);
  const names = table.schema.fields.map((f) => f.name);
  const cell = (v: JsonValue): string => {
    const s = v === null ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return s.length > maxWidth ? s.slice(0, maxWidth - 1) + '…' : s;
  };
  const cells = rows.map((r) => names.map((n) => cell(r[n]!)));
  const widths = names.map((n, c) => Math.max(n.length, ...cells.map((row) => row[c]!.length)));
  const line = (parts: string[]) => parts.map((p, c) => p.padEnd(widths[c]!)).join(' │ ').trimEnd();
  const out = [line(names), widths.map((w) => '─'.repeat(w)).join('─┼─'), ...cells.map(line)];
  out.push(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
  return out.join('\n');
}
