/**
 * The SQL console: CodeMirror 6 with SQL highlighting, run with Ctrl/Cmd+Enter, a history
 * of past queries, the reference and time-travel pickers, Cancel, a virtualised results
 * grid, CSV copy/download, a chart when the result has the shape for one, and errors shown
 * with DuckDB's position marked in the editor.
 *
 * Any result size keeps the page responsive: the result stays in Arrow, at most KEEP_ROWS
 * rows are kept (the status says "showing the first N of M rows"), the grid renders only
 * what is in view, CSV is made a slice at a time, and Download CSV of a capped result runs
 * the query again and streams every row into the file. An error replaces the result: no
 * earlier grid, chart or CSV button stays under it.
 */
import { EditorView, basicSetup } from 'codemirror';
import { keymap } from '@codemirror/view';
import { Prec } from '@codemirror/state';
import { sql, PostgreSQL } from '@codemirror/lang-sql';
import { setDiagnostics } from '@codemirror/lint';
import { SqlError } from '../../../sandboxes/lakehouse/sql/engine.ts';
import type { ResultProgress } from '../../../sandboxes/lakehouse/sql/engine.ts';
import { QUERY_TIME_LIMIT_MS } from '../runtime/session.ts';
import { h, clear, nextId, shortId, formatTime, errorText } from './dom.ts';
import { ResultsGrid, resultFromArrow, type ResultData } from './grid.ts';
import { planChart, drawChart, preloadChartLibrary, MAX_CHART_POINTS } from './chart.ts';
import { CsvFile, csvHeader, csvOfKept } from './csv.ts';
import { isSingleReadQuery } from './statements.ts';
import type { PaneContext } from './context.ts';
import { editorTheme } from './editor-theme.ts';
import { measurePhase, firstResultShown } from '../runtime/boot-timing.ts';

const HISTORY_KEY = 'sql-history';
const HISTORY_MAX = 30;
/** Rows of a result kept in the page (and shown in the grid); the rest are counted. */
export const KEEP_ROWS = 1_000_000;
/** ...and at most about this many bytes of them (wide rows reach it first). */
const KEEP_BYTES = 128 << 20;
/** Rows Copy CSV puts on the clipboard: more is no use in a clipboard. */
export const COPY_ROWS = 100_000;
/** A download that runs the query again may take longer than a query on screen. */
const DOWNLOAD_TIME_LIMIT_MS = 5 * 60_000;

const count = (n: number) => n.toLocaleString('en');
const duration = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);

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
  private readonly copyButton: HTMLButtonElement;
  private readonly downloadButton: HTMLButtonElement;
  /** The query and read options that made `data` (Download CSV may run it again). */
  private dataQuery: { text: string; read: ReturnType<SqlConsole['readOptions']> } | null = null;
  /** The last run's query when it failed because a table was missing (re-run once it may exist). */
  private failedOnMissingTable: string | null = null;
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
    preloadChartLibrary();
    this.historySelect = h('select', { class: 'sbx-select', 'aria-label': 'Query history', onchange: () => this.fromHistory() });
    this.copyButton = h('button', { type: 'button', class: 'sbx-btn', onclick: () => this.copyCsv() }, 'Copy CSV');
    this.downloadButton = h('button', { type: 'button', class: 'sbx-btn', onclick: () => void this.downloadCsv() }, 'Download CSV');
    this.resultTools = h('div', { class: 'sbx-result-tools', hidden: true }, this.copyButton, this.downloadButton);

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
    ctx.on('changed', () => {
      void this.refreshPickers();
      this.warehouseChanged();
    });
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
    let bound = started;
    const progress: ResultProgress = { rows: 0, kept: 0, complete: false };
    // Rows arrive a chunk at a time: say how many so far, so a long result visibly moves.
    const ticker = setInterval(() => {
      if (progress.rows > 0 && !controller.signal.aborted) this.status.textContent = `Running… ${count(progress.rows)} rows so far`;
    }, 300);
    try {
      const table = await this.ctx.session.warehouse.sql(text, {
        ref: read.ref,
        snapshotId: read.snapshotId,
        asOf: read.asOf,
        signal: controller.signal,
        timeLimitMs: QUERY_TIME_LIMIT_MS,
        keep: { rows: KEEP_ROWS, bytes: KEEP_BYTES },
        progress,
        onBound: () => measurePhase('table-binding', started, (bound = performance.now())),
      });
      const ms = performance.now() - started;
      measurePhase('query', bound, started + ms);
      const data = resultFromArrow(table, progress);
      this.failedOnMissingTable = null;
      this.data = data;
      this.dataQuery = { text, read };
      this.grid.show(data);
      // The earlier result's chart goes now, not when (or if) this one's is drawn.
      this.chartBox.hidden = true;
      this.chartBox.replaceChildren();
      this.labelTools(data);
      this.resultTools.hidden = false;
      this.status.textContent = `${this.describe(data, controller.signal.aborted ? 'cancelled' : 'time limit')} in ${duration(ms)} · ${read.label}`;
      this.el.dataset.lastRows = String(data.totalRows);
      // Rendered once the frame with the rows has been painted.
      requestAnimationFrame(() =>
        setTimeout(() => {
          measurePhase('render', started + ms, performance.now());
          firstResultShown();
        }, 0),
      );
      void this.drawChart(data);
      this.ctx.lastResult = { sql: text, data };
      this.ctx.emit('result', { sql: text, data });
      void this.remember(text);
    } catch (err) {
      this.clearResult();
      this.failedOnMissingTable = /does not exist/.test(errorText(err)) ? text : null;
      this.showError(err, text);
    } finally {
      clearInterval(ticker);
      this.running = null;
      this.runButton.disabled = false;
      this.cancelButton.disabled = true;
      if (this.queued) {
        this.queued = false;
        void this.run();
      }
    }
  }

  /** "8,640 rows", or what part of the result the page kept. */
  private describe(data: ResultData, stoppedBy: string): string {
    if (data.rowCount === data.totalRows && data.complete) return `${count(data.rowCount)} row${data.rowCount === 1 ? '' : 's'}`;
    if (data.complete) return `Showing the first ${count(data.rowCount)} of ${count(data.totalRows)} rows`;
    return `Showing the first ${count(data.rowCount)} of at least ${count(data.totalRows)} rows (counting stopped: ${stoppedBy})`;
  }

  /** The CSV buttons say what they give when that is not simply the whole result. */
  private labelTools(data: ResultData): void {
    this.copyButton.textContent = data.totalRows > COPY_ROWS ? `Copy CSV (first ${count(COPY_ROWS)} rows)` : 'Copy CSV';
    const all = data.rowCount === data.totalRows && data.complete;
    const rerun = this.dataQuery && isSingleReadQuery(this.dataQuery.text);
    this.downloadButton.textContent = all
      ? 'Download CSV'
      : rerun
        ? `Download CSV (${data.complete ? `all ${count(data.totalRows)} rows` : 'every row'})`
        : `Download CSV (first ${count(data.rowCount)} rows)`;
  }

  /** Nothing of an earlier result may stay under an error or a newer state. */
  private clearResult(): void {
    this.data = null;
    this.dataQuery = null;
    this.grid.clear();
    this.chartBox.hidden = true;
    this.chartBox.replaceChildren();
    this.resultTools.hidden = true;
    delete this.el.dataset.lastRows;
  }

  /**
   * A commit, merge, pipeline run or reset changed the warehouse. An error saying a table
   * does not exist may be wrong now: run that query again if it is still in the editor,
   * else take the error away with a word on why.
   */
  private warehouseChanged(): void {
    const failed = this.failedOnMissingTable;
    if (!failed || this.running) return;
    this.failedOnMissingTable = null;
    if (this.view.state.doc.toString() === failed) {
      void this.run();
      return;
    }
    this.errorBox.hidden = true;
    this.status.textContent = 'The warehouse changed since the last error: run the query again.';
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
      const sampled = plan.kind === 'time-series' && data.rowCount > MAX_CHART_POINTS;
      const caption =
        plan.kind === 'bars'
          ? 'Bars per category'
          : sampled
            ? `Time series of the result: ${count(data.rowCount)} rows, drawn as the lowest and highest value of each of ${count(MAX_CHART_POINTS / 2)} slices`
            : 'Time series of the result';
      clear(this.chartBox, svg, h('figcaption', {}, caption));
      this.chartBox.hidden = false;
    } catch {
      this.chartBox.hidden = true;
    }
  }

  /**
   * Copy CSV: the whole result up to COPY_ROWS rows, else the first COPY_ROWS (the button and
   * the status say so). The text is made a slice at a time and handed to the clipboard as a
   * promise, which keeps the click's permission while it is made.
   */
  private copyCsv(): void {
    const data = this.data;
    if (!data) return;
    const rows = Math.min(COPY_ROWS, data.rowCount);
    const text = csvOfKept(data, rows).then((file) => file.blob());
    const done = () => {
      const what = rows < data.totalRows ? `Copied the first ${count(rows)} rows of ${data.complete ? '' : 'at least '}${count(data.totalRows)} as CSV; Download CSV has them all.` : `Copied ${count(rows)} row${rows === 1 ? '' : 's'} as CSV.`;
      this.status.textContent = what;
      this.ctx.announce(what);
    };
    const refused = () => (this.status.textContent = 'The browser refused the clipboard; use Download CSV.');
    if (typeof ClipboardItem !== 'undefined' && navigator.clipboard?.write) {
      const item = new ClipboardItem({ 'text/plain': text.then((b) => new Blob([b], { type: 'text/plain' })) });
      navigator.clipboard.write([item]).then(done, refused);
    } else {
      text.then((b) => b.text()).then((t) => navigator.clipboard.writeText(t)).then(done, refused);
    }
  }

  /**
   * Download CSV: every row. A result the page kept whole is written from memory, a slice
   * at a time; a capped one runs its query again (when it is a single read-only statement)
   * and streams each batch into the file as it arrives, with Cancel available throughout.
   */
  private async downloadCsv(): Promise<void> {
    const data = this.data;
    const query = this.dataQuery;
    if (!data || !query || this.running) return;
    const whole = data.rowCount === data.totalRows && data.complete;
    if (whole || !isSingleReadQuery(query.text)) {
      this.status.textContent = 'Writing CSV…';
      const file = await csvOfKept(data);
      this.save(file.blob());
      this.status.textContent = whole
        ? `Downloaded ${count(file.rows)} row${file.rows === 1 ? '' : 's'} as CSV.`
        : `Downloaded the first ${count(file.rows)} rows as CSV. To download every row, run the SELECT on its own (one statement) and download again.`;
      return;
    }
    const controller = new AbortController();
    this.running = controller;
    this.runButton.disabled = true;
    this.cancelButton.disabled = false;
    this.downloadButton.disabled = true;
    const file = new CsvFile();
    file.add(csvHeader(data.columns.map((c) => c.name)));
    const progress: ResultProgress = { rows: 0, kept: 0, complete: false };
    const ticker = setInterval(() => {
      this.status.textContent = `Writing CSV… ${count(file.rows)}${data.complete ? ` of ${count(data.totalRows)}` : ''} rows`;
    }, 300);
    try {
      await this.ctx.session.warehouse.sql(query.text, {
        ref: query.read.ref,
        snapshotId: query.read.snapshotId,
        asOf: query.read.asOf,
        signal: controller.signal,
        timeLimitMs: DOWNLOAD_TIME_LIMIT_MS,
        keep: { rows: 0 },
        progress,
        onBatch: (batch) => file.addBatch(batch),
      });
      clearInterval(ticker);
      if (!progress.complete) {
        this.status.textContent = `Download stopped after ${count(file.rows)} rows (${controller.signal.aborted ? 'cancelled' : 'time limit'}); no file was saved.`;
        return;
      }
      this.save(file.blob());
      this.status.textContent = `Downloaded ${count(file.rows)} rows as CSV.`;
    } catch (err) {
      clearInterval(ticker);
      this.status.textContent = `Download failed: ${errorText(err)}`;
    } finally {
      clearInterval(ticker);
      this.running = null;
      this.runButton.disabled = false;
      this.cancelButton.disabled = true;
      this.downloadButton.disabled = false;
      if (this.queued) {
        this.queued = false;
        void this.run();
      }
    }
  }

  private save(blob: Blob): void {
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: `${this.ctx.config.id}-result.csv` });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
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
