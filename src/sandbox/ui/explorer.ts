/**
 * The Iceberg explorer: from a catalog reference down to data files, each level opened on
 * demand and showing the real fields read from the real files:
 *   reference -> commit -> content key -> metadata.json -> snapshot -> manifest list
 *   -> manifests -> data files (partition values, record counts, column bounds)
 * and, for a filter, which data files a scan reads and which it skips, and why.
 */
import { h, clear, errorText, formatTime } from './dom.ts';
import type { PaneContext } from './context.ts';
import { tablePicker } from './table-picker.ts';
import type { Table } from '../../../sandboxes/lakehouse/iceberg/table.ts';
import type { DataFile, IcebergType, ManifestFile, NestedField, Snapshot } from '../../../sandboxes/lakehouse/iceberg/types.ts';
import { snapshotManifests, manifestEntries } from '../../../sandboxes/lakehouse/iceberg/scan.ts';
import { fromBytes, type Value } from '../../../sandboxes/lakehouse/iceberg/values.ts';
import { textOfValue } from '../../../sandboxes/lakehouse/sql/value-forms.ts';
import { fromJsonSingleValue } from '../../../sandboxes/lakehouse/iceberg/json-single-value.ts';
import { resultType } from '../../../sandboxes/lakehouse/iceberg/transforms.ts';
import { compactJson } from '../../../sandboxes/lakehouse/iceberg/json.ts';
import type { Predicate } from '../../../sandboxes/lakehouse/iceberg/filter.ts';

const STATUS = ['EXISTING', 'ADDED', 'DELETED'];
const CONTENT = ['data', 'position deletes', 'equality deletes'];

function fileName(path: string): string {
  return path.split('/').slice(-3).join('/');
}

function kv(rows: [string, unknown][]): HTMLElement {
  return h(
    'dl',
    { class: 'sbx-kv' },
    rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v instanceof Node ? v : typeof v === 'object' && v !== null ? JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)) : String(v))]),
  );
}

/** A lazily filled disclosure: `fill` runs the first time it opens. */
function node(label: (string | Node)[], fill: () => Promise<Node[]> | Node[], attrs: Record<string, string> = {}): HTMLDetailsElement {
  const body = h('div', { class: 'sbx-node-body' }, 'Reading…');
  const d = h('details', { class: 'sbx-tree-node', ...attrs }, h('summary', {}, ...label), body);
  let filled = false;
  d.addEventListener('toggle', async () => {
    if (!d.open || filled) return;
    filled = true;
    try {
      clear(body, await fill());
    } catch (err) {
      clear(body, h('p', { class: 'sbx-error' }, errorText(err)));
    }
  });
  return d;
}

export class ExplorerPane {
  readonly el: HTMLElement;
  private readonly ctx: PaneContext;
  private readonly tree: HTMLElement;
  private readonly picker: ReturnType<typeof tablePicker>;
  private readonly filterCol: HTMLSelectElement;
  private readonly filterOp: HTMLSelectElement;
  private readonly filterVal: HTMLInputElement;
  private readonly pruneOut: HTMLElement;
  /** What the tree shows (ref, commit, table, metadata file): unchanged means keep it, with its open nodes. */
  private shown = '';

  constructor(ctx: PaneContext) {
    this.ctx = ctx;
    this.picker = tablePicker(ctx, 'Table to explore', () => void this.refresh());
    this.tree = h('div', { class: 'sbx-tree' });
    this.filterCol = h('select', { class: 'sbx-select', 'aria-label': 'Filter column' });
    this.filterOp = h('select', { class: 'sbx-select', 'aria-label': 'Comparison' }, ['=', '!=', '<', '<=', '>', '>='].map((o) => h('option', { value: o }, o)));
    this.filterVal = h('input', { class: 'sbx-input', 'aria-label': 'Value to compare with', placeholder: '2025-01-03T00:00:00' });
    this.pruneOut = h('div', { class: 'sbx-prune', role: 'status' });
    this.el = h(
      'div',
      { class: 'sbx-explorer' },
      h('div', { class: 'sbx-toolbar' }, h('label', { class: 'sbx-field' }, h('span', {}, 'Table'), this.picker.el)),
      this.tree,
      h(
        'form',
        { class: 'sbx-compare', onsubmit: (e: Event) => (e.preventDefault(), void this.prune()) },
        h('h4', {}, 'Which files would a query read?'),
        h('p', { class: 'sbx-note' }, 'A WHERE on one column; the scan planner uses partition values and each file’s column bounds to skip files that cannot match.'),
        h('span', { class: 'sbx-where-sql' }, 'WHERE'),
        this.filterCol,
        this.filterOp,
        this.filterVal,
        h('button', { type: 'submit', class: 'sbx-btn' }, 'Plan the scan'),
        this.pruneOut,
      ),
    );
    ctx.on('ref', () => void this.refresh());
    ctx.on('changed', () => void this.refresh());
    ctx.on('pane', (k) => k === 'explorer' && void this.refresh());
  }

  private async table(): Promise<Table | null> {
    const name = this.picker.value();
    return name ? this.ctx.session.warehouse.table(name, this.ctx.ref) : null;
  }

  async refresh(): Promise<void> {
    await this.picker.refresh();
    const name = this.picker.value();
    const wh = this.ctx.session.warehouse;
    if (!name) {
      clear(this.tree, h('p', {}, `No tables on ${this.ctx.ref}.`));
      return;
    }
    try {
      const resolved = await wh.catalog.resolve(this.ctx.ref);
      const commit = await wh.catalog.readCommit(resolved.hash);
      const content = await wh.catalog.content(name, this.ctx.ref);
      const key = `${this.ctx.ref}|${resolved.hash}|${name}|${content.metadataLocation}`;
      if (key === this.shown) return;
      this.shown = key;
      const table = (await this.table())!;
      const keep = this.filterCol.value;
      clear(this.filterCol, table.schema().fields.map((f) => h('option', { value: f.name, selected: f.name === keep }, f.name)));
      const refNode = h(
        'details',
        { class: 'sbx-tree-node', open: true, 'data-level': 'ref' },
        h('summary', {}, h('span', { class: 'sbx-level' }, 'reference'), ` ${this.ctx.ref} → commit ${resolved.hash.slice(0, 12)}`),
        h(
          'div',
          { class: 'sbx-node-body' },
          kv([
            ['commit', h('code', {}, resolved.hash)],
            ['message', commit.message],
            ['author', commit.author],
            ['time', commit.time],
            ['parents', commit.parents.map((p) => p.slice(0, 12)).join(', ') || '(none)'],
          ]),
          h(
            'details',
            { class: 'sbx-tree-node', open: true, 'data-level': 'content' },
            h('summary', {}, h('span', { class: 'sbx-level' }, 'content key'), ` ${name}`),
            h('div', { class: 'sbx-node-body' }, kv([['content id', content.id], ['metadata location', h('code', {}, content.metadataLocation)]]), this.metadataNode(table)),
          ),
        ),
      );
      clear(this.tree, refNode);
    } catch (err) {
      clear(this.tree, h('p', { class: 'sbx-error' }, errorText(err)));
    }
  }

  private metadataNode(table: Table): HTMLElement {
    const m = table.metadata;
    return node([h('span', { class: 'sbx-level' }, 'metadata.json'), ` ${fileName(table.metadataLocation)}`], () => {
      const schema = table.schema();
      const spec = table.spec();
      const current = table.currentSnapshot();
      return [
        kv([
          ['format-version', m['format-version']],
          ['table-uuid', m['table-uuid']],
          ['location', m.location],
          ['last-sequence-number', m['last-sequence-number']],
          ['last-updated-ms', `${m['last-updated-ms']} (${formatTime(m['last-updated-ms'])})`],
          ['current-snapshot-id', String(m['current-snapshot-id'])],
          ['snapshots', m.snapshots.length],
          ['metadata-log', `${m['metadata-log'].length} earlier metadata file(s)`],
          ['properties', m.properties],
        ]),
        h('h5', {}, `Schema ${schema['schema-id']}`),
        h(
          'table',
          { class: 'sbx-mini' },
          h('thead', {}, h('tr', {}, h('th', {}, 'id'), h('th', {}, 'name'), h('th', {}, 'type'), h('th', {}, 'required'), h('th', {}, 'default'))),
          h('tbody', {}, schema.fields.map((f) => h('tr', {}, h('td', {}, f.id), h('td', {}, f.name), h('td', {}, typeof f.type === 'string' ? f.type : f.type.type), h('td', {}, f.required ? 'yes' : 'no'), h('td', {}, defaultText(f))))),
        ),
        h('h5', {}, `Partition spec ${spec['spec-id']}`),
        spec.fields.length
          ? h('ul', {}, spec.fields.map((p) => h('li', {}, `${p.name} = ${p.transform}(${schema.fields.find((f) => f.id === p['source-id'])?.name ?? p['source-id']})`)))
          : h('p', {}, 'Unpartitioned.'),
        h('h5', {}, 'Snapshots'),
        ...[...table.snapshots()].reverse().map((s) => this.snapshotNode(table, s, current)),
      ];
    }, { 'data-level': 'metadata' });
  }

  private snapshotNode(table: Table, s: Snapshot, current: Snapshot | null): HTMLElement {
    const isCurrent = current?.['snapshot-id'] === s['snapshot-id'];
    return node(
      [h('span', { class: 'sbx-level' }, 'snapshot'), ` ${s['snapshot-id']} · ${s.summary.operation} · seq ${s['sequence-number']}${isCurrent ? ' · current' : ''}`],
      async () => {
        const manifests = await snapshotManifests(table, s);
        return [
          kv([
            ['timestamp-ms', `${s['timestamp-ms']} (${formatTime(s['timestamp-ms'])})`],
            ['parent-snapshot-id', s['parent-snapshot-id'] === undefined ? '(none)' : String(s['parent-snapshot-id'])],
            ['manifest-list', h('code', {}, s['manifest-list'] ?? '(v1: manifests listed inline)')],
            ['summary', s.summary],
          ]),
          h(
            'details',
            { class: 'sbx-tree-node', open: true, 'data-level': 'manifest-list' },
            h('summary', {}, h('span', { class: 'sbx-level' }, 'manifest list'), ` ${manifests.length} manifest(s)`),
            h('div', { class: 'sbx-node-body' }, manifests.map((mf) => this.manifestNode(table, s, mf))),
          ),
        ];
      },
      { 'data-level': 'snapshot' },
    );
  }

  private manifestNode(table: Table, s: Snapshot, mf: ManifestFile): HTMLElement {
    return node(
      [h('span', { class: 'sbx-level' }, 'manifest'), ` ${fileName(mf.manifestPath)} · ${mf.content === 1 ? 'deletes' : 'data'} · +${mf.addedFilesCount} / =${mf.existingFilesCount} / −${mf.deletedFilesCount} files`],
      async () => {
        const { entries } = await manifestEntries(table, mf, s);
        return [
          kv([
            ['manifest_path', h('code', {}, mf.manifestPath)],
            ['manifest_length', String(mf.manifestLength)],
            ['partition_spec_id', mf.partitionSpecId],
            ['added_snapshot_id', String(mf.addedSnapshotId)],
            ['sequence_number', mf.sequenceNumber],
            ['added / existing / deleted rows', `${mf.addedRowsCount} / ${mf.existingRowsCount} / ${mf.deletedRowsCount}`],
          ]),
          ...entries.map((e) =>
            node(
              [h('span', { class: 'sbx-level' }, 'data file'), ` ${fileName(e.dataFile.filePath)} · ${STATUS[e.status] ?? e.status} · ${e.dataFile.recordCount} rows`],
              () => [this.fileFields(table, e.dataFile, e.status, e.sequenceNumber)],
              { 'data-level': 'data-file' },
            ),
          ),
        ];
      },
      { 'data-level': 'manifest' },
    );
  }

  private fileFields(table: Table, f: DataFile, status: number, seq: number | null): HTMLElement {
    const fields = new Map<number, NestedField>();
    for (const sc of table.metadata.schemas) for (const fl of sc.fields) fields.set(fl.id, fl);
    const bound = (id: number, b: Uint8Array | undefined) => {
      const fl = fields.get(id);
      if (!b || !fl) return '';
      try {
        return textOfValue(fl.type as IcebergType, fromBytes(fl.type as IcebergType, b));
      } catch {
        return `${b.length} bytes`;
      }
    };
    const ids = [...new Set([...(f.valueCounts?.keys() ?? []), ...(f.lowerBounds?.keys() ?? [])])].sort((a, b) => a - b);
    return h(
      'div',
      {},
      kv([
        ['status', STATUS[status] ?? status],
        ['content', CONTENT[f.content] ?? f.content],
        ['file_path', h('code', {}, f.filePath)],
        ['file_format', f.fileFormat],
        ['partition', Object.keys(f.partition).length ? Object.entries(f.partition).map(([k, v]) => `${k}=${formatPartition(table, k, v)}`).join(', ') : '(unpartitioned)'],
        ['record_count', String(f.recordCount)],
        ['file_size_in_bytes', String(f.fileSizeInBytes)],
        ['sequence_number', seq ?? '(inherited)'],
      ]),
      h(
        'table',
        { class: 'sbx-mini', 'aria-label': 'Column statistics of this data file' },
        h('thead', {}, h('tr', {}, h('th', {}, 'column'), h('th', {}, 'values'), h('th', {}, 'nulls'), h('th', {}, 'lower bound'), h('th', {}, 'upper bound'))),
        h(
          'tbody',
          {},
          ids.map((id) =>
            h(
              'tr',
              {},
              h('td', {}, `${fields.get(id)?.name ?? '?'} (${id})`),
              h('td', {}, String(f.valueCounts?.get(id) ?? '')),
              h('td', {}, String(f.nullValueCounts?.get(id) ?? '')),
              h('td', {}, bound(id, f.lowerBounds?.get(id))),
              h('td', {}, bound(id, f.upperBounds?.get(id))),
            ),
          ),
        ),
      ),
    );
  }

  private async prune(): Promise<void> {
    const table = await this.table();
    if (!table) return;
    const column = this.filterCol.value;
    const op = this.filterOp.value as '=' | '!=' | '<' | '<=' | '>' | '>=';
    const raw = this.filterVal.value.trim();
    const field = table.schema().fields.find((f) => f.name === column);
    const numeric = field && typeof field.type === 'string' && /^(int|long|float|double|decimal)/.test(field.type);
    const predicate: Predicate = { op, column, value: numeric ? Number(raw) : raw };
    this.pruneOut.textContent = 'Planning…';
    try {
      const plan = await table.plan({ filter: predicate });
      clear(
        this.pruneOut,
        h('p', { 'data-prune': '' }, h('strong', {}, `${plan.tasks.length} file(s) read`), `, ${plan.skippedFiles.length} file(s) skipped, ${plan.skippedManifests.length} manifest(s) skipped (of ${plan.manifestsRead.length + plan.skippedManifests.length}).`),
        plan.tasks.length ? h('h5', {}, 'Read') : null,
        h('ul', {}, plan.tasks.map((t) => h('li', { class: 'sbx-read' }, h('code', {}, fileName(t.path)), ` · ${t.file.recordCount} rows`))),
        plan.skippedFiles.length || plan.skippedManifests.length ? h('h5', {}, 'Skipped, and why') : null,
        h(
          'ul',
          {},
          plan.skippedManifests.map((s) => h('li', { class: 'sbx-skip' }, 'manifest ', h('code', {}, fileName(s.path)), `: ${s.reason}`)),
          plan.skippedFiles.map((s) => h('li', { class: 'sbx-skip' }, h('code', {}, fileName(s.path)), `: ${s.reason}`)),
        ),
      );
    } catch (err) {
      clear(this.pruneOut, h('p', { class: 'sbx-error' }, errorText(err)));
    }
  }
}

function formatPartition(table: Table, name: string, v: unknown): string {
  const spec = table.spec();
  const pf = spec.fields.find((p) => p.name === name);
  if (pf && /^(day|month|year|hour)$/.test(pf.transform)) {
    const n = Number(v);
    if (pf.transform === 'day') return new Date(n * 86_400_000).toISOString().slice(0, 10);
    if (pf.transform === 'hour') return new Date(n * 3_600_000).toISOString().slice(0, 13);
  }
  const source = pf && table.schema().fields.find((f) => f.id === pf['source-id']);
  if (pf && source) return textOfValue(resultType(pf.transform, source.type), (v ?? null) as Value);
  return typeof v === 'bigint' ? v.toString() : String(v);
}

/** A field's initial-default (JSON single-value form in the metadata) in the documented form. */
function defaultText(f: NestedField): string {
  const d = f['initial-default'];
  if (d === undefined || d === null) return '';
  try {
    return textOfValue(f.type, fromJsonSingleValue(f.type, d));
  } catch {
    return `${compactJson(d)} (not a valid ${String(f.type)})`;
  }
}
