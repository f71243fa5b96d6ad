/**
 * Branches, tags and commits as a graph (one lane per branch, merge commits join lanes),
 * with the catalog operations a learner needs: create a branch, switch to it, commit a
 * small change on it, merge it, delete it. A merge conflict is explained in words: which
 * table changed on both sides since they split.
 */
import { h, clear, errorText, formatTime } from './dom.ts';
import type { PaneContext } from './context.ts';
import type { Commit, Reference } from '../../../sandboxes/lakehouse/catalog/model.ts';
import { MergeConflictError } from '../../../sandboxes/lakehouse/catalog/errors.ts';
import { gt } from '../../../sandboxes/lakehouse/iceberg/filter.ts';
import { layoutLanes } from './branch-lanes.ts';

const SVG = 'http://www.w3.org/2000/svg';
const ROW = 30;
const LANE = 22;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

export class BranchesPane {
  readonly el: HTMLElement;
  private readonly ctx: PaneContext;
  private readonly graph: HTMLElement;
  private readonly refList: HTMLElement;
  private readonly out: HTMLElement;
  private readonly nameInput: HTMLInputElement;
  private readonly mergeFrom: HTMLSelectElement;
  private readonly mergeInto: HTMLSelectElement;
  private readonly changeTable: HTMLSelectElement;
  private readonly changeValue: HTMLInputElement;

  constructor(ctx: PaneContext) {
    this.ctx = ctx;
    this.graph = h('div', { class: 'sbx-graph', tabindex: 0, role: 'group', 'aria-label': 'Commit graph (scrollable)' });
    this.refList = h('ul', { class: 'sbx-refs', 'aria-label': 'Branches and tags' });
    this.out = h('div', { class: 'sbx-op-result', role: 'status', 'aria-live': 'polite' });
    this.nameInput = h('input', { class: 'sbx-input', 'aria-label': 'New branch name', placeholder: 'experiment', pattern: '[A-Za-z0-9][A-Za-z0-9_.\\-]*' });
    this.mergeFrom = h('select', { class: 'sbx-select', 'aria-label': 'Merge from branch' });
    this.mergeInto = h('select', { class: 'sbx-select', 'aria-label': 'Merge into branch' });
    this.changeTable = h('select', { class: 'sbx-select', 'aria-label': 'Table to change' });
    this.changeValue = h('input', { class: 'sbx-input sbx-narrow', type: 'number', value: 200, 'aria-label': 'Remove readings above this glucose value (mg/dL)' });
    this.el = h(
      'div',
      { class: 'sbx-branches' },
      h('div', { class: 'sbx-branch-top' }, h('div', {}, h('h4', {}, 'References'), this.refList), h('div', { class: 'sbx-graph-wrap' }, h('h4', {}, 'Commit graph'), this.graph)),
      h(
        'div',
        { class: 'sbx-ops' },
        h(
          'form',
          { class: 'sbx-op', onsubmit: (e: Event) => (e.preventDefault(), void this.create()) },
          h('h4', {}, 'Create a branch'),
          h('label', { class: 'sbx-field' }, h('span', {}, 'Name'), this.nameInput),
          h('button', { type: 'submit', class: 'sbx-btn' }, 'Create branch'),
          h('p', { class: 'sbx-note' }, 'Branches from the reference you are on; copies no data.'),
        ),
        h(
          'form',
          { class: 'sbx-op', onsubmit: (e: Event) => (e.preventDefault(), void this.commitChange()) },
          h('h4', {}, 'Commit a change on the current branch'),
          h('label', { class: 'sbx-field' }, h('span', {}, 'Table'), this.changeTable),
          h('label', { class: 'sbx-field' }, h('span', {}, 'Delete readings above'), this.changeValue),
          h('button', { type: 'submit', class: 'sbx-btn' }, 'Commit the delete'),
          h('p', { class: 'sbx-note' }, 'Writes a new Iceberg snapshot and a catalog commit on this branch only.'),
        ),
        h(
          'form',
          { class: 'sbx-op', onsubmit: (e: Event) => (e.preventDefault(), void this.merge()) },
          h('h4', {}, 'Merge'),
          h('label', { class: 'sbx-field' }, h('span', {}, 'From'), this.mergeFrom),
          h('label', { class: 'sbx-field' }, h('span', {}, 'Into'), this.mergeInto),
          h('button', { type: 'submit', class: 'sbx-btn' }, 'Merge'),
        ),
      ),
      this.out,
    );
    ctx.on('ref', () => void this.refresh());
    ctx.on('changed', () => void this.refresh());
    ctx.on('pane', (k) => k === 'branches' && void this.refresh());
  }

  private say(kind: 'ok' | 'error', ...content: (string | Node)[]): void {
    clear(this.out, h('div', { class: kind === 'ok' ? 'sbx-ok' : 'sbx-error', role: kind === 'error' ? 'alert' : null }, ...content));
  }

  /** The latest refresh: an earlier one still awaiting the warehouse must not paint over it. */
  private refreshes = 0;

  async refresh(): Promise<void> {
    const wh = this.ctx.session.warehouse;
    // Refreshes overlap (a create, a 'changed' and a pane switch in a row): one that read the
    // refs before a new branch existed and answered last used to leave the list without it.
    const ticket = ++this.refreshes;
    const stale = () => ticket !== this.refreshes;
    let refs: Reference[] = [];
    try {
      refs = await wh.references();
    } catch (err) {
      if (!stale()) this.say('error', errorText(err));
      return;
    }
    if (stale()) return;
    const branches = refs.filter((r) => r.type === 'BRANCH');
    clear(
      this.refList,
      refs.map((r) =>
        h(
          'li',
          { class: r.name === this.ctx.ref ? 'current' : '', 'data-ref': r.name },
          h('span', { class: `sbx-ref-kind ${r.type === 'TAG' ? 'tag' : 'branch'}` }, r.type === 'TAG' ? 'tag' : 'branch'),
          h('code', {}, r.name),
          h('span', { class: 'sbx-hash' }, r.hash.slice(0, 8)),
          h(
            'span',
            { class: 'sbx-ref-actions' },
            r.name === this.ctx.ref
              ? h('span', { class: 'sbx-here' }, 'you are here')
              : h('button', { type: 'button', class: 'sbx-btn sbx-small', onclick: () => this.ctx.setRef(r.name), 'aria-label': `Switch to ${r.name}` }, 'Switch'),
            r.type === 'BRANCH' && r.name !== 'main'
              ? h('button', { type: 'button', class: 'sbx-btn sbx-small', onclick: () => void this.remove(r.name), 'aria-label': `Delete branch ${r.name}` }, 'Delete')
              : null,
          ),
        ),
      ),
    );
    const opt = (sel: HTMLSelectElement, pick: string) => {
      const keep = sel.value || pick;
      clear(sel, branches.map((b) => h('option', { value: b.name, selected: b.name === keep }, b.name)));
    };
    opt(this.mergeFrom, branches.find((b) => b.name !== 'main')?.name ?? 'main');
    opt(this.mergeInto, 'main');
    const tables = await wh.tables(this.ctx.ref).catch(() => [] as string[]);
    if (stale()) return;
    const keep = this.changeTable.value || this.ctx.config.defaultTable || '';
    clear(this.changeTable, tables.map((t) => h('option', { value: t, selected: t === keep }, t)));
    await this.drawGraph(refs, stale);
  }

  /** Commits reachable from every ref (newest first), one lane per branch (and per tag ahead of every branch). */
  private async drawGraph(refs: Reference[], stale: () => boolean): Promise<void> {
    const wh = this.ctx.session.warehouse;
    const logs = new Map<string, Commit[]>();
    for (const r of refs) logs.set(r.name, await wh.log(r.name, 12).catch(() => [] as Commit[]));
    if (stale()) return;
    const { lanes, laneOf, commits } = layoutLanes(refs, logs);
    const heads = new Map<string, string[]>();
    for (const r of refs) heads.set(r.hash, [...(heads.get(r.hash) ?? []), r.type === 'TAG' ? `tag ${r.name}` : r.name]);
    const width = Math.max(1, lanes.length) * LANE + 16;
    const height = commits.length * ROW + 10;
    const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, 'aria-hidden': 'true', class: 'sbx-graph-svg' });
    const pos = new Map(commits.map((c, i) => [c.hash, { x: 12 + (laneOf.get(c.hash) ?? 0) * LANE, y: 14 + i * ROW }]));
    for (const c of commits) {
      const p = pos.get(c.hash)!;
      for (const parent of c.parents) {
        const q = pos.get(parent);
        if (!q) continue;
        root.appendChild(svg('path', { d: `M${p.x},${p.y} C${p.x},${p.y + ROW / 2} ${q.x},${q.y - ROW / 2} ${q.x},${q.y}`, class: 'sbx-edge', fill: 'none' }));
      }
    }
    for (const c of commits) {
      const p = pos.get(c.hash)!;
      root.appendChild(svg('circle', { cx: p.x, cy: p.y, r: c.parents.length > 1 ? 6 : 5, class: `sbx-node lane-${(laneOf.get(c.hash) ?? 0) % 6}` }));
    }
    const list = h(
      'ol',
      { class: 'sbx-commits', 'aria-label': 'Commits, newest first' },
      commits.map((c) =>
        h(
          'li',
          { style: `height:${ROW}px`, 'data-commit': c.hash, 'data-lane': lanes[laneOf.get(c.hash) ?? 0]?.ref ?? '' },
          heads.get(c.hash)?.map((n) => h('span', { class: 'sbx-head' }, n)),
          h('span', { class: 'sbx-hash' }, c.hash.slice(0, 8)),
          ' ',
          h('span', { class: 'sbx-msg', title: `${c.author}, ${formatTime(Date.parse(c.time))}` }, c.parents.length > 1 ? `merge: ${c.message}` : c.message),
        ),
      ),
    );
    clear(this.graph, root, list);
  }

  private async create(): Promise<void> {
    const name = this.nameInput.value.trim();
    if (!name) return;
    try {
      const ref = await this.ctx.session.warehouse.createBranch(name, this.ctx.ref);
      this.say('ok', `Created branch ${ref.name} at ${ref.hash.slice(0, 8)} (from ${this.ctx.ref}). `, h('button', { type: 'button', class: 'sbx-btn sbx-small', onclick: () => this.ctx.setRef(name) }, `Switch to ${name}`));
      this.nameInput.value = '';
      this.ctx.session.changed('branch');
    } catch (err) {
      this.say('error', errorText(err));
    }
  }

  private async remove(name: string): Promise<void> {
    try {
      await this.ctx.session.warehouse.deleteRef(name);
      if (this.ctx.ref === name) this.ctx.setRef('main');
      this.say('ok', `Deleted branch ${name}. Its commits stay reachable from any other reference that contains them.`);
      this.ctx.session.changed('branch');
    } catch (err) {
      this.say('error', errorText(err));
    }
  }

  private async commitChange(): Promise<void> {
    const table = this.changeTable.value;
    const limit = Number(this.changeValue.value);
    const wh = this.ctx.session.warehouse;
    const ref = this.ctx.ref;
    try {
      const refs = await wh.references();
      if (refs.find((r) => r.name === ref)?.type !== 'BRANCH') throw new Error(`${ref} is a tag: tags never move. Switch to a branch to commit.`);
      const t = await wh.table(table, { ref, message: `${table}: delete readings above ${limit} mg/dL` });
      const col = t.schema().fields.find((f) => f.name === 'sgv' || f.name === 'glucose_mg_dl')?.name;
      if (!col) throw new Error(`${table} has no glucose column (sgv or glucose_mg_dl); pick raw.glucose_entries or a silver/gold readings table.`);
      const snap = await t.delete(gt(col, limit));
      if (!snap) this.say('ok', `No row of ${table} on ${ref} has ${col} above ${limit}: nothing to commit.`);
      else {
        const sum = snap.summary;
        const rows = sum['deleted-rows-by-filter'] ?? sum['deleted-records'] ?? '0';
        this.say('ok', `Committed on ${ref}: ${table} snapshot ${snap['snapshot-id']}: ${rows} row(s) deleted. Copy-on-write rewrote ${sum['deleted-data-files'] ?? 0} data file(s) into ${sum['added-data-files'] ?? 0} new one(s); the old files stay for time travel.`);
      }
      this.ctx.session.changed('commit');
    } catch (err) {
      this.say('error', errorText(err));
    }
  }

  private async merge(): Promise<void> {
    const from = this.mergeFrom.value;
    const into = this.mergeInto.value;
    if (from === into) {
      this.say('error', 'Pick two different branches: merging a branch into itself changes nothing.');
      return;
    }
    try {
      const result = await this.ctx.session.warehouse.merge(from, into);
      const how = result.kind === 'fast-forward' ? 'fast-forward: main simply moved to the branch head' : result.kind === 'up-to-date' ? 'already up to date: nothing to merge' : 'a merge commit with two parents';
      this.say('ok', `Merged ${from} into ${into}: ${how}.${result.keys.length ? ` Tables brought over: ${result.keys.join(', ')}.` : ''}`);
      this.ctx.session.changed('merge');
    } catch (err) {
      if (err instanceof MergeConflictError) {
        const keys = err.keys;
        this.say(
          'error',
          h('strong', { 'data-conflict': '' }, 'Merge conflict. '),
          `${from} and ${into} both changed ${keys.length ? keys.join(', ') : 'the same table'} since they split, so the catalog cannot pick one side for you. `,
          'Nothing was merged. To resolve it, keep one side: redo the change on top of ',
          h('code', {}, into),
          ' (create a new branch from it and commit there), or delete the branch you do not need. ',
          h('span', { class: 'sbx-note' }, `(${errorText(err)})`),
        );
      } else this.say('error', errorText(err));
    }
  }
}
