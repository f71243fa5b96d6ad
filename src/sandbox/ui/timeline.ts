/**
 * The snapshot timeline of one table on the current reference: every snapshot with its
 * operation, time and summary; "Query as of" puts a query pinned to it in the console;
 * "Compare" counts rows added, removed and changed between two snapshots.
 */
import { h, clear, shortId, formatTime, errorText } from './dom.ts';
import type { PaneContext } from './context.ts';
import { tablePicker, tableAt } from './table-picker.ts';
import type { SnapshotInfo } from '../../../sandboxes/lakehouse/warehouse.ts';
import { tableToRows } from '../../../sandboxes/lakehouse/sql/rows.ts';

export class TimelinePane {
  readonly el: HTMLElement;
  private readonly ctx: PaneContext;
  private readonly list: HTMLOListElement;
  private readonly picker: ReturnType<typeof tablePicker>;
  private readonly fromSel: HTMLSelectElement;
  private readonly toSel: HTMLSelectElement;
  private readonly diffOut: HTMLElement;
  private snaps: SnapshotInfo[] = [];

  constructor(ctx: PaneContext) {
    this.ctx = ctx;
    this.picker = tablePicker(ctx, 'Table whose snapshots to show', () => void this.refresh());
    this.list = h('ol', { class: 'sbx-timeline', 'aria-label': 'Snapshots, newest first' });
    this.fromSel = h('select', { class: 'sbx-select', 'aria-label': 'Compare from snapshot' });
    this.toSel = h('select', { class: 'sbx-select', 'aria-label': 'Compare to snapshot' });
    this.diffOut = h('div', { class: 'sbx-diff', role: 'status' });
    this.el = h(
      'div',
      { class: 'sbx-timeline-pane' },
      h('div', { class: 'sbx-toolbar' }, h('label', { class: 'sbx-field' }, h('span', {}, 'Table'), this.picker.el)),
      this.list,
      h(
        'fieldset',
        { class: 'sbx-compare' },
        h('legend', {}, 'Compare two snapshots'),
        h('label', { class: 'sbx-field' }, h('span', {}, 'From'), this.fromSel),
        h('label', { class: 'sbx-field' }, h('span', {}, 'To'), this.toSel),
        h('button', { type: 'button', class: 'sbx-btn', onclick: () => void this.compare() }, 'Compare'),
        this.diffOut,
      ),
    );
    ctx.on('ref', () => void this.refresh());
    ctx.on('changed', () => void this.refresh());
    ctx.on('pane', (k) => k === 'timeline' && void this.refresh());
  }

  async refresh(): Promise<void> {
    await this.picker.refresh();
    const table = this.picker.value();
    if (!table) {
      clear(this.list, h('li', {}, `No tables on ${this.ctx.ref} yet: the first pipeline run creates them.`));
      return;
    }
    try {
      this.snaps = await this.ctx.session.warehouse.snapshots(table, this.ctx.ref);
    } catch (err) {
      clear(this.list, h('li', { class: 'sbx-error' }, errorText(err)));
      return;
    }
    const newest = [...this.snaps].reverse();
    clear(
      this.list,
      newest.map((s) => {
        const sum = s.summary;
        const facts = [
          sum['added-records'] && `+${sum['added-records']} rows`,
          sum['deleted-records'] && `−${sum['deleted-records']} rows`,
          sum['total-records'] && `${sum['total-records']} in total`,
          sum['added-data-files'] && `${sum['added-data-files']} file(s) added`,
          sum['deleted-data-files'] && `${sum['deleted-data-files']} file(s) removed`,
        ].filter(Boolean);
        return h(
          'li',
          { class: `sbx-snap${s.current ? ' current' : ''}`, 'data-snapshot': s.snapshotId },
          h('span', { class: 'sbx-snap-dot', 'aria-hidden': 'true' }),
          h(
            'div',
            { class: 'sbx-snap-body' },
            h('p', { class: 'sbx-snap-head' }, h('strong', {}, s.operation), ` · snapshot `, h('code', {}, s.snapshotId), s.current ? ' · current' : ''),
            h('p', { class: 'sbx-snap-meta' }, `${formatTime(s.timestampMs)} · sequence ${s.sequenceNumber}${facts.length ? ' · ' + facts.join(', ') : ''}`),
            h(
              'button',
              {
                type: 'button',
                class: 'sbx-btn sbx-small',
                'aria-label': `Query ${table} as of snapshot ${s.snapshotId}`,
                onclick: () => this.ctx.loadQuery(`SELECT count(*) AS row_count FROM ${table}`, { run: true, snapshotId: s.snapshotId }),
              },
              'Query as of this snapshot',
            ),
          ),
        );
      }),
    );
    const opts = (sel: HTMLSelectElement, pick: number) =>
      clear(sel, newest.map((s, i) => h('option', { value: s.snapshotId, selected: i === pick }, `${shortId(s.snapshotId)} · ${s.operation} · ${formatTime(s.timestampMs)}`)));
    opts(this.fromSel, Math.min(1, newest.length - 1));
    opts(this.toSel, 0);
  }

  /** Rows added, removed and changed between two snapshots, matched on the table's key. */
  async compare(): Promise<void> {
    const table = this.picker.value();
    const a = this.fromSel.value;
    const b = this.toSel.value;
    if (!table || !a || !b) return;
    this.diffOut.textContent = 'Comparing…';
    try {
      const wh = this.ctx.session.warehouse;
      const schema = (await wh.sql(`SELECT * FROM ${tableAt(table, b)} LIMIT 0`, { ref: this.ctx.ref })).schema.fields.map((f) => f.name);
      const key = schema.find((c) => c === '_id') ?? schema.find((c) => /(^|_)id$/.test(c)) ?? null;
      const A = tableAt(table, a);
      const B = tableAt(table, b);
      const q = key
        ? `WITH a AS (SELECT * FROM ${A}), b AS (SELECT * FROM ${B})
SELECT
  (SELECT count(*) FROM b WHERE "${key}" NOT IN (SELECT "${key}" FROM a)) AS added,
  (SELECT count(*) FROM a WHERE "${key}" NOT IN (SELECT "${key}" FROM b)) AS removed,
  (SELECT count(*) FROM (SELECT * FROM b WHERE "${key}" IN (SELECT "${key}" FROM a) EXCEPT SELECT * FROM a)) AS changed`
        : `WITH a AS (SELECT * FROM ${A}), b AS (SELECT * FROM ${B})
SELECT (SELECT count(*) FROM (SELECT * FROM b EXCEPT ALL SELECT * FROM a)) AS added,
       (SELECT count(*) FROM (SELECT * FROM a EXCEPT ALL SELECT * FROM b)) AS removed,
       0 AS changed`;
      const [row] = tableToRows(await wh.sql(q, { ref: this.ctx.ref }));
      const n = (v: unknown) => Number(v ?? 0).toLocaleString('en');
      clear(
        this.diffOut,
        h('p', { 'data-diff': '' }, h('strong', {}, `${n(row!.added)} added`), ', ', h('strong', {}, `${n(row!.removed)} removed`), ', ', h('strong', {}, `${n(row!.changed)} changed`), key ? ` (rows matched on ${key})` : ' (no key column: whole rows compared)'),
        h(
          'button',
          {
            type: 'button',
            class: 'sbx-btn sbx-small',
            onclick: () => this.ctx.loadQuery(key ? `-- rows in ${shortId(b)} that were not in ${shortId(a)}\nSELECT * FROM ${B}\nWHERE "${key}" NOT IN (SELECT "${key}" FROM ${A})` : `SELECT * FROM ${B}\nEXCEPT ALL\nSELECT * FROM ${A}`, { run: true }),
          },
          'Show the added rows in the console',
        ),
      );
    } catch (err) {
      clear(this.diffOut, h('p', { class: 'sbx-error' }, errorText(err)));
    }
  }
}
