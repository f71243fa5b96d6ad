/**
 * A chart of the result when its shape suggests one: a time (or date) column and a number
 * -> a line over time; a text column and a number -> bars per category. Anything else gets
 * no chart rather than a misleading one. Observable Plot is loaded only when a chart fits.
 * A long time series is drawn from at most MAX_CHART_POINTS points, read straight from the
 * Arrow result a slice at a time, so a million-row result charts without freezing the page.
 */
import type { ResultData } from './grid.ts';
import { Turns } from './turns.ts';

/** Most points a line is drawn from: the lowest and highest value of each of half as many slices. */
export const MAX_CHART_POINTS = 2000;

export interface ChartPlan {
  kind: 'time-series' | 'bars';
  x: number;
  y: number;
}

/**
 * Load and evaluate the charting library while the page is idle, once a console exists:
 * evaluating it on the first chart was the longest main-thread task of a million-row result
 * (162 ms on a quiet machine, 412 ms on a loaded one), right when the learner waits.
 */
export function preloadChartLibrary(): void {
  const idle = (globalThis as { requestIdleCallback?: (f: () => void, o?: { timeout: number }) => void }).requestIdleCallback;
  const load = () => void import('@observablehq/plot').catch(() => {});
  if (idle) idle(load, { timeout: 5_000 });
  else setTimeout(load, 1_000);
}

export function planChart(data: ResultData): ChartPlan | null {
  if (data.rowCount < 2) return null;
  const cols = data.columns;
  const y = cols.findIndex((c) => c.numeric);
  if (y < 0) return null;
  const t = cols.findIndex((c) => c.temporal);
  if (t >= 0) return { kind: 'time-series', x: t, y: cols.findIndex((c, i) => c.numeric && i !== t) };
  const cat = cols.findIndex((c) => !c.numeric && !c.temporal);
  if (cat >= 0 && data.rowCount <= 60) return { kind: 'bars', x: cat, y };
  return null;
}

export async function drawChart(data: ResultData, plan: ChartPlan, width: number): Promise<Element> {
  return accessible(await plotOf(data, plan, width), plan, data);
}

/** One image with one label for assistive technology, instead of Plot's labelled groups. */
function accessible(svg: Element, plan: ChartPlan, data: ResultData): Element {
  for (const g of svg.querySelectorAll('[aria-label]')) if (g !== svg) g.removeAttribute('aria-label');
  svg.setAttribute('role', 'img');
  const x = data.columns[plan.x]!.name;
  const y = data.columns[plan.y]!.name;
  svg.setAttribute('aria-label', plan.kind === 'time-series'
      ? `Line chart of ${y} over ${x}, ${data.rowCount > MAX_CHART_POINTS ? `${data.rowCount} rows drawn as at most ${MAX_CHART_POINTS} points` : `${data.rowCount} points`}`
      : `Bar chart of ${y} per ${x}, ${data.rowCount} bars`);
  return svg;
}

async function plotOf(data: ResultData, plan: ChartPlan, width: number): Promise<Element> {
  const Plot = await import('@observablehq/plot');
  const xName = data.columns[plan.x]!.name;
  const yName = data.columns[plan.y]!.name;
  const style = { background: 'transparent', color: 'currentColor', fontSize: '12px' };
  if (plan.kind === 'time-series') {
    const points = (await chartRows(data, plan))
      .filter((r) => r[plan.x] !== null && r[plan.y] !== null)
      .map((r) => ({ x: new Date(String(r[plan.x]).length === 10 ? `${r[plan.x]}T00:00:00Z` : `${r[plan.x]}`.replace(/Z?$/, 'Z')), y: Number(r[plan.y]) }));
    // Room on the left for the longest tick label ("1,000,000"): Plot's default fits about five characters.
    const widest = Math.max(0, ...points.map((p) => Math.abs(p.y)));
    const marginLeft = Math.max(40, 14 + 7 * Math.round(widest).toLocaleString('en').length);
    return Plot.plot({
      width,
      height: 240,
      style,
      marginLeft,
      x: { label: xName, type: 'utc' },
      y: { label: yName, grid: true },
      marks: [Plot.lineY(points, { x: 'x', y: 'y', stroke: 'var(--sl-color-accent)' }), Plot.ruleY([0])],
    });
  }
  const bars = data.rows.map((r) => ({ x: r[plan.x] === null ? 'NULL' : String(r[plan.x]), y: Number(r[plan.y]) }));
  return Plot.plot({
    width,
    height: 240,
    style,
    marginBottom: 50,
    x: { label: xName, tickRotate: bars.length > 8 ? -30 : 0, domain: bars.map((b) => b.x) },
    y: { label: yName, grid: true },
    marks: [Plot.barY(bars, { x: 'x', y: 'y', fill: 'var(--sl-color-accent)' }), Plot.ruleY([0])],
  });
}

/**
 * The rows a time series is drawn from: all of them up to MAX_CHART_POINTS; beyond that, in
 * row order, the lowest and highest value of each slice of consecutive rows, so spikes and
 * dips stay visible. The values are read from Arrow; only the chosen rows become JSON.
 */
async function chartRows(data: ResultData, plan: ChartPlan): Promise<ReturnType<ResultData['slice']>> {
  const n = data.rowCount;
  if (n <= MAX_CHART_POINTS) return data.slice(0, n);
  const slices = MAX_CHART_POINTS / 2;
  const ys = data.table.getChildAt(plan.y)!;
  const turns = new Turns();
  const picks: number[] = [];
  let i = 0;
  for (let s = 0; s < slices; s++) {
    const end = Math.floor(((s + 1) * n) / slices);
    let lo = -1;
    let hi = -1;
    let low = Infinity;
    let high = -Infinity;
    for (; i < end; i++) {
      const v = ys.get(i);
      if (v === null || v === undefined) continue;
      const y = Number(v);
      if (Number.isNaN(y)) continue;
      if (y < low) [low, lo] = [y, i];
      if (y > high) [high, hi] = [y, i];
    }
    if (lo >= 0) picks.push(...(lo === hi ? [lo] : lo < hi ? [lo, hi] : [hi, lo]));
    await turns.maybe();
  }
  const rows: ReturnType<ResultData['slice']> = [];
  for (const p of picks) {
    rows.push(data.slice(p, p + 1)[0]!);
    await turns.maybe();
  }
  return rows;
}
