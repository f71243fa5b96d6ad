/**
 * Partition transforms (spec "Partition Transforms"): identity, year, month, day, hour,
 * bucket[N] (32-bit Murmur3 of the single-value form), truncate[W], void.
 */
import type { IcebergType } from './types.ts';
import { kindOf, parseDecimal, bigintToBytesBE, formatValue, type Value } from './values.ts';

const US_PER_HOUR = 3_600_000_000n;
const US_PER_DAY = 86_400_000_000n;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

function micros(type: IcebergType, v: Value): bigint {
  const k = kindOf(type);
  if (k === 'date') return BigInt(v as number) * US_PER_DAY;
  if (k === 'timestamp_ns' || k === 'timestamptz_ns') return floorDiv(v as bigint, 1000n);
  return v as bigint;
}

function civil(type: IcebergType, v: Value): { y: number; m: number } {
  const days = Number(floorDiv(micros(type, v), US_PER_DAY));
  const d = new Date(days * 86_400_000);
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() };
}

/** The type of a transform's result for a source type. */
export function resultType(transform: string, source: IcebergType): IcebergType {
  if (transform === 'identity' || transform.startsWith('truncate')) return source;
  if (transform === 'day') return 'date';
  if (transform === 'year' || transform === 'month' || transform === 'hour' || transform.startsWith('bucket')) return 'int';
  if (transform === 'void') return source;
  throw new Error(`unknown partition transform "${transform}"`);
}

export function applyTransform(transform: string, source: IcebergType, v: Value): Value {
  if (v === null || transform === 'void') return null;
  if (transform === 'identity') return v;
  if (transform === 'year') return civil(source, v).y - 1970;
  if (transform === 'month') { const c = civil(source, v); return (c.y - 1970) * 12 + c.m; }
  if (transform === 'day') return kindOf(source) === 'date' ? v : Number(floorDiv(micros(source, v), US_PER_DAY));
  if (transform === 'hour') return Number(floorDiv(micros(source, v), US_PER_HOUR));
  let m = /^bucket\[(\d+)\]$/.exec(transform);
  if (m) return ((murmur3(bucketBytes(source, v)) & 0x7fffffff) % Number(m[1]));
  m = /^truncate\[(\d+)\]$/.exec(transform);
  if (m) {
    const w = Number(m[1]);
    const k = kindOf(source);
    if (k === 'int') { const x = v as number; return x - (((x % w) + w) % w); }
    if (k === 'long' || k === 'decimal') { const x = v as bigint, W = BigInt(w); return x - (((x % W) + W) % W); }
    if (k === 'string') return [...(v as string)].slice(0, w).join('');
    if (k === 'binary') return (v as Uint8Array).slice(0, w);
  }
  throw new Error(`cannot apply partition transform "${transform}" to ${JSON.stringify(source)}`);
}

/** Whether `transform` keeps order, so a range filter on the source can prune partitions. */
export function preservesOrder(transform: string): boolean {
  return transform === 'identity' || transform === 'year' || transform === 'month' || transform === 'day' || transform === 'hour' || transform.startsWith('truncate');
}

function bucketBytes(type: IcebergType, v: Value): Uint8Array {
  const k = kindOf(type);
  const long = (x: bigint) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigInt64(0, x, true); return b; };
  switch (k) {
    case 'int': case 'date': return long(BigInt(v as number));
    case 'long': case 'time': case 'timestamp': case 'timestamptz': return long(v as bigint);
    case 'string': return new TextEncoder().encode(v as string);
    case 'decimal': return bigintToBytesBE(v as bigint);
    default: return v as Uint8Array;
  }
}

/** Murmur3 x86 32-bit, seed 0 (as the spec's bucket transform requires). */
export function murmur3(data: Uint8Array): number {
  let h = 0;
  const c1 = 0xcc9e2d51, c2 = 0x1b873593;
  const n = data.length & ~3;
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < n; i += 4) {
    let k = dv.getUint32(i, true);
    k = Math.imul(k, c1); k = (k << 15) | (k >>> 17); k = Math.imul(k, c2);
    h ^= k; h = (h << 13) | (h >>> 19); h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  switch (data.length & 3) {
    case 3: k ^= data[n + 2] << 16; // falls through
    case 2: k ^= data[n + 1] << 8; // falls through
    case 1: k ^= data[n]; k = Math.imul(k, c1); k = (k << 15) | (k >>> 17); k = Math.imul(k, c2); h ^= k;
  }
  h ^= data.length;
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
  return h | 0;
}

/** Folder name text of a partition value, like Java: day -> 2024-01-01, hour -> 2024-01-01-13. */
export function partitionPathValue(transform: string, source: IcebergType, v: Value): string {
  if (v === null) return 'null';
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  if (transform === 'year') return String(1970 + (v as number));
  if (transform === 'month') { const y = 1970 + Math.floor((v as number) / 12); return `${y}-${pad((((v as number) % 12) + 12) % 12 + 1)}`; }
  if (transform === 'day') return new Date((v as number) * 86_400_000).toISOString().slice(0, 10);
  if (transform === 'hour') { const d = new Date((v as number) * 3_600_000); return `${d.toISOString().slice(0, 10)}-${pad(d.getUTCHours())}`; }
  if (transform.startsWith('bucket')) return String(v);
  const text = formatValue(resultType(transform, source), v);
  return encodeURIComponent(text);
}

export function isDecimalType(t: IcebergType): boolean {
  return parseDecimal(String(t)) !== null;
}
