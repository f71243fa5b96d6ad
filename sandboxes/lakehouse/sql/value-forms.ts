/**
 * One output form per Iceberg primitive type, shared by every place a value leaves the
 * lakehouse: the CLI's text table and `--format json`, the SQL console's grid and CSV, the
 * explorer pane, and the exercise checks. Query results arrive as Arrow (rows.ts turns them
 * into JSON values with the helpers below); values read straight from Iceberg metadata
 * (column bounds, partition tuples, defaults) go through `jsonOfValue`. Both produce the same
 * text for the same value, which tests check type by type. The forms (VALUE_FORMS, printed
 * by `npm run lakehouse -- help`) are JSON-safe: no bigint, no bytes, never a crash.
 */
import type { IcebergType } from '../iceberg/types.ts';
import { kindOf, parseDecimal, type Value } from '../iceberg/values.ts';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The documented form of each type (help text, README). */
export const VALUE_FORMS: readonly (readonly [types: string, form: string])[] = [
  ['boolean', 'true or false'],
  ['int', 'a number'],
  ['long', 'a number when it is a safe integer (|v| <= 2^53-1), else a string of its digits ("9007199254740993")'],
  ['float, double', 'a number; NaN, Infinity and -Infinity as the strings "NaN", "Infinity", "-Infinity"'],
  ['decimal(P,S)', 'a number when it prints back exactly at scale S (14.2 for 14.20), else a string with S fraction digits'],
  ['date', '"YYYY-MM-DD" (years outside 0000-9999 as +YYYYYY / -YYYYYY)'],
  ['time', '"HH:MM:SS" with the fraction of a second, trailing zeros dropped ("22:31:08.123456")'],
  ['timestamp, timestamptz', '"YYYY-MM-DDTHH:MM:SS.ffffffZ" in UTC with 0, 3 or 6 fraction digits (a timestamp without zone shows its wall-clock value, also with Z)'],
  ['timestamp_ns, timestamptz_ns', 'the same with 0, 3, 6 or 9 fraction digits'],
  ['string', 'the string'],
  ['uuid', 'the lower-case 36-character text "f79c3e09-677c-4bbd-a479-3f349cb785e7"'],
  ['fixed(L), binary', 'lower-case hexadecimal, two digits a byte ("0000ff")'],
  ['null (any type)', 'null (NULL in the text table and the grid, empty in CSV)'],
];

/** VALUE_FORMS as indented help lines. */
export function valueFormsHelp(indent = '  '): string {
  const width = Math.max(...VALUE_FORMS.map(([t]) => t.length));
  return VALUE_FORMS.map(([t, f]) => `${indent}${t.padEnd(width)}  ${f}`).join('\n');
}

// ---------------------------------------------------------------- the forms, one helper each

export function bigintToJson(v: bigint): number | string {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
}

export function floatToJson(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

/** An unscaled decimal at `scale`: a number when exact, else its text. */
export function decimalToJson(unscaled: bigint, scale: number): number | string {
  const negative = unscaled < 0n;
  let digits = (negative ? -unscaled : unscaled).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  const text = (negative ? '-' : '') + digits;
  // A number when it survives the round trip exactly (9.99 does; 12345678901234567.89 does not).
  const n = Number(text);
  return Number.isFinite(n) && sameDecimal(n, text, scale) ? n : text;
}

function sameDecimal(n: number, text: string, scale: number): boolean {
  return n.toFixed(scale) === text.replace(/^-0(\.0*)?$/, '0$1') || n.toFixed(scale) === text;
}

const pad = (n: number | bigint, w: number) => String(n).padStart(w, '0');

/** Days since 1970-01-01 as ISO-8601 (expanded years outside 0000-9999). */
export function dateText(days: number): string {
  const d = new Date(days * 86_400_000);
  const y = d.getUTCFullYear();
  const year = y < 0 ? '-' + pad(-y, 6) : y > 9999 ? '+' + pad(y, 6) : pad(y, 4);
  return `${year}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

/** Nanoseconds since the epoch -> "YYYY-MM-DDTHH:MM:SS[.fff[fff[fff]]]Z". */
export function isoFromNanos(nanos: bigint): string {
  const perDay = 86_400_000_000_000n;
  const inDay = ((nanos % perDay) + perDay) % perDay;
  const days = Number((nanos - inDay) / perDay);
  const secs = inDay / 1_000_000_000n;
  let frac = pad(inDay % 1_000_000_000n, 9);
  while (frac.endsWith('000')) frac = frac.slice(0, -3);
  return `${dateText(days)}T${pad(secs / 3600n, 2)}:${pad((secs / 60n) % 60n, 2)}:${pad(secs % 60n, 2)}${frac ? '.' + frac : ''}Z`;
}

export function isoFromMicros(micros: bigint): string {
  return isoFromNanos(micros * 1000n);
}

/** Microseconds since midnight -> "HH:MM:SS[.fraction]" (trailing zeros dropped). */
export function timeOfDay(micros: bigint): string {
  const s = micros / 1_000_000n;
  const frac = micros % 1_000_000n;
  return `${pad(s / 3600n, 2)}:${pad((s / 60n) % 60n, 2)}:${pad(s % 60n, 2)}${frac ? '.' + pad(frac, 6).replace(/0+$/, '') : ''}`;
}

export function hexOf(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function uuidText(bytes: Uint8Array): string {
  const h = hexOf(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** An internal value (iceberg/values.ts) of `type` in its documented form. */
export function jsonOfValue(type: IcebergType, v: Value): JsonValue {
  if (v === null || v === undefined) return null;
  switch (kindOf(type)) {
    case 'boolean': return Boolean(v);
    case 'int': return Number(v);
    case 'long': return bigintToJson(BigInt(v as bigint));
    case 'float': case 'double': return floatToJson(Number(v));
    case 'decimal': return decimalToJson(BigInt(v as bigint), parseDecimal(type as string)!.scale);
    case 'date': return dateText(Number(v));
    case 'time': return timeOfDay(BigInt(v as bigint));
    case 'timestamp': case 'timestamptz': return isoFromMicros(BigInt(v as bigint));
    case 'timestamp_ns': case 'timestamptz_ns': return isoFromNanos(BigInt(v as bigint));
    case 'string': return String(v);
    case 'uuid': return uuidText(v as Uint8Array);
    case 'fixed': case 'binary': return hexOf(v as Uint8Array);
    default: return String(v);
  }
}

/** Text of a JSON value for a cell: NULL for null, strings as they are, objects as JSON. */
export function cellTextOf(v: JsonValue, temporal = false): string {
  if (v === null) return 'NULL';
  if (typeof v === 'string') {
    // Timestamps read better with a space and without the zone letter; only in date/time columns.
    return temporal ? v.replace(/^([+-]?\d{4,6}-\d\d-\d\d)T(\d\d:\d\d:\d\d(?:\.\d+)?)Z$/, '$1 $2').replace(/ (\d\d:\d\d:\d\d)\.000$/, ' $1') : v;
  }
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Text of an internal value for a person (explorer pane): the documented form, unquoted. */
export function textOfValue(type: IcebergType, v: Value): string {
  const j = jsonOfValue(type, v);
  return j === null ? 'null' : String(j);
}

/** One CSV field (RFC 4180 quoting); null is empty. */
export function csvField(v: JsonValue): string {
  if (v === null) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
