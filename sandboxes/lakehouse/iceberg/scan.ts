/**
 * The read path: snapshot -> manifest list -> manifests -> live data and delete files ->
 * a scan plan (with what was skipped and why) -> Arrow, applying v2 deletes.
 */
import * as arrow from 'apache-arrow';
import type { Storage } from '../storage/storage.ts';
import { StorageError } from '../storage/storage.ts';
import { stripScheme } from '../storage/rebase.ts';
import type { DataFile, ManifestEntry, ManifestFile, NestedField, Schema, Snapshot, TableMetadata } from './types.ts';
import { DataFileContent, EntryStatus } from './types.ts';
import { readManifest, readManifestList } from './manifest.ts';
import { bind, evalRow, fileCannotMatch, partitionCannotMatch, projectToPartition, referencedIds, summariesCannotMatch, type Bound, type Predicate } from './filter.ts';
import { schemaById, snapshotById, specById } from './metadata.ts';
import { readParquet } from './parquet.ts';
import { isNested, nullData, arrowFieldFor, arrowTypeFor, columnValues, constantVector, tableFromVectors, takeRows, vectorFromValues, concatTables } from './arrow.ts';
import { valuesEqual, type Value } from './values.ts';
import { fromJsonSingleValue } from './json-single-value.ts';
import { IcebergError } from './errors.ts';
import { fileColumnIds, hasFieldIds } from './name-mapping.ts';

/** What a reader needs to know about a table. */
export interface TableContext {
  storage: Storage;
  tableDir: string;
  name: string;
  metadata: TableMetadata;
  metadataLocation: string;
  /** Metadata path (as written, maybe `s3://...`) -> storage path. */
  resolve(path: string): string;
}

export interface SnapshotSelector {
  snapshotId?: bigint | number | string;
  /** Milliseconds since the epoch, or an ISO-8601 time: the snapshot current at that time. */
  asOf?: number | string | Date;
  /** A branch or tag name. */
  ref?: string;
}

export interface ScanOptions extends SnapshotSelector {
  filter?: Predicate;
  /** Column names to return (default: all). */
  columns?: string[];
  /** Stop reading data files once this many rows are found (file order). */
  limit?: number;
}

/**
 * A cache key for the rows `readTask` returns: data files never change, but the delete files
 * that apply to one depend on the snapshot.
 */
export function taskCacheKey(task: FileScanTask): string {
  return [task.path, ...task.deletes.map((d) => d.file.filePath).sort()].join('|');
}

export interface DeleteFileRef {
  file: DataFile;
  sequenceNumber: number;
  specId: number;
}

export interface FileScanTask {
  file: DataFile;
  /** Storage path of the data file. */
  path: string;
  specId: number;
  sequenceNumber: number;
  deletes: DeleteFileRef[];
}

export interface ScanPlan {
  table: string;
  snapshot: Snapshot | null;
  schema: Schema;
  tasks: FileScanTask[];
  manifestsRead: string[];
  skippedManifests: { path: string; reason: string }[];
  skippedFiles: { path: string; reason: string }[];
  deleteFiles: number;
}

/**
 * A plan in a few human lines, for a learner: which snapshot, how many manifests and data
 * files were read or skipped, and why each skipped file could not match.
 */
export function describePlan(plan: ScanPlan, maxReasons = 10): string[] {
  const snap = plan.snapshot;
  const lines = [
    snap ? `Table ${plan.table} at snapshot ${snap['snapshot-id']} (${snap.summary.operation}, ${new Date(snap['timestamp-ms']).toISOString()})` : `Table ${plan.table} has no snapshot yet: nothing to read.`,
  ];
  if (!snap) return lines;
  const records = plan.tasks.reduce((a, t) => a + t.file.recordCount, 0n);
  lines.push(`Manifests: ${plan.manifestsRead.length} read, ${plan.skippedManifests.length} skipped by partition summaries.`);
  lines.push(`Data files: ${plan.tasks.length} to read (${records} rows before deletes), ${plan.skippedFiles.length} skipped.`);
  if (plan.deleteFiles) lines.push(`Delete files: ${plan.deleteFiles} (applied by sequence number).`);
  for (const s of plan.skippedManifests.slice(0, maxReasons)) lines.push(`  skipped manifest ${s.path.split('/').pop()}: ${s.reason}`);
  for (const s of plan.skippedFiles.slice(0, maxReasons)) lines.push(`  skipped ${s.path.split('/').slice(-2).join('/')}: ${s.reason}`);
  const more = plan.skippedFiles.length - maxReasons;
  if (more > 0) lines.push(`  ... and ${more} more skipped files`);
  return lines;
}

export function resolveSnapshot(ctx: TableContext, sel: SnapshotSelector = {}): Snapshot | null {
  const m = ctx.metadata;
  const known = () => m.snapshots.map((s) => String(s['snapshot-id'])).join(', ') || 'none';
  if (sel.snapshotId !== undefined && sel.snapshotId !== null) {
    let id: bigint;
    try { id = BigInt(sel.snapshotId); } catch { throw new IcebergError(`"${String(sel.snapshotId)}" is not a snapshot id (a 64-bit integer).`); }
    const s = snapshotById(m, id);
    if (!s) throw new IcebergError(`Snapshot ${id} not found in table ${ctx.name} (known snapshots: ${known()}).`, { file: ctx.metadataLocation });
    return s;
  }
  if (sel.ref !== undefined) {
    const r = m.refs[sel.ref];
    if (!r) throw new IcebergError(`Table ${ctx.name} has no branch or tag "${sel.ref}" (refs: ${Object.keys(m.refs).join(', ') || 'none'}).`, { file: ctx.metadataLocation });
    const s = snapshotById(m, r['snapshot-id']);
    if (!s) throw new IcebergError(`Ref "${sel.ref}" of table ${ctx.name} points at snapshot ${r['snapshot-id']}, which is not in the metadata.`, { file: ctx.metadataLocation });
    return s;
  }
  if (sel.asOf !== undefined) {
    const t = sel.asOf instanceof Date ? sel.asOf.getTime() : typeof sel.asOf === 'string' ? Date.parse(sel.asOf) : sel.asOf;
    if (Number.isNaN(t)) throw new IcebergError(`"${String(sel.asOf)}" is not a time; use ISO-8601 (2024-01-01T12:00:00Z) or epoch milliseconds.`);
    // The snapshot log (not the snapshot list) says what was current when: it keeps rollbacks.
    const log = m['snapshot-log'].length ? m['snapshot-log'] : m.snapshots.map((s) => ({ 'timestamp-ms': s['timestamp-ms'], 'snapshot-id': s['snapshot-id'] }));
    let found: bigint | null = null;
    for (const e of log) if (e['timestamp-ms'] <= t) found = e['snapshot-id'];
    if (found === null) throw new IcebergError(`Table ${ctx.name} had no snapshot as of ${new Date(t).toISOString()} (the first is at ${log[0] ? new Date(log[0]['timestamp-ms']).toISOString() : 'never'}).`);
    const s = snapshotById(m, found);
    if (!s) throw new IcebergError(`Snapshot ${found}, current as of ${new Date(t).toISOString()}, has expired from table ${ctx.name}.`);
    return s;
  }
  const cur = m['current-snapshot-id'];
  if (cur === null) return null;
  // A dangling pointer is a broken table, never an empty one (reading it as empty lost data).
  const s = snapshotById(m, cur);
  if (!s) throw new IcebergError(`Table ${ctx.name}: current-snapshot-id ${cur} in ${ctx.metadataLocation} names no snapshot (known snapshots: ${known()}). Point the table at an earlier metadata version.`, { file: ctx.metadataLocation });
  return s;
}

/**
 * The schema to read a snapshot with: time travel by id or time uses the schema the snapshot
 * was written with (as Spark and Trino do); the current state and refs use the table's
 * current schema, so metadata-only changes (an added column) show at once.
 */
export function schemaForSnapshot(ctx: TableContext, snap: Snapshot | null, sel: SnapshotSelector = { snapshotId: 0 }): Schema {
  const m = ctx.metadata;
  const timeTravel = sel.snapshotId !== undefined || sel.asOf !== undefined;
  if (timeTravel && snap && snap['schema-id'] !== undefined && m.schemas.some((s) => s['schema-id'] === snap['schema-id'])) return schemaById(m, snap['schema-id']);
  return schemaById(m, m['current-schema-id']);
}

/** Every field that ever existed, by id, latest definition first: to type old partitions. */
export function allFieldsSchema(m: TableMetadata): Schema {
  const byId = new Map<number, NestedField>();
  for (const s of [...m.schemas].reverse()) for (const f of s.fields) if (!byId.has(f.id)) byId.set(f.id, f);
  return { type: 'struct', 'schema-id': -1, fields: [...byId.values()] };
}

async function readFileWithContext(ctx: TableContext, path: string, what: string, snap: Snapshot | null): Promise<{ bytes: Uint8Array; storagePath: string }> {
  let storagePath: string;
  try {
    storagePath = ctx.resolve(path);
  } catch (err) {
    throw new IcebergError(`Cannot locate ${what} ${path} of table ${ctx.name}: ${(err as Error).message}`, { file: path, cause: err });
  }
  try {
    return { bytes: await ctx.storage.read(storagePath), storagePath };
  } catch (err) {
    if (err instanceof StorageError && err.code === 'not-found') {
      const snapNote = snap ? `snapshot ${snap['snapshot-id']}` : 'the table';
      throw new IcebergError(`The ${what} ${storagePath} is missing, but ${snapNote} of table ${ctx.name} needs it. Restore the file, or read an earlier snapshot that does not use it.`, { file: storagePath, cause: err });
    }
    throw err;
  }
}

/** Manifest list entries of a snapshot (a v1 snapshot may list manifests directly). */
export async function snapshotManifests(ctx: TableContext, snap: Snapshot): Promise<ManifestFile[]> {
  if (snap['manifest-list']) {
    const { bytes, storagePath } = await readFileWithContext(ctx, snap['manifest-list'], 'manifest list', snap);
    try {
      return await readManifestList(bytes, storagePath);
    } catch (err) {
      if (err instanceof IcebergError) throw new IcebergError(`${err.message} Snapshot ${snap['snapshot-id']} of table ${ctx.name} needs it.`, { file: storagePath, cause: err });
      throw err;
    }
  }
  return (snap.manifests ?? []).map((p) => ({
    manifestPath: p, manifestLength: 0n, partitionSpecId: -1, content: 0, sequenceNumber: 0, minSequenceNumber: 0,
    addedSnapshotId: snap['snapshot-id'], addedFilesCount: 0, existingFilesCount: 0, deletedFilesCount: 0,
    addedRowsCount: 0n, existingRowsCount: 0n, deletedRowsCount: 0n, partitions: null,
  }));
}

export async function manifestEntries(ctx: TableContext, manifest: ManifestFile, snap: Snapshot | null): Promise<{ specId: number; entries: ManifestEntry[]; storagePath: string }> {
  const { bytes, storagePath } = await readFileWithContext(ctx, manifest.manifestPath, 'manifest', snap);
  const m = ctx.metadata;
  const res = await readManifest(bytes, storagePath, {
    manifest,
    schema: allFieldsSchema(m),
    formatVersion: m['format-version'],
    specFor: (headerId) => {
      const id = manifest.partitionSpecId >= 0 ? manifest.partitionSpecId : headerId ?? m['default-spec-id'];
      return specById(m, id);
    },
  }).catch((err) => {
    if (err instanceof IcebergError && snap) throw new IcebergError(`${err.message} Snapshot ${snap['snapshot-id']} of table ${ctx.name} needs it.`, { file: storagePath, cause: err });
    throw err;
  });
  return { ...res, storagePath };
}

function samePartition(a: DataFile, b: DataFile): boolean {
  const keys = new Set([...Object.keys(a.partition), ...Object.keys(b.partition)]);
  for (const k of keys) if (!valuesEqual((a.partition[k] ?? null) as Value, (b.partition[k] ?? null) as Value)) return false;
  return true;
}

/** Manifests read at once while planning a scan. */
const MANIFESTS_IN_FLIGHT = 6;

/**
 * `read(i)` for items taken in order, with up to `inFlight` started ahead of the one asked
 * for: the round trips overlap, the results are still used one by one in order. A failed
 * read rejects when its turn comes (an unhandled rejection is never left behind).
 */
export function inOrder<T, R>(items: readonly T[], inFlight: number, start: (item: T) => Promise<R>): (i: number) => Promise<R> {
  const started: Promise<R>[] = [];
  const ensure = (upTo: number) => {
    for (let j = started.length; j <= Math.min(upTo, items.length - 1); j++) {
      const p = start(items[j]!);
      p.catch(() => undefined);
      started.push(p);
    }
  };
  return (i) => {
    ensure(i + inFlight - 1);
    return started[i]!;
  };
}

export async function planScan(ctx: TableContext, opts: ScanOptions = {}): Promise<ScanPlan> {
  const snap = resolveSnapshot(ctx, opts);
  const schema = schemaForSnapshot(ctx, snap, opts);
  const plan: ScanPlan = { table: ctx.name, snapshot: snap, schema, tasks: [], manifestsRead: [], skippedManifests: [], skippedFiles: [], deleteFiles: 0 };
  if (!snap) return plan;
  const m = ctx.metadata;
  const bound = opts.filter ? bind(opts.filter, schema) : null;
  const manifests = await snapshotManifests(ctx, snap);
  const dataEntries: { e: ManifestEntry; specId: number }[] = [];
  const deleteEntries: { e: ManifestEntry; specId: number }[] = [];
  const wanted = manifests.filter((mf) => {
    if (bound && mf.content === 0 && mf.partitionSpecId >= 0) {
      const spec = specById(m, mf.partitionSpecId);
      const reason = summariesCannotMatch(projectToPartition(bound, spec, allFieldsSchema(m)), spec, mf.partitions);
      if (reason) { plan.skippedManifests.push({ path: mf.manifestPath, reason }); return false; }
    }
    return true;
  });
  // Read a few manifests at once (over HTTP each read is a round trip), used in list order.
  const read = inOrder(wanted, MANIFESTS_IN_FLIGHT, (mf) => manifestEntries(ctx, mf, snap));
  for (let i = 0; i < wanted.length; i++) {
    const { specId, entries, storagePath } = await read(i);
    plan.manifestsRead.push(storagePath);
    for (const e of entries) {
      if (e.status === EntryStatus.DELETED) continue;
      if (e.dataFile.content === DataFileContent.DATA) dataEntries.push({ e, specId });
      else deleteEntries.push({ e, specId });
    }
  }
  const deletes: DeleteFileRef[] = deleteEntries.map(({ e, specId }) => ({ file: e.dataFile, sequenceNumber: e.sequenceNumber ?? 0, specId }));
  plan.deleteFiles = deletes.length;
  for (const { e, specId } of dataEntries) {
    const f = e.dataFile;
    if (bound) {
      const spec = specById(m, specId);
      const reason = partitionCannotMatch(projectToPartition(bound, spec, allFieldsSchema(m)), f.partition) ?? fileCannotMatch(bound, f);
      if (reason) { plan.skippedFiles.push({ path: f.filePath, reason }); continue; }
    }
    const seq = e.sequenceNumber ?? 0;
    const dataPath = stripScheme(f.filePath);
    const applicable = deletes.filter((d) => {
      const deleteSpec = specById(m, d.specId);
      const global = deleteSpec.fields.length === 0;
      if (d.file.content === DataFileContent.POSITION_DELETES) {
        if (d.sequenceNumber < seq) return false;
        if (!global && (d.specId !== specId || !samePartition(d.file, f))) return false;
        // Position deletes record the data file path in their stats; skip files they cannot name.
        const lo = d.file.lowerBounds?.get(2147483546), hi = d.file.upperBounds?.get(2147483546);
        // Equal bounds name exactly one file (truncated bounds differ: the upper one is bumped).
        if (lo && hi) {
          const l = new TextDecoder().decode(lo), h = new TextDecoder().decode(hi);
          if (l === h && stripScheme(l) !== dataPath) return false;
        }
        return true;
      }
      if (d.sequenceNumber <= seq) return false;
      return global || (d.specId === specId && samePartition(d.file, f));
    });
    plan.tasks.push({ file: f, path: ctx.resolve(f.filePath), specId, sequenceNumber: seq, deletes: applicable });
  }
  return plan;
}

// ---------------------------------------------------------------- reading files

/** A field's `initial-default` (JSON single-value form in the metadata) as an internal value. */
function defaultValue(field: NestedField, ctx: TableContext): Value {
  const d = field['initial-default'];
  if (d === undefined || d === null) return null;
  try {
    return fromJsonSingleValue(field.type, d);
  } catch (err) {
    throw new IcebergError(`Field "${field.name}" (id ${field.id}) of table ${ctx.name} has an initial-default that is not a valid ${String(field.type)} in the spec's JSON single-value form: ${(err as Error).message}. Fix the default in the table metadata.`, { file: ctx.metadataLocation, cause: err });
  }
}

/**
 * Conform a file's Arrow table to `fields`: pick columns by field id, convert promoted types,
 * fill identity partition values, defaults, or nulls for columns the file does not have.
 */
export function projectFile(t: arrow.Table, fields: NestedField[], ctx: TableContext, task: { file: DataFile; specId: number }): arrow.Table {
  const m = ctx.metadata;
  const byId = fileColumnIds(t, m, ctx.name);
  if (!hasFieldIds(t)) {
    // The mapping's nested `fields` would have to re-identify a struct's, list's or map's
    // children; this reader keeps a nested column's children as the file stores them, so it
    // refuses rather than match them by position or name.
    const nested = fields.find((f) => isNested(f.type) && byId.has(f.id));
    if (nested) throw new IcebergError(`Column "${nested.name}" of table ${ctx.name} is a ${(nested.type as { type: string }).type} read from a data file without Parquet field ids; name mapping of nested fields (spec: Name Mapping Serialization, "fields") is not supported by this reader. Rewrite the file with field ids.`);
  }
  const spec = m['partition-specs'].find((s) => s['spec-id'] === task.specId);
  // Nested columns pass through with the file's own Arrow layout (names of list/map children
  // differ between writers), so their output type comes from the file.
  const outSchema = new arrow.Schema(fields.map((f) => {
    const col = byId.get(f.id);
    if (isNested(f.type) && col !== undefined) {
      const field = arrowFieldFor(f);
      return new arrow.Field(field.name, t.schema.fields[col].type, true, field.metadata);
    }
    return arrowFieldFor(f);
  }));
  const batches: arrow.RecordBatch[] = [];
  const sourceBatches = t.batches.length ? t.batches : [];
  for (const batch of sourceBatches) {
    const n = batch.numRows;
    const vectors = fields.map((f, fi) => {
      const col = byId.get(f.id);
      if (isNested(f.type)) {
        return col !== undefined ? batch.getChildAt(col)! : arrow.makeVector(nullData(outSchema.fields[fi].type, n));
      }
      if (col !== undefined) {
        const v = batch.getChildAt(col)!;
        const want = arrowTypeFor(f.type);
        if (v.type.typeId === want.typeId && String(v.type) === String(want)) return v;
        // Same bytes, other label (a "+00:00" zone, Binary for a string): relabel, no copy.
        const relabel = (arrow.DataType.isTimestamp(v.type) && arrow.DataType.isTimestamp(want) && v.type.unit === want.unit)
          || (arrow.DataType.isBinary(v.type) && arrow.DataType.isUtf8(want));
        if (relabel) return arrow.makeVector(v.data.map((d) => d.clone(want as never)));
        return vectorFromValues(f.type, columnValues(v, f.type));
      }
      const identity = spec?.fields.find((pf) => pf['source-id'] === f.id && pf.transform === 'identity');
      if (identity) return constantVector(f.type, (task.file.partition[identity.name] ?? null) as Value, n);
      return constantVector(f.type, defaultValue(f, ctx), n);
    });
    batches.push(tableFromVectors(outSchema, vectors, n).batches[0]);
  }
  return new arrow.Table(outSchema, batches);
}

function keyOf(values: Value[]): string {
  return values.map((v) => (v === null ? '\u0000' : v instanceof Uint8Array ? 'b' + [...v].join(',') : typeof v + ':' + String(v))).join('\u0001');
}

export interface ReadFileOptions {
  /** Fields to return (default: the plan's schema). */
  fields?: NestedField[];
  snapshot?: Snapshot | null;
}

/** Parquet -> Arrow with a clear error naming the file and the snapshot that needs it. */
async function readParquetFile(ctx: TableContext, path: string, what: string, snap: Snapshot | null | undefined): Promise<arrow.Table> {
  const { bytes, storagePath } = await readFileWithContext(ctx, path, what, snap ?? null);
  try {
    return await readParquet(bytes);
  } catch (err) {
    const snapNote = snap ? ` (needed by snapshot ${snap['snapshot-id']})` : '';
    throw new IcebergError(`Cannot decode ${what} ${storagePath} of table ${ctx.name}${snapNote} as Parquet: ${(err as Error)?.message ?? err}. The file is corrupt or not Parquet.`, { file: storagePath, cause: err });
  }
}

/** One data file as Arrow with its delete files applied: rows exactly as of the task's snapshot. */
export async function readTask(ctx: TableContext, task: FileScanTask, schema: Schema, opts: ReadFileOptions = {}): Promise<arrow.Table> {
  return (await readTaskWithPositions(ctx, task, schema, opts)).table;
}

/**
 * Like readTask, and also the position in the data file of every returned row (what a
 * position delete file records).
 */
export async function readTaskWithPositions(ctx: TableContext, task: FileScanTask, schema: Schema, opts: ReadFileOptions = {}): Promise<{ table: arrow.Table; positions: ArrayLike<number> }> {
  const fields = opts.fields ?? schema.fields;
  const everyRow = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
  for (const f of [task.file, ...task.deletes.map((d) => d.file)]) {
    if (f.fileFormat.toUpperCase() !== 'PARQUET') {
      throw new IcebergError(`File ${f.filePath} of table ${ctx.name} is ${f.fileFormat}; this reader handles Parquet files only. Rewrite the table's files as Parquet (e.g. with Spark's rewrite_data_files).`, { file: f.filePath });
    }
  }
  const raw = await readParquetFile(ctx, task.file.filePath, 'data file', opts.snapshot);
  if (task.deletes.length === 0) return { table: projectFile(raw, fields, ctx, task), positions: everyRow(raw.numRows) };
  const all = allFieldsSchema(ctx.metadata);
  const eqIds = new Set<number>();
  for (const d of task.deletes) if (d.file.content === DataFileContent.EQUALITY_DELETES) for (const id of d.file.equalityIds ?? []) eqIds.add(id);
  const extra = [...eqIds].filter((id) => !fields.some((f) => f.id === id)).map((id) => all.fields.find((f) => f.id === id)!).filter(Boolean);
  const wide = projectFile(raw, [...fields, ...extra], ctx, task);
  const n = wide.numRows;
  const deleted = new Uint8Array(n);
  const dataPath = stripScheme(task.file.filePath);
  for (const d of task.deletes) {
    const del = await readParquetFile(ctx, d.file.filePath, d.file.content === DataFileContent.POSITION_DELETES ? 'position delete file' : 'equality delete file', opts.snapshot);
    if (d.file.content === DataFileContent.POSITION_DELETES) {
      const cols = fileColumnIds(del, ctx.metadata, ctx.name);
      const pathCol = cols.get(2147483546) ?? del.schema.fields.findIndex((f) => f.name === 'file_path');
      const posCol = cols.get(2147483545) ?? del.schema.fields.findIndex((f) => f.name === 'pos');
      const paths = columnValues(del.getChildAt(pathCol)!, 'string');
      const poss = columnValues(del.getChildAt(posCol)!, 'long');
      for (let i = 0; i < paths.length; i++) {
        if (stripScheme(String(paths[i])) !== dataPath) continue;
        const p = Number(poss[i]);
        if (p >= 0 && p < n) deleted[p] = 1;
      }
    } else {
      const ids = d.file.equalityIds ?? [];
      const eqFields = ids.map((id) => all.fields.find((f) => f.id === id)!);
      // A key column the delete file does not carry would compare as null and delete every
      // row whose key is null: refuse instead of answering wrongly.
      const delCols0 = fileColumnIds(del, ctx.metadata, ctx.name);
      const absent = ids.filter((id) => !delCols0.has(id));
      if (absent.length) {
        throw new IcebergError(`Equality delete file ${d.file.filePath} of table ${ctx.name} has no column for equality field id(s) ${absent.join(', ')} (spec: an equality delete file stores every column its equality_ids list${hasFieldIds(del) ? '' : '; this file has no Parquet field ids and the table\'s schema.name-mapping.default does not map them'}). The rows it deletes cannot be known; rewrite the delete file with those columns.`, { file: d.file.filePath });
      }
      const delT = projectFile(del, eqFields, ctx, { file: d.file, specId: d.specId });
      const delCols = eqFields.map((f, i) => columnValues(delT.getChildAt(i)!, f.type));
      const keys = new Set<string>();
      for (let r = 0; r < delT.numRows; r++) keys.add(keyOf(delCols.map((c) => c[r])));
      const dataCols = ids.map((id) => {
        const idx = [...fields, ...extra].findIndex((f) => f.id === id);
        return columnValues(wide.getChildAt(idx)!, all.fields.find((f) => f.id === id)!.type);
      });
      for (let r = 0; r < n; r++) if (!deleted[r] && keys.has(keyOf(dataCols.map((c) => c[r])))) deleted[r] = 1;
    }
  }
  const keep: number[] = [];
  for (let r = 0; r < n; r++) if (!deleted[r]) keep.push(r);
  const types = [...fields, ...extra].map((f) => f.type);
  const kept = takeRows(wide, keep, types);
  if (!extra.length) return { table: kept, positions: keep };
  return { table: kept.select(fields.map((f) => arrowFieldFor(f).name)), positions: keep };
}

/** Keep the rows of `t` (with `fields`) that satisfy a bound filter. */
export function filterRows(t: arrow.Table, fields: NestedField[], bound: Bound): arrow.Table {
  const ids = [...referencedIds(bound)];
  const cols = new Map<number, Value[]>();
  for (const id of ids) {
    const idx = fields.findIndex((f) => f.id === id);
    if (idx >= 0) cols.set(id, columnValues(t.getChildAt(idx)!, fields[idx].type));
  }
  const keep: number[] = [];
  for (let r = 0; r < t.numRows; r++) if (evalRow(bound, (id) => cols.get(id)?.[r] ?? null)) keep.push(r);
  if (keep.length === t.numRows) return t;
  return takeRows(t, keep, fields.map((f) => f.type));
}

export async function scanTable(ctx: TableContext, opts: ScanOptions = {}): Promise<{ table: arrow.Table; plan: ScanPlan }> {
  const plan = await planScan(ctx, opts);
  const schema = plan.schema;
  const wanted = opts.columns ? opts.columns.map((c) => {
    const f = schema.fields.find((x) => x.name === c);
    if (!f) throw new IcebergError(`Column "${c}" is not in table ${ctx.name} (columns: ${schema.fields.map((x) => x.name).join(', ')}).`);
    return f;
  }) : schema.fields;
  const bound = opts.filter ? bind(opts.filter, schema) : null;
  const filterFields = bound ? [...referencedIds(bound)].filter((id) => !wanted.some((f) => f.id === id)).map((id) => schema.fields.find((f) => f.id === id)!) : [];
  const readFields = [...wanted, ...filterFields];
  // A few files in flight at once: over HTTP each read waits on the network.
  const parts: arrow.Table[] = new Array(plan.tasks.length);
  const limit = opts.limit ?? Infinity;
  let found = 0;
  let next = 0;
  const worker = async () => {
    while (next < plan.tasks.length && found < limit) {
      const i = next++;
      let t = await readTask(ctx, plan.tasks[i], schema, { fields: readFields, snapshot: plan.snapshot });
      if (bound) t = filterRows(t, readFields, bound);
      if (filterFields.length) t = t.select(wanted.map((f) => f.name));
      parts[i] = t;
      found += t.numRows;
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, plan.tasks.length) }, worker));
  const outSchema = new arrow.Schema(wanted.map((f) => arrowFieldFor(f)));
  // Files past the limit may be unread (holes); keep file order and cut at the limit.
  const ordered: arrow.Table[] = [];
  let total = 0;
  for (const p of parts) {
    if (!p || total >= limit) break;
    ordered.push(total + p.numRows > limit ? p.slice(0, limit - total) : p);
    total += p.numRows;
  }
  return { table: concatTables(outSchema, ordered), plan };
}

