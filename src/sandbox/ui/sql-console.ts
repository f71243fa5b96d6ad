/**
 * The SQL console: CodeMirror 6 with SQL highlighting, run with Ctrl/Cmd+Enter, a history
 * of past queries, the reference and time-travel pickers, Cancel, a virtualised results
 * grid, CSV copy/download, a chart when the result has the shape for one, and errors shown
 * with DuckDB's position marked in the editor.
 */
import { EditorView, basicSetup } from 'codemirror';
import { keymap } from '@codemirror/view';
import { Prec } from '@codemirror/state';
import { sql, PostgreSQL } from '@codemirror/lang-sql';
import { setDiagnostics } from '@codemirror/lint';
import { SqlError } from '../../../sandboxes/lakehouse/sql/engine.ts';
import { QUERY_TIME_LIMIT_MS } from '../runtime/session.ts';
import { h, clear, nextId, shortId, formatTime, errorText } from './dom.ts';
import { ResultsGrid, resultFromArrow, toCsv, type ResultData } from './grid.ts';
import { planChart, drawChart } from './chart.ts';
import type { PaneContext } from './context.ts';
import { editorTheme } from './editor-theme.ts';

const HISTORY_KEY = 'sql-history';
const HISTORY_MAX = 30;

export class SqlConsole {
  readonly el: HTMLElement;
  private readonly ctx: PaneContext;
  private readonly view: EditorView;
  private readonly refSelect: HTMLSelectElement;
  private readonly travelSelect: HTMLSelectElement;
  private readonly timeInput: HTMLInputElement;
  private readonly runButton: HTMLButtonElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly status: HTMLElement;
  private readonly explain: HTMLElement;
  private readonly errorBox: HTMLElement;
  private readonly grid: ResultsGrid;
  private readonly chartBox: HTMLElement;
  private readonly resultTools: HTMLElement;
  private readonly historySelect: HTMLSelectElement;
  private history: string[] = [];
  private running: AbortController | null = null;
  private data: ResultData | null = null;
  private pendingSnapshot: string | null = null;
  /** A run asked for while another runs: it runs next, with the editor's text then. */
  private queued = false;

  constructor(ctx: PaneContext) {
    this.ctx = ctx;
    const editorId = nextId('sql-editor');
    const runQuery = () => {
      void this.run();
      return true;
    };
    this.view = new EditorView({
      doc: ctx.config.queries[0]?.sql ?? 'SELECT 42 AS answer',
      extensions: [
        basicSetup,
        sql({ dialect: PostgreSQL, upperCaseKeywords: false }),
        Prec.highest(keymap.of([{ key: 'Mod-Enter', run: runQuery }, { key: 'Shift-Enter', run: runQuery }])),
        EditorView.contentAttributes.of({ 'aria-label': 'SQL query (Ctrl+Enter or Cmd+Enter runs it)', id: editorId }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) this.view.dispatch(setDiagnostics(this.view.state, []));
        }),
        editorTheme,
      ],
    });

    this.refSelect = h('select', { 'aria-label': 'Branch or tag to query', class: 'sbx-select', onchange: () => ctx.setRef(this.refSelect.value) });
    this.travelSelect = h('select', { 'aria-label': 'Time travel: which snapshot to read', class: 'sbx-select', onchange: () => this.travelChanged() });
    this.timeInput = h('input', { type: 'datetime-local', step: 1, class: 'sbx-input', 'aria-label': 'Read the tables as they were at this time (UTC)', hidden: true });
    this.runButton = h('button', { type: 'button', class: 'sbx-btn sbx-primary', onclick: () => void this.run() }, 'Run');
    this.runButton.title = 'Run the query (Ctrl+Enter)';
    this.cancelButton = h('button', { type: 'button', class: 'sbx-btn', disabled: true, onclick: () => this.cancel() }, 'Cancel');
    this.status = h('span', { class: 'sbx-status', role: 'status', 'aria-live': 'polite' });
    this.explain = h('p', { class: 'sbx-explain' }, ctx.config.queries[0]?.explain ?? '');
    this.errorBox = h('div', { class: 'sbx-error', role: 'alert', hidden: true });
    this.grid = new ResultsGrid('Query results');
    this.chartBox = h('figure', { class: 'sbx-chart', hidden: true });
    this.historySelect = h('select', { class: 'sbx-select', 'aria-label': 'Query history', onchange: () => this.fromHistory() });
    this.resultTools = h(
      'div',
      { class: 'sbx-result-tools', hidden: true },
      h('button', { type: 'button', class: 'sbx-btn', onclick: () => void this.copyCsv() }, 'Copy CSV'),
      h('button', { type: 'button', class: 'sbx-btn', onclick: () => this.downloadCsv() }, 'Download CSV'),
    );

    const prepared = ctx.config.queries.map((q) =>
      h('button', { type: 'button', class: 'sbx-chip', onclick: () => this.load(q.sql, { explain: q.explain, ref: q.ref, run: true }) }, q.label),
    );
    this.el = h(
      'div',
      { class: 'sbx-sql' },
      prepared.length ? h('div', { class: 'sbx-chips', role: 'group', 'aria-label': 'Prepared queries' }, prepared) : null,
      this.explain,
      h('div', { class: 'sbx-editor' }, this.view.dom),
      h(
        'div',
        { class: 'sbx-toolbar' },
        this.runButton,
        this.cancelButton,
        h('label', { class: 'sbx-field' }, h('span', {}, 'Ref'), this.refSelect),
        h('label', { class: 'sbx-field' }, h('span', {}, 'As of'), this.travelSelect),
        this.timeInput,
        h('label', { class: 'sbx-field' }, h('span', {}, 'History'), this.historySelect),
        this.status,
      ),
      this.errorBox,
      this.resultTools,
      this.chartBox,
      this.grid.el,
    );
    ctx.on('ref', () => void this.refreshPickers());
    ctx.on('changed', () => void this.refreshPickers());
    void this.refreshPickers();
    void this.loadHistory();
  }

  focus(): void {
    this.view.focus();
  }

  /** Put a query in the editor; optionally pin a snapshot and run it. */
  load(text: string, options: { run?: boolean; explain?: string; ref?: string; snapshotId?: string } = {}): void {
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text } });
    this.explain.textContent = options.explain ?? '';
    if (options.ref && options.ref !== this.ctx.ref) this.ctx.setRef(options.ref);
    if (options.snapshotId) {
      // Pin the snapshot in the picker first, so the run reads it (and the reader sees it).
      this.pendingSnapshot = `snap:${options.snapshotId}`;
      void this.refreshPickers().then(() => {
        if (options.run) void this.run();
      });
      return;
    }
    if (options.run) void this.run();
  }

  private async refreshPickers(): Promise<void> {
    const wh = this.ctx.session.warehouse;
    const refs = await wh.references().catch(() => []);
    clear(
      this.refSelect,
      refs.map((r) => h('option', { value: r.name, selected: r.name === this.ctx.ref }, `${r.type === 'TAG' ? 'tag' : 'branch'} ${r.name}`)),
    );
    const table = this.ctx.config.defaultTable;
    const keep = this.pendingSnapshot ?? this.travelSelect.value;
    this.pendingSnapshot = null;
    const options: HTMLOptionElement[] = [h('option', { value: '' }, `Latest on ${this.ctx.ref}`)];
    if (table) {
      const snaps = await wh.snapshots(table, this.ctx.ref).catch(() => []);
      for (const s of [...snaps].reverse()) {
        options.push(h('option', { value: `snap:${s.snapshotId}` }, `${table} snapshot ${shortId(s.snapshotId)} · ${s.operation} · ${formatTime(s.timestampMs)}`));
      }
    }
    options.push(h('option', { value: 'time' }, 'At a time…'));
    clear(this.travelSelect, options);
    if ([...this.travelSelect.options].some((o) => o.value === keep)) this.travelSelect.value = keep;
    this.travelChanged();
  }

  private travelChanged(): void {
    this.timeInput.hidden = this.travelSelect.value !== 'time';
  }

  private readOptions(): { ref: string; snapshotId?: string; asOf?: string; label: string } {
    const v = this.travelSelect.value;
    if (v.startsWith('snap:')) return { ref: this.ctx.ref, snapshotId: v.slice(5), label: `snapshot ${shortId(v.slice(5))}` };
    if (v === 'time' && this.timeInput.value) {
      const iso = new Date(`${this.timeInput.value}Z`).toISOString();
      return { ref: this.ctx.ref, asOf: iso, label: `as of ${iso}` };
    }
    return { ref: this.ctx.ref, label: `latest on ${this.ctx.ref}` };
  }

  async run(): Promise<void> {
    if (this.running) {
      this.queued = true;
      return;
    }
    const text = this.view.state.doc.toString();
    if (!text.trim()) return;
    const read = this.readOptions();
    const controller = new AbortController();
    this.running = controller;
    this.runButton.disabled = true;
    this.cancelButton.disabled = false;
    this.errorBox.hidden = true;
    this.status.textContent = 'Running…';
    const started = performance.now();
    try {
      const table = await this.ctx.session.warehouse.sql(text, {
        ref: read.ref,
        snapshotId: read.snapshotId,
        asOf: read.asOf,
        signal: controller.signal,
        timeLimitMs: QUERY_TIME_LIMIT_MS,
      });
      const ms = performance.now() - started;
      const data = resultFromArrow(table);
      this.data = data;
      this.grid.show(data);
      this.resultTools.hidden = false;
      const rows = data.rows.length;
      this.status.textContent = `${rows.toLocaleString('en')} row${rows === 1 ? '' : 's'} in ${ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`} · ${read.label}`;
      this.el.dataset.lastRows = String(rows);
      void this.drawChart(data);
      this.ctx.lastResult = { sql: text, data };
      this.ctx.emit('result', { sql: text, data });
      void this.remember(text);
    } catch (err) {
      this.showError(err, text);
    } finally {
      this.running = null;
      this.runButton.disabled = false;
      this.cancelButton.disabled = true;
      if (this.queued) {
        this.queued = false;
        void this.run();
      }
    }
  }

  cancel(): void {
    this.queued = false;
    this.running?.abort();
    this.status.textContent = 'Cancelling…';
  }

  private showError(err: unknown, text: string): void {
    const e = err as SqlError;
    this.status.textContent = e instanceof SqlError && e.kind === 'cancelled' ? 'Cancelled.' : e instanceof SqlError && e.kind === 'timeout' ? 'Stopped: time limit.' : 'Failed.';
    let message = errorText(err);
    if (e instanceof SqlError && e.kind === 'cancelled') message = 'The query was cancelled. The engine is ready for the next one.';
    if (e instanceof SqlError && e.kind === 'timeout') message = `The query ran longer than ${QUERY_TIME_LIMIT_MS / 1000} s and was stopped. Narrow it (a WHERE or a LIMIT) and run it again.`;
    clear(this.errorBox, h('strong', {}, 'Error: '), message);
    if (e instanceof SqlError && e.line !== undefined) {
      this.errorBox.append(h('span', { class: 'sbx-error-where' }, ` (line ${e.line}${e.column !== undefined ? `, column ${e.column}` : ''})`));
    }
    this.errorBox.hidden = false;
    if (e instanceof SqlError && e.position !== undefined && e.sql === text) {
      const doc = this.view.state.doc;
      const from = Math.min(e.position, doc.length);
      const word = /^[\w."]+/.exec(text.slice(from))?.[0].length ?? 1;
      const to = Math.min(doc.length, from + Math.max(1, word));
      this.view.dispatch(setDiagnostics(this.view.state, [{ from, to: Math.max(to, from), severity: 'error', message }]));
      this.view.dispatch({ selection: { anchor: from }, scrollIntoView: true });
    }
    this.ctx.announce(`Query failed: ${message}`);
  }

  private async drawChart(data: ResultData): Promise<void> {
    const plan = planChart(data);
    if (!plan) {
      this.chartBox.hidden = true;
      this.chartBox.replaceChildren();
      return;
    }
    try {
      const width = Math.max(280, Math.min(900, this.el.clientWidth - 16));
      const svg = await drawChart(data, plan, width);
      if (this.data !== data) return;
      clear(this.chartBox, svg, h('figcaption', {}, plan.kind === 'time-series' ? 'Time series of the result' : 'Bars per category'));
      this.chartBox.hidden = false;
    } catch {
      this.chartBox.hidden = true;
    }
  }

  private async copyCsv(): Promise<void> {
    if (!this.data) return;
    try {
      await navigator.clipboard.writeText(toCsv(this.data));
      this.ctx.announce('Result copied as CSV.');
      this.status.textContent = 'Copied as CSV.';
    } catch {
      this.status.textContent = 'The browser refused the clipboard; use Download CSV.';
    }
  }

  private downloadCsv(): void {
    if (!this.data) return;
    const url = URL.createObjectURL(new Blob([toCsv(this.data)], { type: 'text/csv' }));
    const a = h('a', { href: url, download: `${this.ctx.config.id}-result.csv` });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 5000);
  }

  private async loadHistory(): Promise<void> {
    this.history = (await this.ctx.session.store.state.get<string[]>(HISTORY_KEY).catch(() => undefined)) ?? [];
    this.renderHistory();
  }

  private async remember(text: string): Promise<void> {
    this.history = [text, ...this.history.filter((q) => q !== text)].slice(0, HISTORY_MAX);
    this.renderHistory();
    await this.ctx.session.store.state.set(HISTORY_KEY, this.history).catch(() => {});
  }

  private renderHistory(): void {
    clear(
      this.historySelect,
      h('option', { value: '' }, this.history.length ? `${this.history.length} past quer${this.history.length === 1 ? 'y' : 'ies'}` : 'none yet'),
      this.history.map((q, i) => h('option', { value: String(i) }, q.replace(/\s+/g, ' ').slice(0, 70))),
    );
  }

  private fromHistory(): void {
    const i = this.historySelect.value;
    if (i === '') return;
    this.load(this.history[Number(i)]!);
    this.historySelect.value = '';
    this.view.focus();
  }
}
