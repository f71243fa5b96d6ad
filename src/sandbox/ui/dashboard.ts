/**
 * The dashboard pane: a few panels over the learner's data, drawn the way a Superset
 * dashboard draws charts from its datasets. Each panel is one query (on the lakehouse with
 * DuckDB, or on the marts published to Postgres) and one chart: a line, bars, a big number
 * or a small table (see DashboardPanel in ../sections/types.ts).
 *
 * Panels refresh when the pane is first shown, after every pipeline run (a publish changes
 * what Postgres holds), after a reset, and on demand. A panel that fails says why in its
 * own box and leaves the others alone; Postgres panels say "run publish first" while
 * nothing is published. Each panel shows its SQL on demand.
 */
import { h, clear, errorText, nextId } from './dom.ts';
import type { PaneContext } from './context.ts';
import type { DashboardPanel } from '../sections/types.ts';
import { resultFromArrow, cellText, type PlainResult } from './grid.ts';

type PanelState = 'idle' | 'loading' | 'ready' | 'error' | 'not-published';

/** A panel's result, or why it has none. */
type Outcome = { data: PlainResult } | { error: string; notPublished: boolean };

const MAX_TABLE_ROWS = 50;

export class DashboardPane {
  readonly el: HTMLElement;
  private readonly ctx: PaneContext;
  private readonly panels: PanelView[];
  private readonly status: HTMLElement;
  private visible = false;
  /** Something changed while the pane was hidden: refresh when it is shown again. */
  private stale = true;

  constructor(ctx: PaneContext) {
    this.ctx = ctx;
    const config = ctx.config.dashboard;
    this.status = h('span', { class: 'sbx-dash-status', role: 'status' });
    const refreshAll = h('button', { type: 'button', class: 'sbx-btn sbx-small', 'data-dash-refresh-all': '', onclick: () => void this.refresh() }, 'Refresh all');
    this.panels = (config?.panels ?? []).map((p) => new PanelView(ctx, p));
    this.el = h(
      'div',
      { class: 'sbx-dashboard' },
      h(
        'div',
        { class: 'sbx-dash-head' },
        h('div', { class: 'sbx-dash-titles' }, h('h4', {}, config?.title ?? 'Dashboard'), config?.intro ? h('p', { class: 'sbx-dash-intro' }, config.intro) : null),
        h('div', { class: 'sbx-dash-actions' }, refreshAll, this.status),
      ),
      config
        ? h('div', { class: 'sbx-dash-grid' }, this.panels.map((p) => p.el))
        : h('p', { class: 'sbx-error', role: 'alert' }, 'This section shows a dashboard pane but its configuration has no "dashboard" entry (title and panels).'),
    );
    ctx.on('pane', (k) => {
      this.visible = k === 'dashboard';
      if (this.visible && this.stale) void this.refresh();
    });
    // A run (publish above all) or a reset changes what the panels read.
    const changed = () => {
      this.stale = true;
      if (this.visible) void this.refresh();
    };
    ctx.on('run', changed);
    ctx.on('changed', changed);
  }

  async refresh(): Promise<void> {
    this.stale = false;
    this.status.textContent = 'Refreshing…';
    await Promise.all(this.panels.map((p) => p.refresh()));
    const failed = this.panels.filter((p) => p.state === 'error').length;
    const waiting = this.panels.filter((p) => p.state === 'not-published').length;
    const parts = [`${this.panels.length - failed - waiting} of ${this.panels.length} panels drawn`];
    if (waiting) parts.push(`${waiting} waiting for publish (Postgres lives in this tab’s pipeline worker: after a reload, publish again)`);
    if (failed) parts.push(`${failed} failed`);
    this.status.textContent = `${parts.join(', ')} · ${new Date().toISOString().slice(11, 19)} UTC`;
  }
}

class PanelView {
  readonly el: HTMLElement;
  state: PanelState = 'idle';
  private readonly ctx: PaneContext;
  private readonly panel: DashboardPanel;
  private readonly body: HTMLElement;
  private readonly refreshBtn: HTMLButtonElement;
  private seq = 0;

  constructor(ctx: PaneContext, panel: DashboardPanel) {
    this.ctx = ctx;
    this.panel = panel;
    const titleId = nextId('sbx-dash-title');
    const sqlId = nextId('sbx-dash-sql');
    // Focusable: a long line scrolls sideways, and a keyboard must be able to scroll it.
    const sqlBox = h('pre', { class: 'sbx-dash-sql', id: sqlId, hidden: true, tabindex: 0, 'aria-label': `SQL of ${panel.title}` }, h('code', {}, panel.sql));
    const sqlBtn = h('button', { type: 'button', class: 'sbx-btn sbx-small', 'aria-expanded': 'false', 'aria-controls': sqlId, 'aria-label': `Show the SQL of ${panel.title}` }, 'SQL');
    sqlBtn.addEventListener('click', () => {
      const open = sqlBox.hidden;
      sqlBox.hidden = !open;
      sqlBtn.setAttribute('aria-expanded', String(open));
      sqlBtn.setAttribute('aria-label', `${open ? 'Hide' : 'Show'} the SQL of ${panel.title}`);
    });
    this.refreshBtn = h('button', { type: 'button', class: 'sbx-btn sbx-small', 'aria-label': `Refresh ${panel.title}`, onclick: () => void this.refresh() }, 'Refresh');
    this.body = h('div', { class: 'sbx-dash-body', 'aria-live': 'polite', 'aria-busy': 'false' });
    const source = panel.engine === 'postgres' ? 'Postgres · published marts' : `Lakehouse · DuckDB · ${panel.ref ?? 'main'}`;
    this.el = h(
      'section',
      { class: `sbx-dash-panel sbx-dash-${panel.chart}`, 'aria-labelledby': titleId, 'data-panel': panel.title, 'data-engine': panel.engine, 'data-state': 'idle' },
      h('div', { class: 'sbx-dash-panel-head' }, h('h5', { id: titleId }, panel.title), h('span', { class: 'sbx-dash-source' }, source), h('span', { class: 'sbx-dash-buttons' }, sqlBtn, this.refreshBtn)),
      sqlBox,
      this.body,
      panel.explain ? h('p', { class: 'sbx-dash-explain' }, panel.explain) : null,
    );
  }

  private setState(state: PanelState): void {
    this.state = state;
    this.el.dataset.state = state;
    this.body.setAttribute('aria-busy', String(state === 'loading'));
  }

  private async query(): Promise<Outcome> {
    const p = this.panel;
    if (p.engine === 'postgres') {
      if (!this.ctx.postgres) return { error: 'Postgres panels need the pipeline pane in this section: Postgres lives in its worker.', notPublished: false };
      const answer = await this.ctx.postgres(p.sql);
      return answer.ok ? { data: answer.result } : { error: answer.error, notPublished: answer.notPublished };
    }
    return { data: resultFromArrow(await this.ctx.session.warehouse.sql(p.sql, { ref: p.ref ?? 'main' })) };
  }

  async refresh(): Promise<void> {
    const mine = ++this.seq;
    this.setState('loading');
    this.refreshBtn.disabled = true;
    if (!this.body.firstChild) this.body.appendChild(h('p', { class: 'sbx-dash-loading' }, 'Loading…'));
    let outcome: Outcome;
    try {
      outcome = await this.query();
    } catch (err) {
      outcome = { error: errorText(err), notPublished: false };
    }
    if (mine !== this.seq) return; // a newer refresh started meanwhile
    this.refreshBtn.disabled = false;
    if ('error' in outcome) return this.showError(outcome.error, outcome.notPublished);
    try {
      clear(this.body, await this.draw(outcome.data));
      this.setState('ready');
    } catch (err) {
      this.showError(`The result cannot be drawn as a ${this.panel.chart} chart: ${errorText(err)}`, false);
    }
  }

  private showError(message: string, notPublished: boolean): void {
    this.setState(notPublished ? 'not-published' : 'error');
    clear(
      this.body,
      h(
        'div',
        { class: notPublished ? 'sbx-dash-waiting' : 'sbx-error', role: notPublished ? 'status' : 'alert' },
        // Waiting is not an error: one short line per panel; the header says why once.
        notPublished ? h('p', {}, h('strong', {}, 'Run publish first: '), 'nothing is in Postgres yet.') : h('p', {}, h('strong', {}, 'This panel’s query failed. '), message),
        notPublished && this.ctx.config.panes.includes('pipeline')
          ? h('button', { type: 'button', class: 'sbx-btn sbx-small', onclick: () => this.ctx.showPane('pipeline') }, 'Open the pipeline terminal')
          : null,
      ),
    );
  }

  // ------------------------------------------------------------ drawing

  private column(data: PlainResult, name: string | undefined, fallback: (c: PlainResult['columns'][number], i: number) => boolean): number {
    if (name) {
      const i = data.columns.findIndex((c) => c.name === name);
      if (i < 0) throw new Error(`the result has no column "${name}" (it has ${data.columns.map((c) => c.name).join(', ')})`);
      return i;
    }
    const i = data.columns.findIndex(fallback);
    if (i < 0) throw new Error('the result has no column to draw');
    return i;
  }

  private async draw(data: PlainResult): Promise<Element> {
    const p = this.panel;
    if (p.chart === 'table') return this.table(data);
    if (!data.rows.length) return h('p', { class: 'sbx-dash-empty' }, 'The query returned no rows.');
    if (p.chart === 'number') return this.number(data);
    const x = this.column(data, p.x, (_c, i) => i === 0);
    const y = this.column(data, p.y, (c, i) => c.numeric && i !== x);
    const series = p.series ? this.column(data, p.series, () => false) : -1;
    const width = Math.max(260, Math.floor(this.body.clientWidth || this.el.clientWidth || 520) - 4);
    const svg = await plot(data, p.chart, x, y, series, width);
    return describe(svg, data, p.chart, x, y, series);
  }

  private number(data: PlainResult): Element {
    const p = this.panel;
    const y = this.column(data, p.y, (_c, i) => i === 0);
    const v = data.rows[0]![y];
    const text = v === null ? '—' : typeof v === 'number' ? formatNumber(v) : cellText(v);
    const context = p.x ? cellText(data.rows[0]![this.column(data, p.x, () => false)]!) : null;
    return h(
      'div',
      { class: 'sbx-dash-number', role: 'img', 'aria-label': `${p.title}: ${text}${p.unit ? ` ${p.unit}` : ''}${context ? `, ${context}` : ''}` },
      h('span', { class: 'sbx-dash-value', 'data-value': String(v) }, text),
      p.unit ? h('span', { class: 'sbx-dash-unit' }, ` ${p.unit}`) : null,
      context ? h('span', { class: 'sbx-dash-context' }, context) : null,
    );
  }

  private table(data: PlainResult): Element {
    const rows = data.rows.slice(0, MAX_TABLE_ROWS);
    return h(
      'div',
      { class: 'sbx-dash-table-wrap', tabindex: 0, role: 'region', 'aria-label': `${this.panel.title} (table, scrolls sideways)` },
      h(
        'table',
        { class: 'sbx-dash-table' },
        h('caption', { class: 'sbx-sr-only' }, `${this.panel.title}: ${data.rows.length} row(s)`),
        h('thead', {}, h('tr', {}, data.columns.map((c) => h('th', { scope: 'col', class: c.numeric ? 'num' : '' }, c.name)))),
        h('tbody', {}, rows.map((r) => h('tr', {}, r.map((v, i) => h('td', { class: data.columns[i]!.numeric ? 'num' : '' }, typeof v === 'number' ? formatNumber(v) : cellText(v)))))),
      ),
      data.rows.length > rows.length ? h('p', { class: 'sbx-dash-more' }, `First ${rows.length} of ${data.rows.length} rows.`) : null,
    );
  }
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toLocaleString('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 1 });
}

/** A date or timestamp cell as a Date (UTC); other x values stay as they are. */
function xValue(v: unknown, temporal: boolean): unknown {
  if (!temporal || v === null) return v;
  const s = String(v);
  return new Date(s.length === 10 ? `${s}T00:00:00Z` : s.replace(/Z?$/, 'Z'));
}

async function plot(data: PlainResult, chart: 'line' | 'bar', x: number, y: number, series: number, width: number): Promise<Element> {
  const Plot = await import('@observablehq/plot');
  const xCol = data.columns[x]!;
  const yCol = data.columns[y]!;
  const style = { background: 'transparent', color: 'currentColor', fontSize: '12px' };
  const points = data.rows
    .filter((r) => r[x] !== null && r[y] !== null)
    .map((r) => ({ x: xValue(r[x], xCol.temporal), y: Number(r[y]), s: series >= 0 ? String(r[series]) : '' }));
  const height = width < 400 ? 200 : 240;
  if (chart === 'line') {
    return Plot.plot({
      width,
      height,
      style,
      // A date axis labels itself (its ticks carry the month); a label would collide with them.
      x: xCol.temporal ? { label: null, type: 'utc' as const } : { label: xCol.name },
      y: { label: yCol.name, grid: true },
      color: series >= 0 ? { legend: true, label: data.columns[series]!.name } : undefined,
      marks: [
        Plot.lineY(points, { x: 'x', y: 'y', ...(series >= 0 ? { stroke: 's' } : { stroke: 'var(--sl-color-accent)' }), strokeWidth: 2 }),
        Plot.dot(points, { x: 'x', y: 'y', r: 2, ...(series >= 0 ? { fill: 's' } : { fill: 'var(--sl-color-accent)' }) }),
      ],
    });
  }
  const bars = points.map((p) => ({ ...p, x: p.x instanceof Date ? p.x.toISOString().slice(0, 10) : String(p.x) }));
  // Every bar keeps its place, but only as many labels as fit (one per ~28 px): a phone
  // showing a label under each of 20 days draws them on top of each other.
  const step = Math.ceil(bars.length / Math.max(2, Math.floor(width / 28)));
  const rotate = bars.length > 12;
  return Plot.plot({
    width,
    height,
    style,
    marginBottom: rotate ? 64 : 44,
    x: { label: xCol.name, domain: bars.map((b) => b.x), ticks: bars.filter((_, i) => i % step === 0).map((b) => b.x), tickRotate: rotate ? -45 : 0 },
    y: { label: yCol.name, grid: true },
    marks: [Plot.barY(bars, { x: 'x', y: 'y', fill: 'var(--sl-color-accent)' }), Plot.ruleY([0])],
  });
}

/** One labelled image for assistive technology: what is drawn, its range and its last value. */
function describe(svg: Element, data: PlainResult, chart: 'line' | 'bar', x: number, y: number, series: number): Element {
  for (const g of svg.querySelectorAll('[aria-label]')) if (g !== svg) g.removeAttribute('aria-label');
  const target = svg.tagName.toLowerCase() === 'svg' ? svg : (svg.querySelector('svg') ?? svg);
  const xName = data.columns[x]!.name;
  const yName = data.columns[y]!.name;
  const ys = data.rows.map((r) => r[y]).filter((v): v is number => typeof v === 'number');
  const first = cellText(data.rows[0]![x]!);
  const last = data.rows.at(-1)!;
  const label =
    chart === 'line'
      ? `Line chart of ${yName} over ${xName}${series >= 0 ? ` by ${data.columns[series]!.name}` : ''}: ${data.rows.length} points from ${first} to ${cellText(last[x]!)}; ${yName} between ${formatNumber(Math.min(...ys))} and ${formatNumber(Math.max(...ys))}, last ${typeof last[y] === 'number' ? formatNumber(last[y] as number) : cellText(last[y]!)}.`
      : `Bar chart of ${yName} per ${xName}: ${data.rows.length} bars, between ${formatNumber(Math.min(...ys))} and ${formatNumber(Math.max(...ys))}.`;
  target.setAttribute('role', 'img');
  target.setAttribute('aria-label', label);
  if (target !== svg) svg.setAttribute('role', 'group');
  return svg;
}
