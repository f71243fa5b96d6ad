/**
 * The warehouse: one object that the pipeline, the CLI and the browser sandbox all use.
 * It ties the three parts together: the catalog (which metadata file each table is at, on
 * each branch), Iceberg tables (snapshots and files), and the SQL engine (DuckDB-WASM over
 * Arrow). Everything is stored through one `Storage`, so the same warehouse runs on disk,
 * in memory, in OPFS, or read-only over HTTP.
 *
 * Storage layout: `catalog/` (commits, trees, refs) and one folder per table,
 * `<namespace>/<table>/{metadata,data}/`.
 */
import type * as arrow from 'apache-arrow';
import type { Storage } from './storage/storage.ts';
import { Catalog, type CatalogOptions } from './catalog/catalog.ts';
import { CatalogError } from './catalog/errors.ts';
import { CatalogTableOperations, tableDirFor } from './catalog/table-operations.ts';
import type { Commit, KeyDiff, MergeResult, Reference } from './catalog/model.ts';
import { createTable, loadTable, type Table, type CreateTableOptions } from './iceberg/table.ts';
import { readMetadataFile } from './iceberg/load.ts';
import type { IdSource } from './iceberg/write.ts';
import { allFieldsSchema, type SnapshotSelector } from './iceberg/scan.ts';
import { partitionType } from './iceberg/manifest.ts';
import { specById } from './iceberg/metadata.ts';
import { formatValue, type Value } from './iceberg/values.ts';
import { partitionPathValue } from './iceberg/transforms.ts';
import type { MetadataTableName } from './iceberg/metadata-tables.ts';
import { SqlError, quoteIdent, type QueryOptions, type SqlEngine } from './sql/engine.ts';
import { TableBinder, type BindResult } from './sql/table-binder.ts';
import { findTableMentions } from './sql/table-names.ts';

export interface WarehouseOptions {
  storage: Storage;
  /** Needed for `sql`, `scan` and `load`; catalog and table operations work without it. */
  engine?: SqlEngine;
  /** Time source for catalog commits and Iceberg snapshots (inject for reproducible builds). */
  clock?: () => Date;
  author?: string;
  /** Ids for table uuids and snapshot ids (inject deterministic ones for reproducible builds). */
  ids?: IdSource;
  catalogRoot?: string;
}

/** Which state of the tables a query reads. */
export interface ReadOptions {
  /** Branch, tag, commit hash or `name~N` (default `main`). */
  ref?: string;
  /** Iceberg snapshot id within the table (decimal string: ids are 64-bit). */
  snapshotId?: string | number | bigint;
  /** The snapshot current at this time (ISO-8601 or ms since the epoch). */
  asOf?: string | number | Date;
}

export interface SqlOptions extends ReadOptions, Pick<QueryOptions, 'keep' | 'onBatch' | 'progress'> {
  signal?: AbortSignal;
  timeLimitMs?: number;
  /** Told when the tables the query names are bound and the query itself starts (for timings). */
  onBound?: () => void;
}

export interface SnapshotInfo {
  snapshotId: string;
  parentId: string | null;
  sequenceNumber: number;
  timestampMs: number;
  committedAt: string;
  operation: string;
  summary: Record<string, string>;
  current: boolean;
}

export interface FileInfo {
  path: string;
  content: 'data' | 'position-deletes' | 'equality-deletes';
  format: string;
  records: number;
  sizeBytes: number;
  /** Partition values as text (`2026-01-01` for a day partition), null for a null value. */
  partition: Record<string, string | null>;
  /** Delete files that apply to this data file at the chosen snapshot. */
  deletes: string[];
}

export interface TableHandleOptions {
  ref?: string;
  /** Catalog commit message for writes through this handle. */
  message?: string;
}

export interface CreateOptions extends Omit<CreateTableOptions, 'ops' | 'now' | 'ids' | 'name' | 'location'> {
  ref?: string;
  message?: string;
}

/**
 * Tables that are not in the catalog but can be queried next to it, e.g. the pipeline's run
 * log as `ops.runs` (Dagster keeps its event log outside the lakehouse too). They have no
 * branches or snapshots: a source builds the rows on demand and says, with a fingerprint,
 * when they changed, so an unchanged table is not rebuilt for every query.
 */
export interface VirtualTables {
  /** Qualified names (`namespace.table`, lower case) this source answers. */
  names(): string[];
  /** Changes whenever the rows of `name` as seen from `ref` change. */
  fingerprint(name: string, ref: string): Promise<string>;
  /** The rows of `name` as seen from `ref`. */
  load(name: string, ref: string): Promise<arrow.Table>;
}

/** A tiny mutex: binding views and running the query must not interleave between calls. */
class Lock {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/** Table keys bound as views, per SQL engine (see Warehouse.boundKeys). */
const BOUND_KEYS = new WeakMap<SqlEngine, Set<string>>();

export class Warehouse {
  readonly storage: Storage;
  readonly catalog: Catalog;
  private readonly engineOrNull: SqlEngine | null;
  private readonly clock: () => Date;
  private readonly author: string;
  private readonly ids: IdSource | undefined;
  private binderOrNull: TableBinder | null = null;
  /** Loaded read-only tables by metadata location: metadata files never change. */
  private readonly readCache = new Map<string, Promise<Table>>();
  private readonly lock = new Lock();
  /**
   * Table keys bound as views on this warehouse's engine. Kept per engine, not per warehouse:
   * a warehouse reopened on the same engine (the sandbox's "Reset to checkpoint") must not
   * answer from a view an earlier warehouse left for a table its ref no longer holds.
   */
  private get boundKeys(): Set<string> {
    let keys = BOUND_KEYS.get(this.engine);
    if (!keys) BOUND_KEYS.set(this.engine, (keys = new Set()));
    return keys;
  }
  private readonly virtualSources: VirtualTables[] = [];
  /** Virtual table -> the fingerprint of the rows registered for it. */
  private readonly virtualLoaded = new Map<string, string>();

  constructor(options: WarehouseOptions, catalog: Catalog) {
    this.storage = options.storage;
    this.catalog = catalog;
    this.engineOrNull = options.engine ?? null;
    this.clock = options.clock ?? (() => new Date());
    this.author = options.author ?? 'phlo';
    this.ids = options.ids;
  }

  get engine(): SqlEngine {
    if (!this.engineOrNull) throw new SqlError('this warehouse was opened without a SQL engine; pass `engine` to openWarehouse.', { kind: 'engine' });
    return this.engineOrNull;
  }

  /** Registers data files and views in the engine (shared by every query). */
  get binder(): TableBinder {
    this.binderOrNull ??= new TableBinder(this.engine);
    return this.binderOrNull;
  }

  // ------------------------------------------------------------ tables

  /**
   * Make a source's tables queryable by name in `sql` (see VirtualTables). A later source
   * for the same names replaces the earlier one.
   */
  attachVirtualTables(source: VirtualTables): void {
    const names = new Set(source.names());
    for (let i = this.virtualSources.length - 1; i >= 0; i--) {
      if (this.virtualSources[i]!.names().some((n) => names.has(n))) this.virtualSources.splice(i, 1);
    }
    this.virtualSources.push(source);
    this.virtualLoaded.clear();
  }

  /** Names of the attached virtual tables. */
  virtualTableNames(): string[] {
    return this.virtualSources.flatMap((s) => s.names()).sort();
  }

  /** Content keys (`namespace.table`) on a reference, sorted. */
  async tables(ref = this.catalog.defaultBranch): Promise<string[]> {
    return Object.keys(await this.catalog.entries(ref)).sort();
  }

  async hasTable(name: string, ref = this.catalog.defaultBranch): Promise<boolean> {
    return name in (await this.catalog.entries(ref));
  }

  /**
   * A table as it is on `ref`. On a branch the handle can write: each commit becomes a
   * catalog commit on that branch. On a tag or commit hash it is read-only.
   */
  async table(name: string, options: TableHandleOptions | string = {}): Promise<Table> {
    const { ref = this.catalog.defaultBranch, message } = typeof options === 'string' ? { ref: options } : options;
    const resolved = await this.catalog.resolve(ref);
    const content = await this.catalog.content(name, ref);
    if (resolved.ref?.type === 'BRANCH' && resolved.ref.name === ref) {
      return loadTable(this.storage, tableDirFor(name), {
        ops: this.operations(name, ref, message),
        now: () => this.clock().getTime(),
        ids: this.ids,
        name,
      });
    }
    return this.readOnlyTable(name, content.metadataLocation);
  }

  async createTable(name: string, options: CreateOptions): Promise<Table> {
    const { ref = this.catalog.defaultBranch, message, ...create } = options;
    if (await this.hasTable(name, ref)) {
      throw new CatalogError('BAD_REQUEST', `table '${name}' already exists on '${ref}'; open it with table('${name}') or pick another name.`);
    }
    const ops = new CatalogTableOperations(this.catalog, name, ref, {
      author: this.author,
      // The given message names the creation; later commits through the handle describe themselves.
      message: (base, next) => (base === null ? (message ?? `create table ${name}`) : this.describeCommit(name, base, next)),
    });
    return createTable(ops, this.storage, tableDirFor(name), {
      ...create,
      now: () => this.clock().getTime(),
      ids: this.ids,
      name,
    });
  }

  /** Remove a table from a branch (its files stay: other refs may still point at them). */
  async dropTable(name: string, ref = this.catalog.defaultBranch, message = `drop table ${name}`): Promise<Commit> {
    return this.catalog.commit(ref, [{ type: 'DELETE', key: name }], { message, author: this.author });
  }

  async snapshots(name: string, ref = this.catalog.defaultBranch): Promise<SnapshotInfo[]> {
    return snapshotsOf(await this.table(name, ref));
  }

  async files(name: string, options: ReadOptions = {}): Promise<FileInfo[]> {
    return filesOf(await this.table(name, options.ref ?? this.catalog.defaultBranch), selectorOf(options));
  }

  // ------------------------------------------------------------ SQL

  /**
   * Run SQL over the tables of a reference. Tables are named `namespace.table`; a quoted
   * table part may pick its own state: `glucose."raw_entries@dev"`,
   * `glucose."raw_entries@<snapshot id>"`, `glucose."raw_entries#<ISO time>"`, and metadata
   * tables as `glucose."raw_entries$snapshots"` (history, manifests, files, entries, refs, partitions).
   * `snapshotId` / `asOf` apply to every table named without such a selector.
   */
  sql(query: string, options: SqlOptions = {}): Promise<arrow.Table> {
    return this.lock.run(async () => {
      await this.bindMentions(query, options);
      options.onBound?.();
      try {
        const { signal, timeLimitMs, keep, onBatch, progress } = options;
        return await this.engine.query(query, { signal, timeLimitMs, keep, onBatch, progress });
      } catch (err) {
        throw (await this.missingTableError(err, query, options.ref ?? this.catalog.defaultBranch)) ?? err;
      }
    });
  }

  /**
   * A query naming `namespace.table` that the ref does not hold never reaches a bind, so the
   * engine answers with its own catalog error ("Table with name x does not exist! Did you
   * mean pg_catalog...?"). Say instead which table is missing on which ref, and what is
   * there: on an empty lakehouse, that nothing has been written yet.
   */
  private async missingTableError(err: unknown, query: string, ref: string): Promise<SqlError | null> {
    const m = /Catalog Error: Table with name "?([^"\s!]+)"? does not exist/i.exec((err as Error)?.message ?? '');
    if (!m) return null;
    const name = m[1]!.split(/[@#$]/)[0]!;
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const mention = new RegExp(`\\b([A-Za-z_][A-Za-z0-9_]*)\\s*\\.\\s*"?${escaped}\\b`, 'i').exec(query);
    if (!mention || ['main', 'memory', 'temp', 'system', 'pg_catalog', 'information_schema'].includes(mention[1]!.toLowerCase())) return null;
    const there = Object.keys(await this.catalog.entries(ref).catch(() => ({})));
    return new SqlError(
      `table ${mention[1]}.${name} does not exist on '${ref}'` + (there.length ? ` (tables there: ${there.join(', ')})` : ' (no tables there yet: nothing has been written to this lakehouse)') + '.',
      { sql: query },
    );
  }

  /** Load one table's snapshot into the engine under its own name (or `as`). */
  load(name: string, options: ReadOptions & { as?: string } = {}): Promise<BindResult> {
    return this.lock.run(async () => {
      const table = await this.table(name, options.ref ?? this.catalog.defaultBranch);
      const sqlName = options.as ?? name;
      const dot = sqlName.indexOf('.');
      return this.binder.bind(sqlName.slice(0, dot), sqlName.slice(dot + 1), table, selectorOf(options));
    });
  }

  /** Rows of one table at a snapshot, read through DuckDB (the same path as the browser). */
  scan(name: string, options: SqlOptions & { limit?: number } = {}): Promise<arrow.Table> {
    return this.lock.run(async () => {
      const table = await this.table(name, options.ref ?? this.catalog.defaultBranch);
      return scanThrough(this, table, selectorOf(options), options);
    });
  }

  private async bindMentions(query: string, options: SqlOptions): Promise<void> {
    const ref = options.ref ?? this.catalog.defaultBranch;
    const tree = await this.catalog.entries(ref);
    // Keys bound before stay in the set, so a view left from another ref is never used stale.
    const keys = new Set([...Object.keys(tree), ...this.boundKeys]);
    // A table reached through `@branch` may exist only there.
    if (query.includes('@')) {
      for (const r of await this.catalog.references()) for (const k of Object.keys(await this.catalog.entries(r.name))) keys.add(k);
    }
    const virtual = new Map<string, VirtualTables>();
    for (const source of this.virtualSources) for (const n of source.names()) if (!(n in tree)) virtual.set(n, source);
    for (const n of virtual.keys()) keys.add(n);
    for (const mention of findTableMentions(query, keys)) {
      const source = virtual.get(mention.key);
      if (source) {
        await this.bindVirtual(mention.key, mention.selector, source, ref, query);
        continue;
      }
      const selector: SnapshotSelector = {};
      let tableRef = ref;
      if (mention.selector.ref) tableRef = mention.selector.ref;
      else if (mention.selector.snapshotId) selector.snapshotId = mention.selector.snapshotId;
      else if (mention.selector.asOf) selector.asOf = mention.selector.asOf;
      else Object.assign(selector, selectorOf(options));
      const content = (await this.catalog.entries(tableRef))[mention.key];
      if (!content) {
        await this.binder.unbind(mention.schema, mention.name);
        const there = Object.keys(await this.catalog.entries(tableRef));
        throw new SqlError(
          `table ${mention.key} does not exist on '${tableRef}'` + (there.length ? ` (tables there: ${there.join(', ')})` : ' (no tables there yet)') + '.',
          { sql: query },
        );
      }
      const table = await this.readOnlyTable(mention.key, content.metadataLocation);
      if (mention.selector.metadata) {
        await this.binder.bindMetadata(mention.schema, mention.name, table, mention.selector.metadata as MetadataTableName, selector);
      } else {
        await this.binder.bind(mention.schema, mention.name, table, selector);
      }
      this.boundKeys.add(mention.key);
    }
  }

  private async bindVirtual(key: string, selector: Record<string, unknown>, source: VirtualTables, ref: string, query: string): Promise<void> {
    if (Object.keys(selector).length) {
      throw new SqlError(`${key} is not an Iceberg table: it has no branches, snapshots or metadata tables. Name it without "@", "#" or "$".`, { sql: query });
    }
    const fingerprint = `${ref}|${await source.fingerprint(key, ref)}`;
    if (this.virtualLoaded.get(key) === fingerprint) return;
    await this.engine.registerArrow(key, await source.load(key, ref));
    this.virtualLoaded.set(key, fingerprint);
  }

  /** Drop loaded data that no current view reads (see TableBinder.releaseUnused). */
  releaseUnused(): Promise<number> {
    return this.lock.run(() => (this.binderOrNull ? this.binderOrNull.releaseUnused() : Promise.resolve(0)));
  }

  // ------------------------------------------------------------ references

  references(): Promise<Reference[]> {
    return this.catalog.references();
  }

  async branches(): Promise<Reference[]> {
    return (await this.catalog.references()).filter((r) => r.type === 'BRANCH');
  }

  async tags(): Promise<Reference[]> {
    return (await this.catalog.references()).filter((r) => r.type === 'TAG');
  }

  createBranch(name: string, from = this.catalog.defaultBranch): Promise<Reference> {
    return this.catalog.createReference(name, 'BRANCH', from);
  }

  tag(name: string, from = this.catalog.defaultBranch): Promise<Reference> {
    return this.catalog.createReference(name, 'TAG', from);
  }

  deleteRef(name: string, expectedHash?: string): Promise<Reference> {
    return this.catalog.deleteReference(name, expectedHash);
  }

  assignRef(name: string, to: string, expectedHash?: string): Promise<Reference> {
    return this.catalog.assignReference(name, to, expectedHash);
  }

  log(ref = this.catalog.defaultBranch, limit?: number): Promise<Commit[]> {
    return this.catalog.log(ref, limit);
  }

  diff(from: string, to: string): Promise<KeyDiff[]> {
    return this.catalog.diff(from, to);
  }

  merge(from: string, into = this.catalog.defaultBranch, options: { message?: string; expectedHash?: string } = {}): Promise<MergeResult> {
    return this.catalog.merge(from, into, { author: this.author, ...options });
  }

  async close(): Promise<void> {
    await this.engineOrNull?.close();
  }

  // ------------------------------------------------------------ internals

  private operations(name: string, ref: string, message?: string): CatalogTableOperations {
    return new CatalogTableOperations(this.catalog, name, ref, {
      author: this.author,
      message: message ? () => message : (base, next) => this.describeCommit(name, base, next),
    });
  }

  /** "glucose.raw_entries: append, snapshot 123 (+288 records)" from the new metadata file. */
  private async describeCommit(name: string, base: string | null, next: string): Promise<string> {
    try {
      const meta = await readMetadataFile(this.storage, next);
      const id = meta['current-snapshot-id'];
      const before = base ? (await readMetadataFile(this.storage, base))['current-snapshot-id'] : null;
      if (!base) return `create table ${name}`;
      if (id === null || id === before) return `${name}: update table metadata`;
      const snap = meta.snapshots.find((s) => s['snapshot-id'] === id);
      const s = (snap?.summary ?? {}) as Record<string, string>;
      const added = s['added-records'] ? ` +${s['added-records']}` : '';
      const deleted = s['deleted-records'] ? ` -${s['deleted-records']}` : '';
      return `${name}: ${s.operation ?? 'commit'} snapshot ${id}${added || deleted ? ` (${`${added}${deleted}`.trim()} records)` : ''}`;
    } catch {
      return `${name}: commit ${next}`;
    }
  }

  private readOnlyTable(name: string, metadataLocation: string): Promise<Table> {
    let pending = this.readCache.get(metadataLocation);
    if (!pending) {
      pending = loadTable(this.storage, tableDirFor(name), { metadataFile: metadataLocation, name });
      this.readCache.set(metadataLocation, pending);
      pending.catch(() => this.readCache.delete(metadataLocation));
    }
    return pending;
  }
}

export function selectorOf(options: ReadOptions): SnapshotSelector {
  const selector: SnapshotSelector = {};
  if (options.snapshotId !== undefined && options.snapshotId !== null) selector.snapshotId = options.snapshotId;
  if (options.asOf !== undefined && options.asOf !== null) selector.asOf = options.asOf;
  return selector;
}

/** A table's Iceberg snapshots, oldest first, ids as decimal strings. */
export function snapshotsOf(table: Table): SnapshotInfo[] {
  const current = table.currentSnapshot();
  return table.snapshots().map((s) => ({
    snapshotId: String(s['snapshot-id']),
    parentId: s['parent-snapshot-id'] === undefined ? null : String(s['parent-snapshot-id']),
    sequenceNumber: s['sequence-number'],
    timestampMs: s['timestamp-ms'],
    committedAt: new Date(s['timestamp-ms']).toISOString(),
    operation: String(s.summary?.operation ?? ''),
    summary: { ...(s.summary as Record<string, string>) },
    current: current !== null && current['snapshot-id'] === s['snapshot-id'],
  }));
}

/** Data files of a table at a snapshot, with the delete files that apply to each. */
export async function filesOf(table: Table, selector: SnapshotSelector = {}): Promise<FileInfo[]> {
  const plan = await table.plan(selector);
  const allFields = allFieldsSchema(table.metadata);
  return plan.tasks.map((task) => {
    // Partition values as people read them (2026-01-01, not 20454 days since the epoch).
    const partition: Record<string, string | null> = {};
    for (const p of partitionType(specById(table.metadata, task.specId), allFields)) {
      const value = (task.file.partition[p.name] ?? null) as Value;
      const source = allFields.fields.find((f) => f.id === p.sourceId)?.type ?? p.type;
      partition[p.name] = value === null ? null : /^(year|month|day|hour)$/.test(p.transform) ? partitionPathValue(p.transform, source, value) : formatValue(p.type, value);
    }
    return {
      path: task.path,
      content: 'data',
      format: task.file.fileFormat,
      records: Number(task.file.recordCount),
      sizeBytes: Number(task.file.fileSizeInBytes),
      partition,
      deletes: task.deletes.map((d) => d.file.filePath),
    };
  });
}

let scanCounter = 0;

/** Bind a table under a private name and read it through DuckDB with an optional limit. */
export async function scanThrough(
  warehouse: { binder: TableBinder; engine: SqlEngine },
  table: Table,
  selector: SnapshotSelector,
  options: { limit?: number; signal?: AbortSignal; timeLimitMs?: number } = {},
): Promise<arrow.Table> {
  const name = `scan_${++scanCounter}`;
  await warehouse.binder.bind('__lakehouse_scan', name, table, selector);
  try {
    const limit = options.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(options.limit))}` : '';
    return await warehouse.engine.query(`SELECT * FROM ${quoteIdent('__lakehouse_scan')}.${quoteIdent(name)}${limit}`, {
      signal: options.signal,
      timeLimitMs: options.timeLimitMs,
    });
  } finally {
    await warehouse.binder.unbind('__lakehouse_scan', name);
  }
}

/** Open the warehouse kept in `options.storage` (creating its catalog on writable storage). */
export async function openWarehouse(options: WarehouseOptions): Promise<Warehouse> {
  const catalogOptions: CatalogOptions = { author: options.author };
  if (options.clock) catalogOptions.clock = options.clock;
  if (options.catalogRoot) catalogOptions.root = options.catalogRoot;
  const catalog = new Catalog(options.storage, catalogOptions);
  await catalog.initialize();
  return new Warehouse(options, catalog);
}
