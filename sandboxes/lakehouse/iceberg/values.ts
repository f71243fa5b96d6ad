/**
 * Values of Iceberg primitive types, in one internal representation used for column bounds,
 * partition tuples and filters:
 *   boolean -> boolean; int, date -> number (date = days since 1970-01-01);
 *   long, time, timestamp, timestamptz -> bigint (microseconds for time/timestamps);
 *   float, double -> number; decimal -> bigint (unscaled); string -> string;
 *   uuid, fixed, binary -> Uint8Array.
 * Also the spec's single-value binary serialization (Appendix D) and comparisons.
 */
import type { IcebergType, PrimitiveType } from './types.ts';

export type Value = boolean | number | bigint | string | Uint8Array | null;

export interface DecimalType { precision: number; scale: number }

export function parseDecimal(type: string): DecimalType | null {
  const m = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(type);
  return m ? { precision: Number(m[1]), scale: Number(m[2]) } : null;
}

export function parseFixed(type: string): number | null {
  const m = /^fixed\[\s*(\d+)\s*\]$/.exec(type);
  return m ? Number(m[1]) : null;
}

export function isPrimitive(type: IcebergType): type is PrimitiveType {
  return typeof type === 'string';
}

/** The family a primitive type belongs to, so callers can switch on a few names. */
export function kindOf(type: IcebergType): string {
  if (typeof type !== 'string') return type.type;
  if (type.startsWith('decimal')) return 'decimal';
  if (type.startsWith('fixed')) return 'fixed';
  return type;
}

const te = new TextEncoder();
const td = new TextDecoder();

/** Minimal two's-complement big-endian bytes of a bigint (decimal bounds, bucket hashing). */
export function bigintToBytesBE(v: bigint, minLen = 1): Uint8Array {
  const bytes: number[] = [];
  let x = v;
  for (;;) {
    bytes.unshift(Number(BigInt.asUintN(8, x)));
    x >>= 8n;
    const top = bytes[0];
    if ((x === 0n && (top & 0x80) === 0) || (x === -1n && (top & 0x80) !== 0)) break;
  }
  while (bytes.length < minLen) bytes.unshift(v < 0n ? 0xff : 0);
  return new Uint8Array(bytes);
}

export function bytesBEToBigint(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  let x = 0n;
  for (const byte of b) x = (x << 8n) | BigInt(byte);
  return BigInt.asIntN(b.length * 8, x);
}

/** Single-value serialization (spec Appendix D). */
export function toBytes(type: IcebergType, v: Value): Uint8Array {
  const k = kindOf(type);
  switch (k) {
    case 'boolean': return new Uint8Array([v ? 1 : 0]);
    case 'int': case 'date': { const b = new Uint8Array(4); new DataView(b.buffer).setInt32(0, Number(v), true); return b; }
    case 'long': case 'time': case 'timestamp': case 'timestamptz': case 'timestamp_ns': case 'timestamptz_ns': {
      const b = new Uint8Array(8); new DataView(b.buffer).setBigInt64(0, BigInt(v as bigint), true); return b;
    }
    case 'float': { const b = new Uint8Array(4); new DataView(b.buffer).setFloat32(0, Number(v), true); return b; }
    case 'double': { const b = new Uint8Array(8); new DataView(b.buffer).setFloat64(0, Number(v), true); return b; }
    case 'string': return te.encode(v as string);
    case 'decimal': return bigintToBytesBE(v as bigint);
    case 'uuid': case 'fixed': case 'binary': return v as Uint8Array;
    default: throw new Error(`cannot serialize a value of type ${JSON.stringify(type)}`);
  }
}

export function fromBytes(type: IcebergType, b: Uint8Array): Value {
  const k = kindOf(type);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  switch (k) {
    case 'boolean': return b[0] !== 0;
    case 'int': case 'date': return b.length >= 8 ? Number(dv.getBigInt64(0, true)) : dv.getInt32(0, true);
    case 'long': case 'time': case 'timestamp': case 'timestamptz': case 'timestamp_ns': case 'timestamptz_ns':
      // Bounds written while a column was still an int are 4 bytes (type promotion).
      return b.length === 4 ? BigInt(dv.getInt32(0, true)) : dv.getBigInt64(0, true);
    case 'float': return b.length === 8 ? dv.getFloat64(0, true) : dv.getFloat32(0, true);
    case 'double': return b.length === 4 ? dv.getFloat32(0, true) : dv.getFloat64(0, true);
    case 'string': return td.decode(b);
    case 'decimal': return bytesBEToBigint(b);
    default: return b.slice();
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** Total order on non-null values of one type (strings by UTF-8 bytes, as the spec says). */
export function compareValues(a: Value, b: Value): number {
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    const x = BigInt(a as bigint | number), y = BigInt(b as bigint | number);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
    if (Number.isNaN(b)) return -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') {
    if (a === b) return 0;
    // Code-point order equals UTF-8 byte order.
    const ai = a[Symbol.iterator](), bi = b[Symbol.iterator]();
    for (;;) {
      const x = ai.next(), y = bi.next();
      if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
      const cx = x.value.codePointAt(0)!, cy = y.value.codePointAt(0)!;
      if (cx !== cy) return cx - cy;
    }
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b);
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

export function valuesEqual(a: Value, b: Value): boolean {
  if (a === null || b === null) return a === b;
  return compareValues(a, b) === 0;
}

// ---------------------------------------------------------------- literals

const DAY_MS = 86_400_000;

export function parseDateToDays(s: string): number {
  const ms = Date.parse(s.length === 10 ? s + 'T00:00:00Z' : s);
  if (Number.isNaN(ms)) throw new Error(`"${s}" is not a date (expected YYYY-MM-DD)`);
  return Math.floor(ms / DAY_MS);
}

/** Microseconds since the epoch from an ISO-8601 string; no zone means UTC. */
export function parseTimestampToMicros(s: string): bigint {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s.trim());
  if (!m) throw new Error(`"${s}" is not a timestamp (expected e.g. 2024-01-01T12:00:00Z)`);
  const [, date, hh = '00', mm = '00', ss = '00', frac = '', zone = 'Z'] = m;
  const base = Date.parse(`${date}T${hh}:${mm}:${ss}${zone === 'Z' ? 'Z' : zone.length === 5 ? zone.slice(0, 3) + ':' + zone.slice(3) : zone}`);
  if (Number.isNaN(base)) throw new Error(`"${s}" is not a valid timestamp`);
  const micros = BigInt((frac + '000000').slice(0, 6));
  return BigInt(base) * 1000n + micros;
}

/**
 * Convert a value a person wrote (number, bigint, string, Date, boolean) to the internal
 * representation of `type`. Used for filters and for rows given as plain objects.
 */
export function toInternal(type: IcebergType, v: unknown): Value {
  if (v === null || v === undefined) return null;
  const k = kindOf(type);
  switch (k) {
    case 'boolean': return Boolean(v);
    case 'int': return Number(v);
    case 'long': return typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
    case 'float': case 'double': return Number(v);
    case 'date':
      if (v instanceof Date) return Math.floor(v.getTime() / DAY_MS);
      if (typeof v === 'string') return parseDateToDays(v);
      return Number(v);
    case 'time': return typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
    case 'timestamp': case 'timestamptz':
      if (v instanceof Date) return BigInt(v.getTime()) * 1000n;
      if (typeof v === 'string') return parseTimestampToMicros(v);
      return typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
    case 'timestamp_ns': case 'timestamptz_ns':
      if (v instanceof Date) return BigInt(v.getTime()) * 1_000_000n;
      if (typeof v === 'string') return parseTimestampToMicros(v) * 1000n;
      return typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
    case 'string': return String(v);
    case 'decimal': {
      const { scale } = parseDecimal(type as string)!;
      if (typeof v === 'bigint') return v;
      const s = typeof v === 'number' ? v.toFixed(scale) : String(v);
      const neg = s.startsWith('-');
      const [i, f = ''] = s.replace(/^[-+]/, '').split('.');
      const unscaled = BigInt(i + (f + '0'.repeat(scale)).slice(0, scale));
      return neg ? -unscaled : unscaled;
    }
    case 'uuid':
      if (typeof v === 'string') {
        const hex = v.replace(/-/g, '');
        return new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
      }
      return v as Uint8Array;
    case 'fixed': case 'binary':
      return typeof v === 'string' ? te.encode(v) : (v as Uint8Array);
    default:
      return v as Value;
  }
}

/** Human-readable form of an internal value (partition folder names, metadata tables). */
export function formatValue(type: IcebergType, v: Value): string {
  if (v === null) return 'null';
  const k = kindOf(type);
  switch (k) {
    case 'date': return new Date(Number(v) * DAY_MS).toISOString().slice(0, 10);
    case 'timestamp': case 'timestamptz': {
      const us = BigInt(v as bigint);
      const ms = us / 1000n - (us % 1000n < 0n ? 1n : 0n);
      const iso = new Date(Number(ms)).toISOString();
      const micros = ((us % 1_000_000n) + 1_000_000n) % 1_000_000n;
      return iso.slice(0, 19) + '.' + String(micros).padStart(6, '0') + (k === 'timestamptz' ? '+00:00' : '');
    }
    case 'time': {
      const us = BigInt(v as bigint), s = us / 1_000_000n;
      const two = (n: bigint) => String(n).padStart(2, '0');
      return `${two(s / 3600n)}:${two((s / 60n) % 60n)}:${two(s % 60n)}.${String(us % 1_000_000n).padStart(6, '0')}`;
    }
    case 'timestamp_ns': case 'timestamptz_ns': {
      const ns = BigInt(v as bigint);
      const us = ns / 1000n - (ns % 1000n < 0n ? 1n : 0n);
      const text = formatValue(k === 'timestamp_ns' ? 'timestamp' : 'timestamptz', us);
      const extra = String(((ns % 1000n) + 1000n) % 1000n).padStart(3, '0');
      return k === 'timestamp_ns' ? text + extra : text.replace('+00:00', extra + '+00:00');
    }
    case 'decimal': {
      const { scale } = parseDecimal(type as string)!;
      const x = v as bigint;
      const neg = x < 0n;
      const digits = (neg ? -x : x).toString().padStart(scale + 1, '0');
      return (neg ? '-' : '') + (scale ? digits.slice(0, -scale) + '.' + digits.slice(-scale) : digits);
    }
    case 'uuid': {
      const h = [...(v as Uint8Array)].map((b) => b.toString(16).padStart(2, '0')).join('');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
    case 'fixed': case 'binary': return [...(v as Uint8Array)].map((b) => b.toString(16).padStart(2, '0')).join('');
    default: return String(v);
  }
}
