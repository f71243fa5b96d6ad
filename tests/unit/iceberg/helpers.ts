import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as arrow from 'apache-arrow';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { columnValues, formatValue, arrowToRows, type Table, type Schema, type IcebergType } from '../../../sandboxes/lakehouse/iceberg/index.ts';
import { icebergTypeOfField } from './type-of.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export { fixturesRoot } from '../iceberg-fixtures.ts';
export const IMPALA = 'apache+impala/testdata/data/iceberg_test/hadoop_catalog/ice';
export const ICEBIRD = 'hyparam+icebird/test/files/hyperparam-iceberg';

/**
 * Rows as plain JSON-friendly objects: integers as numbers, dates/timestamps/decimals as the
 * text an engine would print, strings as strings.
 */
export function plainRows(t: arrow.Table): Record<string, unknown>[] {
  const cols = t.schema.fields.map((f, i) => {
    const type: IcebergType = icebergTypeOfField(f);
    const vals = columnValues(t.getChildAt(i)!, type);
    return vals.map((v) => {
      if (v === null) return null;
      if (typeof v === 'bigint' && (type === 'long' || type === 'int')) return Number(v);
      if (type === 'date' || type === 'timestamp' || type === 'timestamptz' || String(type).startsWith('decimal')) return formatValue(type, v);
      return v;
    });
  });
  const out: Record<string, unknown>[] = [];
  for (let r = 0; r < t.numRows; r++) {
    const row: Record<string, unknown> = {};
    t.schema.fields.forEach((f, i) => { row[f.name] = cols[i][r]; });
    out.push(row);
  }
  return out;
}

export { arrowToRows };
export type { Table, Schema };

/**
 * Answer a GET or HEAD with `bytes`, honouring a single `Range` (icebird reads Parquet footers
 * by range): the local HTTP servers the icebird and export tests put in front of a warehouse.
 */
export function answerBytes(req: IncomingMessage, res: ServerResponse, bytes: Uint8Array): void {
  const range = req.headers.range && /bytes=(\d+)-(\d*)/.exec(req.headers.range);
  if (range) {
    const start = Number(range[1]);
    const end = range[2] ? Math.min(Number(range[2]), bytes.length - 1) : bytes.length - 1;
    res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${bytes.length}`, 'content-length': end - start + 1 }).end(bytes.subarray(start, end + 1));
    return;
  }
  res.writeHead(200, { 'content-length': bytes.length }).end(req.method === 'HEAD' ? undefined : bytes);
}
