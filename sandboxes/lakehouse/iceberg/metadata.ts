/**
 * Table metadata JSON: parse any v1 or v2 file into one normalized shape (the deprecated v1
 * forms included), and write v2 files.
 */
import type { PartitionSpec, Schema, Snapshot, SnapshotRef, TableMetadata } from './types.ts';
import { parseJson, stringifyJson, JsonSyntaxError } from './json.ts';
import { IcebergError } from './errors.ts';
import { validateMetadata } from './metadata-schema.ts';

type Json = Record<string, unknown>;

const asBig = (v: unknown): bigint | null => (v === null || v === undefined ? null : BigInt(v as number | bigint));
const asNum = (v: unknown, d = 0): number => (v === null || v === undefined ? d : Number(v));

export async function decodeMetadataBytes(bytes: Uint8Array, file: string): Promise<string> {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const stream = new Blob([bytes as unknown as ArrayBuffer]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new TextDecoder().decode(await new Response(stream).arrayBuffer());
  }
  void file;
  return new TextDecoder().decode(bytes);
}

/** Parse and normalize. `file` is only used in error messages. */
export function parseMetadata(text: string, file: string): TableMetadata {
  let raw: Json;
  try {
    raw = parseJson(text) as Json;
  } catch (err) {
    const where = err instanceof JsonSyntaxError ? ` (${err.message})` : '';
    throw new IcebergError(`Table metadata file ${file} is not valid JSON${where}. The file is corrupt or truncated; point the table at an earlier metadata version.`, { file, cause: err });
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new IcebergError(`Table metadata file ${file} does not hold a JSON object.`, { file });
  }
  const fv = asNum(raw['format-version'], NaN);
  if (fv !== 1 && fv !== 2) {
    throw new IcebergError(`Table metadata file ${file} has format-version ${String(raw['format-version'])}; this reader supports Iceberg format versions 1 and 2.`, { file });
  }
  if (typeof raw.location !== 'string') throw new IcebergError(`Table metadata file ${file} has no "location".`, { file });
  // Every field's type, and every snapshot pointer, before anything below trusts them.
  validateMetadata(raw, file, fv);

  let schemas = (raw.schemas as Schema[] | undefined) ?? [];
  let currentSchemaId = raw['current-schema-id'] as number | undefined;
  if (!schemas.length && raw.schema) {
    const s = raw.schema as Schema;
    schemas = [{ ...s, 'schema-id': s['schema-id'] ?? 0 }];
    currentSchemaId = schemas[0]['schema-id'];
  }
  schemas = schemas.map((s) => ({ ...s, type: 'struct' as const, 'schema-id': s['schema-id'] ?? 0 }));
  if (currentSchemaId === undefined) currentSchemaId = schemas[0]?.['schema-id'] ?? 0;
  if (!schemas.length) throw new IcebergError(`Table metadata file ${file} has no schema.`, { file });

  let specs = raw['partition-specs'] as PartitionSpec[] | undefined;
  let defaultSpecId = raw['default-spec-id'] as number | undefined;
  if (!specs) {
    // v1: the current spec's fields alone; ids were assigned from 1000 in order.
    const fields = ((raw['partition-spec'] as Json[] | undefined) ?? []).map((f, i) => ({
      'source-id': f['source-id'] as number,
      'field-id': (f['field-id'] as number | undefined) ?? 1000 + i,
      name: f.name as string,
      transform: String(f.transform),
    }));
    specs = [{ 'spec-id': 0, fields }];
    defaultSpecId = 0;
  }
  specs = specs.map((s) => ({ 'spec-id': s['spec-id'] ?? 0, fields: s.fields.map((f, i) => ({ ...f, 'field-id': f['field-id'] ?? 1000 + i, transform: String(f.transform) })) }));
  defaultSpecId ??= specs[0]['spec-id'];
  const lastPartitionId = (raw['last-partition-id'] as number | undefined) ?? Math.max(999, ...specs.flatMap((s) => s.fields.map((f) => f['field-id'])));

  const snapshots: Snapshot[] = ((raw.snapshots as Json[] | undefined) ?? []).map((s) => ({
    'snapshot-id': asBig(s['snapshot-id'])!,
    'parent-snapshot-id': asBig(s['parent-snapshot-id']) ?? undefined,
    'sequence-number': asNum(s['sequence-number']),
    'timestamp-ms': asNum(s['timestamp-ms']),
    'manifest-list': s['manifest-list'] as string | undefined,
    manifests: s.manifests as string[] | undefined,
    summary: ((s.summary as Snapshot['summary']) ?? { operation: 'append' }),
    'schema-id': s['schema-id'] as number | undefined,
  }));

  let current = asBig(raw['current-snapshot-id']);
  if (current === -1n) current = null;
  const refs: Record<string, SnapshotRef> = {};
  for (const [name, r] of Object.entries((raw.refs as Record<string, Json> | undefined) ?? {})) {
    refs[name] = { ...(r as unknown as SnapshotRef), 'snapshot-id': asBig(r['snapshot-id'])! };
  }
  if (current !== null && !refs.main) refs.main = { 'snapshot-id': current, type: 'branch' };

  return {
    'format-version': fv,
    'table-uuid': (raw['table-uuid'] as string | undefined) ?? '',
    location: raw.location,
    'last-sequence-number': asNum(raw['last-sequence-number']),
    'last-updated-ms': asNum(raw['last-updated-ms']),
    'last-column-id': asNum(raw['last-column-id']),
    'current-schema-id': currentSchemaId,
    schemas,
    'default-spec-id': defaultSpecId,
    'partition-specs': specs,
    'last-partition-id': lastPartitionId,
    'default-sort-order-id': asNum(raw['default-sort-order-id']),
    'sort-orders': (raw['sort-orders'] as TableMetadata['sort-orders']) ?? [{ 'order-id': 0, fields: [] }],
    properties: (raw.properties as Record<string, string>) ?? {},
    'current-snapshot-id': current,
    refs,
    snapshots,
    statistics: raw.statistics as unknown[] | undefined,
    'snapshot-log': ((raw['snapshot-log'] as Json[] | undefined) ?? []).map((e) => ({ 'timestamp-ms': asNum(e['timestamp-ms']), 'snapshot-id': asBig(e['snapshot-id'])! })),
    'metadata-log': ((raw['metadata-log'] as Json[] | undefined) ?? []).map((e) => ({ 'timestamp-ms': asNum(e['timestamp-ms']), 'metadata-file': String(e['metadata-file']) })),
  };
}

/** v2 metadata JSON, keys in the spec's order. */
export function serializeMetadata(m: TableMetadata): string {
  const out: Json = {
    'format-version': 2,
    'table-uuid': m['table-uuid'],
    location: m.location,
    'last-sequence-number': m['last-sequence-number'],
    'last-updated-ms': m['last-updated-ms'],
    'last-column-id': m['last-column-id'],
    'current-schema-id': m['current-schema-id'],
    schemas: m.schemas,
    'default-spec-id': m['default-spec-id'],
    'partition-specs': m['partition-specs'],
    'last-partition-id': m['last-partition-id'],
    'default-sort-order-id': m['default-sort-order-id'],
    'sort-orders': m['sort-orders'],
    properties: m.properties,
    'current-snapshot-id': m['current-snapshot-id'] ?? -1,
    refs: m.refs,
    snapshots: m.snapshots.map((s) => ({
      'sequence-number': s['sequence-number'],
      'snapshot-id': s['snapshot-id'],
      'parent-snapshot-id': s['parent-snapshot-id'],
      'timestamp-ms': s['timestamp-ms'],
      summary: s.summary,
      'manifest-list': s['manifest-list'],
      'schema-id': s['schema-id'],
    })),
    statistics: m.statistics ?? [],
    'snapshot-log': m['snapshot-log'],
    'metadata-log': m['metadata-log'],
  };
  return stringifyJson(out) + '\n';
}

export function currentSchema(m: TableMetadata): Schema {
  return schemaById(m, m['current-schema-id']);
}

export function schemaById(m: TableMetadata, id: number): Schema {
  const s = m.schemas.find((x) => x['schema-id'] === id);
  if (!s) throw new IcebergError(`Table at ${m.location} has no schema with id ${id}.`);
  return s;
}

export function specById(m: TableMetadata, id: number): PartitionSpec {
  const s = m['partition-specs'].find((x) => x['spec-id'] === id);
  if (!s) throw new IcebergError(`Table at ${m.location} has no partition spec with id ${id}.`);
  return s;
}

export function snapshotById(m: TableMetadata, id: bigint): Snapshot | undefined {
  return m.snapshots.find((s) => s['snapshot-id'] === id);
}
