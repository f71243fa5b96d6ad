/**
 * A chart of the result when its shape suggests one: a time (or date) column and a number
 * -> a line over time; a text column and a number -> bars per category. Anything else gets
 * no chart rather than a misleading one. Observable Plot is loaded only when a chart fits.
 */
import type { ResultData } from './grid.ts';

export interface ChartPlan {
  kind: 'time-series' | 'bars';
  x: number;
  y: number;
}

export function planChart(data: ResultData): ChartPlan | null {
  if (data.rows.length < 2) return null;
  const cols = data.columns;
  const y = cols.findIndex((c) => c.numeric);
  if (y < 0) return null;
  const t = cols.findIndex((c) => c.temporal);
  if (t >= 0) return { kind: 'time-series', x: t, y: cols.findIndex((c, i) => c.numeric && i !== t) };
  const cat = cols.findIndex((c) => !c.numeric && !c.temporal);
  if (cat >= 0 && data.rows.length <= 60) return { kind: 'bars', x: cat, y };
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
  svg.setAttribute('aria-label', plan.kind === 'time-series' ? `Line chart of ${y} over ${x}, ${data.rows.length} points` : `Bar chart of ${y} per ${x}, ${data.rows.length} bars`);
  return svg;
}

async function plotOf(data: ResultData, plan: ChartPlan, width: number): Promise<Element> {
  const Plot = await import('@observablehq/plot');
  const xName = data.columns[plan.x]!.name;
  const yName = data.columns[plan.y]!.name;
  const style = { background: 'transparent', color: 'currentColor', fontSize: '12px' };
  if (plan.kind === 'time-series') {
    const points = data.rows
      .filter((r) => r[plan.x] !== null && r[plan.y] !== null)
      .map((r) => ({ x: new Date(String(r[plan.x]).length === 10 ? `${r[plan.x]}T00:00:00Z` : `${r[plan.x]}`.replace(/Z?$/, 'Z')), y: Number(r[plan.y]) }));
    return Plot.plot({
      width,
      height: 240,
      style,
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
