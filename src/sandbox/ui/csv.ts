/**
 * Query results as CSV without freezing the page. A result may have millions of rows: the
 * text is made a slice at a time, with the page given a turn between slices, and a file is
 * gathered as Blob parts (the browser keeps those out of the page's heap) instead of one
 * giant string. The rules: a header of column names, NULL as an empty field, quotes around
 * fields holding a comma, quote or line break, nested values as JSON.
 */
import * as arrow from 'apache-arrow';
import { tableToColumns, type JsonValue } from '../../../sandboxes/lakehouse/sql/rows.ts';
import type { ResultData } from './grid.ts';
import { Turns } from './turns.ts';
import { csvField } from '../../../sandboxes/lakehouse/sql/value-forms.ts';

/** Rows turned into text per slice: a few milliseconds of work. */
const SLICE_ROWS = 4096;
/**
 * Text gathered before it becomes a Blob part. Small on purpose: text held longer outlives
 * the young generation, and collecting it then (with turning a big string into a Blob)
 * cost the page 300-700 ms pauses on a five-million-row download.
 */
const PART_CHARS = 256 << 10;

// One CSV field per value, in the documented value forms (RFC 4180 quoting, null empty).
export { csvField };

export function csvHeader(names: string[]): string {
  return names.map(csvField).join(',') + '\n';
}

export function csvLines(rows: JsonValue[][]): string {
  let out = '';
  for (const r of rows) out += r.map(csvField).join(',') + '\n';
  return out;
}

/** Gathers CSV text into Blob parts as it is made. */
export class CsvFile {
  private readonly parts: Blob[] = [];
  private text: string[] = [];
  private chars = 0;
  rows = 0;

  add(text: string, rows = 0): void {
    this.text.push(text);
    this.chars += text.length;
    this.rows += rows;
    if (this.chars >= PART_CHARS) this.seal();
  }

  addBatch(batch: arrow.RecordBatch): void {
    const columns = tableToColumns(new arrow.Table(batch));
    let out = '';
    for (let r = 0; r < batch.numRows; r++) {
      for (let c = 0; c < columns.length; c++) out += (c ? ',' : '') + csvField(columns[c]![r]!);
      out += '\n';
    }
    this.add(out, batch.numRows);
  }

  blob(): Blob {
    this.seal();
    return new Blob(this.parts, { type: 'text/csv' });
  }

  private seal(): void {
    if (!this.text.length) return;
    this.parts.push(new Blob(this.text));
    this.text = [];
    this.chars = 0;
  }
}

/** CSV of the kept rows `0..limit` of a result, made a slice at a time. */
export async function csvOfKept(data: ResultData, limit = data.rowCount, signal?: AbortSignal): Promise<CsvFile> {
  const file = new CsvFile();
  const turns = new Turns();
  file.add(csvHeader(data.columns.map((c) => c.name)));
  const end = Math.min(limit, data.rowCount);
  for (let from = 0; from < end; from += SLICE_ROWS) {
    if (signal?.aborted) throw new DOMException('CSV cancelled', 'AbortError');
    const to = Math.min(end, from + SLICE_ROWS);
    file.add(csvLines(data.slice(from, to)), to - from);
    await turns.maybe();
  }
  return file;
}
