/**
 * The results grid: typed column headers and virtualised rows. Only the rows in view (plus
 * a margin) exist in the DOM, so a 100,000-row result scrolls as smoothly as a 10-row one.
 */
import type * as arrow from 'apache-arrow';
import { tableToRows, type JsonValue } from '../../../sandboxes/lakehouse/sql/rows.ts';
import { h, clear } from './dom.ts';
import { cellTextOf, csvField } from '../../../sandboxes/lakehouse/sql/value-forms.ts';

const ROW_HEIGHT = 28;
const OVERSCAN = 10;

export interface ResultColumn {
  name: string;
  /** Arrow type as DuckDB returned it, e.g. "Int64", "Timestamp<MICROSECOND>". */
  type: string;
  numeric: boolean;
  temporal: boolean;
}

export interface ResultData {
  columns: ResultColumn[];
  rows: JsonValue[][];
}

export function resultFromArrow(table: arrow.Table): ResultData {
  const columns = table.schema.fields.map((f) => {
    const t = String(f.type);
    return {
      name: f.name,
      type: t,
      numeric: /^(Int|Uint|Float|Decimal)/.test(t),
      temporal: /^(Date|Timestamp)/.test(t),
    };
  });
  const rows = tableToRows(table).map((r) => columns.map((c) => r[c.name] ?? null));
  return { columns, rows };
}

/** A cell's text (forms: sandboxes/lakehouse/sql/value-forms.ts); timestamps lose T and Z in date/time columns. */
export function cellText(v: JsonValue, temporal = true): string {
  return cellTextOf(v, temporal);
}

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
    const widths = data.columns.map((c, i) => {
      let w = Math.max(c.name.length, typeLabel(c.type).length);
      for (let r = 0; r < Math.min(200, data.rows.length); r++) w = Math.max(w, cellText(data.rows[r]![i]!).length);
      return Math.min(36, Math.max(6, w));
    });
    this.template = `3.5em ${widths.map((w) => `minmax(${w + 2}ch, 1fr)`).join(' ')}`;
    const head = h(
      'div',
      { class: 'sbx-grid-head', role: 'row', 'aria-rowindex': 1, style: `grid-template-columns:${this.template}` },
      h('span', { class: 'sbx-grid-rownum', role: 'columnheader' }, '#'),
      data.columns.map((c) =>
        h('span', { role: 'columnheader', class: c.numeric ? 'num' : '', title: c.type }, h('span', { class: 'sbx-col-name' }, c.name), h('span', { class: 'sbx-col-type' }, typeLabel(c.type))),
      ),
    );
    this.spacer.style.height = `${data.rows.length * ROW_HEIGHT}px`;
    clear(this.viewport, head, this.spacer);
    this.spacer.appendChild(this.body);
    this.viewport.scrollTop = 0;
    this.render();
  }

  clear(): void {
    this.data = null;
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
    const first = Math.max(0, Math.floor(this.viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(data.rows.length, Math.ceil((this.viewport.scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
    const frag = document.createDocumentFragment();
    for (let r = first; r < last; r++) {
      const row = data.rows[r]!;
      frag.appendChild(
        h(
          'div',
          { class: 'sbx-grid-row', role: 'row', 'aria-rowindex': r + 2, style: `top:${r * ROW_HEIGHT}px;grid-template-columns:${this.template}` },
          h('span', { class: 'sbx-grid-rownum', role: 'cell' }, r + 1),
          row.map((v, i) => h('span', { role: 'cell', class: `${data.columns[i]!.numeric ? 'num' : ''}${v === null ? ' null' : ''}` }, cellText(v))),
        ),
      );
    }
    this.body.replaceChildren(frag);
  }
}
