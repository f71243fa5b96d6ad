/**
 * The write path: Arrow rows -> partitioned Parquet data files with column stats ->
 * manifests -> manifest list -> snapshot -> new metadata file -> optimistic commit.
 */
import * as arrow from 'apache-arrow';
import type { DataFile, ManifestEntry, ManifestFile, PartitionSpec, Schema, Snapshot, SnapshotSummary, TableMetadata } from './types.ts';
import { DataFileContent, EntryStatus, ManifestContent } from './types.ts';
import { arrowSchemaFor, columnValues, tableFromVectors, takeRows, vectorFromValues } from './arrow.ts';
import { applyTransform, partitionPathValue } from './transforms.ts';
import { compareValues, kindOf, toBytes, type Value } from './values.ts';
import { writeParquet } from './parquet.ts';
import { partitionType, summarizePartitions, writeManifest, writeManifestList } from './manifest.ts';
import { serializeMetadata, specById } from './metadata.ts';
import { metadataVersion, type TableOperations } from './table-operations.ts';
import { IcebergError } from './errors.ts';
import type { Storage } from '../storage/storage.ts';
import { StorageError } from '../storage/storage.ts';
import { manifestEntries, snapshotManifests, type TableContext } from './scan.ts';

/** Where ids and time come from; inject deterministic ones for reproducible warehouses. */
export interface IdSource {
  uuid(): string;
  snapshotId(): bigint;
}

export interface WriterEnv {
  now: () => number;
  ids: IdSource;
}

export function randomIds(): IdSource {
  return {
    uuid: () => {
      // randomUUID exists only in secure contexts; a page served over plain http lacks it.
      if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
      const b = crypto.getRandomValues(new Uint8Array(16));
      b[6] = (b[6] & 0x0f) | 0x40;
      b[8] = (b[8] & 0x3f) | 0x80;
      const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    },
    snapshotId: () => {
      const b = new BigUint64Array(1);
      crypto.getRandomValues(b);
      return BigInt.asIntN(64, b[0] & 0x7fffffffffffffffn) || 1n;
    },
  };
}

/** Four 32-bit words from a string (FNV/Murmur-style mixing; not cryptographic). */
function hash128(s: string): number[] {
  let h1 = 0x811c9dc5, h2 = 0x01000193 ^ s.length, h3 = 0x9e3779b9, h4 = 0x85ebca6b;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
    h3 = Math.imul(h3 ^ c, 0xcc9e2d51) >>> 0;
    h4 = Math.imul((h4 ^ c) + h1, 0x1b873593) >>> 0;
  }
  const fin = (h: number) => { h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); return (h ^ (h >>> 16)) >>> 0; };
  return [fin(h1 ^ h4), fin(h2 + h1), fin(h3 ^ h2), fin(h4 + h3)];
}

function uuidFromWords(words: number[]): string {
  const w = words.map((x) => x.toString(16).padStart(8, '0')).join('');
  return `${w.slice(0, 8)}-${w.slice(8, 12)}-4${w.slice(13, 16)}-8${w.slice(17, 20)}-${w.slice(20, 32)}`;
}

function snapshotIdFromWords([a, b]: number[]): bigint {
  return (BigInt(a & 0x7fffffff) << 32n) | BigInt(b) || 1n;
}

/** Ids derived from a seed string and a counter: same inputs, same files, byte for byte. */
export function deterministicIds(seed: string): IdSource {
  let n = 0;
  return {
    uuid: () => uuidFromWords(hash128(`${seed}#uuid#${n++}`)),
    snapshotId: () => snapshotIdFromWords(hash128(`${seed}#snap#${n++}`)),
  };
}

/**
 * Ids for one commit of one table: the caller's ids mixed with the table's uuid and the
 * sequence number being written. A deterministic id source restarted by a second run (same
 * seed, same counter) then still names new files differently from the ones already in the
 * table, instead of colliding with them.
 */
export function commitIds(ids: IdSource, scope: string): IdSource {
  return {
    uuid: () => uuidFromWords(hash128(`${ids.uuid()}|${scope}`)),
    snapshotId: () => snapshotIdFromWords(hash128(`${ids.snapshotId()}|${scope}`)),
  };
}

// ---------------------------------------------------------------- data files

export interface WriteTarget {
  storage: Storage;
  tableDir: string;
  metadata: TableMetadata;
}

const joinPath = (a: string, b: string) => (a ? `${a.replace(/\/+$/, '')}/${b}` : b);

/** Column stats of one data file, keyed by field id, bounds in single-value form. */
/**
 * Metrics mode (`write.metadata.metrics.default`, Java's default `truncate(16)`): string and
 * binary bounds are cut to N characters/bytes; the upper bound is then bumped so it still
 * bounds every value. `full` keeps whole values, `counts` keeps no bounds.
 */
export function metricsMode(properties: Record<string, string>): { bounds: boolean; truncate: number | null } {
  const mode = (properties['write.metadata.metrics.default'] ?? 'truncate(16)').trim();
  if (mode === 'full') return { bounds: true, truncate: null };
  if (mode === 'counts' || mode === 'none') return { bounds: false, truncate: null };
  const m = /^truncate\((\d+)\)$/.exec(mode);
  return { bounds: true, truncate: m ? Number(m[1]) : 16 };
}

function truncateLower(type: string, v: Value, n: number): Value {
  if (type === 'string') return [...(v as string)].slice(0, n).join('');
  if (type === 'binary') return (v as Uint8Array).slice(0, n);
  return v;
}

/** Truncated upper bound, or null when no short value bounds it (all max code points). */
function truncateUpper(type: string, v: Value, n: number): Value {
  if (type === 'string') {
    const cps = [...(v as string)].map((c) => c.codePointAt(0)!);
    if (cps.length <= n) return v;
    const head = cps.slice(0, n);
    for (let i = head.length - 1; i >= 0; i--) {
      let next = head[i] + 1;
      if (next >= 0xd800 && next <= 0xdfff) next = 0xe000; // skip surrogates
      if (next <= 0x10ffff) return String.fromCodePoint(...head.slice(0, i), next);
    }
    return null;
  }
  if (type === 'binary') {
    const b = v as Uint8Array;
    if (b.length <= n) return b;
    const head = b.slice(0, n);
    for (let i = head.length - 1; i >= 0; i--) if (head[i] < 0xff) { head[i]++; return head.slice(0, i + 1); }
    return null;
  }
  return v;
}

export function columnStats(t: arrow.Table, schema: Schema, properties: Record<string, string> = {}): Pick<DataFile, 'valueCounts' | 'nullValueCounts' | 'nanValueCounts' | 'lowerBounds' | 'upperBounds'> {
  const mode = metricsMode(properties);
  const valueCounts = new Map<number, bigint>(), nullValueCounts = new Map<number, bigint>(), nanValueCounts = new Map<number, bigint>();
  const lowerBounds = new Map<number, Uint8Array>(), upperBounds = new Map<number, Uint8Array>();
  schema.fields.forEach((f, i) => {
    if (typeof f.type !== 'string') {
      // Nested columns: counts only; bounds are kept for primitive leaves in engines that
      // track them, which this miniature does not.
      const v = t.getChildAt(i)!;
      valueCounts.set(f.id, BigInt(v.length));
      nullValueCounts.set(f.id, BigInt(v.nullCount));
      return;
    }
    const isFloat = kindOf(f.type) === 'float' || kindOf(f.type) === 'double';
    let nulls = 0, nans = 0, count = 0;
    let lo: Value = null, hi: Value = null;
    const fast = fastStats(t.getChildAt(i)!, f.type);
    if (fast) {
      ({ nulls, nans, count, lo, hi } = fast);
    } else {
      const vals = columnValues(t.getChildAt(i)!, f.type);
      count = vals.length;
      for (const v of vals) {
        if (v === null) { nulls++; continue; }
        if (isFloat && Number.isNaN(v as number)) { nans++; continue; }
        if (lo === null || compareValues(v, lo) < 0) lo = v;
        if (hi === null || compareValues(v, hi) > 0) hi = v;
      }
    }
    valueCounts.set(f.id, BigInt(count));
    nullValueCounts.set(f.id, BigInt(nulls));
    if (isFloat) nanValueCounts.set(f.id, BigInt(nans));
    if (!mode.bounds) return;
    const k = kindOf(f.type);
    if (mode.truncate !== null && lo !== null) lo = truncateLower(k, lo, mode.truncate);
    if (mode.truncate !== null && hi !== null) hi = truncateUpper(k, hi, mode.truncate);
    if (lo !== null) lowerBounds.set(f.id, toBytes(f.type, lo));
    if (hi !== null) upperBounds.set(f.id, toBytes(f.type, hi));
  });
  return { valueCounts, nullValueCounts, nanValueCounts, lowerBounds, upperBounds };
}

/** Compare bytes[start, end) with `other` (UTF-8 byte order equals code point order). */
function compareRange(bytes: Uint8Array, start: number, end: number, other: Uint8Array): number {
  const n = Math.min(end - start, other.length);
  for (let i = 0; i < n; i++) {
    const d = bytes[start + i] - other[i];
    if (d !== 0) return d;
  }
  return end - start - other.length;
}

const NUMERIC_KINDS = new Set(['int', 'date', 'long', 'time', 'timestamp', 'timestamptz', 'float', 'double']);

/**
 * Min/max/null counts straight from Arrow buffers for numbers and strings (the common
 * columns), without materializing a JS value per row: 1M-row appends spend their time in
 * Parquet encoding rather than here. Returns null for other types (generic path).
 */
function fastStats(v: arrow.Vector, type: Schema['fields'][number]['type']): { nulls: number; nans: number; count: number; lo: Value; hi: Value } | null {
  const k = kindOf(type);
  const isString = k === 'string';
  if (!NUMERIC_KINDS.has(k) && !isString) return null;
  let nulls = 0, nans = 0, count = 0;
  let lo: number | bigint | null = null, hi: number | bigint | null = null;
  let loBytes: Uint8Array | null = null, hiBytes: Uint8Array | null = null;
  for (const d of v.data) {
    const t = d.type as arrow.DataType;
    const sameLayout = isString ? arrow.DataType.isUtf8(t) : (arrow.DataType.isInt(t) && (t.bitWidth === 32 || t.bitWidth === 64)) || arrow.DataType.isFloat(t) || (arrow.DataType.isTimestamp(t) && t.unit === arrow.TimeUnit.MICROSECOND) || (arrow.DataType.isDate(t) && t.unit === arrow.DateUnit.DAY) || (arrow.DataType.isTime(t) && t.unit === arrow.TimeUnit.MICROSECOND);
    if (!sameLayout) return null;
    const bm = d.nullCount > 0 ? d.nullBitmap : null;
    const valid = (i: number) => !bm || (bm[(d.offset + i) >> 3] & (1 << ((d.offset + i) & 7))) !== 0;
    count += d.length;
    if (isString) {
      const offs = d.valueOffsets as Int32Array;
      const bytes = d.values as Uint8Array;
      for (let i = 0; i < d.length; i++) {
        if (!valid(i)) { nulls++; continue; }
        const start = offs[i], end = offs[i + 1];
        if (!loBytes || compareRange(bytes, start, end, loBytes) < 0) loBytes = bytes.subarray(start, end);
        if (!hiBytes || compareRange(bytes, start, end, hiBytes) > 0) hiBytes = bytes.subarray(start, end);
      }
      continue;
    }
    const vals = d.values as Int32Array | BigInt64Array | Float32Array | Float64Array;
    for (let i = 0; i < d.length; i++) {
      if (!valid(i)) { nulls++; continue; }
      const x = vals[i];
      if (typeof x === 'number' && x !== x) { nans++; continue; }
      if (lo === null || x < lo) lo = x;
      if (hi === null || x > hi) hi = x;
    }
  }
  if (isString) {
    const dec = new TextDecoder();
    return { nulls, nans, count, lo: loBytes ? dec.decode(loBytes) : null, hi: hiBytes ? dec.decode(hiBytes) : null };
  }
  const norm = (x: number | bigint | null): Value => (x === null ? null : k === 'long' || k === 'time' || k.startsWith('timestamp') ? BigInt(x) : Number(x));
  return { nulls, nans, count, lo: norm(lo), hi: norm(hi) };
}

/** Split rows by partition tuple, in first-seen order. */
export function partitionRows(t: arrow.Table, spec: PartitionSpec, schema: Schema): { partition: Record<string, Value>; rows: number[] | null }[] {
  if (spec.fields.length === 0) return [{ partition: {}, rows: null }];
  const sources = spec.fields.map((pf) => {
    const idx = schema.fields.findIndex((f) => f.id === pf['source-id']);
    if (idx < 0) throw new IcebergError(`Partition source field id ${pf['source-id']} is not in the current schema.`);
    return { pf, field: schema.fields[idx], vals: columnValues(t.getChildAt(idx)!, schema.fields[idx].type) };
  });
  const groups = new Map<string, { partition: Record<string, Value>; rows: number[] }>();
  for (let r = 0; r < t.numRows; r++) {
    const partition: Record<string, Value> = {};
    const keyParts: string[] = [];
    for (const s of sources) {
      const v = applyTransform(s.pf.transform, s.field.type, s.vals[r]);
      partition[s.pf.name] = v;
      keyParts.push(v === null ? '\u0000' : v instanceof Uint8Array ? [...v].join(',') : String(v));
    }
    const key = keyParts.join('\u0001');
    let g = groups.get(key);
    if (!g) { g = { partition, rows: [] }; groups.set(key, g); }
    g.rows.push(r);
  }
  return [...groups.values()];
}

export function partitionPath(spec: PartitionSpec, schema: Schema, partition: Record<string, Value>): string {
  return spec.fields.map((pf) => {
    const src = schema.fields.find((f) => f.id === pf['source-id'])!;
    return `${pf.name}=${partitionPathValue(pf.transform, src.type, (partition[pf.name] ?? null) as Value)}`;
  }).join('/');
}

/** Write rows (already conformed to `schema`) as one Parquet file per partition. */
export async function writeDataFiles(target: WriteTarget, env: WriterEnv, t: arrow.Table, schema: Schema, spec: PartitionSpec): Promise<DataFile[]> {
  if (t.numRows === 0) return [];
  const out: DataFile[] = [];
  const types = schema.fields.map((f) => f.type);
  const groups = partitionRows(t, spec, schema);
  // Reorder rows once so every partition is a contiguous slice (data usually arrives in time
  // order, and then no copy is needed at all).
  let ordered = t;
  const contiguous = groups.every((g) => !g.rows || g.rows.every((r, i) => i === 0 || r === g.rows![i - 1] + 1));
  const starts: number[] = [];
  if (!contiguous) {
    const order: number[] = [];
    for (const g of groups) { starts.push(order.length); for (const r of g.rows!) order.push(r); }
    ordered = takeRows(t, order, types);
  } else {
    for (const g of groups) starts.push(g.rows ? g.rows[0] : 0);
  }
  const uuid = env.ids.uuid();
  let k = 0;
  for (const [gi, g] of groups.entries()) {
    const part = g.rows ? ordered.slice(starts[gi], starts[gi] + g.rows.length) : t;
    const dir = spec.fields.length ? `data/${partitionPath(spec, schema, g.partition)}` : 'data';
    const rel = `${dir}/00000-${k}-${uuid}-${String(++k).padStart(5, '0')}.parquet`;
    const bytes = await writeParquet(part);
    await target.storage.write(joinPath(target.tableDir, rel), bytes);
    out.push({
      content: DataFileContent.DATA,
      filePath: joinPath(target.metadata.location, rel),
      fileFormat: 'PARQUET',
      partition: g.partition,
      recordCount: BigInt(part.numRows),
      fileSizeInBytes: BigInt(bytes.length),
      columnSizes: null,
      ...columnStats(part, schema, target.metadata.properties),
      splitOffsets: null,
      equalityIds: null,
      sortOrderId: 0,
    });
  }
  return out;
}

/** The spec's reserved fields of a position delete file. */
export const DELETE_FILE_PATH_ID = 2147483546;
export const DELETE_POS_ID = 2147483545;

/**
 * Merge-on-read: record deleted rows of one data file as a position delete file
 * (`file_path`, `pos`, sorted by position) in the data file's partition folder. Its
 * file_path bounds name the data file exactly, so readers skip it for every other file.
 */
export async function writePositionDeletes(target: WriteTarget, env: WriterEnv, dataFile: DataFile, dataPartitionDir: string, positions: number[]): Promise<DataFile> {
  const sorted = [...positions].sort((a, b) => a - b);
  const schema: Schema = {
    type: 'struct', 'schema-id': 0,
    fields: [
      { id: DELETE_FILE_PATH_ID, name: 'file_path', required: true, type: 'string' },
      { id: DELETE_POS_ID, name: 'pos', required: true, type: 'long' },
    ],
  };
  const t = tableFromVectors(arrowSchemaFor(schema), [
    vectorFromValues('string', sorted.map(() => dataFile.filePath)),
    vectorFromValues('long', sorted.map((p) => BigInt(p))),
  ], sorted.length);
  const rel = `${dataPartitionDir ? `${dataPartitionDir}/` : 'data/'}00000-0-${env.ids.uuid()}-00001-deletes.parquet`;
  const bytes = await writeParquet(t);
  await target.storage.write(joinPath(target.tableDir, rel), bytes);
  const pathBytes = toBytes('string', dataFile.filePath);
  return {
    content: DataFileContent.POSITION_DELETES,
    filePath: joinPath(target.metadata.location, rel),
    fileFormat: 'PARQUET',
    partition: dataFile.partition,
    recordCount: BigInt(sorted.length),
    fileSizeInBytes: BigInt(bytes.length),
    columnSizes: null,
    valueCounts: new Map([[DELETE_FILE_PATH_ID, BigInt(sorted.length)], [DELETE_POS_ID, BigInt(sorted.length)]]),
    nullValueCounts: new Map([[DELETE_FILE_PATH_ID, 0n], [DELETE_POS_ID, 0n]]),
    nanValueCounts: null,
    lowerBounds: new Map([[DELETE_FILE_PATH_ID, pathBytes], [DELETE_POS_ID, toBytes('long', BigInt(sorted[0]))]]),
    upperBounds: new Map([[DELETE_FILE_PATH_ID, pathBytes], [DELETE_POS_ID, toBytes('long', BigInt(sorted[sorted.length - 1]))]]),
    splitOffsets: null,
    equalityIds: null,
    sortOrderId: null,
  };
}

// ---------------------------------------------------------------- snapshots and commits

export interface LiveFile {
  file: DataFile;
  /** Manifest (as written in the manifest list) that holds the file's entry. */
  manifestPath: string;
}

export interface SnapshotChange {
  operation: SnapshotSummary['operation'];
  added: DataFile[];
  /** Live data files to remove, with the manifest each came from. */
  removed: LiveFile[];
  /** New delete files (merge-on-read), each with the spec of the data it deletes from. */
  addedDeletes?: { file: DataFile; specId: number }[];
  /** Extra summary properties. */
  summary?: Record<string, string>;
  /**
   * Compaction (`replace`): record every removed file's DELETED entry in one new manifest
   * per spec instead of rewriting each parent manifest, and leave out parent manifests that
   * no longer list a live file. The snapshot then reads few manifests.
   */
  consolidateRemoved?: boolean;
}

export interface CommitResult {
  metadata: TableMetadata;
  metadataLocation: string;
  snapshot: Snapshot | null;
  /** Files written for this commit (removed again if the commit fails). */
  written: string[];
}

function manifestPathFor(m: TableMetadata, name: string) {
  return joinPath(m.location, `metadata/${name}`);
}

/** Build and write a new snapshot on top of ctx.metadata; does not move the table pointer. */
export async function produceSnapshot(ctx: TableContext, env: WriterEnv, change: SnapshotChange, written: string[]): Promise<{ metadata: TableMetadata; snapshot: Snapshot }> {
  const base = ctx.metadata;
  let snapshotId = env.ids.snapshotId();
  while (base.snapshots.some((x) => x['snapshot-id'] === snapshotId)) snapshotId = env.ids.snapshotId();
  const seq = base['last-sequence-number'] + 1;
  const parent = base['current-snapshot-id'] === null ? null : base.snapshots.find((s) => s['snapshot-id'] === base['current-snapshot-id']) ?? null;
  // Never build on a state that could not be read: a parentless snapshot would replace the data.
  if (base['current-snapshot-id'] !== null && !parent) {
    throw new IcebergError(`Cannot write table ${ctx.name}: its current-snapshot-id ${base['current-snapshot-id']} names no snapshot in ${ctx.metadataLocation}. Nothing was written.`, { file: ctx.metadataLocation });
  }
  const schema = base.schemas.find((s) => s['schema-id'] === base['current-schema-id'])!;
  const commitUuid = env.ids.uuid();
  const write = async (rel: string, bytes: Uint8Array) => {
    const p = joinPath(ctx.tableDir, rel);
    await ctx.storage.write(p, bytes);
    written.push(p);
  };
  const parentManifests = parent ? await snapshotManifests(ctx, parent) : [];
  const removedByManifest = new Map<string, Set<string>>();
  for (const r of change.removed) {
    let set = removedByManifest.get(r.manifestPath);
    if (!set) removedByManifest.set(r.manifestPath, (set = new Set()));
    set.add(r.file.filePath);
  }
  const manifests: ManifestFile[] = [];
  let manifestCount = 0;
  const newManifest = async (spec: PartitionSpec, entries: ManifestEntry[], content: number): Promise<ManifestFile> => {
    const name = `${commitUuid}-m${manifestCount++}.avro`;
    const bytes = await writeManifest({ path: name, spec, schema, content: content === 0 ? 'data' : 'deletes', entries });
    await write(`metadata/${name}`, bytes);
    const live = entries.filter((e) => e.status !== EntryStatus.DELETED);
    const count = (st: number) => entries.filter((e) => e.status === st);
    const rows = (es: ManifestEntry[]) => es.reduce((a, e) => a + e.dataFile.recordCount, 0n);
    const seqs = live.map((e) => e.sequenceNumber ?? seq);
    return {
      manifestPath: manifestPathFor(base, name),
      manifestLength: BigInt(bytes.length),
      partitionSpecId: spec['spec-id'],
      content,
      sequenceNumber: seq,
      minSequenceNumber: seqs.length ? Math.min(...seqs) : seq,
      addedSnapshotId: snapshotId,
      addedFilesCount: count(EntryStatus.ADDED).length,
      existingFilesCount: count(EntryStatus.EXISTING).length,
      deletedFilesCount: count(EntryStatus.DELETED).length,
      addedRowsCount: rows(count(EntryStatus.ADDED)),
      existingRowsCount: rows(count(EntryStatus.EXISTING)),
      deletedRowsCount: rows(count(EntryStatus.DELETED)),
      partitions: summarizePartitions(spec, schema, entries),
    };
  };
  // New files first (newest data first helps readers that stop early).
  const bySpec = new Map<number, DataFile[]>();
  for (const f of change.added) {
    const specId = base['default-spec-id'];
    if (!bySpec.has(specId)) bySpec.set(specId, []);
    bySpec.get(specId)!.push(f);
  }
  for (const [specId, files] of bySpec) {
    manifests.push(await newManifest(specById(base, specId), files.map((f) => ({ status: EntryStatus.ADDED, snapshotId, sequenceNumber: null, fileSequenceNumber: null, dataFile: f })), ManifestContent.DATA));
  }
  const deletesBySpec = new Map<number, DataFile[]>();
  for (const d of change.addedDeletes ?? []) {
    if (!deletesBySpec.has(d.specId)) deletesBySpec.set(d.specId, []);
    deletesBySpec.get(d.specId)!.push(d.file);
  }
  for (const [specId, files] of deletesBySpec) {
    manifests.push(await newManifest(specById(base, specId), files.map((f) => ({ status: EntryStatus.ADDED, snapshotId, sequenceNumber: null, fileSequenceNumber: null, dataFile: f })), ManifestContent.DELETES));
  }
  let deletedFiles = 0n, deletedRecords = 0n, removedSize = 0n, removedDeleteFiles = 0n;
  const consolidated = new Map<string, { specId: number; content: number; entries: ManifestEntry[] }>();
  for (const mf of parentManifests) {
    const removed = removedByManifest.get(mf.manifestPath);
    if (!removed) {
      // A compaction also drops manifests left with no live file (only DELETED entries).
      if (change.consolidateRemoved && mf.addedFilesCount + mf.existingFilesCount === 0) continue;
      manifests.push(mf);
      continue;
    }
    const { specId, entries } = await manifestEntries(ctx, mf, parent);
    // In entry order: DELETED entries stay where the file was listed (unless consolidated).
    const inOrder: ManifestEntry[] = [];
    const rewritten: ManifestEntry[] = [];
    const gone: ManifestEntry[] = [];
    for (const e of entries) {
      if (e.status === EntryStatus.DELETED) continue;
      if (removed.has(e.dataFile.filePath)) {
        if (mf.content === ManifestContent.DATA) { deletedFiles++; deletedRecords += e.dataFile.recordCount; } else removedDeleteFiles++;
        removedSize += e.dataFile.fileSizeInBytes;
        const d = { ...e, status: EntryStatus.DELETED, snapshotId };
        gone.push(d);
        inOrder.push(d);
      } else {
        const x = { ...e, status: EntryStatus.EXISTING };
        rewritten.push(x);
        inOrder.push(x);
      }
    }
    if (change.consolidateRemoved) {
      const key = `${specId}:${mf.content}`;
      const c = consolidated.get(key) ?? { specId, content: mf.content, entries: [] };
      c.entries.push(...gone);
      consolidated.set(key, c);
      if (rewritten.length) manifests.push(await newManifest(specById(base, specId), rewritten, mf.content));
    } else {
      manifests.push(await newManifest(specById(base, specId), inOrder, mf.content));
    }
  }
  for (const c of consolidated.values()) if (c.entries.length) manifests.push(await newManifest(specById(base, c.specId), c.entries, c.content));
  // Manifest merging (as Java's `commit.manifest-merge.enabled`): once a spec has many small
  // manifests, fold the older ones into one so planning reads few files.
  const minToMerge = Number(base.properties['commit.manifest.min-count-to-merge'] ?? 100);
  if (base.properties['commit.manifest-merge.enabled'] !== 'false') {
    const carried = new Set(parentManifests);
    for (const specId of new Set(manifests.map((m) => m.partitionSpecId))) {
      // Only manifests carried over unchanged; this commit's own stay as written.
      const old = manifests.filter((m) => carried.has(m) && m.content === 0 && m.partitionSpecId === specId);
      if (old.length < minToMerge) continue;
      const merged: ManifestEntry[] = [];
      for (const mf of old) {
        const { entries } = await manifestEntries(ctx, mf, parent);
        for (const e of entries) if (e.status !== EntryStatus.DELETED) merged.push({ ...e, status: EntryStatus.EXISTING });
      }
      const replacement = await newManifest(specById(base, specId), merged, ManifestContent.DATA);
      const firstAt = manifests.indexOf(old[0]);
      const kept = manifests.filter((m) => !old.includes(m));
      kept.splice(Math.min(firstAt, kept.length), 0, replacement);
      manifests.length = 0;
      manifests.push(...kept);
    }
  }
  const listName = `snap-${snapshotId}-1-${commitUuid}.avro`;
  const listBytes = await writeManifestList({ path: listName, snapshotId, parentSnapshotId: parent?.['snapshot-id'] ?? null, sequenceNumber: seq, manifests });
  await write(`metadata/${listName}`, listBytes);

  const data = manifests.filter((m) => m.content === 0);
  const dels = manifests.filter((m) => m.content === 1);
  const sum = (ms: ManifestFile[], f: (m: ManifestFile) => bigint | number) => ms.reduce((a, m) => a + BigInt(f(m)), 0n);
  const addedDeletes = (change.addedDeletes ?? []).map((d) => d.file);
  const addedRecords = change.added.reduce((a, f) => a + f.recordCount, 0n);
  const addedSize = change.added.reduce((a, f) => a + f.fileSizeInBytes, 0n);
  const prevSize = BigInt(parent?.summary['total-files-size'] ?? '0') + addedDeletes.reduce((a, f) => a + f.fileSizeInBytes, 0n);
  const partitions = new Set([...change.added, ...addedDeletes, ...change.removed.map((r) => r.file)].map((f) => JSON.stringify(f.partition, (_k, v) => (typeof v === 'bigint' ? String(v) : v))));
  const summary: SnapshotSummary = {
    operation: change.operation,
    'added-data-files': String(change.added.length),
    'added-records': String(addedRecords),
    'added-files-size': String(addedSize),
    ...(deletedFiles ? { 'deleted-data-files': String(deletedFiles), 'deleted-records': String(deletedRecords), 'removed-files-size': String(removedSize) } : {}),
    ...(removedDeleteFiles ? { 'removed-delete-files': String(removedDeleteFiles), 'removed-position-delete-files': String(removedDeleteFiles) } : {}),
    'changed-partition-count': String(partitions.size),
    'total-records': String(sum(data, (m) => m.addedRowsCount + m.existingRowsCount)),
    'total-files-size': String(prevSize + addedSize - removedSize),
    'total-data-files': String(sum(data, (m) => m.addedFilesCount + m.existingFilesCount)),
    ...(addedDeletes.length ? { 'added-delete-files': String(addedDeletes.length), 'added-position-delete-files': String(addedDeletes.length), 'added-position-deletes': String(addedDeletes.reduce((a, f) => a + f.recordCount, 0n)) } : {}),
    'total-delete-files': String(sum(dels, (m) => m.addedFilesCount + m.existingFilesCount)),
    // This writer only writes position deletes; rows in delete manifests count as such.
    'total-position-deletes': String(sum(dels, (m) => m.addedRowsCount + m.existingRowsCount)),
    'total-equality-deletes': '0',
    ...change.summary,
  };
  const now = Math.max(env.now(), base['last-updated-ms']);
  const snapshot: Snapshot = {
    'snapshot-id': snapshotId,
    ...(parent ? { 'parent-snapshot-id': parent['snapshot-id'] } : {}),
    'sequence-number': seq,
    'timestamp-ms': now,
    'manifest-list': manifestPathFor(base, listName),
    summary,
    'schema-id': base['current-schema-id'],
  };
  const metadata: TableMetadata = {
    ...base,
    'last-sequence-number': seq,
    'last-updated-ms': now,
    'current-snapshot-id': snapshotId,
    refs: { ...base.refs, main: { 'snapshot-id': snapshotId, type: 'branch' } },
    snapshots: [...base.snapshots, snapshot],
    'snapshot-log': [...base['snapshot-log'], { 'timestamp-ms': now, 'snapshot-id': snapshotId }],
  };
  return { metadata, snapshot };
}

/** Write `next` as a new metadata file and move the table pointer from `baseLocation`. */
export async function commitMetadata(ctx: { storage: Storage; tableDir: string; name: string }, ops: TableOperations, env: WriterEnv, base: TableMetadata | null, baseLocation: string | null, next: TableMetadata, written: string[]): Promise<{ metadata: TableMetadata; metadataLocation: string }> {
  let version = (baseLocation ? metadataVersion(baseLocation) ?? (base?.['metadata-log'].length ?? 0) + 1 : 0) + 1;
  const maxLog = Number(next.properties['write.metadata.previous-versions-max'] ?? 100);
  const metadata: TableMetadata = {
    ...next,
    'last-updated-ms': Math.max(next['last-updated-ms'], base?.['last-updated-ms'] ?? 0),
    'metadata-log': baseLocation && base ? [...base['metadata-log'], { 'timestamp-ms': base['last-updated-ms'], 'metadata-file': baseLocation }].slice(-maxLog) : next['metadata-log'],
  };
  const bytes = new TextEncoder().encode(serializeMetadata(metadata));
  // The metadata file name is only a proposal: if a writer that raced us (or crashed before
  // moving the pointer) already holds it, take the next version. The pointer's
  // compare-and-swap below is what decides who wins, so skipping a number is safe.
  for (let attempt = 0; ; attempt++) {
    const fileName = ops.metadataFileName ? ops.metadataFileName(version, env.ids.uuid()) : `${String(version).padStart(5, '0')}-${env.ids.uuid()}.metadata.json`;
    const location = joinPath(ctx.tableDir, `metadata/${fileName}`);
    try {
      await ctx.storage.write(location, bytes);
    } catch (err) {
      if (err instanceof StorageError && err.code === 'already-exists' && attempt < 20) { version++; continue; }
      throw err;
    }
    written.push(location);
    await ops.commit(baseLocation, location);
    return { metadata, metadataLocation: location };
  }
}

/** Remove files written by a commit that lost its race (best effort: they are unreferenced). */
export async function cleanUp(storage: Storage, written: string[]): Promise<void> {
  for (const p of written) {
    try { await storage.delete(p); } catch { /* read-only or gone */ }
  }
}

export { partitionType };
