/**
 * A loaded Iceberg table: reads (plan, scan, readFile, metadata tables) and optimistic
 * writes (append, overwrite, merge, delete, schema evolution, expiry, refs).
 */
import type * as arrow from 'apache-arrow';
import type { Storage } from '../storage/storage.ts';
import type { DataFile, IcebergType, PartitionSpec, Schema, Snapshot, TableMetadata } from './types.ts';
import { EntryStatus } from './types.ts';
import { FileTableOperations, type TableOperations } from './table-operations.ts';
import { loadMetadata, readMetadataFile } from './load.ts';
import { makeResolver } from '../storage/rebase.ts';
import { planScan, readTask, readTaskWithPositions, resolveSnapshot, scanTable, snapshotManifests, manifestEntries, filterRows, schemaForSnapshot, type FileScanTask, type ScanOptions, type ScanPlan, type SnapshotSelector, type TableContext } from './scan.ts';
import { bind, evalRow, referencedIds, type Predicate } from './filter.ts';
import { buildPartitionSpec, buildSchema, conformToSchema, evolveSchema, type FieldInput, type PartitionFieldInput, type SchemaChange } from './schema.ts';
import { cleanUp, commitIds, commitMetadata, produceSnapshot, randomIds, writeDataFiles, writePositionDeletes, type IdSource, type LiveFile, type SnapshotChange, type WriterEnv } from './write.ts';
import { columnValues, takeRows, concatTables } from './arrow.ts';
import { compareValues, fromBytes, valuesEqual, type Value } from './values.ts';
import { CommitConflictError, IcebergError } from './errors.ts';
import { metadataTable, type MetadataTableName } from './metadata-tables.ts';
import { serializeMetadata } from './metadata.ts';
import { compactJson } from './json.ts';

export interface TableOptions {
  /** Catalog pointer; default: file-based (`metadata/version-hint.text`). */
  ops?: TableOperations;
  /** Clock for snapshot and metadata timestamps (ms). */
  now?: () => number;
  /** UUID and snapshot-id source (see deterministicIds). */
  ids?: IdSource;
  /** Name used in messages. */
  name?: string;
}

export interface CreateTableOptions extends TableOptions {
  schema: FieldInput[] | Schema | arrow.Schema;
  partitionSpec?: PartitionFieldInput[] | PartitionSpec;
  properties?: Record<string, string>;
  /** Location written into metadata (default: the table directory path itself). */
  location?: string;
}

export interface MergeResult {
  inserted: number;
  updated: number;
  unchanged: number;
  snapshot: Snapshot | null;
}

export interface RewriteResult {
  /** Data files replaced by the compaction. */
  rewrittenDataFiles: number;
  /** Data files written in their place. */
  addedDataFiles: number;
  /** Position delete files dropped because their rows were applied. */
  removedDeleteFiles: number;
  rewrittenBytes: number;
  /** Partitions rewritten. */
  partitions: number;
  snapshotId: bigint | null;
}

export interface ExpireResult {
  expiredSnapshots: bigint[];
  deletedFiles: string[];
  /** Files only the expired snapshots reached (deleted unless `deleteFiles: false`). */
  unreferencedFiles: string[];
}

const toEnv = (o: TableOptions): WriterEnv => ({ now: o.now ?? (() => Date.now()), ids: o.ids ?? randomIds() });

export async function createTable(ops: TableOperations | null, storage: Storage, tableDir: string, opts: CreateTableOptions): Promise<Table> {
  const realOps = ops ?? new FileTableOperations(storage, tableDir);
  const env = toEnv(opts);
  const name = opts.name ?? realOps.tableName ?? tableDir;
  if (await realOps.current()) throw new IcebergError(`Table ${name} already exists; load it with loadTable instead.`);
  const schema = buildSchema(opts.schema, 0);
  const spec = buildPartitionSpec(opts.partitionSpec, schema);
  const now = env.now();
  const metadata: TableMetadata = {
    'format-version': 2,
    'table-uuid': env.ids.uuid(),
    location: opts.location ?? tableDir,
    'last-sequence-number': 0,
    'last-updated-ms': now,
    'last-column-id': Math.max(0, ...schema.fields.map((f) => f.id)),
    'current-schema-id': 0,
    schemas: [schema],
    'default-spec-id': 0,
    'partition-specs': [spec],
    'last-partition-id': Math.max(999, ...spec.fields.map((f) => f['field-id'])),
    'default-sort-order-id': 0,
    'sort-orders': [{ 'order-id': 0, fields: [] }],
    properties: { 'write.format.default': 'parquet', 'write.parquet.compression-codec': 'zstd', ...opts.properties },
    'current-snapshot-id': null,
    refs: {},
    snapshots: [],
    'snapshot-log': [],
    'metadata-log': [],
  };
  const written: string[] = [];
  try {
    const res = await commitMetadata({ storage, tableDir, name }, realOps, env, null, null, metadata, written);
    return new Table(storage, tableDir, res.metadata, res.metadataLocation, { ...opts, ops: realOps, name });
  } catch (err) {
    await cleanUp(storage, written);
    throw err;
  }
}

/**
 * Load a table from a directory: through `ops` (a catalog), an explicit metadata file, or
 * (no ops) the version hint / highest metadata version. Read-only tables written by other
 * engines need no ops.
 */
export async function loadTable(storage: Storage, tableDir: string, opts: TableOptions & { metadataFile?: string } = {}): Promise<Table> {
  const lm = await loadMetadata(storage, tableDir, opts);
  return new Table(storage, tableDir, lm.metadata, lm.metadataLocation, opts);
}

export class Table implements TableContext {
  readonly storage: Storage;
  readonly tableDir: string;
  readonly name: string;
  metadata: TableMetadata;
  metadataLocation: string;
  resolve: (path: string) => string;
  private readonly options: TableOptions;
  private readonly env: WriterEnv;

  constructor(storage: Storage, tableDir: string, metadata: TableMetadata, metadataLocation: string, options: TableOptions = {}) {
    this.storage = storage;
    this.tableDir = tableDir.replace(/\/+$/, '');
    this.metadata = metadata;
    this.metadataLocation = metadataLocation;
    this.options = options;
    this.env = toEnv(options);
    this.name = options.name ?? options.ops?.tableName ?? this.tableDir;
    this.resolve = makeResolver(metadata.location, this.tableDir);
  }

  private get ops(): TableOperations {
    return this.options.ops ?? new FileTableOperations(this.storage, this.tableDir);
  }

  // ------------------------------------------------------------ reading

  schema(): Schema {
    return this.metadata.schemas.find((s) => s['schema-id'] === this.metadata['current-schema-id'])!;
  }

  spec(): PartitionSpec {
    return this.metadata['partition-specs'].find((s) => s['spec-id'] === this.metadata['default-spec-id'])!;
  }

  snapshots(): Snapshot[] {
    return [...this.metadata.snapshots];
  }

  currentSnapshot(): Snapshot | null {
    return resolveSnapshot(this);
  }

  /** The snapshot a selector names (current when empty); errors list what exists. */
  snapshot(sel: SnapshotSelector = {}): Snapshot | null {
    return resolveSnapshot(this, sel);
  }

  schemaFor(snapshot: Snapshot | null): Schema {
    return schemaForSnapshot(this, snapshot);
  }

  /** Re-read the current metadata (after another writer committed). */
  async refresh(): Promise<this> {
    const lm = await loadMetadata(this.storage, this.tableDir, { ops: this.options.ops });
    this.metadata = lm.metadata;
    this.metadataLocation = lm.metadataLocation;
    this.resolve = lm.resolve;
    return this;
  }

  plan(opts: ScanOptions = {}): Promise<ScanPlan> {
    return planScan(this, opts);
  }

  scan(opts: ScanOptions = {}): Promise<{ table: arrow.Table; plan: ScanPlan }> {
    return scanTable(this, opts);
  }

  /**
   * One planned data file as Arrow, deletes applied, in `schema` (default: the current
   * schema). Data files never change, so callers may cache by `task.path` plus the delete
   * files' paths.
   */
  readFile(task: FileScanTask, schema: Schema = this.schema()): Promise<arrow.Table> {
    return readTask(this, task, schema);
  }

  metadataTable(name: MetadataTableName): Promise<Record<string, unknown>[]> {
    return metadataTable(this, name);
  }

  // ------------------------------------------------------------ writing

  /** Writer environment for the next commit (ids scoped to this table and sequence number). */
  private commitEnv(): WriterEnv {
    return { now: this.env.now, ids: commitIds(this.env.ids, `${this.metadata['table-uuid']}:${this.metadata['last-sequence-number'] + 1}`) };
  }

  private async commitChange(build: (env: WriterEnv) => Promise<SnapshotChange | null>): Promise<Snapshot | null> {
    if (!this.storage.writable) throw new IcebergError(`Table ${this.name} is in read-only ${this.storage.kind} storage; copy it to memory or OPFS storage to change it.`);
    const written: string[] = [];
    try {
      const env = this.commitEnv();
      const change = await build(env);
      if (!change) return null;
      written.push(...[...change.added, ...(change.addedDeletes ?? []).map((d) => d.file)].map((f) => this.resolve(f.filePath)));
      const { metadata: next, snapshot } = await produceSnapshot(this, env, change, written);
      const res = await commitMetadata(this, this.ops, env, this.metadata, this.metadataLocation, next, written);
      this.metadata = res.metadata;
      this.metadataLocation = res.metadataLocation;
      return snapshot;
    } catch (err) {
      await cleanUp(this.storage, written);
      if (err instanceof CommitConflictError) throw await this.describeConflict();
      throw err;
    }
  }

  private async commitMetadataOnly(next: TableMetadata): Promise<void> {
    if (!this.storage.writable) throw new IcebergError(`Table ${this.name} is in read-only ${this.storage.kind} storage.`);
    const written: string[] = [];
    try {
      const res = await commitMetadata(this, this.ops, this.commitEnv(), this.metadata, this.metadataLocation, { ...next, 'last-updated-ms': Math.max(this.env.now(), this.metadata['last-updated-ms']) }, written);
      this.metadata = res.metadata;
      this.metadataLocation = res.metadataLocation;
    } catch (err) {
      await cleanUp(this.storage, written);
      if (err instanceof CommitConflictError) throw await this.describeConflict();
      throw err;
    }
  }

  /** A conflict error that says which snapshot the table moved to. */
  private async describeConflict(): Promise<CommitConflictError> {
    let actual: string | null = null;
    let actualSnap: bigint | null = null;
    try {
      actual = await this.ops.current();
      if (actual) actualSnap = (await readMetadataFile(this.storage, actual))['current-snapshot-id'];
    } catch { /* describe what we can */ }
    return new CommitConflictError(this.name, { expected: this.metadataLocation, actual, expectedSnapshotId: this.metadata['current-snapshot-id'], actualSnapshotId: actualSnap });
  }

  /**
   * Run a change, and on a commit conflict reload the table and run it again (up to
   * `retries` times). The change must read the table through the `t` it is given.
   */
  async withRetry<T>(change: (t: Table) => Promise<T>, retries = 4): Promise<T> {
    for (let i = 0; ; i++) {
      try {
        return await change(this);
      } catch (err) {
        if (!(err instanceof CommitConflictError) || i >= retries) throw err;
        await this.refresh();
      }
    }
  }

  /** Append rows (any Arrow table whose columns match the schema by name). */
  async append(data: arrow.Table): Promise<Snapshot | null> {
    return this.commitChange(async (env) => {
      const rows = conformToSchema(data, this.schema(), this.name);
      if (rows.numRows === 0) return null;
      const added = await writeDataFiles(this, env, rows, this.schema(), this.spec());
      return { operation: 'append', added, removed: [] };
    });
  }

  /** Live data files of the current snapshot, with the manifest each is listed in. */
  private async liveFiles(filter?: Predicate): Promise<{ task: FileScanTask; manifestPath: string }[]> {
    const snap = this.currentSnapshot();
    if (!snap) return [];
    const plan = await planScan(this, { snapshotId: snap['snapshot-id'], filter });
    const byPath = new Map<string, string>();
    for (const mf of await snapshotManifests(this, snap)) {
      if (mf.content !== 0) continue;
      if (!plan.tasks.length) break;
      const { entries } = await manifestEntries(this, mf, snap);
      for (const e of entries) if (e.status !== EntryStatus.DELETED) byPath.set(e.dataFile.filePath, mf.manifestPath);
    }
    return plan.tasks.map((task) => ({ task, manifestPath: byPath.get(task.file.filePath)! }));
  }

  /** Remove rows matching `filter` (rewriting files that hold only some of them). */
  private async removeMatching(filter: Predicate): Promise<{ removed: LiveFile[]; rewritten: arrow.Table[]; deletedRows: number }> {
    const schema = this.schema();
    const bound = bind(filter, schema);
    const removed: LiveFile[] = [];
    const rewritten: arrow.Table[] = [];
    let deletedRows = 0;
    for (const { task, manifestPath } of await this.liveFiles(filter)) {
      const t = await readTask(this, task, schema);
      const cols = new Map<number, Value[]>();
      for (const id of referencedIds(bound)) {
        const idx = schema.fields.findIndex((f) => f.id === id);
        cols.set(id, columnValues(t.getChildAt(idx)!, schema.fields[idx].type));
      }
      const keep: number[] = [];
      for (let r = 0; r < t.numRows; r++) if (!evalRow(bound, (id) => cols.get(id)?.[r] ?? null)) keep.push(r);
      if (keep.length === t.numRows) continue;
      deletedRows += t.numRows - keep.length;
      removed.push({ file: task.file, manifestPath });
      if (keep.length) rewritten.push(takeRows(t, keep, schema.fields.map((f) => f.type)));
    }
    return { removed, rewritten, deletedRows };
  }

  /**
   * Delete rows matching `filter`. No snapshot when nothing matches. With the table property
   * `write.delete.mode=merge-on-read` the data files stay and position delete files record
   * the deleted rows (cheap to write, applied on read); the default copy-on-write rewrites
   * the files that held them.
   */
  async delete(filter: Predicate): Promise<Snapshot | null> {
    if (this.metadata.properties['write.delete.mode'] === 'merge-on-read') return this.deleteMergeOnRead(filter);
    return this.commitChange(async (env) => {
      const { removed, rewritten, deletedRows } = await this.removeMatching(filter);
      if (deletedRows === 0) return null;
      const rest = concatTables(rewritten[0]?.schema ?? ({} as arrow.Schema), rewritten);
      const added = rewritten.length ? await writeDataFiles(this, env, rest, this.schema(), this.spec()) : [];
      return { operation: added.length ? 'overwrite' : 'delete', added, removed, summary: { 'deleted-rows-by-filter': String(deletedRows) } };
    });
  }

  private async deleteMergeOnRead(filter: Predicate): Promise<Snapshot | null> {
    return this.commitChange(async (env) => {
      const schema = this.schema();
      const bound = bind(filter, schema);
      const addedDeletes: { file: DataFile; specId: number }[] = [];
      let deletedRows = 0;
      for (const { task } of await this.liveFiles(filter)) {
        const { table: t, positions } = await readTaskWithPositions(this, task, schema);
        const cols = new Map<number, Value[]>();
        for (const id of referencedIds(bound)) {
          const idx = schema.fields.findIndex((f) => f.id === id);
          cols.set(id, columnValues(t.getChildAt(idx)!, schema.fields[idx].type));
        }
        const hits: number[] = [];
        for (let r = 0; r < t.numRows; r++) if (evalRow(bound, (id) => cols.get(id)?.[r] ?? null)) hits.push(positions[r]);
        if (!hits.length) continue;
        deletedRows += hits.length;
        const rel = this.tableDir ? task.path.slice(this.tableDir.length + 1) : task.path;
        const dir = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
        addedDeletes.push({ file: await writePositionDeletes(this, env, task.file, dir, hits), specId: task.specId });
      }
      if (!deletedRows) return null;
      return { operation: 'delete', added: [], removed: [], addedDeletes, summary: { 'deleted-rows-by-filter': String(deletedRows) } };
    });
  }

  /** Replace the rows matching `filter` with `data` (dynamic partition overwrite by filter). */
  async overwrite(filter: Predicate, data: arrow.Table): Promise<Snapshot | null> {
    return this.commitChange(async (env) => {
      const incoming = conformToSchema(data, this.schema(), this.name);
      const { removed, rewritten } = await this.removeMatching(filter);
      const all = concatTables(incoming.schema, [...rewritten, incoming]);
      const added = await writeDataFiles(this, env, all, this.schema(), this.spec());
      if (!added.length && !removed.length) return null;
      return { operation: 'overwrite', added, removed };
    });
  }

  /**
   * Upsert on key column(s): rows with a new key are inserted, rows whose key exists with
   * different values replace the old row, identical rows are left alone. Only files whose
   * key range can hold an incoming key are read. Copy-on-write (default) rewrites only files
   * holding a changed key; `write.merge.mode=merge-on-read` writes position deletes instead.
   */
  async merge(data: arrow.Table, opts: { key: string | string[] }): Promise<MergeResult> {
    let result: MergeResult = { inserted: 0, updated: 0, unchanged: 0, snapshot: null };
    const snapshot = await this.commitChange(async (env) => {
      const schema = this.schema();
      const types = schema.fields.map((f) => f.type);
      const keyNames = Array.isArray(opts.key) ? opts.key : [opts.key];
      const keyIdx = keyNames.map((k) => {
        const i = schema.fields.findIndex((f) => f.name === k);
        if (i < 0) throw new IcebergError(`Merge key "${k}" is not a column of table ${this.name}.`);
        return i;
      });
      const incoming = conformToSchema(data, schema, this.name);
      const inCols = schema.fields.map((f, i) => columnValues(incoming.getChildAt(i)!, f.type));
      const keyOf = (cols: Value[][], r: number) => keyIdx.map((i) => { const v = cols[i][r]; return v === null ? '\u0000' : v instanceof Uint8Array ? [...v].join(',') : typeof v + String(v); }).join('\u0001');
      // Last row wins for duplicate keys in the batch.
      const incomingByKey = new Map<string, number>();
      for (let r = 0; r < incoming.numRows; r++) incomingByKey.set(keyOf(inCols, r), r);
      if (incomingByKey.size === 0) return null;
      const firstKey = schema.fields[keyIdx[0]];
      const firstVals = [...incomingByKey.values()].map((r) => inCols[keyIdx[0]][r]).filter((v) => v !== null).sort(compareValues);
      const mayHold = (lo: Uint8Array | undefined, hi: Uint8Array | undefined) => {
        if (!lo || !hi) return true;
        const l = fromBytes(firstKey.type, lo), h = fromBytes(firstKey.type, hi);
        // Binary search for the first incoming key >= lower bound.
        let a = 0, b = firstVals.length;
        while (a < b) { const m = (a + b) >> 1; if (compareValues(firstVals[m], l) < 0) a = m + 1; else b = m; }
        return a < firstVals.length && compareValues(firstVals[a], h) <= 0;
      };
      const candidates: { task: FileScanTask; manifestPath: string; table: arrow.Table; cols: Value[][]; positions: ArrayLike<number> }[] = [];
      const existing = new Map<string, { count: number; equal: boolean }>();
      for (const lf of await this.liveFiles()) {
        if (!mayHold(lf.task.file.lowerBounds?.get(firstKey.id), lf.task.file.upperBounds?.get(firstKey.id))) continue;
        const { table: t, positions } = await readTaskWithPositions(this, lf.task, schema);
        const cols = schema.fields.map((f, i) => columnValues(t.getChildAt(i)!, f.type));
        let touched = false;
        for (let r = 0; r < t.numRows; r++) {
          const k = keyOf(cols, r);
          const ir = incomingByKey.get(k);
          if (ir === undefined) continue;
          touched = true;
          const same = cols.every((c, ci) => valuesEqual(c[r], inCols[ci][ir]));
          const e = existing.get(k);
          existing.set(k, { count: (e?.count ?? 0) + 1, equal: (e?.equal ?? true) && same });
        }
        if (touched) candidates.push({ ...lf, table: t, cols, positions });
      }
      const changed = new Set<string>();
      let unchanged = 0;
      for (const [k, e] of existing) { if (e.count === 1 && e.equal) unchanged++; else changed.add(k); }
      // Replaced rows leave their files either by rewriting the file without them
      // (copy-on-write) or through a position delete file (write.merge.mode=merge-on-read).
      const mergeOnRead = this.metadata.properties['write.merge.mode'] === 'merge-on-read';
      const removed: LiveFile[] = [];
      const rewritten: arrow.Table[] = [];
      const addedDeletes: { file: DataFile; specId: number }[] = [];
      for (const c of candidates) {
        const keep: number[] = [];
        const gone: number[] = [];
        for (let r = 0; r < c.table.numRows; r++) (changed.has(keyOf(c.cols, r)) ? gone : keep).push(r);
        if (!gone.length) continue;
        if (mergeOnRead) {
          const rel = this.tableDir ? c.task.path.slice(this.tableDir.length + 1) : c.task.path;
          const dir = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
          addedDeletes.push({ file: await writePositionDeletes(this, env, c.task.file, dir, gone.map((r) => c.positions[r])), specId: c.task.specId });
          continue;
        }
        removed.push({ file: c.task.file, manifestPath: c.manifestPath });
        if (keep.length) rewritten.push(takeRows(c.table, keep, types));
      }
      const newRows: number[] = [];
      let inserted = 0;
      for (const [k, r] of incomingByKey) {
        if (!existing.has(k)) { inserted++; newRows.push(r); } else if (changed.has(k)) newRows.push(r);
      }
      newRows.sort((a, b) => a - b);
      result = { inserted, updated: changed.size, unchanged, snapshot: null };
      if (newRows.length === 0 && removed.length === 0 && addedDeletes.length === 0) return null;
      const all = concatTables(incoming.schema, [...rewritten, takeRows(incoming, newRows, types)]);
      const added = await writeDataFiles(this, env, all, schema, this.spec());
      return {
        operation: removed.length || addedDeletes.length ? 'overwrite' : 'append',
        added,
        removed,
        addedDeletes,
        summary: { 'merge-inserted-rows': String(inserted), 'merge-updated-rows': String(changed.size), 'merge-unchanged-rows': String(unchanged) },
      };
    });
    result.snapshot = snapshot ?? this.currentSnapshot();
    return result;
  }

  /** Schema evolution: `table.updateSchema().addColumn(...).renameColumn(...).commit()`. */
  updateSchema(): SchemaUpdate {
    return new SchemaUpdate(this);
  }

  /** @internal used by SchemaUpdate */
  async applySchemaChanges(changes: SchemaChange[]): Promise<Schema> {
    const { schema, lastColumnId } = evolveSchema(this.metadata, changes, this.name);
    const specSources = new Set(this.metadata['partition-specs'].flatMap((s) => s.fields.map((f) => f['source-id'])));
    const dropped = this.schema().fields.filter((f) => !schema.fields.some((x) => x.id === f.id) && specSources.has(f.id));
    if (dropped.length) throw new IcebergError(`Cannot drop column "${dropped[0].name}" of table ${this.name}: a partition spec uses it.`);
    // Reuse an identical earlier schema rather than adding a duplicate.
    const same = this.metadata.schemas.find((s) => compactJson(s.fields) === compactJson(schema.fields));
    await this.commitMetadataOnly({
      ...this.metadata,
      schemas: same ? this.metadata.schemas : [...this.metadata.schemas, schema],
      'current-schema-id': same ? same['schema-id'] : schema['schema-id'],
      'last-column-id': lastColumnId,
    });
    return this.schema();
  }

  /**
   * Partition-spec evolution: new writes use the new spec; files already written keep
   * theirs, and scans prune each manifest with its own spec. Field ids continue after
   * `last-partition-id`, so they are never reused.
   */
  async updateSpec(fields: PartitionFieldInput[]): Promise<PartitionSpec> {
    const m = this.metadata;
    const specId = Math.max(...m['partition-specs'].map((s) => s['spec-id'])) + 1;
    const spec = buildPartitionSpec(fields, this.schema(), specId, m['last-partition-id'] + 1);
    // Keep the id of a field that already existed with the same source and transform.
    for (const f of spec.fields) {
      const prior = m['partition-specs'].flatMap((s) => s.fields).find((p) => p['source-id'] === f['source-id'] && p.transform === f.transform);
      if (prior) { f['field-id'] = prior['field-id']; f.name = prior.name; }
    }
    await this.commitMetadataOnly({
      ...m,
      'partition-specs': [...m['partition-specs'], spec],
      'default-spec-id': specId,
      'last-partition-id': Math.max(m['last-partition-id'], ...spec.fields.map((f) => f['field-id'])),
    });
    return spec;
  }

  /** Point `main` at an earlier snapshot (a rollback); the snapshot log records it. */
  async rollbackTo(snapshotId: bigint | number | string): Promise<Snapshot> {
    const snap = resolveSnapshot(this, { snapshotId });
    const now = Math.max(this.env.now(), this.metadata['last-updated-ms']);
    await this.commitMetadataOnly({
      ...this.metadata,
      'current-snapshot-id': snap!['snapshot-id'],
      refs: { ...this.metadata.refs, main: { 'snapshot-id': snap!['snapshot-id'], type: 'branch' } },
      'snapshot-log': [...this.metadata['snapshot-log'], { 'timestamp-ms': now, 'snapshot-id': snap!['snapshot-id'] }],
    });
    return snap!;
  }

  /** Create or move a branch or tag of this table's own refs. */
  async setRef(name: string, snapshotId: bigint | number | string, type: 'branch' | 'tag' = 'tag'): Promise<void> {
    if (name === 'main') throw new IcebergError('Use rollbackTo to move main.');
    const snap = resolveSnapshot(this, { snapshotId });
    await this.commitMetadataOnly({ ...this.metadata, refs: { ...this.metadata.refs, [name]: { 'snapshot-id': snap!['snapshot-id'], type } } });
  }

  async removeRef(name: string): Promise<void> {
    if (name === 'main') throw new IcebergError('The main branch cannot be removed.');
    const refs = { ...this.metadata.refs };
    delete refs[name];
    await this.commitMetadataOnly({ ...this.metadata, refs });
  }

  /**
   * Drop snapshots older than `olderThanMs` (keeping the `retainLast` newest of main's
   * history and every snapshot a branch or tag points at), then delete the files that no
   * remaining snapshot can reach. With `deleteFiles: false` only the metadata changes: under
   * a catalog with branches and tags (Nessie), other references may still need those files,
   * and a garbage collector that sees every reference removes them instead. `unreferencedFiles`
   * lists them either way.
   */
  async expireSnapshots(opts: { olderThanMs?: number; retainLast?: number; deleteFiles?: boolean } = {}): Promise<ExpireResult> {
    const m = this.metadata;
    // Per-ref retention (spec: Snapshot Retention Policy) is not implemented; expiring without
    // it could drop snapshots a branch promises to keep, so refuse rather than guess.
    const retained = Object.entries(m.refs).filter(([, r]) => r['max-ref-age-ms'] !== undefined || r['max-snapshot-age-ms'] !== undefined || r['min-snapshots-to-keep'] !== undefined);
    if (retained.length) {
      throw new IcebergError(`Cannot expire snapshots of table ${this.name}: ref ${retained.map(([n]) => `"${n}"`).join(', ')} sets its own retention (max-ref-age-ms, max-snapshot-age-ms or min-snapshots-to-keep; spec: Snapshot Retention Policy), which this miniature does not implement. Remove those ref properties, or expire the table with an engine that honours them.`);
    }
    const olderThan = opts.olderThanMs ?? this.env.now() - 5 * 86_400_000;
    const retainLast = Math.max(1, opts.retainLast ?? 1);
    const keep = new Set<bigint>();
    for (const r of Object.values(m.refs)) keep.add(r['snapshot-id']);
    let cur = m['current-snapshot-id'];
    for (let i = 0; cur !== null && i < retainLast; i++) {
      keep.add(cur);
      cur = m.snapshots.find((s) => s['snapshot-id'] === cur)?.['parent-snapshot-id'] ?? null;
    }
    for (const s of m.snapshots) if (s['timestamp-ms'] >= olderThan) keep.add(s['snapshot-id']);
    const expired = m.snapshots.filter((s) => !keep.has(s['snapshot-id']));
    if (!expired.length) return { expiredSnapshots: [], deletedFiles: [], unreferencedFiles: [] };
    const remaining = m.snapshots.filter((s) => keep.has(s['snapshot-id']));
    const reachable = new Set<string>();
    const collect = async (snaps: Snapshot[], into: Set<string>, liveOnly: boolean) => {
      for (const s of snaps) {
        if (s['manifest-list']) into.add(this.resolve(s['manifest-list']));
        for (const mf of await snapshotManifests(this, s)) {
          into.add(this.resolve(mf.manifestPath));
          const { entries } = await manifestEntries(this, mf, s);
          for (const e of entries) if (!liveOnly || e.status !== EntryStatus.DELETED) into.add(this.resolve(e.dataFile.filePath));
        }
      }
    };
    await collect(remaining, reachable, true);
    const candidates = new Set<string>();
    await collect(expired, candidates, false);
    const expiredIds = new Set(expired.map((s) => s['snapshot-id']));
    await this.commitMetadataOnly({
      ...m,
      snapshots: remaining,
      'snapshot-log': m['snapshot-log'].filter((e) => !expiredIds.has(e['snapshot-id'])),
    });
    const deletedFiles: string[] = [];
    const unreferencedFiles: string[] = [];
    for (const f of [...candidates].sort()) {
      if (reachable.has(f)) continue;
      unreferencedFiles.push(f);
      if (opts.deleteFiles === false) continue;
      await this.storage.delete(f);
      deletedFiles.push(f);
    }
    return { expiredSnapshots: expired.map((s) => s['snapshot-id']), deletedFiles, unreferencedFiles };
  }

  /**
   * Compaction: rewrite small data files into larger ones, partition by partition, as one
   * `replace` snapshot (the table's rows do not change, only the files that hold them).
   * A partition is rewritten when it has at least `minInputFiles` files smaller than
   * `targetFileSizeBytes`, or any delete file (its deletes are applied and the delete files
   * removed too). Old files stay for older snapshots until those expire. Returns null (no
   * snapshot) when nothing qualifies.
   */
  async rewriteDataFiles(opts: { targetFileSizeBytes?: number; minInputFiles?: number } = {}): Promise<RewriteResult | null> {
    const target = opts.targetFileSizeBytes ?? Number(this.metadata.properties['write.target-file-size-bytes'] ?? 134_217_728);
    const minInput = Math.max(2, opts.minInputFiles ?? 2);
    let result: RewriteResult | null = null;
    const snapshot = await this.commitChange(async (env) => {
      const snap = this.currentSnapshot();
      if (!snap) return null;
      const schema = this.schema();
      const spec = this.spec();
      const live = await this.liveFiles();
      // Delete files by the manifest they are listed in (they leave with their data files).
      const deleteFiles = new Map<string, LiveFile>();
      for (const mf of await snapshotManifests(this, snap)) {
        if (mf.content !== 1) continue;
        const { entries } = await manifestEntries(this, mf, snap);
        for (const e of entries) if (e.status !== EntryStatus.DELETED) deleteFiles.set(e.dataFile.filePath, { file: e.dataFile, manifestPath: mf.manifestPath });
      }
      const groups = new Map<string, typeof live>();
      for (const lf of live) {
        const key = `${lf.task.specId}|${JSON.stringify(lf.task.file.partition, (_k, v) => (typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? [...v] : v))}`;
        const g = groups.get(key) ?? [];
        g.push(lf);
        groups.set(key, g);
      }
      const removed: LiveFile[] = [];
      const removedDeletes = new Set<string>();
      const parts: arrow.Table[] = [];
      let rewrittenGroups = 0;
      for (const g of groups.values()) {
        const small = g.filter((lf) => Number(lf.task.file.fileSizeInBytes) < target);
        const hasDeletes = g.some((lf) => lf.task.deletes.length > 0);
        const chosen = hasDeletes ? g : small;
        if (!hasDeletes && chosen.length < minInput) continue;
        rewrittenGroups++;
        for (const lf of chosen) {
          // The rows as readers see them (deletes applied), in the current schema.
          parts.push(await readTask(this, lf.task, schema));
          removed.push({ file: lf.task.file, manifestPath: lf.manifestPath });
          for (const d of lf.task.deletes) removedDeletes.add(d.file.filePath);
        }
      }
      if (!removed.length) return null;
      for (const p of removedDeletes) { const d = deleteFiles.get(p); if (d) removed.push(d); }
      const rows = concatTables(parts[0].schema, parts);
      // writeDataFiles writes one file per partition of the default spec.
      const added = rows.numRows ? await writeDataFiles(this, env, rows, schema, spec) : [];
      const dataRemoved = removed.filter((r) => !removedDeletes.has(r.file.filePath));
      result = {
        rewrittenDataFiles: dataRemoved.length,
        addedDataFiles: added.length,
        removedDeleteFiles: removed.length - dataRemoved.length,
        rewrittenBytes: dataRemoved.reduce((a, r) => a + Number(r.file.fileSizeInBytes), 0),
        partitions: rewrittenGroups,
        snapshotId: null,
      };
      return { operation: 'replace', added, removed, consolidateRemoved: true };
    });
    if (result && snapshot) (result as RewriteResult).snapshotId = snapshot['snapshot-id'];
    return snapshot ? result : null;
  }

  /** The current metadata as the JSON text that is stored. */
  metadataJson(): string {
    return serializeMetadata(this.metadata);
  }

  /** Filter an Arrow table produced by this table's scan (exact row filter). */
  filterRows(t: arrow.Table, filter: Predicate): arrow.Table {
    const schema = this.schema();
    const fields = t.schema.fields.map((f) => schema.fields.find((x) => x.name === f.name)!);
    return filterRows(t, fields, bind(filter, schema));
  }
}

export class SchemaUpdate {
  private readonly table: Table;
  private readonly changes: SchemaChange[] = [];
  constructor(table: Table) {
    this.table = table;
  }
  addColumn(name: string, type: IcebergType, opts: { required?: boolean; doc?: string; initialDefault?: unknown } = {}): this {
    this.changes.push({ kind: 'add', field: { name, type, ...opts } });
    return this;
  }
  renameColumn(from: string, to: string): this {
    this.changes.push({ kind: 'rename', from, to });
    return this;
  }
  widen(name: string, type: IcebergType): this {
    this.changes.push({ kind: 'widen', name, type });
    return this;
  }
  dropColumn(name: string): this {
    this.changes.push({ kind: 'drop', name });
    return this;
  }
  commit(): Promise<Schema> {
    return this.table.applySchemaChanges(this.changes);
  }
}
