/**
 * An in-memory lakehouse with branches and snapshots but no files: tables are Arrow tables
 * held per branch. It exists for fast unit tests of the transform and check layers, where
 * the Iceberg file format is not what is being tested; the pipeline proper runs over the
 * real warehouse through warehouse-adapter.ts.
 */
import * as arrow from 'apache-arrow';
import type { Lakehouse, RefInfo, SnapshotInfo, WriteOutcome } from './port.ts';
import type { SqlEngine } from '../../lakehouse/sql/engine.ts';
import type { Storage } from '../../lakehouse/storage/storage.ts';
import { rowsToArrow, arrowToRows, type ColumnDef } from '../util/arrow.ts';

interface TableState { data: arrow.Table; snapshots: SnapshotInfo[]; version: number }
type Tree = Map<string, TableState>;

export class StandInLakehouse implements Lakehouse {
  readonly storage: Storage;
  private engine: SqlEngine;
  private refsMap = new Map<string, { type: 'branch' | 'tag'; tree: Tree; hash: string }>();
  private loaded = new Map<string, TableState>();
  private seq = 0;
  private clock: () => number;

  constructor(storage: Storage, engine: SqlEngine, clock: () => number = () => 0) {
    this.storage = storage;
    this.engine = engine;
    this.clock = clock;
    this.refsMap.set('main', { type: 'branch', tree: new Map(), hash: this.nextHash() });
  }

  private nextHash(): string { return (++this.seq).toString(16).padStart(16, '0'); }

  private ref(name: string) {
    const r = this.refsMap.get(name);
    if (!r) throw new Error(`No branch or tag named "${name}". Existing: ${[...this.refsMap.keys()].join(', ')}.`);
    return r;
  }

  private table(ref: string, table: string): TableState {
    const t = this.ref(ref).tree.get(table);
    if (!t) throw new Error(`Table ${table} does not exist on ${ref}.`);
    return t;
  }

  async query(sql: string, ref: string): Promise<arrow.Table> {
    for (const [name, state] of this.ref(ref).tree) {
      if (this.loaded.get(name) === state) continue;
      await this.engine.registerArrow(name, state.data);
      this.loaded.set(name, state);
    }
    return this.engine.query(sql);
  }

  async tableExists(ref: string, table: string) { return this.ref(ref).tree.has(table); }
  async listTables(ref: string) { return [...this.ref(ref).tree.keys()].sort(); }

  async createTable(ref: string, table: string, columns: ColumnDef[], message: string) {
    const r = this.ref(ref);
    if (r.tree.has(table)) return;
    this.commit(ref, table, { data: rowsToArrow(columns, []), snapshots: [], version: 0 }, 'create', message, 0, 0, 0);
  }

  private commit(ref: string, table: string, prev: TableState, operation: string, _message: string, inserted: number, updated: number, deleted: number, data = prev.data): WriteOutcome {
    const r = this.ref(ref);
    const snapshotId = String(1000 + this.seq * 7);
    const snapshots = operation === 'create' ? [] : [...prev.snapshots, {
      snapshotId, timestampMs: this.clock(), operation,
      summary: { 'added-records': String(inserted + updated), 'deleted-records': String(updated + deleted), 'total-records': String(data.numRows) },
    }];
    const tree = new Map(r.tree);
    tree.set(table, { data, snapshots, version: prev.version + 1 });
    r.tree = tree;
    r.hash = this.nextHash();
    return { snapshotId, inserted, updated, unchanged: 0, deleted, totalRows: data.numRows };
  }

  async merge(ref: string, table: string, rows: arrow.Table, key: string[], message: string): Promise<WriteOutcome> {
    const prev = this.table(ref, table);
    const old = arrowToRows(prev.data);
    const k = (r: Record<string, unknown>) => key.map((c) => String(r[c])).join('\u0000');
    const index = new Map(old.map((r, i) => [k(r), i]));
    let inserted = 0;
    let updated = 0;
    let unchanged = 0;
    const same = (a: Record<string, unknown>, b: Record<string, unknown>) => Object.keys(b).every((c) => c.startsWith('_dlt_') || (a[c] ?? null) === (b[c] ?? null));
    for (const r of arrowToRows(rows)) {
      const at = index.get(k(r));
      if (at === undefined) { index.set(k(r), old.length); old.push(r); inserted++; }
      else if (same(old[at], r)) unchanged++;
      else { old[at] = r; updated++; }
    }
    if (inserted + updated === 0) return { snapshotId: null, inserted, updated, unchanged, deleted: 0, totalRows: prev.data.numRows };
    const cols = prev.data.schema.fields.map((f) => ({ name: f.name, type: typeOf(f.type) }));
    return { ...this.commit(ref, table, prev, 'overwrite', message, inserted, updated, 0, rowsToArrow(cols, old)), unchanged };
  }

  async replace(ref: string, table: string, rows: arrow.Table, message: string): Promise<WriteOutcome> {
    const r = this.ref(ref);
    const prev = r.tree.get(table) ?? { data: rows, snapshots: [], version: 0 };
    return this.commit(ref, table, prev, 'overwrite', message, rows.numRows, 0, prev === undefined ? 0 : prev.data.numRows, rows);
  }

  async snapshots(ref: string, table: string) { return this.table(ref, table).snapshots; }
  async refs(): Promise<RefInfo[]> { return [...this.refsMap].map(([name, r]) => ({ name, type: r.type, hash: r.hash })); }
  async createBranch(name: string, from: string) { this.refsMap.set(name, { type: 'branch', tree: new Map(this.ref(from).tree), hash: this.ref(from).hash }); }
  async createTag(name: string, from: string) { this.refsMap.set(name, { type: 'tag', tree: new Map(this.ref(from).tree), hash: this.ref(from).hash }); }
  async deleteBranch(name: string) { this.refsMap.delete(name); }
  async mergeBranch(from: string, into: string) {
    const a = this.ref(from);
    const b = this.ref(into);
    const tree = new Map(b.tree);
    for (const [k, v] of a.tree) tree.set(k, v);
    b.tree = tree;
    b.hash = this.nextHash();
  }
  async refHash(ref: string) { return this.ref(ref).hash; }
  async close() { await this.engine.close(); }
}

function typeOf(t: arrow.DataType): ColumnDef['type'] {
  if (arrow.DataType.isUtf8(t)) return 'string';
  if (arrow.DataType.isTimestamp(t)) return 'timestamp';
  if (arrow.DataType.isDate(t)) return 'date';
  if (arrow.DataType.isBool(t)) return 'bool';
  if (arrow.DataType.isFloat(t) || arrow.DataType.isDecimal(t)) return 'float64';
  if (arrow.DataType.isInt(t)) return (t as arrow.Int).bitWidth === 64 ? 'int64' : 'int32';
  return 'string';
}
export { typeOf as columnTypeOf };
