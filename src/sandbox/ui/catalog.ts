/**
 * The catalog pane (Part 10): what OpenMetadata shows, over the section's own lakehouse.
 * A search box over tables and columns; a table page with description, owner, tags, facts
 * from the Iceberg metadata, the lineage up and down as a small graph, and the columns with
 * types, descriptions and the upstream columns each is computed from; impact analysis for
 * a column; and the data contracts checked against the live schema.
 *
 * Everything is rebuilt from the warehouse and the learner's files when the pane is shown
 * after a change (a run, a reset, a new reference), so a model the learner edited and
 * rebuilt appears as it now is.
 */
import { h, clear, errorText, formatTime } from './dom.ts';
import type { PaneContext } from './context.ts';
import { learnerCatalog } from './catalog-data.ts';
import type { ProjectCatalog } from '../../../sandboxes/pipeline/catalog/tasks.ts';
import { runContract } from '../../../sandboxes/pipeline/catalog/tasks.ts';
import { searchCatalog, tableLineage, type CatalogTable } from '../../../sandboxes/pipeline/catalog/catalog.ts';
import { impactOf } from '../../../sandboxes/pipeline/catalog/impact.ts';
import type { ContractReport, Finding } from '../../../sandboxes/pipeline/catalog/contract.ts';

export class CatalogPane {
  readonly el: HTMLElement;
  private readonly ctx: PaneContext;
  private readonly search: HTMLInputElement;
  private readonly results: HTMLElement;
  private readonly page: HTMLElement;
  private readonly contracts: HTMLElement;
  private readonly status: HTMLElement;
  private pc: ProjectCatalog | null = null;
  private current: string;
  private stale = true;
  private visible = false;
  private loading: Promise<void> | null = null;

  constructor(ctx: PaneContext) {
    this.ctx = ctx;
    this.current = ctx.config.defaultTable ?? 'silver.fct_glucose_readings';
    this.search = h('input', { type: 'search', class: 'sbx-input', 'data-catalog-search': '', placeholder: 'table, column, owner or tag', autocomplete: 'off', spellcheck: 'false' });
    this.search.addEventListener('input', () => this.renderResults());
    this.status = h('span', { class: 'sbx-cat-status', role: 'status' });
    this.results = h('ul', { class: 'sbx-cat-results', 'aria-label': 'Catalog search results' });
    this.page = h('article', { class: 'sbx-cat-page', 'aria-live': 'polite' });
    this.contracts = h('section', { class: 'sbx-cat-contracts', 'aria-label': 'Data contracts' });
    this.el = h(
      'div',
      { class: 'sbx-catalog' },
      h(
        'div',
        { class: 'sbx-cat-bar' },
        h('label', { class: 'sbx-cat-search' }, h('span', {}, 'Search the catalog'), this.search),
        h('button', { type: 'button', class: 'sbx-btn sbx-small', onclick: () => void this.reload() }, 'Refresh'),
        this.status,
      ),
      h('div', { class: 'sbx-cat-body' }, this.results, this.page),
      this.contracts,
    );
    const dirty = () => {
      this.stale = true;
      if (this.visible) void this.reload();
    };
    for (const ev of ['changed', 'run', 'ref']) ctx.on(ev, dirty);
    ctx.on('pane', (kind) => {
      this.visible = kind === 'catalog';
      // Rebuilt each time it is shown: a YAML edit saved in the pipeline pane sends no event.
      if (this.visible) void this.reload();
    });
  }

  /** Rebuild the catalog (one build at a time; a change during a build triggers another). */
  async reload(): Promise<void> {
    if (this.loading) {
      this.stale = true;
      return this.loading;
    }
    this.stale = false;
    this.status.textContent = `Reading the catalog of ${this.ctx.ref}…`;
    this.loading = (async () => {
      try {
        this.pc = await learnerCatalog(this.ctx);
        this.status.textContent = `${this.pc.catalog.tables.length} entities on ${this.ctx.ref}`;
        if (!this.pc.catalog.tables.some((t) => t.fqn === this.current)) this.current = this.pc.catalog.tables[0]?.fqn ?? '';
        this.renderResults();
        this.renderPage();
        this.renderContracts();
      } catch (err) {
        this.status.textContent = '';
        clear(this.page, h('p', { class: 'sbx-error', role: 'alert' }, `The catalog could not be built: ${errorText(err)}`));
      } finally {
        this.loading = null;
        if (this.stale && this.visible) void this.reload();
      }
    })();
    return this.loading;
  }

  private renderResults(): void {
    const pc = this.pc;
    if (!pc) return;
    const term = this.search.value.trim();
    const items: HTMLElement[] = [];
    if (!term) {
      for (const t of pc.catalog.tables) items.push(this.hit(t.fqn, null, `${t.kind === 'view' ? 'view' : `${t.rowCount ?? 0} rows`} · ${t.owner ?? 'no owner'}`));
    } else {
      const hits = searchCatalog(pc.catalog, term);
      if (!hits.length) items.push(h('li', { class: 'sbx-cat-none' }, `Nothing matches “${term}”.`));
      for (const x of hits.slice(0, 60)) items.push(this.hit(x.fqn, x.column ?? null, `${x.matched}${x.text ? ` · ${x.text}` : ''}`));
    }
    clear(this.results, items);
  }

  private hit(fqn: string, column: string | null, note: string): HTMLElement {
    return h(
      'li',
      {},
      h(
        'button',
        { type: 'button', class: `sbx-cat-hit${fqn === this.current && !column ? ' current' : ''}`, 'data-catalog-hit': column ? `${fqn}.${column}` : fqn, onclick: () => this.open(fqn, column) },
        h('span', { class: 'sbx-cat-name' }, column ? `${fqn}.${column}` : fqn),
        h('span', { class: 'sbx-cat-note' }, note),
      ),
    );
  }

  /** Show a table's page (and scroll to a column when a column hit was chosen). */
  open(fqn: string, column: string | null = null): void {
    this.current = fqn;
    this.renderPage();
    this.renderResults();
    if (column) this.page.querySelector<HTMLElement>(`[data-column="${CSS.escape(column)}"]`)?.scrollIntoView({ block: 'nearest' });
    this.page.querySelector<HTMLElement>('h4')?.focus();
  }

  private renderPage(): void {
    const pc = this.pc;
    if (!pc || !this.current) return;
    const t = pc.catalog.table(this.current);
    const impact = h('div', { class: 'sbx-cat-impact', 'data-impact': '' });
    clear(
      this.page,
      h('h4', { tabindex: -1, 'data-catalog-table': t.fqn }, t.fqn, ' ', h('span', { class: 'sbx-cat-kind' }, t.kind === 'view' ? 'dbt view' : t.kind === 'ingestion' ? 'ingestion' : `dbt ${t.materialized}`)),
      h('p', { class: 'sbx-cat-desc' }, t.description || 'No description yet: add one to the model’s YAML.'),
      h(
        'dl',
        { class: 'sbx-kv sbx-cat-facts' },
        h('dt', {}, 'Owner'), h('dd', { 'data-owner': '' }, t.owner ?? 'nobody (add meta.owner)'),
        h('dt', {}, 'Tags'), h('dd', {}, [...t.tags.map((x) => h('span', { class: 'sbx-chip' }, x)), ...t.dbtTags.map((x) => h('span', { class: 'sbx-chip sbx-chip-dbt', title: 'dbt tag' }, x))]),
        h('dt', {}, 'Rows'), h('dd', {}, t.rowCount === null ? (t.kind === 'view' ? 'a view stores no rows' : 'not on this reference') : String(t.rowCount)),
        t.rowCount !== null ? [h('dt', {}, 'Snapshots'), h('dd', {}, `${t.snapshots}${t.lastCommitMs ? `, last commit ${formatTime(t.lastCommitMs)}` : ''}`)] : null,
        h('dt', {}, 'Asset'), h('dd', {}, t.asset),
        h('dt', {}, 'Defined in'), h('dd', {}, h('code', {}, t.file)),
        t.publishedTo ? [h('dt', {}, 'Published'), h('dd', {}, t.publishedTo)] : null,
      ),
      h('h5', {}, 'Lineage'),
      this.lineage(t),
      h('h5', {}, `Columns (${t.columns.length})`),
      this.columns(t, impact),
      impact,
      t.checks.length ? h('details', { class: 'sbx-cat-checks' }, h('summary', {}, `Checks and tests (${t.checks.length})`), h('ul', {}, t.checks.map((c) => h('li', {}, c)))) : null,
    );
  }

  /** Upstream and downstream tables in columns by distance, each a button that opens it. */
  private lineage(t: CatalogTable): HTMLElement {
    const pc = this.pc!;
    const l = tableLineage(pc.catalog, t.fqn);
    const level = new Map<string, number>([[t.fqn, 0]]);
    const place = (dir: 'upstream' | 'downstream', step: number) => {
      const queue = [t.fqn];
      while (queue.length) {
        const at = queue.shift()!;
        for (const n of pc.catalog.table(at)[dir]) {
          const lv = level.get(at)! + step;
          if (!level.has(n) || Math.abs(level.get(n)!) < Math.abs(lv)) { level.set(n, lv); queue.push(n); }
        }
      }
    };
    place('upstream', -1);
    place('downstream', 1);
    const levels = [...new Set(level.values())].sort((a, b) => a - b);
    const cols = levels.map((lv) =>
      h(
        'div',
        { class: 'sbx-lin-col' },
        [...level].filter(([, v]) => v === lv).map(([n]) =>
          h('button', { type: 'button', class: `sbx-lin-node${n === t.fqn ? ' current' : ''}`, 'data-lineage-node': n, 'aria-current': n === t.fqn ? 'true' : null, onclick: () => this.open(n) }, n),
        ),
      ),
    );
    const withArrows: HTMLElement[] = [];
    cols.forEach((c, i) => {
      if (i) withArrows.push(h('span', { class: 'sbx-lin-arrow', 'aria-hidden': 'true' }, '↓'));
      withArrows.push(c);
    });
    return h(
      'div',
      { class: 'sbx-lineage', 'data-lineage': '', role: 'group', 'aria-label': `Lineage of ${t.fqn}: ${l.upstream.length} upstream, ${l.downstream.length} downstream` },
      h('div', { class: 'sbx-lin-graph' }, withArrows),
      h('p', { class: 'sbx-cat-note' }, `Upstream: ${l.upstream.join(', ') || 'none'}. Downstream: ${l.downstream.join(', ') || 'none'}.`),
    );
  }

  private columns(t: CatalogTable, impactBox: HTMLElement): HTMLElement {
    return h(
      'div',
      { class: 'sbx-cat-cols-wrap', tabindex: 0, role: 'region', 'aria-label': `Columns of ${t.fqn}` },
      h(
        'table',
        { class: 'sbx-cat-cols' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Column and type'), h('th', { scope: 'col' }, 'Description, computed from'), h('th', { scope: 'col' }, h('span', { class: 'sbx-sr-only' }, 'Impact')))),
        h(
          'tbody',
          {},
          t.columns.map((c) =>
            h(
              'tr',
              { 'data-column': c.name },
              h('th', { scope: 'row' }, h('code', {}, c.name), h('span', { class: 'sbx-cat-type' }, c.type ?? 'view column'), c.tests.length ? h('span', { class: 'sbx-cat-note', title: c.tests.join(', ') }, `${c.tests.length} test${c.tests.length > 1 ? 's' : ''}`) : null),
              h('td', {}, c.description ? h('span', {}, c.description) : null, c.from.length ? h('span', { class: 'sbx-cat-from' }, `from ${c.from.map((f) => f.split('.').slice(1).join('.')).join(', ')}`) : null),
              h('td', {}, h('button', { type: 'button', class: 'sbx-btn sbx-small', 'data-impact-column': c.name, 'aria-label': `Impact of changing ${c.name}`, onclick: () => this.showImpact(t, c.name, impactBox) }, 'Impact')),
            ),
          ),
        ),
      ),
    );
  }

  private showImpact(t: CatalogTable, column: string, box: HTMLElement): void {
    const pc = this.pc!;
    try {
      const r = impactOf(pc.catalog, `${t.fqn}.${column}`, { definitions: pc.definitions, contracts: pc.contracts });
      clear(
        box,
        h('h5', {}, `Impact of changing ${t.name}.${column}`),
        h('p', { 'data-impact-summary': '' }, h('strong', {}, `${r.models.length} downstream model${r.models.length === 1 ? '' : 's'}`), r.models.length ? `: ${r.models.join(', ')}` : ': nothing downstream computes from this column.'),
        r.columns.length ? h('ul', {}, r.columns.map((c) => h('li', {}, h('button', { type: 'button', class: 'sbx-link', onclick: () => this.open(c.table) }, c.table), `: ${c.columns.join(', ')}`))) : null,
        r.unaffectedDownstream.length ? h('p', { class: 'sbx-cat-note' }, `Downstream but not reading it: ${r.unaffectedDownstream.join(', ')}.`) : null,
        r.checks.length ? h('details', {}, h('summary', {}, `${r.checks.length} tests and checks read affected columns`), h('ul', {}, r.checks.map((c) => h('li', {}, c)))) : null,
        r.contracts.length ? h('p', {}, `Contract ${r.contracts.map((c) => c.name).join(', ')} promises this column: a breaking change needs its consumers' agreement.`) : null,
        r.published.length ? h('p', {}, `Published: ${r.published.join('; ')}.`) : null,
      );
      box.scrollIntoView({ block: 'nearest' });
    } catch (err) {
      clear(box, h('p', { class: 'sbx-error', role: 'alert' }, errorText(err)));
    }
  }

  private renderContracts(): void {
    const pc = this.pc!;
    const report = h('div', { class: 'sbx-contract-report', 'data-contract-report': '' });
    clear(
      this.contracts,
      h('h5', {}, 'Data contracts'),
      pc.contracts.length
        ? h('ul', { class: 'sbx-contract-list' }, pc.contracts.map((c) =>
            h('li', {}, h('strong', {}, c.name), ` v${c.version} on `, h('button', { type: 'button', class: 'sbx-link', onclick: () => this.open(c.table) }, c.table), ` · owner ${c.owner} · ${c.columns.length} columns promised `,
              h('button', { type: 'button', class: 'sbx-btn sbx-small', 'data-contract-check': c.name, onclick: () => void this.check(c.name, report) }, 'Check'))))
        : h('p', {}, 'No contracts: add contracts/<name>.yaml to the project.'),
      report,
    );
    if (pc.contracts[0]) void this.check(pc.contracts[0].name, report);
  }

  private async check(name: string, box: HTMLElement): Promise<void> {
    const pc = this.pc!;
    clear(box, h('p', {}, 'Checking…'));
    try {
      const r = await runContract(pc, name);
      clear(box, reportView(r));
    } catch (err) {
      clear(box, h('p', { class: 'sbx-error', role: 'alert' }, errorText(err)));
    }
  }
}

function reportView(r: ContractReport): HTMLElement {
  const row = (f: Finding) => h('li', { 'data-level': f.level }, h('span', { class: 'sbx-level' }, f.level), ' ', h('code', {}, f.rule), ': ', f.message);
  const shown = (list: Finding[]) => list.filter((f) => f.level !== 'PASS');
  const passes = [...r.schema, ...r.quality, ...r.sla].filter((f) => f.level === 'PASS').length;
  return h(
    'div',
    { 'data-status': r.status },
    h('p', { class: 'sbx-contract-status' }, h('strong', {}, r.status === 'pass' ? 'PASS' : 'FAIL'), ` · ${r.contract} v${r.version} on ${r.table} (${r.ref}) · ${passes} rules pass`),
    h('ul', { class: 'sbx-findings' }, [...shown(r.schema), ...shown(r.quality), ...shown(r.sla)].map(row)),
    r.notify.length ? h('p', { class: 'sbx-cat-note' }, `Tell: ${r.notify.join(', ')}.`) : null,
  );
}
