/**
 * Building schemas and partition specs from friendly descriptions, conforming incoming Arrow
 * data to a table schema, and schema evolution (add, rename, widen, drop; ids never reused).
 */
import * as arrow from 'apache-arrow';
import type { IcebergType, NestedField, PartitionField, PartitionSpec, Schema, TableMetadata } from './types.ts';
import { arrowFieldFor, arrowTypeFor, columnValues, icebergTypeOf, tableFromVectors, vectorFromValues, constantVector, nullData } from './arrow.ts';
import { kindOf, parseDecimal, toInternal, type Value } from './values.ts';
import { resultType } from './transforms.ts';
import { IcebergError } from './errors.ts';
import { fromJsonSingleValue, toJsonSingleValue } from './json-single-value.ts';

/**
 * A default a program gave (JSON single-value form, or a native value such as a bigint or a
 * Date) in the form the metadata stores: the spec's JSON single-value serialization.
 */
function defaultToJson(name: string, type: IcebergType, given: unknown, where: string): unknown {
  try {
    return toJsonSingleValue(type, fromJsonSingleValue(type, given));
  } catch (err) {
    throw new IcebergError(`The default for column "${name}" of ${where} is not a valid ${String(type)}: ${(err as Error).message}. Give it in the spec's JSON single-value form (e.g. "14.20" for a decimal, "2017-11-16" for a date, hex for binary).`, { cause: err });
  }
}

/** A field's stored default, decoded; a malformed one is an error naming the field. */
function defaultFromJson(f: NestedField, key: 'initial-default' | 'write-default', table: string): Value {
  try {
    return fromJsonSingleValue(f.type, f[key]);
  } catch (err) {
    throw new IcebergError(`Column "${f.name}" of table ${table} has a ${key} that is not a valid ${String(f.type)} in the spec's JSON single-value form: ${(err as Error).message}.`, { cause: err });
  }
}

export interface FieldInput {
  name: string;
  type: IcebergType;
  required?: boolean;
  doc?: string;
  id?: number;
  initialDefault?: unknown;
}

/** A schema from fields without ids (ids 1..n) or with ids; or an Arrow schema. */
export function buildSchema(fields: FieldInput[] | Schema | arrow.Schema, schemaId = 0): Schema {
  if (fields instanceof arrow.Schema) {
    return buildSchema(fields.fields.map((f) => ({ name: f.name, type: icebergTypeOf(f.type), required: !f.nullable })), schemaId);
  }
  if (!Array.isArray(fields)) return { ...fields, type: 'struct', 'schema-id': fields['schema-id'] ?? schemaId };
  let next = Math.max(0, ...fields.map((f) => f.id ?? 0)) + 1;
  const seen = new Set<string>();
  const top = fields.map((f) => f.id ?? next++);
  return {
    type: 'struct',
    'schema-id': schemaId,
    fields: fields.map((f, i) => {
      if (seen.has(f.name)) throw new IcebergError(`Column "${f.name}" appears twice in the schema.`);
      seen.add(f.name);
      const out: NestedField = { id: top[i], name: f.name, required: f.required ?? false, type: assignNestedIds(f.type, () => next++) };
      if (f.doc) out.doc = f.doc;
      if (f.initialDefault !== undefined) { out['initial-default'] = out['write-default'] = defaultToJson(f.name, out.type, f.initialDefault, 'the schema'); }
      return out;
    }),
  };
}

/**
 * Give every nested field (struct fields, list elements, map keys and values) a fresh id
 * from `next()`, in the order they appear.
 */
export function assignNestedIds(type: IcebergType, next: () => number): IcebergType {
  if (typeof type === 'string') return type;
  if (type.type === 'struct') {
    const ids = type.fields.map(() => next());
    return { type: 'struct', fields: type.fields.map((f, i) => ({ id: ids[i], name: f.name, required: f.required ?? false, type: assignNestedIds(f.type, next), ...(f.doc ? { doc: f.doc } : {}) })) };
  }
  if (type.type === 'list') {
    const id = next();
    return { type: 'list', 'element-id': id, element: assignNestedIds(type.element, next), 'element-required': type['element-required'] ?? false };
  }
  const keyId = next(), valueId = next();
  return { type: 'map', 'key-id': keyId, key: assignNestedIds(type.key, next), 'value-id': valueId, value: assignNestedIds(type.value, next), 'value-required': type['value-required'] ?? false };
}

export interface PartitionFieldInput {
  source: string;
  transform: string;
  name?: string;
}

export function defaultPartitionName(source: string, transform: string): string {
  if (transform === 'identity') return source;
  const m = /^(bucket|truncate)\[/.exec(transform);
  if (m) return `${source}_${m[1] === 'bucket' ? 'bucket' : 'trunc'}`;
  return `${source}_${transform}`;
}

export function buildPartitionSpec(fields: PartitionFieldInput[] | PartitionSpec | undefined, schema: Schema, specId = 0, firstFieldId = 1000): PartitionSpec {
  if (!fields) return { 'spec-id': specId, fields: [] };
  if (!Array.isArray(fields)) return fields;
  let id = firstFieldId;
  const out: PartitionField[] = fields.map((f) => {
    const src = schema.fields.find((x) => x.name === f.source);
    if (!src) throw new IcebergError(`Partition source column "${f.source}" is not in the schema.`);
    resultType(f.transform, src.type); // validates the transform
    const k = kindOf(src.type);
    if (['year', 'month', 'day', 'hour'].includes(f.transform) && !['date', 'timestamp', 'timestamptz'].includes(k)) {
      throw new IcebergError(`Partition transform ${f.transform} needs a date or timestamp column; "${f.source}" is ${String(src.type)}.`);
    }
    if (f.transform === 'hour' && k === 'date') throw new IcebergError(`Partition transform hour needs a timestamp column; "${f.source}" is a date.`);
    return { 'source-id': src.id, 'field-id': id++, name: f.name ?? defaultPartitionName(f.source, f.transform), transform: f.transform };
  });
  return { 'spec-id': specId, fields: out };
}

/**
 * Turn incoming Arrow data into the table's exact Arrow layout (types, field ids), matching
 * columns by name. Missing optional columns become the write default or null.
 */
export function conformToSchema(input: arrow.Table, schema: Schema, table: string): arrow.Table {
  const known = new Set(schema.fields.map((f) => f.name));
  const extra = input.schema.fields.map((f) => f.name).filter((n) => !known.has(n));
  if (extra.length) {
    throw new IcebergError(`Table ${table} has no column ${extra.map((e) => `"${e}"`).join(', ')} (columns: ${[...known].join(', ')}). Add the column with updateSchema().addColumn(...) first.`);
  }
  const outSchema = new arrow.Schema(schema.fields.map((f) => arrowFieldFor(f)));
  const n = input.numRows;
  const vectors = schema.fields.map((f) => {
    const idx = input.schema.fields.findIndex((x) => x.name === f.name);
    if (idx < 0) {
      if (f.required && f['write-default'] === undefined) throw new IcebergError(`Column "${f.name}" of table ${table} is required but missing from the data.`);
      if (typeof f.type !== 'string') return arrow.makeVector(nullData(arrowTypeFor(f.type), n));
      return constantVector(f.type, f['write-default'] === undefined ? null : defaultFromJson(f, 'write-default', table), n);
    }
    const v = input.getChildAt(idx)!;
    const want = arrowTypeFor(f.type);
    let vec: arrow.Vector;
    if (v.type.typeId === want.typeId && String(v.type) === String(want)) vec = v;
    else if (typeof f.type !== 'string') {
      if (v.type.typeId !== want.typeId) throw new IcebergError(`Column "${f.name}" for table ${table} has Arrow type ${String(v.type)}, but the table wants ${String(want)}.`);
      // Same layout, maybe other child names: relabel with the table's type (field ids included).
      vec = arrow.makeVector(v.data.map((d) => d.clone(want as never)));
    }
    else vec = vectorFromValues(f.type, convertColumn(v, f.type, f.name, table));
    if (f.required && vec.nullCount > 0) throw new IcebergError(`Column "${f.name}" of table ${table} is required but ${vec.nullCount} incoming rows have no value.`);
    return vec;
  });
  return tableFromVectors(outSchema, vectors, n);
}

/** Values of an Arrow column converted to another Iceberg type (e.g. Float64 numbers -> long). */
function convertColumn(v: arrow.Vector, type: IcebergType, name: string, table: string): Value[] {
  let sourceType: IcebergType;
  try {
    sourceType = icebergTypeOf(v.type);
  } catch {
    throw new IcebergError(`Column "${name}" for table ${table} has Arrow type ${String(v.type)}, which cannot become ${String(type)}.`);
  }
  const tk = kindOf(type);
  if (arrow.DataType.isDate(v.type) && v.type.unit === arrow.DateUnit.MILLISECOND && tk.startsWith('timestamp')) {
    // Arrow builds JS Date values as Date<MILLISECOND>: keep the time of day.
    const out: Value[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const ms = v.get(i) as number | Date | null;
      out[i] = ms === null ? null : BigInt(ms instanceof Date ? ms.getTime() : Math.round(ms)) * (tk.endsWith('_ns') ? 1_000_000n : 1000n);
    }
    return out;
  }
  const vals = columnValues(v, sourceType);
  const sk = kindOf(sourceType);
  if (sk === tk && sk !== 'decimal') return vals;
  return vals.map((x) => {
    if (x === null) return null;
    if (sk === 'date' && tk.startsWith('timestamp')) return BigInt(x as number) * 86_400_000_000n;
    if (sk.startsWith('timestamp') && tk === 'date') return Number((x as bigint) / 86_400_000_000n);
    if (sk === 'decimal' && tk === 'decimal') {
      const from = parseDecimal(sourceType as string)!.scale, to = parseDecimal(type as string)!.scale;
      return to >= from ? (x as bigint) * 10n ** BigInt(to - from) : (x as bigint) / 10n ** BigInt(from - to);
    }
    if ((sk === 'long' || sk === 'int' || sk === 'double' || sk === 'float') && tk.startsWith('timestamp')) {
      throw new IcebergError(`Column "${name}" for table ${table} holds numbers but the table wants ${String(type)}; send Arrow timestamps (microseconds) instead.`);
    }
    return toInternal(type, typeof x === 'bigint' && (tk === 'int' || tk === 'float' || tk === 'double') ? Number(x) : x);
  });
}

/** An Arrow table from plain row objects, typed by the table schema (handy for small writes). */
export function rowsToArrow(rows: Record<string, unknown>[], schema: Schema): arrow.Table {
  const outSchema = new arrow.Schema(schema.fields.map((f) => arrowFieldFor(f)));
  // A row that does not name a field gets its write-default (spec: the writer did not supply a value).
  const vectors = schema.fields.map((f) => {
    const fallback = f['write-default'] === undefined || typeof f.type !== 'string' ? null : defaultFromJson(f, 'write-default', 'the schema');
    return vectorFromValues(f.type, rows.map((r) => (f.name in r ? toInternal(f.type, r[f.name]) : fallback)));
  });
  return tableFromVectors(outSchema, vectors, rows.length);
}

/** Plain row objects from an Arrow table (bigints for longs, Date-free internal values). */
export function arrowToRows(t: arrow.Table, schema: Schema): Record<string, Value>[] {
  const cols = schema.fields.map((f) => {
    const idx = t.schema.fields.findIndex((x) => x.name === f.name);
    return idx < 0 ? null : columnValues(t.getChildAt(idx)!, f.type);
  });
  const out: Record<string, Value>[] = [];
  for (let r = 0; r < t.numRows; r++) {
    const row: Record<string, Value> = {};
    schema.fields.forEach((f, i) => { if (cols[i]) row[f.name] = cols[i]![r]; });
    out.push(row);
  }
  return out;
}

// ---------------------------------------------------------------- evolution

const WIDENINGS: Record<string, string[]> = { int: ['long'], float: ['double'] };

export function canWiden(from: IcebergType, to: IcebergType): boolean {
  if (from === to) return true;
  if (typeof from !== 'string' || typeof to !== 'string') return false;
  if (WIDENINGS[from]?.includes(to)) return true;
  const a = parseDecimal(from), b = parseDecimal(to);
  return !!a && !!b && a.scale === b.scale && b.precision >= a.precision;
}

export type SchemaChange =
  | { kind: 'add'; field: FieldInput }
  | { kind: 'rename'; from: string; to: string }
  | { kind: 'widen'; name: string; type: IcebergType }
  | { kind: 'drop'; name: string };

/** Apply changes to the current schema; returns the new schema and the new last-column-id. */
export function evolveSchema(m: TableMetadata, changes: SchemaChange[], table: string): { schema: Schema; lastColumnId: number } {
  const current = m.schemas.find((s) => s['schema-id'] === m['current-schema-id'])!;
  let fields = current.fields.map((f) => ({ ...f }));
  let lastId = m['last-column-id'];
  const find = (name: string) => {
    const f = fields.find((x) => x.name === name);
    if (!f) throw new IcebergError(`Table ${table} has no column "${name}" (columns: ${fields.map((x) => x.name).join(', ')}).`);
    return f;
  };
  for (const c of changes) {
    if (c.kind === 'add') {
      if (fields.some((f) => f.name === c.field.name)) throw new IcebergError(`Table ${table} already has a column "${c.field.name}".`);
      if (c.field.required && c.field.initialDefault === undefined) {
        throw new IcebergError(`Cannot add required column "${c.field.name}" to table ${table} without an initial default: existing rows would have no value.`);
      }
      const id = ++lastId;
      const f: NestedField = { id, name: c.field.name, required: c.field.required ?? false, type: assignNestedIds(c.field.type, () => ++lastId) };
      if (c.field.doc) f.doc = c.field.doc;
      if (c.field.initialDefault !== undefined) { f['initial-default'] = f['write-default'] = defaultToJson(c.field.name, f.type, c.field.initialDefault, `table ${table}`); }
      fields.push(f);
    } else if (c.kind === 'rename') {
      if (fields.some((f) => f.name === c.to)) throw new IcebergError(`Cannot rename "${c.from}" to "${c.to}" in table ${table}: "${c.to}" already exists.`);
      find(c.from).name = c.to;
    } else if (c.kind === 'widen') {
      const f = find(c.name);
      if (!canWiden(f.type, c.type)) {
        throw new IcebergError(`Cannot change column "${c.name}" of table ${table} from ${String(f.type)} to ${String(c.type)}; allowed: int->long, float->double, decimal(P,S)->decimal(P2,S) with P2 >= P.`);
      }
      f.type = c.type;
    } else {
      find(c.name);
      fields = fields.filter((f) => f.name !== c.name);
    }
  }
  const nextId = Math.max(...m.schemas.map((s) => s['schema-id'])) + 1;
  return { schema: { type: 'struct', 'schema-id': nextId, fields }, lastColumnId: lastId };
}
