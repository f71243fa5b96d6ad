/**
 * The spec's JSON single-value serialization (Appendix D), the form `initial-default` and
 * `write-default` take in table metadata: booleans and int/long as JSON numbers (a long
 * beyond 2^53 stays exact as a bigint, which json.ts prints bare), float/double as numbers,
 * decimal as a string with exactly its scale ("14.20"), date "2017-11-16", time
 * "22:31:08.123456", timestamp "2017-11-16T22:31:08.123456", timestamptz with "+00:00",
 * the _ns variants with nine fraction digits, string as itself, uuid as its 36-character
 * text, fixed and binary as hexadecimal. Reading accepts these forms (and, for a value a
 * program passed, native JS values: bigint, Date, Uint8Array); anything else is a typed error
 * naming the field, so a bad default fails at once instead of reading as a wrong value.
 */
import type { IcebergType } from './types.ts';
import { kindOf, parseDecimal, parseFixed, type Value } from './values.ts';

export class SingleValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SingleValueError';
  }
}

const DAY_MS = 86_400_000;
const pad = (n: number | bigint, w: number) => String(n).padStart(w, '0');
const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;

function bad(type: IcebergType, v: unknown, expected: string): never {
  const shown = typeof v === 'bigint' ? `${v}` : v instanceof Uint8Array ? `bytes(${v.length})` : JSON.stringify(v);
  throw new SingleValueError(`${shown} is not a ${String(type)} value (expected ${expected})`);
}

function dateText(days: number): string {
  const d = new Date(days * DAY_MS);
  const y = d.getUTCFullYear();
  const year = y < 0 ? '-' + pad(-y, 6) : y > 9999 ? '+' + pad(y, 6) : pad(y, 4);
  return `${year}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

/** Date + time of day from a count of `unitsPerSecond` units since the epoch. */
function dateTimeText(v: bigint, unitsPerSecond: bigint, digits: number): string {
  const perDay = 86_400n * unitsPerSecond;
  const days = (v - mod(v, perDay)) / perDay;
  return `${dateText(Number(days))}T${timeText(mod(v, perDay), unitsPerSecond, digits)}`;
}

function timeText(v: bigint, unitsPerSecond: bigint, digits: number): string {
  const secs = v / unitsPerSecond;
  const frac = v % unitsPerSecond;
  return `${pad(secs / 3600n, 2)}:${pad((secs / 60n) % 60n, 2)}:${pad(secs % 60n, 2)}.${pad(frac, digits)}`;
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Internal value (values.ts) -> its JSON single-value form. */
export function toJsonSingleValue(type: IcebergType, v: Value): unknown {
  if (v === null) return null;
  const k = kindOf(type);
  switch (k) {
    case 'boolean': case 'int': case 'float': case 'double': case 'string': return v;
    case 'long': { const b = BigInt(v as bigint); return Number.isSafeInteger(Number(b)) ? Number(b) : b; }
    case 'date': return dateText(Number(v));
    case 'time': return timeText(BigInt(v as bigint), 1_000_000n, 6);
    case 'timestamp': return dateTimeText(BigInt(v as bigint), 1_000_000n, 6);
    case 'timestamptz': return dateTimeText(BigInt(v as bigint), 1_000_000n, 6) + '+00:00';
    case 'timestamp_ns': return dateTimeText(BigInt(v as bigint), 1_000_000_000n, 9);
    case 'timestamptz_ns': return dateTimeText(BigInt(v as bigint), 1_000_000_000n, 9) + '+00:00';
    case 'decimal': {
      const { scale } = parseDecimal(type as string)!;
      const x = BigInt(v as bigint);
      const digits = (x < 0n ? -x : x).toString().padStart(scale + 1, '0');
      return (x < 0n ? '-' : '') + (scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits);
    }
    case 'uuid': { const h = hex(v as Uint8Array); return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`; }
    case 'fixed': case 'binary': return hex(v as Uint8Array);
    default: throw new SingleValueError(`${String(type)} has no single-value JSON form here (nested defaults are not supported)`);
  }
}

const DATE_RE = /^([+-]\d{4,6}|\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;

function daysOf(text: string, type: IcebergType): number {
  const m = DATE_RE.exec(text);
  if (!m) bad(type, text, 'YYYY-MM-DD');
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) bad(type, text, 'a real calendar date');
  return Math.round(date.getTime() / DAY_MS);
}

/** Units since midnight of `HH:MM[:SS[.fraction]]`. */
function timeUnits(text: string, type: IcebergType, digits: number): bigint {
  const m = TIME_RE.exec(text);
  if (!m) bad(type, text, 'HH:MM:SS.ffffff');
  const [h, mi, s = '0'] = [Number(m[1]), Number(m[2]), m[3]];
  if (h > 23 || mi > 59 || Number(s) > 59) bad(type, text, 'a time of day');
  const frac = (m[4] ?? '').padEnd(9, '0');
  if (digits < 9 && /[1-9]/.test(frac.slice(digits))) bad(type, text, `at most ${digits} fraction digits`);
  const unitsPerSecond = 10n ** BigInt(digits);
  return (BigInt(h) * 3600n + BigInt(mi) * 60n + BigInt(s)) * unitsPerSecond + BigInt(frac.slice(0, digits) || '0');
}

function timestampUnits(text: string, type: IcebergType, digits: number, zoned: boolean): bigint {
  const m = /^(.+?)[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  const form = `YYYY-MM-DDTHH:MM:SS.${'f'.repeat(digits)}${zoned ? '+00:00' : ''}`;
  if (!m) bad(type, text, form);
  const [, datePart, timePart, zone] = m;
  if (!zoned && zone) bad(type, text, `${form} (a timestamp without time zone has no offset)`);
  const unitsPerSecond = 10n ** BigInt(digits);
  let units = BigInt(daysOf(datePart, type)) * 86_400n * unitsPerSecond + timeUnits(timePart, type, digits);
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1n : 1n;
    const z = zone.slice(1).replace(':', '');
    units -= sign * (BigInt(Number(z.slice(0, 2))) * 3600n + BigInt(Number(z.slice(2))) * 60n) * unitsPerSecond;
  }
  return units;
}

function hexBytes(text: string, type: IcebergType): Uint8Array {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(text)) bad(type, text, 'a hexadecimal string');
  return new Uint8Array((text.match(/../g) ?? []).map((h) => parseInt(h, 16)));
}

function integer(type: IcebergType, v: unknown, bits: 32 | 64): bigint {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number' && Number.isInteger(v)) b = BigInt(v);
  else if (typeof v === 'string' && /^-?\d+$/.test(v)) b = BigInt(v);
  else bad(type, v, 'an integer');
  if (b !== BigInt.asIntN(bits, b)) bad(type, v, `a ${bits}-bit integer`);
  return b;
}

/** JSON single-value form (or a native JS value) -> internal value (values.ts). */
export function fromJsonSingleValue(type: IcebergType, v: unknown): Value {
  if (v === null || v === undefined) return null;
  const k = kindOf(type);
  switch (k) {
    case 'boolean':
      if (typeof v !== 'boolean') bad(type, v, 'true or false');
      return v;
    case 'int': return Number(integer(type, v, 32));
    case 'long': return integer(type, v, 64);
    case 'float': case 'double':
      if (typeof v === 'number') return k === 'float' ? Math.fround(v) : v;
      if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return Number(v);
      return bad(type, v, 'a number');
    case 'decimal': {
      const { precision, scale } = parseDecimal(type as string)!;
      if (typeof v === 'bigint') return v;
      const text = typeof v === 'number' ? v.toFixed(scale) : v;
      const m = typeof text === 'string' ? /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(text) : null;
      if (!m) return bad(type, v, `a decimal string like "${'1'.padEnd(Math.max(1, precision - scale), '0')}${scale ? '.' + '0'.repeat(scale) : ''}"`);
      const frac = m[3] ?? '';
      if (frac.length > scale && /[1-9]/.test(frac.slice(scale))) bad(type, v, `at most ${scale} fraction digits`);
      const unscaled = BigInt(m[2] + frac.slice(0, scale).padEnd(scale, '0'));
      if (unscaled.toString().length > precision) bad(type, v, `at most ${precision} digits`);
      return m[1] === '-' ? -unscaled : unscaled;
    }
    case 'date':
      if (v instanceof Date) return Math.floor(v.getTime() / DAY_MS);
      if (typeof v !== 'string') bad(type, v, 'a "YYYY-MM-DD" string');
      return daysOf(v, type);
    case 'time':
      if (typeof v !== 'string') bad(type, v, 'a "HH:MM:SS.ffffff" string');
      return timeUnits(v, type, 6);
    case 'timestamp': case 'timestamptz': case 'timestamp_ns': case 'timestamptz_ns': {
      const digits = k.endsWith('_ns') ? 9 : 6;
      if (v instanceof Date) return BigInt(v.getTime()) * (digits === 9 ? 1_000_000n : 1000n);
      if (typeof v !== 'string') bad(type, v, 'an ISO-8601 string');
      return timestampUnits(v, type, digits, k.startsWith('timestamptz'));
    }
    case 'string':
      if (typeof v !== 'string') bad(type, v, 'a string');
      return v;
    case 'uuid': {
      if (v instanceof Uint8Array && v.length === 16) return v.slice();
      if (typeof v !== 'string' || !/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(v)) return bad(type, v, 'a uuid like "f79c3e09-677c-4bbd-a479-3f349cb785e7"');
      return hexBytes(v.replace(/-/g, ''), type);
    }
    case 'fixed': case 'binary': {
      const bytes = v instanceof Uint8Array ? v.slice() : typeof v === 'string' ? hexBytes(v, type) : bad(type, v, 'a hexadecimal string');
      const len = k === 'fixed' ? parseFixed(type as string)! : null;
      if (len !== null && bytes.length !== len) bad(type, v, `exactly ${len} bytes`);
      return bytes;
    }
    default: throw new SingleValueError(`${String(type)} defaults are not supported here (only primitive types)`);
  }
}
