/**
 * Rewriting the locations inside one Iceberg file, leaving everything else as it was.
 *
 * Why generic rewriting rather than the table writer: an export must carry the files as the
 * table has them (every field, the Avro schema with its field ids, the header keys the spec
 * asks for: schema, partition-spec, partition-spec-id, format-version, content), only with
 * locations moved. So manifests and manifest lists are decoded with the project's Avro codec
 * (iceberg/avro.ts) against their own embedded schema and re-encoded with the same schema,
 * header and codec; metadata JSON is parsed and printed with the bigint-safe JSON of
 * iceberg/json.ts; position delete files (which name data files inside their rows) go through
 * parquet-wasm with their field ids kept.
 *
 * Fields are found by Iceberg field id first (engines name them differently), by name second.
 */
import * as arrow from 'apache-arrow';
import { readAvroFile, writeAvroFile, syncMarkerFor, AvroError, type AvroField, type AvroRecord, type AvroSchema } from '../iceberg/avro.ts';
import { parseJson, stringifyJson } from '../iceberg/json.ts';
import { readParquet, writeParquet } from '../iceberg/parquet.ts';
import { FIELD_ID_KEY, tableFromVectors, vectorFromValues } from '../iceberg/arrow.ts';
import { ExportError } from './destination.ts';

/** Field ids from the spec (manifest list, manifest entry, data_file, position delete rows). */
export const FIELD = {
  MANIFEST_PATH: 500,
  MANIFEST_LENGTH: 501,
  DATA_FILE: 2,
  CONTENT: 134,
  FILE_PATH: 100,
  FILE_SIZE: 104,
  LOWER_BOUNDS: 125,
  UPPER_BOUNDS: 128,
  REFERENCED_DATA_FILE: 143,
  DELETE_FILE_PATH: 2147483546,
} as const;

/** Maps one location as written in the source metadata to its location in the export. */
export type Relocate = (location: string) => string;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

function recordOf(schema: AvroSchema): AvroRecord | null {
  if (Array.isArray(schema)) return (schema.find((s) => s !== 'null' && typeof s === 'object' && !Array.isArray(s) && (s as AvroRecord).type === 'record') as AvroRecord | undefined) ?? null;
  return typeof schema === 'object' && (schema as AvroRecord).type === 'record' ? (schema as AvroRecord) : null;
}

function fieldName(record: AvroRecord | null, id: number, name: string): string | null {
  if (!record) return null;
  const f: AvroField | undefined = record.fields.find((x) => x['field-id'] === id) ?? record.fields.find((x) => x.name === name);
  return f ? f.name : null;
}

async function readAvro(bytes: Uint8Array, file: string, what: string) {
  try {
    return await readAvroFile(bytes);
  } catch (err) {
    if (err instanceof AvroError) throw new ExportError(`cannot read ${what} ${file}: ${err.message}. The source warehouse has a damaged file; nothing was exported.`, { cause: err });
    throw err;
  }
}

/**
 * A manifest list with every `manifest_path` relocated and `manifest_length` set to the length
 * of the rewritten manifest (`lengthOf(source manifest_path)`).
 */
export async function rewriteManifestList(bytes: Uint8Array, file: string, target: string, relocate: Relocate, lengthOf: (manifestPath: string) => bigint): Promise<Uint8Array> {
  const avro = await readAvro(bytes, file, 'manifest list');
  const record = recordOf(avro.schema);
  const pathName = fieldName(record, FIELD.MANIFEST_PATH, 'manifest_path');
  const lengthName = fieldName(record, FIELD.MANIFEST_LENGTH, 'manifest_length');
  if (!pathName) throw new ExportError(`manifest list ${file} has no manifest_path field; it is not an Iceberg manifest list.`);
  const records = avro.records.map((r) => {
    const source = String(r[pathName]);
    const out = { ...r, [pathName]: relocate(source) };
    if (lengthName) out[lengthName] = lengthOf(source);
    return out;
  });
  return writeAvroFile({ schema: avro.schema, metadata: avro.metadata, records, codec: avro.codec as 'null' | 'deflate', sync: syncMarkerFor(target) });
}

export interface ManifestFileRef {
  /** Entry status: 0 existing, 1 added, 2 deleted (the file is not part of the snapshot). */
  status: number;
  /** `data_file.content`: 0 data, 1 position deletes, 2 equality deletes. */
  content: number;
  /** As written in the source manifest. */
  filePath: string;
}

/** What the rewrite of a delete file gave: its new bytes and the size to record. */
export interface RewrittenDeleteFile {
  /** Null when the file is gone (only allowed for a DELETED entry): the recorded size stays. */
  size: bigint | null;
}

/**
 * A manifest with every `data_file.file_path` (and v3 `referenced_data_file`) relocated. For a
 * position delete file, `rewriteDelete` rewrites the file itself (its rows name data files)
 * and the entry gets the new file size and relocated `file_path` bounds.
 */
export async function rewriteManifest(
  bytes: Uint8Array,
  file: string,
  target: string,
  relocate: Relocate,
  rewriteDelete: (filePath: string, live: boolean) => Promise<RewrittenDeleteFile>,
): Promise<{ bytes: Uint8Array; files: ManifestFileRef[] }> {
  const avro = await readAvro(bytes, file, 'manifest');
  const entry = recordOf(avro.schema);
  const dfName = fieldName(entry, FIELD.DATA_FILE, 'data_file');
  const dfField = entry?.fields.find((f) => f.name === dfName);
  const df = dfField ? recordOf(dfField.type) : null;
  const pathName = fieldName(df, FIELD.FILE_PATH, 'file_path');
  if (!dfName || !df || !pathName) throw new ExportError(`manifest ${file} has no data_file.file_path; it is not an Iceberg manifest.`);
  const contentName = fieldName(df, FIELD.CONTENT, 'content');
  const sizeName = fieldName(df, FIELD.FILE_SIZE, 'file_size_in_bytes');
  const lowerName = fieldName(df, FIELD.LOWER_BOUNDS, 'lower_bounds');
  const upperName = fieldName(df, FIELD.UPPER_BOUNDS, 'upper_bounds');
  const referencedName = fieldName(df, FIELD.REFERENCED_DATA_FILE, 'referenced_data_file');
  const statusName = fieldName(entry, 0, 'status');
  const files: ManifestFileRef[] = [];
  const records: Record<string, unknown>[] = [];
  for (const r of avro.records) {
    const d = { ...(r[dfName] as Record<string, unknown>) };
    const filePath = String(d[pathName]);
    const content = contentName ? Number(d[contentName] ?? 0) : 0;
    const status = statusName ? Number(r[statusName] ?? 1) : 1;
    files.push({ status, content, filePath });
    d[pathName] = relocate(filePath);
    if (referencedName && typeof d[referencedName] === 'string') d[referencedName] = relocate(d[referencedName] as string);
    if (content === 1) {
      const rewritten = await rewriteDelete(filePath, status !== 2);
      if (sizeName && rewritten.size !== null) d[sizeName] = rewritten.size;
      for (const name of [lowerName, upperName]) if (name) d[name] = relocateBounds(d[name], relocate);
    }
    records.push({ ...r, [dfName]: d });
  }
  const out = await writeAvroFile({ schema: avro.schema, metadata: avro.metadata, records, codec: avro.codec as 'null' | 'deflate', sync: syncMarkerFor(target) });
  return { bytes: out, files };
}

/**
 * The `file_path` bounds of a position delete file name the data file(s) it applies to, and
 * readers skip the delete file for every other data file. They are relocated like the paths;
 * a bound that is not a whole location (a truncated prefix) is dropped, which only costs a
 * reader the skip, never a wrong answer.
 */
function relocateBounds(bounds: unknown, relocate: Relocate): unknown {
  if (!Array.isArray(bounds)) return bounds;
  const out: unknown[] = [];
  for (const kv of bounds as { key: number; value: Uint8Array }[]) {
    if (Number(kv.key) !== FIELD.DELETE_FILE_PATH) { out.push(kv); continue; }
    try {
      out.push({ ...kv, value: utf8.encode(relocate(fromUtf8.decode(kv.value))) });
    } catch {
      // not a location we can map: leave the bound out
    }
  }
  return out;
}

/** A position delete file with the data file named in each row relocated; field ids kept. */
export async function rewritePositionDeletes(bytes: Uint8Array, file: string, relocate: Relocate): Promise<Uint8Array> {
  let table: arrow.Table;
  try {
    table = await readParquet(bytes);
  } catch (err) {
    throw new ExportError(`cannot read position delete file ${file} (${(err as Error).message}); nothing was exported.`, { cause: err });
  }
  const index = table.schema.fields.findIndex((f) => f.metadata.get(FIELD_ID_KEY) === String(FIELD.DELETE_FILE_PATH));
  const at = index >= 0 ? index : table.schema.fields.findIndex((f) => f.name === 'file_path');
  if (at < 0) throw new ExportError(`position delete file ${file} has no file_path column; it is not an Iceberg position delete file.`);
  const old = table.schema.fields[at]!;
  const values: string[] = [];
  const column = table.getChildAt(at)!;
  for (let i = 0; i < table.numRows; i++) values.push(relocate(String(column.get(i))));
  const field = new arrow.Field(old.name, new arrow.Utf8(), old.nullable, old.metadata);
  const schema = new arrow.Schema(table.schema.fields.map((f, i) => (i === at ? field : f)), table.schema.metadata);
  const vectors = table.schema.fields.map((_f, i) => (i === at ? vectorFromValues('string', values) : table.getChildAt(i)!));
  return writeParquet(tableFromVectors(schema, vectors, table.numRows));
}

/** Location properties Java honours (`write.data.path` …): relocated when present. */
const LOCATION_PROPERTIES = ['write.data.path', 'write.metadata.path', 'write.object-storage.path', 'write.folder-storage.path'];

export interface MetadataLocations {
  /** Source locations of the manifest lists (and v1 inline manifests) of every snapshot. */
  manifestLists: string[];
  manifests: string[];
  /** Earlier metadata files named in `metadata-log`. */
  previous: string[];
  /** Puffin statistics files. */
  statistics: string[];
}

/** Parse a metadata file (bigint-safe), refusing what is not Iceberg table metadata. */
export function parseMetadataJson(text: string, file: string): Record<string, unknown> {
  let raw: Record<string, unknown>;
  try {
    raw = parseJson(text) as Record<string, unknown>;
  } catch (err) {
    throw new ExportError(`table metadata ${file} is not valid JSON (${(err as Error).message}); nothing was exported.`, { cause: err });
  }
  if (!raw || typeof raw !== 'object' || typeof raw.location !== 'string') throw new ExportError(`table metadata ${file} has no location; it is not an Iceberg metadata file.`);
  return raw;
}

/** Table metadata JSON with `location` set and every location inside relocated. */
export function rewriteMetadata(raw: Record<string, unknown>, tableLocation: string, relocate: Relocate): { text: string; locations: MetadataLocations; raw: Record<string, unknown> } {
  const locations: MetadataLocations = { manifestLists: [], manifests: [], previous: [], statistics: [] };
  const out: Record<string, unknown> = { ...raw, location: tableLocation };
  const props = raw.properties as Record<string, string> | undefined;
  if (props) {
    const next = { ...props };
    for (const key of LOCATION_PROPERTIES) if (typeof next[key] === 'string') next[key] = relocate(next[key]!);
    out.properties = next;
  }
  if (Array.isArray(raw.snapshots)) {
    out.snapshots = (raw.snapshots as Record<string, unknown>[]).map((s) => {
      const snap = { ...s };
      if (typeof s['manifest-list'] === 'string') {
        locations.manifestLists.push(s['manifest-list']);
        snap['manifest-list'] = relocate(s['manifest-list']);
      }
      if (Array.isArray(s.manifests)) {
        locations.manifests.push(...(s.manifests as string[]));
        snap.manifests = (s.manifests as string[]).map(relocate);
      }
      return snap;
    });
  }
  if (Array.isArray(raw['metadata-log'])) {
    out['metadata-log'] = (raw['metadata-log'] as Record<string, unknown>[]).map((e) => {
      locations.previous.push(String(e['metadata-file']));
      return { ...e, 'metadata-file': relocate(String(e['metadata-file'])) };
    });
  }
  for (const key of ['statistics', 'partition-statistics']) {
    if (!Array.isArray(raw[key])) continue;
    out[key] = (raw[key] as Record<string, unknown>[]).map((e) => {
      if (typeof e['statistics-path'] !== 'string') return e;
      locations.statistics.push(e['statistics-path']);
      return { ...e, 'statistics-path': relocate(e['statistics-path']) };
    });
  }
  return { text: stringifyJson(out), locations, raw: out };
}
