/**
 * Manifest lists and manifests: the spec's Avro schemas (with field ids), reading files from
 * any engine (v1 or v2, fields looked up by id with the name as fallback), and writing v2.
 */
import { readAvroFile, writeAvroFile, syncMarkerFor, AvroError, type AvroField, type AvroRecord, type AvroSchema } from './avro.ts';
import type { DataFile, FieldSummary, IcebergType, ManifestEntry, ManifestFile, PartitionSpec, Schema } from './types.ts';
import { EntryStatus } from './types.ts';
import { bigintToBytesBE, bytesBEToBigint, kindOf, parseDecimal, parseFixed, toBytes, compareValues, type Value } from './values.ts';
import { resultType } from './transforms.ts';
import { IcebergError } from './errors.ts';
import { compactJson } from './json.ts';

// ---------------------------------------------------------------- Avro schemas (spec)

const opt = (t: AvroSchema): AvroSchema => ['null', t];

/** Bytes a decimal of this precision needs as Avro fixed (spec: minimum bytes). */
export function decimalBytes(precision: number): number {
  let n = 1;
  while (2n ** BigInt(8 * n - 1) < 10n ** BigInt(precision)) n++;
  return n;
}

export function avroTypeFor(type: IcebergType): AvroSchema {
  const k = kindOf(type);
  switch (k) {
    case 'boolean': case 'int': case 'long': case 'float': case 'double': case 'string': return k;
    case 'binary': return 'bytes';
    case 'date': return { type: 'int', logicalType: 'date' };
    case 'time': return { type: 'long', logicalType: 'time-micros' };
    case 'timestamp': return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': false };
    case 'timestamptz': return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': true };
    case 'uuid': return { type: 'fixed', name: 'uuid_fixed', size: 16, logicalType: 'uuid' };
    case 'fixed': { const n = parseFixed(type as string)!; return { type: 'fixed', name: `fixed_${n}`, size: n }; }
    case 'decimal': {
      const d = parseDecimal(type as string)!;
      return { type: 'fixed', name: `decimal_${d.precision}_${d.scale}`, size: decimalBytes(d.precision), logicalType: 'decimal', precision: d.precision, scale: d.scale };
    }
    default: throw new Error(`partition values of type ${JSON.stringify(type)} are not supported`);
  }
}

export function partitionType(spec: PartitionSpec, schema: Schema): { name: string; type: IcebergType; fieldId: number; transform: string; sourceId: number }[] {
  return spec.fields.map((f) => {
    const src = findField(schema, f['source-id']);
    const sourceType = src?.type ?? 'int';
    return { name: f.name, type: resultType(f.transform, sourceType), fieldId: f['field-id'], transform: f.transform, sourceId: f['source-id'] };
  });
}

export function findField(schema: Schema, id: number) {
  return schema.fields.find((f) => f.id === id);
}

function partitionAvro(spec: PartitionSpec, schema: Schema): AvroRecord {
  return {
    type: 'record',
    name: 'r102',
    fields: partitionType(spec, schema).map((p) => ({ name: p.name, type: opt(avroTypeFor(p.type)), default: null, 'field-id': p.fieldId })),
  };
}

const kv = (name: string, keyId: number, valueId: number, value: AvroSchema): AvroSchema => opt({
  type: 'array',
  logicalType: 'map',
  items: { type: 'record', name: `k${keyId}_v${valueId}`, fields: [{ name: 'key', type: 'int', 'field-id': keyId }, { name: 'value', type: value, 'field-id': valueId }] },
  name,
});

export function manifestEntrySchema(spec: PartitionSpec, schema: Schema): AvroRecord {
  const f = (name: string, type: AvroSchema, id: number, optional = false): AvroField =>
    optional ? { name, type: opt(type), default: null, 'field-id': id } : { name, type, 'field-id': id };
  return {
    type: 'record',
    name: 'manifest_entry',
    fields: [
      f('status', 'int', 0),
      f('snapshot_id', 'long', 1, true),
      f('sequence_number', 'long', 3, true),
      f('file_sequence_number', 'long', 4, true),
      {
        name: 'data_file',
        'field-id': 2,
        type: {
          type: 'record',
          name: 'r2',
          fields: [
            f('content', 'int', 134),
            f('file_path', 'string', 100),
            f('file_format', 'string', 101),
            { name: 'partition', type: partitionAvro(spec, schema), 'field-id': 102 },
            f('record_count', 'long', 103),
            f('file_size_in_bytes', 'long', 104),
            { name: 'column_sizes', type: kv('column_sizes', 117, 118, 'long'), default: null, 'field-id': 108 },
            { name: 'value_counts', type: kv('value_counts', 119, 120, 'long'), default: null, 'field-id': 109 },
            { name: 'null_value_counts', type: kv('null_value_counts', 121, 122, 'long'), default: null, 'field-id': 110 },
            { name: 'nan_value_counts', type: kv('nan_value_counts', 138, 139, 'long'), default: null, 'field-id': 137 },
            { name: 'lower_bounds', type: kv('lower_bounds', 126, 127, 'bytes'), default: null, 'field-id': 125 },
            { name: 'upper_bounds', type: kv('upper_bounds', 129, 130, 'bytes'), default: null, 'field-id': 128 },
            f('key_metadata', 'bytes', 131, true),
            { name: 'split_offsets', type: opt({ type: 'array', items: 'long', 'element-id': 133 }), default: null, 'field-id': 132 },
            { name: 'equality_ids', type: opt({ type: 'array', items: 'int', 'element-id': 136 }), default: null, 'field-id': 135 },
            f('sort_order_id', 'int', 140, true),
          ],
        },
      },
    ],
  };
}

export const MANIFEST_LIST_SCHEMA: AvroRecord = {
  type: 'record',
  name: 'manifest_file',
  fields: [
    { name: 'manifest_path', type: 'string', 'field-id': 500 },
    { name: 'manifest_length', type: 'long', 'field-id': 501 },
    { name: 'partition_spec_id', type: 'int', 'field-id': 502 },
    { name: 'content', type: 'int', 'field-id': 517 },
    { name: 'sequence_number', type: 'long', 'field-id': 515 },
    { name: 'min_sequence_number', type: 'long', 'field-id': 516 },
    { name: 'added_snapshot_id', type: 'long', 'field-id': 503 },
    { name: 'added_files_count', type: 'int', 'field-id': 504 },
    { name: 'existing_files_count', type: 'int', 'field-id': 505 },
    { name: 'deleted_files_count', type: 'int', 'field-id': 506 },
    { name: 'added_rows_count', type: 'long', 'field-id': 512 },
    { name: 'existing_rows_count', type: 'long', 'field-id': 513 },
    { name: 'deleted_rows_count', type: 'long', 'field-id': 514 },
    {
      name: 'partitions',
      type: opt({
        type: 'array',
        'element-id': 508,
        items: {
          type: 'record',
          name: 'r508',
          fields: [
            { name: 'contains_null', type: 'boolean', 'field-id': 509 },
            { name: 'contains_nan', type: opt('boolean'), default: null, 'field-id': 518 },
            { name: 'lower_bound', type: opt('bytes'), default: null, 'field-id': 510 },
            { name: 'upper_bound', type: opt('bytes'), default: null, 'field-id': 511 },
          ],
        },
      }),
      default: null,
      'field-id': 507,
    },
    { name: 'key_metadata', type: opt('bytes'), default: null, 'field-id': 519 },
  ],
};

// ---------------------------------------------------------------- reading

/** Look up a record's value by field id (from the writer's schema), falling back to names. */
function picker(schema: AvroSchema): (rec: Record<string, unknown>, id: number, ...names: string[]) => unknown {
  const byId = new Map<number, string>();
  const fields = (schema as AvroRecord).fields ?? [];
  for (const f of fields) if (typeof f['field-id'] === 'number') byId.set(f['field-id'], f.name);
  return (rec, id, ...names) => {
    const n = byId.get(id);
    if (n !== undefined && n in rec) return rec[n];
    for (const name of names) if (name in rec) return rec[name];
    return undefined;
  };
}

function recordSchemaOf(t: AvroSchema): AvroSchema {
  if (Array.isArray(t)) return t.find((x) => x !== 'null') ?? 'null';
  return t;
}

const big = (v: unknown, d = 0n): bigint => (v === null || v === undefined ? d : BigInt(v as number | bigint));
const num = (v: unknown, d = 0): number => (v === null || v === undefined ? d : Number(v));

async function readAvro(bytes: Uint8Array, file: string, what: string) {
  try {
    return await readAvroFile(bytes);
  } catch (err) {
    if (err instanceof AvroError) throw new IcebergError(`Cannot read ${what} ${file}: ${err.message}.`, { file, cause: err });
    throw err;
  }
}

export async function readManifestList(bytes: Uint8Array, file: string): Promise<ManifestFile[]> {
  const avro = await readAvro(bytes, file, 'manifest list');
  const get = picker(avro.schema);
  const partSchema = (avro.schema as AvroRecord).fields?.find((f) => f['field-id'] === 507 || f.name === 'partitions');
  let getSummary: ((rec: Record<string, unknown>, id: number, ...n: string[]) => unknown) | null = null;
  if (partSchema) {
    const arr = recordSchemaOf(partSchema.type) as { items: AvroSchema };
    getSummary = picker(arr.items);
  }
  return avro.records.map((r) => {
    const parts = get(r, 507, 'partitions') as Record<string, unknown>[] | null | undefined;
    const seq = num(get(r, 515, 'sequence_number'));
    return {
      manifestPath: String(get(r, 500, 'manifest_path')),
      manifestLength: big(get(r, 501, 'manifest_length')),
      partitionSpecId: num(get(r, 502, 'partition_spec_id')),
      content: num(get(r, 517, 'content')),
      sequenceNumber: seq,
      minSequenceNumber: num(get(r, 516, 'min_sequence_number'), seq),
      addedSnapshotId: big(get(r, 503, 'added_snapshot_id')),
      addedFilesCount: num(get(r, 504, 'added_files_count', 'added_data_files_count')),
      existingFilesCount: num(get(r, 505, 'existing_files_count', 'existing_data_files_count')),
      deletedFilesCount: num(get(r, 506, 'deleted_files_count', 'deleted_data_files_count')),
      addedRowsCount: big(get(r, 512, 'added_rows_count')),
      existingRowsCount: big(get(r, 513, 'existing_rows_count')),
      deletedRowsCount: big(get(r, 514, 'deleted_rows_count')),
      partitions: parts && getSummary ? parts.map((p) => ({
        containsNull: Boolean(getSummary!(p, 509, 'contains_null')),
        containsNan: (getSummary!(p, 518, 'contains_nan') as boolean | null | undefined) ?? null,
        lowerBound: (getSummary!(p, 510, 'lower_bound') as Uint8Array | null | undefined) ?? null,
        upperBound: (getSummary!(p, 511, 'upper_bound') as Uint8Array | null | undefined) ?? null,
      })) : null,
    };
  });
}

function kvMap<T>(v: unknown): Map<number, T> | null {
  if (!v) return null;
  const m = new Map<number, T>();
  if (Array.isArray(v)) for (const e of v as { key: number; value: T }[]) m.set(Number(e.key), e.value);
  else for (const [k, x] of Object.entries(v as Record<string, T>)) m.set(Number(k), x);
  return m;
}

/** Convert an Avro partition value to the internal representation of its result type. */
function partitionValue(type: IcebergType, v: unknown): Value {
  if (v === null || v === undefined) return null;
  const k = kindOf(type);
  if (k === 'decimal') return v instanceof Uint8Array ? bytesBEToBigint(v) : BigInt(v as number);
  if (k === 'long' || k === 'time' || k.startsWith('timestamp')) return BigInt(v as number | bigint);
  if (k === 'int' || k === 'date') return Number(v);
  return v as Value;
}

export interface ManifestContext {
  /** The manifest list entry this manifest came from (for sequence-number inheritance). */
  manifest: ManifestFile;
  /** The spec of this manifest, given the `partition-spec-id` in its header (if any). */
  specFor: (headerSpecId: number | undefined) => PartitionSpec;
  /** A schema holding every source column of the spec (to type partition values). */
  schema: Schema;
  formatVersion: number;
}

export async function readManifest(bytes: Uint8Array, file: string, ctx: ManifestContext): Promise<{ specId: number; entries: ManifestEntry[] }> {
  const avro = await readAvro(bytes, file, 'manifest');
  const get = picker(avro.schema);
  const dfField = (avro.schema as AvroRecord).fields.find((f) => f['field-id'] === 2 || f.name === 'data_file');
  if (!dfField) throw new IcebergError(`Manifest ${file} has no data_file field; it is not an Iceberg manifest.`, { file });
  const dfGet = picker(recordSchemaOf(dfField.type));
  const headerSpec = avro.metadata['partition-spec-id'];
  const spec = ctx.specFor(headerSpec === undefined ? undefined : Number(headerSpec));
  const ptypes = partitionType(spec, ctx.schema);
  const isV1Manifest = !(avro.schema as AvroRecord).fields.some((f) => f['field-id'] === 3 || f.name === 'sequence_number');
  const m = ctx.manifest;
  const entries = avro.records.map((r) => {
    const df = get(r, 2, 'data_file') as Record<string, unknown>;
    const status = num(get(r, 0, 'status'));
    const seq = get(r, 3, 'sequence_number') as bigint | null | undefined;
    const fileSeq = get(r, 4, 'file_sequence_number') as bigint | null | undefined;
    // Inheritance: ADDED entries written with null take the manifest's sequence number.
    let sequenceNumber: number | null = seq === null || seq === undefined ? null : Number(seq);
    let fileSequenceNumber: number | null = fileSeq === null || fileSeq === undefined ? null : Number(fileSeq);
    if (isV1Manifest && ctx.formatVersion === 1) { sequenceNumber = 0; fileSequenceNumber = 0; }
    if (sequenceNumber === null && (status === EntryStatus.ADDED || isV1Manifest)) sequenceNumber = m.sequenceNumber;
    if (fileSequenceNumber === null && (status === EntryStatus.ADDED || isV1Manifest)) fileSequenceNumber = m.sequenceNumber;
    const snap = get(r, 1, 'snapshot_id');
    const partRaw = (dfGet(df, 102, 'partition') as Record<string, unknown>) ?? {};
    const partition: Record<string, unknown> = {};
    for (const p of ptypes) partition[p.name] = partitionValue(p.type, partRaw[p.name]);
    const dataFile: DataFile = {
      content: num(dfGet(df, 134, 'content')),
      filePath: String(dfGet(df, 100, 'file_path')),
      fileFormat: String(dfGet(df, 101, 'file_format')),
      partition,
      recordCount: big(dfGet(df, 103, 'record_count')),
      fileSizeInBytes: big(dfGet(df, 104, 'file_size_in_bytes')),
      columnSizes: kvMap<bigint>(dfGet(df, 108, 'column_sizes')),
      valueCounts: kvMap<bigint>(dfGet(df, 109, 'value_counts')),
      nullValueCounts: kvMap<bigint>(dfGet(df, 110, 'null_value_counts')),
      nanValueCounts: kvMap<bigint>(dfGet(df, 137, 'nan_value_counts')),
      lowerBounds: kvMap<Uint8Array>(dfGet(df, 125, 'lower_bounds')),
      upperBounds: kvMap<Uint8Array>(dfGet(df, 128, 'upper_bounds')),
      splitOffsets: (dfGet(df, 132, 'split_offsets') as bigint[] | null | undefined) ?? null,
      equalityIds: ((dfGet(df, 135, 'equality_ids') as number[] | null | undefined) ?? null),
      sortOrderId: (dfGet(df, 140, 'sort_order_id') as number | null | undefined) ?? null,
    };
    return {
      status,
      snapshotId: snap === null || snap === undefined ? m.addedSnapshotId : BigInt(snap as bigint),
      sequenceNumber,
      fileSequenceNumber,
      dataFile,
    };
  });
  return { specId: spec['spec-id'], entries };
}

// ---------------------------------------------------------------- writing

function toAvroPartitionValue(type: IcebergType, v: Value): unknown {
  if (v === null || v === undefined) return null;
  if (kindOf(type) === 'decimal') return bigintToBytesBE(v as bigint, decimalBytes(parseDecimal(type as string)!.precision));
  return v;
}

const mapEntries = <T>(m: Map<number, T> | null) => (m ? [...m.entries()].sort((a, b) => a[0] - b[0]).map(([key, value]) => ({ key, value })) : null);

export async function writeManifest(opts: {
  path: string;
  spec: PartitionSpec;
  schema: Schema;
  content: 'data' | 'deletes';
  entries: ManifestEntry[];
}): Promise<Uint8Array> {
  const ptypes = partitionType(opts.spec, opts.schema);
  const records = opts.entries.map((e) => {
    const partition: Record<string, unknown> = {};
    for (const p of ptypes) partition[p.name] = toAvroPartitionValue(p.type, e.dataFile.partition[p.name] as Value);
    const d = e.dataFile;
    return {
      status: e.status,
      snapshot_id: e.snapshotId,
      sequence_number: e.sequenceNumber === null ? null : BigInt(e.sequenceNumber),
      file_sequence_number: e.fileSequenceNumber === null ? null : BigInt(e.fileSequenceNumber),
      data_file: {
        content: d.content,
        file_path: d.filePath,
        file_format: d.fileFormat,
        partition,
        record_count: d.recordCount,
        file_size_in_bytes: d.fileSizeInBytes,
        column_sizes: mapEntries(d.columnSizes),
        value_counts: mapEntries(d.valueCounts),
        null_value_counts: mapEntries(d.nullValueCounts),
        nan_value_counts: mapEntries(d.nanValueCounts),
        lower_bounds: mapEntries(d.lowerBounds),
        upper_bounds: mapEntries(d.upperBounds),
        key_metadata: null,
        split_offsets: d.splitOffsets,
        equality_ids: d.equalityIds,
        sort_order_id: d.sortOrderId,
      },
    };
  });
  return writeAvroFile({
    schema: manifestEntrySchema(opts.spec, opts.schema),
    metadata: {
      schema: compactJson(opts.schema),
      'schema-id': String(opts.schema['schema-id']),
      'partition-spec': compactJson(opts.spec.fields),
      'partition-spec-id': String(opts.spec['spec-id']),
      'format-version': '2',
      content: opts.content,
    },
    records,
    sync: syncMarkerFor(opts.path),
  });
}

/** Partition summaries for a manifest list entry, from the live entries of a manifest. */
export function summarizePartitions(spec: PartitionSpec, schema: Schema, entries: ManifestEntry[]): FieldSummary[] {
  return partitionType(spec, schema).map((p) => {
    let containsNull = false;
    let containsNan = false;
    let lo: Value = null, hi: Value = null;
    for (const e of entries) {
      if (e.status === EntryStatus.DELETED) continue;
      const v = e.dataFile.partition[p.name] as Value;
      if (v === null || v === undefined) { containsNull = true; continue; }
      if (typeof v === 'number' && Number.isNaN(v)) { containsNan = true; continue; }
      if (lo === null || compareValues(v, lo) < 0) lo = v;
      if (hi === null || compareValues(v, hi) > 0) hi = v;
    }
    const isFloat = kindOf(p.type) === 'float' || kindOf(p.type) === 'double';
    return {
      containsNull,
      containsNan: isFloat ? containsNan : false,
      lowerBound: lo === null ? null : toBytes(p.type, lo),
      upperBound: hi === null ? null : toBytes(p.type, hi),
    };
  });
}

export async function writeManifestList(opts: {
  path: string;
  snapshotId: bigint;
  parentSnapshotId: bigint | null;
  sequenceNumber: number;
  manifests: ManifestFile[];
}): Promise<Uint8Array> {
  const records = opts.manifests.map((m) => ({
    manifest_path: m.manifestPath,
    manifest_length: m.manifestLength,
    partition_spec_id: m.partitionSpecId,
    content: m.content,
    sequence_number: BigInt(m.sequenceNumber),
    min_sequence_number: BigInt(m.minSequenceNumber),
    added_snapshot_id: m.addedSnapshotId,
    added_files_count: m.addedFilesCount,
    existing_files_count: m.existingFilesCount,
    deleted_files_count: m.deletedFilesCount,
    added_rows_count: m.addedRowsCount,
    existing_rows_count: m.existingRowsCount,
    deleted_rows_count: m.deletedRowsCount,
    partitions: m.partitions?.map((p) => ({ contains_null: p.containsNull, contains_nan: p.containsNan, lower_bound: p.lowerBound, upper_bound: p.upperBound })) ?? null,
    key_metadata: null,
  }));
  const metadata: Record<string, string> = {
    'snapshot-id': String(opts.snapshotId),
    'sequence-number': String(opts.sequenceNumber),
    'format-version': '2',
  };
  if (opts.parentSnapshotId !== null) metadata['parent-snapshot-id'] = String(opts.parentSnapshotId);
  return writeAvroFile({ schema: MANIFEST_LIST_SCHEMA, metadata, records, sync: syncMarkerFor(opts.path) });
}
