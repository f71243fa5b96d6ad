/**
 * The results grid: typed column headers and virtualised rows. The result stays in Arrow;
 * only the rows in view (plus a margin) are turned into text and exist in the DOM, so a
 * million-row result scrolls as smoothly as a ten-row one. Past a few million pixels of
 * rows, the scrollbar maps onto the rows proportionally (browsers cap an element's height).
 */
import type * as arrow from 'apache-arrow';
import { tableToArrays, type JsonValue } from '../../../sandboxes/lakehouse/sql/rows.ts';
import type { ResultProgress } from '../../../sandboxes/lakehouse/sql/engine.ts';
import { h, clear } from './dom.ts';
import { cellTextOf, csvField } from '../../../sandboxes/lakehouse/sql/value-forms.ts';

const ROW_HEIGHT = 28;
const OVERSCAN = 10;
/** Tallest scroll area the grid makes; more rows than fit are reached proportionally. */
const MAX_SCROLL_PX = 4_000_000;

export interface ResultColumn {
  name: string;
  /** Arrow type as DuckDB returned it, e.g. "Int64", "Timestamp<MICROSECOND>". */
  type: string;
  numeric: boolean;
  temporal: boolean;
}

export interface ResultData {
  columns: ResultColumn[];
  /** The rows kept, in Arrow: the first `rowCount` rows of the result. */
  table: arrow.Table;
  /** Rows kept (what the grid, chart and CSV copy can show). */
  rowCount: number;
  /** Rows the query returned: at least `rowCount`; a lower bound when `complete` is false. */
  totalRows: number;
  /** False when counting the rows past the kept ones was stopped (Cancel, time limit). */
  complete: boolean;
  /** Every kept row as JSON values, made on first use (never for a big result on screen). */
  readonly rows: JsonValue[][];
  /** Rows `from` (inclusive) to `to` (exclusive) as JSON values. */
  slice(from: number, to: number): JsonValue[][];
}

/** Columns and rows, all in memory: what the dashboard draws (from DuckDB or Postgres). */
export type PlainResult = Pick<ResultData, 'columns' | 'rows'>;

export function resultFromArrow(table: arrow.Table, progress?: ResultProgress): ResultData {
  const columns = table.schema.fields.map((f) => {
    const t = String(f.type);
    return {
      name: f.name,
      type: t,
      numeric: /^(Int|Uint|Float|Decimal)/.test(t),
      temporal: /^(Date|Timestamp)/.test(t),
    };
  });
  let rows: JsonValue[][] | null = null;
  const rowCount = table.numRows;
  return {
    columns,
    table,
    rowCount,
    totalRows: Math.max(rowCount, progress?.rows ?? rowCount),
    complete: progress ? progress.complete || progress.rows <= rowCount : true,
    get rows() {
      rows ??= tableToArrays(table);
      return rows;
    },
    slice(from, to) {
      const a = Math.max(0, from);
      const b = Math.min(rowCount, to);
      if (b <= a) return [];
      return rows ? rows.slice(a, b) : tableToArrays(table.slice(a, b));
    },
  };
}

/** A cell's text (forms: sandboxes/lakehouse/sql/value-forms.ts); timestamps lose T and Z in date/time columns. */
export function cellText(v: JsonValue, temporal = true): string {
  return cellTextOf(v, temporal);
}

/** The whole kept result as CSV text in one string (small results; csv.ts streams big ones). */
export function toCsv(data: ResultData): string {
  return [data.columns.map((c) => csvField(c.name)).join(','), ...data.rows.map((r) => r.map(csvField).join(','))].join('\n') + '\n';
}

/** Short type label for the header ("BIGINT", "TIMESTAMP"). */
function typeLabel(t: string): string {
  if (/^Int64|^Int<.*64/.test(t)) return 'BIGINT';
  if (/^Int32|^Int<.*32/.test(t)) return 'INTEGER';
  if (/^Int/.test(t)) return 'INT';
  if (/^Float64|^Float<.*DOUBLE/.test(t)) return 'DOUBLE';
  if (/^Float/.test(t)) return 'FLOAT';
  if (/^Decimal/.test(t)) return 'DECIMAL';
  if (/^Timestamp/.test(t)) return 'TIMESTAMP';
  if (/^Time/.test(t)) return 'TIME';
  if (/^(Binary|LargeBinary|FixedSizeBinary)/.test(t)) return 'BLOB';
  if (/^Date/.test(t)) return 'DATE';
  if (/^Utf8|^LargeUtf8/.test(t)) return 'VARCHAR';
  if (/^Bool/.test(t)) return 'BOOLEAN';
  return t.toUpperCase();
}

export class ResultsGrid {
  readonly el: HTMLElement;
  private readonly viewport: HTMLElement;
  private readonly body: HTMLElement;
  private readonly spacer: HTMLElement;
  private data: ResultData | null = null;
  private frame = 0;
  private template = '';

  constructor(label: string) {
    this.spacer = h('div', { class: 'sbx-grid-spacer', role: 'none' });
    this.body = h('div', { class: 'sbx-grid-rows', role: 'rowgroup' });
    // The scrolling element is the table, so keyboard users can scroll it and readers hear one name.
    this.viewport = h('div', { class: 'sbx-grid-viewport', role: 'table', tabindex: 0, 'aria-label': `${label} (scroll with the arrow keys)` }, this.spacer);
    this.el = h('div', { class: 'sbx-grid' }, this.viewport);
    this.viewport.addEventListener('scroll', () => this.schedule());
    new ResizeObserver(() => this.schedule()).observe(this.viewport);
  }

  show(data: ResultData): void {
    this.data = data;
    const sample = data.slice(0, 200);
    const numberWidth = data.rowCount.toLocaleString('en').length;
    const widths = data.columns.map((c, i) => {
      let w = Math.max(c.name.length, typeLabel(c.type).length);
      for (const row of sample) w = Math.max(w, cellText(row[i]!).length);
      return Math.min(36, Math.max(6, w));
    });
    this.template = `${Math.max(3.5, numberWidth * 0.62 + 1)}em ${widths.map((w) => `minmax(${w + 2}ch, 1fr)`).join(' ')}`;
    const head = h(
      'div',
      { class: 'sbx-grid-head', role: 'row', 'aria-rowindex': 1, style: `grid-template-columns:${this.template}` },
      h('span', { class: 'sbx-grid-rownum', role: 'columnheader' }, '#'),
      data.columns.map((c) =>
        h('span', { role: 'columnheader', class: c.numeric ? 'num' : '', title: c.type }, h('span', { class: 'sbx-col-name' }, c.name), h('span', { class: 'sbx-col-type' }, typeLabel(c.type))),
      ),
    );
    this.spacer.style.height = `${Math.min(MAX_SCROLL_PX, data.rowCount * ROW_HEIGHT)}px`;
    this.viewport.setAttribute('aria-rowcount', String(data.rowCount + 1));
    clear(this.viewport, head, this.spacer);
    this.spacer.appendChild(this.body);
    this.viewport.scrollTop = 0;
    this.render();
  }

  clear(): void {
    this.data = null;
    cancelAnimationFrame(this.frame);
    this.viewport.removeAttribute('aria-rowcount');
    clear(this.viewport);
  }

  private schedule(): void {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.render());
  }

  private render(): void {
    const data = this.data;
    if (!data) return;
    const height = this.viewport.clientHeight || 320;
    const scrollTop = this.viewport.scrollTop;
    // Where the view is in the rows: the same as scrollTop until the rows outgrow the spacer,
    // then the scrolled fraction of the spacer applied to the whole height of the rows.
    const full = data.rowCount * ROW_HEIGHT;
    const spacer = Math.min(MAX_SCROLL_PX, full);
    const top = full > spacer ? (Math.min(1, scrollTop / Math.max(1, spacer - height)) * Math.max(0, full - height)) : scrollTop;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(data.rowCount, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
    const rows = data.slice(first, last);
    const frag = document.createDocumentFragment();
    for (let r = first; r < last; r++) {
      const row = rows[r - first]!;
      frag.appendChild(
        h(
          'div',
          { class: 'sbx-grid-row', role: 'row', 'aria-rowindex': r + 2, style: `top:${r * ROW_HEIGHT - top + scrollTop}px;grid-template-columns:${this.template}` },
          h('span', { class: 'sbx-grid-rownum', role: 'cell' }, (r + 1).toLocaleString('en')),
          row.map((v, i) => h('span', { role: 'cell', class: `${data.columns[i]!.numeric ? 'num' : ''}${v === null ? ' null' : ''}` }, cellText(v))),
        ),
      );
    }
    this.body.replaceChildren(frag);
  }
}
