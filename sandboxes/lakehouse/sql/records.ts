/**
 * Plain row objects (as the Iceberg metadata tables produce them) to Arrow, so they can be
 * queried like any table. Column types follow the values: bigint -> BIGINT, whole numbers
 * -> BIGINT, other numbers -> DOUBLE, booleans, strings; maps, lists and structs become JSON
 * text (DuckDB's json functions need an extension we do not load, so text is the honest
 * form). Epoch-millisecond columns named `*_at` become timestamps.
 */
import * as arrow from 'apache-arrow';

type Kind = 'bigint' | 'int' | 'double' | 'bool' | 'string' | 'json' | 'timestamp';

function kindOf(name: string, values: unknown[]): Kind {
  let kind: Kind | null = null;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    let k: Kind;
    if (typeof v === 'bigint') k = 'bigint';
    else if (typeof v === 'number') k = Number.isInteger(v) ? 'int' : 'double';
    else if (typeof v === 'boolean') k = 'bool';
    else if (typeof v === 'string') k = 'string';
    else k = 'json';
    if (kind === null) kind = k;
    else if (kind !== k) {
      if ((kind === 'int' && k === 'double') || (kind === 'double' && k === 'int')) kind = 'double';
      else if ((kind === 'int' && k === 'bigint') || (kind === 'bigint' && k === 'int')) kind = 'bigint';
      else kind = 'string';
    }
  }
  if (/_at$/.test(name) && (kind === 'int' || kind === 'bigint')) return 'timestamp';
  return kind ?? 'string';
}

function jsonText(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? [...x] : x instanceof Map ? Object.fromEntries(x) : x));
}

export function recordsToArrow(rows: Record<string, unknown>[]): arrow.Table {
  const names: string[] = [];
  for (const row of rows) for (const k of Object.keys(row)) if (!names.includes(k)) names.push(k);
  const columns: Record<string, arrow.Vector> = {};
  for (const name of names) {
    const values = rows.map((r) => r[name]);
    const present = (f: (v: unknown) => unknown) => values.map((v) => (v === null || v === undefined ? null : f(v)));
    switch (kindOf(name, values)) {
      case 'bigint':
        columns[name] = arrow.vectorFromArray(present((v) => BigInt(v as number | bigint)), new arrow.Int64());
        break;
      case 'int':
        columns[name] = arrow.vectorFromArray(present((v) => BigInt(v as number)), new arrow.Int64());
        break;
      case 'double':
        columns[name] = arrow.vectorFromArray(present((v) => Number(v)), new arrow.Float64());
        break;
      case 'bool':
        columns[name] = arrow.vectorFromArray(present((v) => Boolean(v)), new arrow.Bool());
        break;
      case 'timestamp':
        columns[name] = arrow.vectorFromArray(present((v) => Number(v)), new arrow.TimestampMillisecond());
        break;
      case 'json':
        columns[name] = arrow.vectorFromArray(present((v) => (typeof v === 'string' ? v : jsonText(v))), new arrow.Utf8());
        break;
      default:
        columns[name] = arrow.vectorFromArray(present((v) => (typeof v === 'object' ? jsonText(v) : String(v))), new arrow.Utf8());
    }
  }
  return new arrow.Table(columns);
}
