/**
 * Which field id each column of a data file carries (spec: Column Projection, Name Mapping
 * Serialization). Iceberg selects columns by field id, never by name. A file written with
 * field ids is read by them alone. A file written without any (imported from Hive, written by
 * DuckDB or pandas) gets ids only from the table property `schema.name-mapping.default`: a
 * column whose name the mapping does not list has no id and is not read, so its field reads as
 * its identity-partition value, its `initial-default`, or null. An empty mapping (`[]`) maps
 * nothing. A table without the property reads nothing from such a file either (the spec's
 * "null in all other cases"). An id the mapping assigns that the schema being read no longer
 * has simply matches no field; a field dropped and re-added gets a new id, so it picks up an
 * old column only if the mapping says so under the new id.
 */
import type * as arrow from 'apache-arrow';
import type { TableMetadata } from './types.ts';
import { FIELD_ID_KEY } from './arrow.ts';
import { IcebergError } from './errors.ts';

export const NAME_MAPPING_PROPERTY = 'schema.name-mapping.default';

/** One entry of a name mapping (spec: `names` required, `field-id` and `fields` optional). */
export interface MappedField {
  names: string[];
  'field-id'?: number;
  fields?: MappedField[];
}

function invalid(detail: string, tableName: string): IcebergError {
  return new IcebergError(`Table ${tableName} has an invalid ${NAME_MAPPING_PROPERTY} property: ${detail}. It must be a JSON list of {"names": [...], "field-id": N, "fields": [...]} objects (spec: Name Mapping Serialization); fix the property, or remove it if every data file carries Parquet field ids.`);
}

function checkEntries(entries: unknown, tableName: string, where: string): MappedField[] {
  if (!Array.isArray(entries)) throw invalid(`${where} is not a JSON list`, tableName);
  return entries.map((e, i) => {
    const at = `${where}[${i}]`;
    if (!e || typeof e !== 'object' || Array.isArray(e)) throw invalid(`${at} is not an object`, tableName);
    const o = e as Record<string, unknown>;
    if (!Array.isArray(o.names) || o.names.some((n) => typeof n !== 'string')) throw invalid(`${at} has no "names" list of strings`, tableName);
    const id = o['field-id'];
    if (id !== undefined && id !== null && !(typeof id === 'number' && Number.isInteger(id))) throw invalid(`${at} has a "field-id" that is not an integer`, tableName);
    const out: MappedField = { names: o.names as string[] };
    if (typeof id === 'number') out['field-id'] = id;
    if (o.fields !== undefined && o.fields !== null) out.fields = checkEntries(o.fields, tableName, `${at}.fields`);
    return out;
  });
}

/** The table's name mapping, or null when the property is not set. Throws on a malformed one. */
export function parseNameMapping(m: TableMetadata, tableName: string): MappedField[] | null {
  const raw = m.properties?.[NAME_MAPPING_PROPERTY];
  if (raw === undefined || raw === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw invalid(`it is not JSON (${(err as Error).message})`, tableName);
  }
  return checkEntries(parsed, tableName, 'the mapping');
}

/** Top-level column name -> field id, as the mapping assigns (names are literal: "a.b" is one name). */
export function topLevelIds(mapping: MappedField[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of mapping) {
    if (e['field-id'] === undefined) continue;
    for (const n of e.names) if (!out.has(n)) out.set(n, e['field-id']);
  }
  return out;
}

/** True when at least one top-level column of the file carries a Parquet field id. */
export function hasFieldIds(t: arrow.Table): boolean {
  return t.schema.fields.some((f) => f.metadata.get(FIELD_ID_KEY) !== undefined);
}

/**
 * Field id -> column index in a file's Arrow schema: by the file's field ids when it has
 * them, else by the table's name mapping only (no mapping: no column has an id).
 */
export function fileColumnIds(t: arrow.Table, m: TableMetadata, tableName: string): Map<number, number> {
  const out = new Map<number, number>();
  if (hasFieldIds(t)) {
    t.schema.fields.forEach((f, i) => {
      const id = f.metadata.get(FIELD_ID_KEY);
      if (id !== undefined && !out.has(Number(id))) out.set(Number(id), i);
    });
    return out;
  }
  const mapping = parseNameMapping(m, tableName);
  if (!mapping) return out;
  const ids = topLevelIds(mapping);
  t.schema.fields.forEach((f, i) => {
    const id = ids.get(f.name);
    if (id !== undefined && !out.has(id)) out.set(id, i);
  });
  return out;
}
