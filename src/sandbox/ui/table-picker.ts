/** A <select> of the tables on the context's reference, kept current as refs and data change. */
import { h, clear } from './dom.ts';
import type { PaneContext } from './context.ts';

export function tablePicker(ctx: PaneContext, label: string, onPick: (table: string) => void): { el: HTMLSelectElement; value(): string; refresh(): Promise<void> } {
  const el = h('select', { class: 'sbx-select', 'aria-label': label });
  let current = ctx.config.defaultTable ?? '';
  el.addEventListener('change', () => {
    current = el.value;
    onPick(current);
  });
  const refresh = async () => {
    const tables = await ctx.session.warehouse.tables(ctx.ref).catch(() => [] as string[]);
    // The section's own table once it exists (on an empty lakehouse it appears with the first run).
    const preferred = ctx.config.defaultTable ?? '';
    if (!tables.includes(current)) current = tables.includes(preferred) ? preferred : tables[0] ?? '';
    clear(el, tables.map((t) => h('option', { value: t, selected: t === current }, t)));
  };
  return { el, value: () => current, refresh };
}

/** `raw.glucose_entries` at a snapshot, in the selector syntax the warehouse understands. */
export function tableAt(table: string, selector: string): string {
  const dot = table.indexOf('.');
  return `${table.slice(0, dot)}."${table.slice(dot + 1)}@${selector}"`;
}
