/**
 * The Scale pane (Part 12). Two halves:
 *
 * 1. Scale out: a backfill of the first N days of 2025, run once per chosen worker count.
 *    Each count cuts the days into contiguous slices, one per Web Worker
 *    (../pipeline/scale-worker.ts), each ingesting into its own in-memory warehouse. The
 *    wall time (first worker started -> last result), the speed-up T(1)/T(N) against
 *    Amdahl's law, and the worker-seconds are drawn with Observable Plot. Every run is
 *    recorded in the section's warehouse (pipeline/scale/), where the tasks check it.
 * 2. Maintain: the layout of raw.glucose_entries on main (data files, manifests, snapshots,
 *    rows) and the time of a full-table query, measured before and after `compact` and
 *    `expire`, which run in the pipeline terminal so their output stays visible there.
 */
import parquetWasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';
import { h, clear, errorText } from './dom.ts';
import type { PaneContext } from './context.ts';
import { resultFromArrow } from './grid.ts';
import { splitDays, SCALE_FROM, SCALE_MAX_DAYS, scaleRecord, recordScaleRun, readScaleRuns, amdahl, serialFraction, type ScaleRecord, type SliceResult } from '../../../sandboxes/pipeline/orchestrate/scale-record.ts';
import type { FromScaleWorker, ToScaleWorker } from '../pipeline/scale-worker.ts';
import { layoutSql, RAW } from '../sections/part-12-step-5-kubernetes-deployment.ts';

/** A slice that takes longer than this is reported as stuck (a full year on one worker takes tens of seconds idle, minutes on a busy machine). */
const SLICE_TIME_LIMIT_MS = 600_000;

const cores = (): number => Math.max(1, Number(globalThis.navigator?.hardwareConcurrency) || 1);

/** 1, 2, 4 always (beyond the cores is part of the lesson), then 8, 16 and the core count, up to the cores. */
export function workerChoices(hardware: number): number[] {
  const set = new Set([1, 2, 4]);
  for (const n of [8, 16, hardware]) if (n <= Math.min(hardware, 16)) set.add(n);
  return [...set].sort((a, b) => a - b);
}

/** Run one slice in a fresh Web Worker; resolves with its result and the time the page saw it busy. */
function runSliceInWorker(slice: SliceResult | Omit<SliceResult, 'rows' | 'snapshots' | 'ms'>): { done: Promise<{ result: SliceResult; billedMs: number }>; stop: () => void } {
  const started = performance.now();
  const worker = new Worker(new URL('../pipeline/scale-worker.ts', import.meta.url), { type: 'module', name: `scale-${slice.worker}` });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const done = new Promise<{ result: SliceResult; billedMs: number }>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`worker ${slice.worker} did not finish within ${SLICE_TIME_LIMIT_MS / 1000} s`)), SLICE_TIME_LIMIT_MS);
    worker.addEventListener('message', (ev: MessageEvent<FromScaleWorker>) => {
      const m = ev.data;
      if (m.type === 'done') resolve({ result: m.result, billedMs: Math.round(performance.now() - started) });
      else if (m.type === 'error') reject(new Error(`worker ${slice.worker}: ${m.message}`));
    });
    worker.addEventListener('error', (ev) => {
      ev.preventDefault();
      reject(new Error(`worker ${slice.worker} crashed${ev.message ? ` (${ev.message})` : ''}`));
    });
  });
  const msg: ToScaleWorker = { type: 'slice', slice: { worker: slice.worker, from: slice.from, to: slice.to, days: slice.days }, parquetWasmUrl: new URL(parquetWasmUrl, location.href).toString() };
  worker.postMessage(msg);
  const stop = () => {
    clearTimeout(timer);
    worker.terminate();
  };
  void done.then(stop, stop);
  return { done, stop };
}

/** The newest run per worker count among the runs of `days` days made in Web Workers. */
function latestPerWorkers(runs: ScaleRecord[], days: number): ScaleRecord[] {
  const by = new Map<number, ScaleRecord>();
  for (const r of runs) if (r.days === days && r.host === 'web-workers') by.set(r.workers, r);
  return [...by.values()].sort((a, b) => a.workers - b.workers);
}

interface Layout {
  label: string;
  data_files: number;
  manifests: number;
  snapshots: number;
  records: number;
  queryMs: number;
}

export class ScalePane {
  readonly el: HTMLElement;
  private readonly ctx: PaneContext;
  private readonly daysInput: HTMLInputElement;
  private readonly boxes: { n: number; box: HTMLInputElement }[] = [];
  private readonly runButton: HTMLButtonElement;
  private readonly stopButton: HTMLButtonElement;
  private readonly status: HTMLElement;
  private readonly results: HTMLElement;
  private readonly chart: HTMLElement;
  private readonly layoutBox: HTMLElement;
  private readonly maintainButtons: HTMLButtonElement[] = [];
  private readonly layouts: Layout[] = [];
  private stops: (() => void)[] = [];
  private stopped = false;

  constructor(ctx: PaneContext) {
    this.ctx = ctx;
    const hw = cores();
    this.daysInput = h('input', { type: 'number', min: 1, max: SCALE_MAX_DAYS, value: 14, step: 1, class: 'sbx-input', 'data-scale-days': '', 'aria-describedby': 'sbx-scale-days-note' }) as HTMLInputElement;
    const choices = workerChoices(hw);
    const boxRow = h('fieldset', { class: 'sbx-scale-workers' }, h('legend', {}, 'Workers to try'));
    for (const n of choices) {
      const box = h('input', { type: 'checkbox', value: n, 'data-workers': n, checked: n <= 4 }) as HTMLInputElement;
      this.boxes.push({ n, box });
      boxRow.appendChild(h('label', { class: 'sbx-scale-choice' }, box, ` ${n}`));
    }
    this.runButton = h('button', { type: 'button', class: 'sbx-btn sbx-primary', 'data-scale-run': '' }, 'Run the backfill') as HTMLButtonElement;
    this.stopButton = h('button', { type: 'button', class: 'sbx-btn', disabled: true }, 'Stop') as HTMLButtonElement;
    this.runButton.addEventListener('click', () => void this.run());
    this.stopButton.addEventListener('click', () => this.stop());
    this.status = h('p', { class: 'sbx-scale-status', role: 'status', 'data-scale-status': '' });
    this.results = h('div', { class: 'sbx-scale-results', 'data-scale-results': '' });
    this.chart = h('div', { class: 'sbx-scale-chart', 'data-scale-chart': '' });
    this.layoutBox = h('div', { class: 'sbx-scale-layout', 'data-scale-layout': '' });

    const measure = h('button', { type: 'button', class: 'sbx-btn', 'data-maintain': 'measure' }, 'Measure') as HTMLButtonElement;
    const compact = h('button', { type: 'button', class: 'sbx-btn sbx-primary', 'data-maintain': 'compact' }, 'Compact') as HTMLButtonElement;
    const expire = h('button', { type: 'button', class: 'sbx-btn', 'data-maintain': 'expire' }, 'Expire old snapshots') as HTMLButtonElement;
    measure.addEventListener('click', () => void this.measure('measured'));
    compact.addEventListener('click', () => void this.maintain(`compact ${RAW}`, 'after compact'));
    expire.addEventListener('click', () => void this.maintain(`expire ${RAW} --older-than 2025-02-01T00:00:00Z`, 'after expire'));
    this.maintainButtons.push(measure, compact, expire);

    this.el = h(
      'div',
      { class: 'sbx-scale' },
      h('section', { class: 'sbx-scale-part', 'aria-label': 'Scale out a backfill' },
        h('h4', {}, 'Scale out: a 2025 backfill in parallel workers'),
        h('p', { class: 'sbx-note' },
          `Each worker ingests a contiguous slice of days (dlt_glucose_entries, one commit per day) into its own in-memory warehouse. This browser reports ${hw} core${hw === 1 ? '' : 's'} (navigator.hardwareConcurrency).`),
        h('div', { class: 'sbx-scale-controls' },
          h('label', { class: 'sbx-scale-days' }, 'Days from 2025-01-01 ', this.daysInput),
          boxRow,
          h('div', { class: 'sbx-scale-actions' }, this.runButton, ' ', this.stopButton),
        ),
        h('p', { class: 'sbx-note', id: 'sbx-scale-days-note' }, `1 to ${SCALE_MAX_DAYS} days (${SCALE_MAX_DAYS} is the whole of 2025). Start with 14; a year takes longer per run.`),
        this.status,
        this.results,
        this.chart,
      ),
      h('section', { class: 'sbx-scale-part', 'aria-label': 'Table maintenance' },
        h('h4', {}, `Maintain: ${RAW} on main`),
        h('p', { class: 'sbx-note' }, 'Measure the table, compact its small files, expire its old snapshots, and measure again. Compact and expire run in the Pipeline terminal, where their output stays.'),
        h('div', { class: 'sbx-scale-actions' }, measure, ' ', compact, ' ', expire),
        this.layoutBox,
      ),
    );
    ctx.on('changed', (why) => {
      if (why === 'reset') {
        this.layouts.length = 0;
        clear(this.layoutBox);
        void this.redraw();
      } else if (why === 'pipeline') {
        // A `scale` command in the terminal records a run too.
        void this.redraw();
      }
    });
    void this.redraw();
  }

  private selectedWorkers(): number[] {
    return this.boxes.filter((b) => b.box.checked).map((b) => b.n);
  }

  private stop(): void {
    this.stopped = true;
    for (const s of this.stops) s();
    this.stops = [];
  }

  private async run(): Promise<void> {
    const days = Number(this.daysInput.value);
    const counts = this.selectedWorkers();
    if (!Number.isInteger(days) || days < 1 || days > SCALE_MAX_DAYS) {
      this.status.textContent = `Choose a whole number of days from 1 to ${SCALE_MAX_DAYS}.`;
      return;
    }
    if (!counts.length) {
      this.status.textContent = 'Tick at least one worker count (1 is the baseline every speed-up is measured against).';
      return;
    }
    this.runButton.disabled = true;
    this.stopButton.disabled = false;
    this.stopped = false;
    try {
      for (const n of counts) {
        if (this.stopped) break;
        const slices = splitDays(SCALE_FROM, days, n);
        this.status.textContent = `Running ${days} day(s) on ${slices.length} worker(s): ${slices.map((s) => `${s.from}..${s.to}`).join(', ')}…`;
        const t0 = performance.now();
        const running = slices.map((s) => runSliceInWorker(s));
        this.stops = running.map((r) => r.stop);
        const out = await Promise.all(running.map((r) => r.done));
        const wallMs = Math.round(performance.now() - t0);
        const rec = scaleRecord(SCALE_FROM, days, slices.length, wallMs, out.map((o) => o.result), 'web-workers', Date.now());
        // What a cluster bills: each worker from its start to its result, start-up included.
        rec.workerMs = out.reduce((a, o) => a + o.billedMs, 0);
        await recordScaleRun(this.ctx.session.storage, rec);
        this.ctx.emit('changed', 'scale');
        await this.redraw(days);
      }
      this.status.textContent = this.stopped ? 'Stopped.' : `Done: ${counts.join(', ')} worker(s) over ${days} day(s).`;
      this.ctx.announce(this.status.textContent);
    } catch (err) {
      this.status.textContent = this.stopped ? 'Stopped.' : `The backfill failed: ${errorText(err)}. Nothing in the section's warehouse changed; run it again.`;
    } finally {
      this.stop();
      this.runButton.disabled = false;
      this.stopButton.disabled = true;
    }
  }

  /** Table and chart of the newest run per worker count for `days` (default: the newest run's). */
  private async redraw(days?: number): Promise<void> {
    let runs: ScaleRecord[] = [];
    try {
      runs = await readScaleRuns(this.ctx.session.storage);
    } catch { /* no runs yet */ }
    const web = runs.filter((r) => r.host === 'web-workers');
    const fromTerminal = runs.length - web.length;
    const terminalNote = fromTerminal
      ? h('p', { class: 'sbx-note', 'data-terminal-runs': fromTerminal }, `Also recorded: ${fromTerminal} run(s) of the terminal's scale command. Their slices took turns on one thread, so they count for the tasks but are not plotted.`)
      : null;
    const d = days ?? web.at(-1)?.days;
    const rows = d === undefined ? [] : latestPerWorkers(web, d);
    if (!rows.length) {
      clear(this.results, h('p', { class: 'sbx-note' }, 'No backfill measured in Web Workers yet.'), terminalNote);
      clear(this.chart);
      return;
    }
    const base = rows.find((r) => r.workers === 1);
    const fractions = base ? rows.filter((r) => r.workers > 1).map((r) => serialFraction(base.wallMs / r.wallMs, r.workers)).filter((x): x is number => x !== null) : [];
    const serial = fractions.length ? fractions.reduce((a, b) => a + b, 0) / fractions.length : null;
    const fmt = (ms: number) => (ms / 1000).toFixed(2);
    clear(
      this.results,
      h('table', { class: 'sbx-scale-table' },
        h('caption', {}, `Backfill of ${d} day(s), newest run per worker count`),
        h('thead', {}, h('tr', {}, ['Workers', 'Wall time (s)', 'Speed-up', 'Worker-seconds', 'Efficiency', 'Rows'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, rows.map((r) => {
          const s = base ? base.wallMs / r.wallMs : null;
          return h('tr', { 'data-workers-row': r.workers },
            h('td', {}, r.workers),
            h('td', {}, fmt(r.wallMs)),
            h('td', {}, s === null ? '–' : `${s.toFixed(2)}×`),
            h('td', {}, fmt(r.workerMs)),
            h('td', {}, s === null ? '–' : `${Math.round((100 * s) / r.workers)} %`),
            h('td', {}, r.rows));
        })),
      ),
      serial !== null
        ? h('p', { class: 'sbx-note' }, `Serial fraction implied by your runs (Karp–Flatt, averaged): ${(100 * serial).toFixed(0)} %. Amdahl's law then caps the speed-up at ${(1 / Math.max(serial, 1e-6)).toFixed(1)}× however many workers you add, and this machine's ${cores()} core(s) cap it sooner.`)
        : h('p', { class: 'sbx-note' }, 'Run 1 worker as well to see the speed-up.'),
      terminalNote,
    );
    await this.drawChart(rows, base ?? null, serial);
  }

  private async drawChart(rows: ScaleRecord[], base: ScaleRecord | null, serial: number | null): Promise<void> {
    try {
      const Plot = await import('@observablehq/plot');
      const width = Math.max(260, Math.min(420, (this.chart.clientWidth || 640) / 2 - 16));
      const style = { background: 'transparent', color: 'currentColor', fontSize: '12px' };
      const maxN = Math.max(...rows.map((r) => r.workers), 2);
      const ns = Array.from({ length: maxN }, (_, i) => i + 1);
      const figures: Element[] = [];
      if (base) {
        const measured = rows.map((r) => ({ n: r.workers, s: base.wallMs / r.wallMs }));
        const p = serial === null ? 1 : 1 - serial;
        const marks = [
          Plot.line(ns.map((n) => ({ n, s: n })), { x: 'n', y: 's', stroke: 'currentColor', strokeOpacity: 0.35, strokeDasharray: '4 3' }),
          Plot.line(ns.map((n) => ({ n, s: amdahl(p, n) })), { x: 'n', y: 's', stroke: 'var(--sl-color-gray-3)', strokeWidth: 6, strokeOpacity: 0.5 }),
          Plot.line(measured, { x: 'n', y: 's', stroke: 'var(--sl-color-accent)', strokeWidth: 2 }),
          Plot.dot(measured, { x: 'n', y: 's', fill: 'var(--sl-color-accent)', r: 4 }),
          Plot.ruleY([1], { strokeOpacity: 0.25 }),
        ];
        figures.push(labelled(Plot.plot({ width, height: 220, style, x: { label: 'workers', ticks: ns, tickFormat: 'd', domain: [1, maxN] }, y: { label: 'speed-up T(1)/T(N)', grid: true, domain: [0, maxN] }, marks }),
          `Speed-up against workers: measured ${measured.map((m) => `${m.n} → ${m.s.toFixed(2)}×`).join(', ')}; dashed line ideal, grey line Amdahl's law for the measured serial fraction.`));
      }
      figures.push(labelled(Plot.plot({
        width, height: 220, style, x: { label: 'workers', type: 'band' }, y: { label: 'seconds', grid: true },
        marks: [
          Plot.barY(rows.map((r) => ({ n: String(r.workers), s: r.workerMs / 1000 })), { x: 'n', y: 's', fill: 'var(--sl-color-gray-4)' }),
          Plot.line(rows.map((r) => ({ n: String(r.workers), s: r.wallMs / 1000 })), { x: 'n', y: 's', stroke: 'var(--sl-color-accent)', strokeWidth: 2 }),
          Plot.dot(rows.map((r) => ({ n: String(r.workers), s: r.wallMs / 1000 })), { x: 'n', y: 's', fill: 'var(--sl-color-accent)', r: 4 }),
          Plot.ruleY([0]),
        ],
      }), `Cost against workers: bars are worker-seconds (${rows.map((r) => (r.workerMs / 1000).toFixed(1)).join(', ')}), the line is wall time (${rows.map((r) => (r.wallMs / 1000).toFixed(1)).join(', ')}) seconds.`));
      clear(this.chart, h('div', { class: 'sbx-scale-figures' }, figures.map((f) => h('figure', {}, f))), h('p', { class: 'sbx-note' }, 'Left: speed-up (accent) against the ideal (dashed) and Amdahl’s law for your serial fraction (wide grey band). Right: worker-seconds (bars) and wall time (line).'));
    } catch (err) {
      clear(this.chart, h('p', { class: 'sbx-note' }, `The chart could not be drawn: ${errorText(err)}`));
    }
  }

  // ------------------------------------------------------------ maintenance

  private async maintain(line: string, label: string): Promise<void> {
    for (const b of this.maintainButtons) b.disabled = true;
    try {
      if (!this.layouts.length) await this.measure('before');
      this.ctx.showPane('pipeline');
      await new Promise<void>((resolve) => this.ctx.emit('pipeline-command', { line, done: resolve }));
      this.ctx.showPane('scale');
      await this.measure(label);
    } finally {
      for (const b of this.maintainButtons) b.disabled = false;
    }
  }

  private async measure(label: string): Promise<void> {
    const wh = this.ctx.session.warehouse;
    try {
      const data = resultFromArrow(await wh.sql(layoutSql, { ref: 'main' }));
      const [files, manifests, snapshots, records] = (data.rows[0] ?? []).map((v) => Number(v));
      // What a new reader pays: plan the snapshot (manifest list, manifests) and open every data
      // file, through the Iceberg reader. (A DuckDB query would be timed warm or cold depending on
      // what the console already loaded, which is not a fair comparison.)
      const table = await wh.table(RAW, 'main');
      const t0 = performance.now();
      await table.scan();
      const queryMs = Math.round(performance.now() - t0);
      this.layouts.push({ label, data_files: files ?? 0, manifests: manifests ?? 0, snapshots: snapshots ?? 0, records: records ?? 0, queryMs });
      this.drawLayouts();
    } catch (err) {
      clear(this.layoutBox, h('p', { class: 'sbx-error', role: 'alert' }, `Could not measure ${RAW}: ${errorText(err)}`));
    }
  }

  private drawLayouts(): void {
    clear(
      this.layoutBox,
      h('table', { class: 'sbx-scale-table' },
        h('caption', {}, `${RAW} on main`),
        h('thead', {}, h('tr', {}, ['When', 'Data files', 'Manifests', 'Snapshots', 'Rows', 'Full read (ms)'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, this.layouts.map((l) => h('tr', { 'data-layout-row': l.label },
          h('td', {}, l.label), h('td', { 'data-files': l.data_files }, l.data_files), h('td', {}, l.manifests), h('td', {}, l.snapshots), h('td', {}, l.records), h('td', {}, l.queryMs)))),
      ),
      h('p', { class: 'sbx-note' }, 'Full read: what a new reader pays to plan the current snapshot and open every data file of the table. Fewer, larger files mean fewer manifests to read and fewer files to open for the same rows. (Timings move with the machine’s load; the file counts do not.)'),
    );
  }
}

/** One labelled image per chart for assistive technology (as chart.ts does). */
function labelled(svg: Element, label: string): Element {
  for (const g of svg.querySelectorAll('[aria-label]')) if (g !== svg) g.removeAttribute('aria-label');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  return svg;
}
