/**
 * Simple row filters (=, !=, <, <=, >, >=, IN, IS NULL, IS NOT NULL, AND, OR) and the three
 * ways they are used: on rows (exact), on a data file's column bounds ("might this file hold
 * a match?"), and on partition values through the partition transforms.
 */
import type { DataFile, FieldSummary, IcebergType, PartitionSpec, Schema } from './types.ts';
import { compareValues, formatValue, fromBytes, toInternal, valuesEqual, type Value } from './values.ts';
import { applyTransform, preservesOrder, resultType } from './transforms.ts';
import { IcebergError } from './errors.ts';

export type Comparison = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Predicate =
  | { op: Comparison; column: string; value: unknown }
  | { op: 'in'; column: string; values: unknown[] }
  | { op: 'is-null'; column: string }
  | { op: 'not-null'; column: string }
  | { op: 'and'; args: Predicate[] }
  | { op: 'or'; args: Predicate[] };

/** Builders, so callers write `and(gte('ts', '2024-01-01'), eq('device', 'a'))`. */
export const eq = (column: string, value: unknown): Predicate => ({ op: '=', column, value });
export const ne = (column: string, value: unknown): Predicate => ({ op: '!=', column, value });
export const lt = (column: string, value: unknown): Predicate => ({ op: '<', column, value });
export const lte = (column: string, value: unknown): Predicate => ({ op: '<=', column, value });
export const gt = (column: string, value: unknown): Predicate => ({ op: '>', column, value });
export const gte = (column: string, value: unknown): Predicate => ({ op: '>=', column, value });
export const isIn = (column: string, values: unknown[]): Predicate => ({ op: 'in', column, values });
export const isNull = (column: string): Predicate => ({ op: 'is-null', column });
export const notNull = (column: string): Predicate => ({ op: 'not-null', column });
export const and = (...args: Predicate[]): Predicate => ({ op: 'and', args });
export const or = (...args: Predicate[]): Predicate => ({ op: 'or', args });

/** A predicate with columns resolved to field ids and literals converted to internal values. */
export type Bound =
  | { op: Comparison; id: number; name: string; type: IcebergType; value: Value }
  | { op: 'in'; id: number; name: string; type: IcebergType; values: Value[] }
  | { op: 'is-null'; id: number; name: string; type: IcebergType }
  | { op: 'not-null'; id: number; name: string; type: IcebergType }
  | { op: 'and'; args: Bound[] }
  | { op: 'or'; args: Bound[] };

export function bind(p: Predicate, schema: Schema): Bound {
  if (p.op === 'and') return { op: 'and', args: p.args.map((a) => bind(a, schema)) };
  if (p.op === 'or') return { op: 'or', args: p.args.map((a) => bind(a, schema)) };
  const field = schema.fields.find((f) => f.name === p.column);
  if (!field) {
    throw new IcebergError(`Filter column "${p.column}" is not in the table schema (columns: ${schema.fields.map((f) => f.name).join(', ')}).`);
  }
  const base = { id: field.id, name: field.name, type: field.type };
  if (p.op === 'in') return { op: 'in', ...base, values: p.values.map((v) => toInternal(field.type, v)) };
  if (p.op === 'is-null') return { op: 'is-null', ...base };
  if (p.op === 'not-null') return { op: 'not-null', ...base };
  const value = toInternal(field.type, p.value);
  if (value === null) throw new IcebergError(`Filter "${p.column} ${p.op} null" never matches; use isNull("${p.column}") instead.`);
  return { op: p.op, ...base, value };
}

/** Field ids a bound predicate reads. */
export function referencedIds(b: Bound, out = new Set<number>()): Set<number> {
  if (b.op === 'and' || b.op === 'or') (b as { args: Bound[] }).args.forEach((a) => referencedIds(a, out));
  else out.add((b as { id: number }).id);
  return out;
}

function compareOp(op: Comparison, c: number): boolean {
  switch (op) {
    case '=': return c === 0;
    case '!=': return c !== 0;
    case '<': return c < 0;
    case '<=': return c <= 0;
    case '>': return c > 0;
    case '>=': return c >= 0;
  }
}

/** Exact evaluation on one row; a comparison with null is false (SQL semantics). */
export function evalRow(b: Bound, get: (id: number) => Value): boolean {
  switch (b.op) {
    case 'and': return b.args.every((a) => evalRow(a, get));
    case 'or': return b.args.some((a) => evalRow(a, get));
    case 'is-null': return get(b.id) === null;
    case 'not-null': return get(b.id) !== null;
    case 'in': { const v = get(b.id); return v !== null && b.values.some((x) => x !== null && valuesEqual(v, x)); }
    default: { const v = get(b.id); return v !== null && compareOp(b.op, compareValues(v, b.value)); }
  }
}

/**
 * Might a data file hold a matching row, judging by its column stats? Returns null when it
 * might, or a reason it cannot.
 */
export function fileCannotMatch(b: Bound, file: DataFile): string | null {
  switch (b.op) {
    case 'and': {
      for (const a of b.args) { const r = fileCannotMatch(a, file); if (r) return r; }
      return null;
    }
    case 'or': {
      const reasons = b.args.map((a) => fileCannotMatch(a, file));
      return reasons.every((r) => r) ? reasons.join(' and ') : null;
    }
  }
  const valueCount = file.valueCounts?.get(b.id);
  const nullCount = file.nullValueCounts?.get(b.id);
  const allNull = valueCount !== undefined && nullCount !== undefined && valueCount === nullCount;
  if (b.op === 'is-null') return nullCount === 0n ? `${b.name} has no nulls in this file` : null;
  if (b.op === 'not-null') return allNull ? `${b.name} is null in every row of this file` : null;
  if (allNull) return `${b.name} is null in every row of this file`;
  const lo = file.lowerBounds?.get(b.id);
  const hi = file.upperBounds?.get(b.id);
  const lower = lo ? fromBytes(b.type, lo) : null;
  const upper = hi ? fromBytes(b.type, hi) : null;
  const fmt = (x: Value) => (x === null ? 'none' : typeof b.type === 'string' ? formatValue(b.type, x) : String(x));
  const range = `[${fmt(lower)}, ${fmt(upper)}]`;
  if (b.op === 'in') {
    const any = b.values.some((v) => v !== null && (lower === null || compareValues(v, lower) >= 0) && (upper === null || compareValues(v, upper) <= 0));
    return any ? null : `no IN value of ${b.name} falls in the file's range ${range}`;
  }
  const v = b.value;
  switch (b.op) {
    case '=':
      if ((lower !== null && compareValues(v, lower) < 0) || (upper !== null && compareValues(v, upper) > 0)) return `${b.name} = ${fmt(v)} is outside the file's range ${range}`;
      return null;
    case '<': return lower !== null && compareValues(lower, v) >= 0 ? `${b.name} < ${fmt(v)} but the file's minimum is ${fmt(lower)}` : null;
    case '<=': return lower !== null && compareValues(lower, v) > 0 ? `${b.name} <= ${fmt(v)} but the file's minimum is ${fmt(lower)}` : null;
    case '>': return upper !== null && compareValues(upper, v) <= 0 ? `${b.name} > ${fmt(v)} but the file's maximum is ${fmt(upper)}` : null;
    case '>=': return upper !== null && compareValues(upper, v) < 0 ? `${b.name} >= ${fmt(v)} but the file's maximum is ${fmt(upper)}` : null;
    default: return null;
  }
}

/** A filter on partition values, derived from a row filter through the spec's transforms. */
export type PartitionBound =
  | { op: Comparison | 'in' | 'is-null'; name: string; type: IcebergType; values: Value[] }
  | { op: 'and'; args: PartitionBound[] }
  | { op: 'or'; args: PartitionBound[] }
  | { op: 'true' };

export function projectToPartition(b: Bound, spec: PartitionSpec, schema: Schema): PartitionBound {
  if (b.op === 'and') return { op: 'and', args: b.args.map((a) => projectToPartition(a, spec, schema)) };
  if (b.op === 'or') {
    const args = b.args.map((a) => projectToPartition(a, spec, schema));
    return args.some((a) => a.op === 'true') ? { op: 'true' } : { op: 'or', args };
  }
  const parts: PartitionBound[] = [];
  for (const pf of spec.fields.filter((f) => f['source-id'] === b.id)) {
    const source = schema.fields.find((f) => f.id === b.id)?.type ?? b.type;
    const rt = resultType(pf.transform, source);
    const t = (v: Value) => applyTransform(pf.transform, source, v);
    if (pf.transform === 'void') continue;
    if (b.op === 'is-null') { parts.push({ op: 'is-null', name: pf.name, type: rt, values: [] }); continue; }
    if (b.op === 'not-null') continue;
    if (b.op === 'in') { parts.push({ op: 'in', name: pf.name, type: rt, values: b.values.map(t) }); continue; }
    if (b.op === '=') { parts.push({ op: '=', name: pf.name, type: rt, values: [t(b.value)] }); continue; }
    if (!preservesOrder(pf.transform)) continue;
    // A transform that keeps order but loses precision turns < into <= on the partition value.
    const exact = pf.transform === 'identity';
    if (b.op === '<') parts.push({ op: exact ? '<' : '<=', name: pf.name, type: rt, values: [t(b.value)] });
    if (b.op === '<=') parts.push({ op: '<=', name: pf.name, type: rt, values: [t(b.value)] });
    if (b.op === '>') parts.push({ op: exact ? '>' : '>=', name: pf.name, type: rt, values: [t(b.value)] });
    if (b.op === '>=') parts.push({ op: '>=', name: pf.name, type: rt, values: [t(b.value)] });
  }
  if (parts.length === 0) return { op: 'true' };
  return parts.length === 1 ? parts[0] : { op: 'and', args: parts };
}

/** Does this exact partition tuple fail the projected filter? Returns the reason, or null. */
export function partitionCannotMatch(p: PartitionBound, tuple: Record<string, unknown>): string | null {
  if (p.op === 'true') return null;
  if (p.op === 'and') { for (const a of p.args) { const r = partitionCannotMatch(a, tuple); if (r) return r; } return null; }
  if (p.op === 'or') { const rs = p.args.map((a) => partitionCannotMatch(a, tuple)); return rs.every(Boolean) ? rs.join(' and ') : null; }
  const v = (tuple[p.name] ?? null) as Value;
  if (p.op === 'is-null') return v === null ? null : `partition ${p.name}=${String(v)} is not null`;
  if (v === null) return `partition ${p.name} is null`;
  if (p.op === 'in') return p.values.some((x) => x !== null && valuesEqual(v, x)) ? null : `partition ${p.name}=${String(v)} is not in the IN list`;
  return compareOp(p.op, compareValues(v, p.values[0])) ? null : `partition ${p.name}=${formatValue(p.type, v)} fails ${p.op} ${formatValue(p.type, p.values[0])}`;
}

/** Can a manifest hold a match, judging by its partition field summaries? */
export function summariesCannotMatch(p: PartitionBound, spec: PartitionSpec, summaries: FieldSummary[] | null): string | null {
  if (!summaries || p.op === 'true') return null;
  if (p.op === 'and') { for (const a of p.args) { const r = summariesCannotMatch(a, spec, summaries); if (r) return r; } return null; }
  if (p.op === 'or') { const rs = p.args.map((a) => summariesCannotMatch(a, spec, summaries)); return rs.every(Boolean) ? rs.join(' and ') : null; }
  const idx = spec.fields.findIndex((f) => f.name === p.name);
  const s = summaries[idx];
  if (!s) return null;
  if (p.op === 'is-null') return s.containsNull ? null : `no null ${p.name} in this manifest`;
  const lo = s.lowerBound ? fromBytes(p.type, s.lowerBound) : null;
  const hi = s.upperBound ? fromBytes(p.type, s.upperBound) : null;
  // A manifest whose partitions are all null has no bounds; only is-null can prune it.
  if (lo === null || hi === null) return null;
  const range = `[${String(lo)}, ${String(hi)}]`;
  const vals = p.values.filter((x) => x !== null);
  switch (p.op) {
    case '=': case 'in':
      return vals.some((v) => compareValues(v, lo) >= 0 && compareValues(v, hi) <= 0) ? null : `${p.name} values are outside the manifest's partition range ${range}`;
    case '<': return compareValues(lo, vals[0]) >= 0 ? `${p.name} < ${String(vals[0])} but the manifest's partitions start at ${String(lo)}` : null;
    case '<=': return compareValues(lo, vals[0]) > 0 ? `${p.name} <= ${String(vals[0])} but the manifest's partitions start at ${String(lo)}` : null;
    case '>': return compareValues(hi, vals[0]) <= 0 ? `${p.name} > ${String(vals[0])} but the manifest's partitions end at ${String(hi)}` : null;
    case '>=': return compareValues(hi, vals[0]) < 0 ? `${p.name} >= ${String(vals[0])} but the manifest's partitions end at ${String(hi)}` : null;
    default: return null;
  }
}
