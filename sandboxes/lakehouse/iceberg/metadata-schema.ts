/**
 * What a table metadata file must look like before anything reads or writes through it.
 *
 * A metadata file is the root of every read and the base of every write, so a wrong one must
 * stop both, with one line per problem naming the field and the type expected. Two kinds of
 * problem are caught here (issue 13):
 *  - shape: `snapshots: {}`, `schemas: "abc"`, a snapshot id that is not a 64-bit integer,
 *    `refs.main: null`, a numeric `manifest-list`, a `timestamp-ms` that is not a time;
 *    without this check they surfaced as raw JavaScript errors deep in a scan;
 *  - dangling pointers: a `current-snapshot-id` or a ref's `snapshot-id` naming a snapshot
 *    that is not in `snapshots`, or a v2 snapshot without a manifest list. Those used to read
 *    as an empty table, and the next write then committed a snapshot with no parent that
 *    replaced the table's data.
 * The shape is checked with zod; objects stay open (writers add fields the spec allows).
 */
import { z } from 'zod';

// Zod probes `new Function` to compile faster validators; the site's CSP has no 'unsafe-eval',
// so the probe is a CSP violation in the page. Validate without it (same results).
z.config({ jitless: true });
import { IcebergError } from './errors.ts';

/** One problem in a metadata file: a field path (`snapshots[0].snapshot-id`) and what is wrong. */
export interface MetadataProblem {
  field: string;
  message: string;
}

/** The metadata file is not valid Iceberg table metadata; `problems` lists every reason. */
export class MetadataValidationError extends IcebergError {
  readonly problems: MetadataProblem[];
  constructor(file: string, problems: MetadataProblem[]) {
    const n = problems.length;
    super(
      `Table metadata file ${file} is not valid Iceberg table metadata (${n} problem${n === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.field}: ${p.message}`).join('\n') +
        `\nNothing was read or written. Fix those fields, or point the table at an earlier metadata version.`,
      { file },
    );
    this.name = 'MetadataValidationError';
    this.problems = problems;
  }
}

const MIN_LONG = -(2n ** 63n);
const MAX_LONG = 2n ** 63n - 1n;
/** The largest time a JavaScript Date can hold, in ms since the epoch. */
const MAX_TIME_MS = 8.64e15;

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

// Snapshot ids are Iceberg longs; json.ts parses those beyond 2^53 to bigint.
const long = z.custom<number | bigint>(
  (v) => isInt(v) || (typeof v === 'bigint' && v >= MIN_LONG && v <= MAX_LONG),
  { error: 'expected a 64-bit integer (-9223372036854775808 to 9223372036854775807)' },
);
const int = z.custom<number>(isInt, { error: 'expected an integer' });
const timeMs = z.custom<number>((v) => isInt(v) && v >= 0 && v <= MAX_TIME_MS, {
  error: 'expected a time in milliseconds since 1970-01-01 (a non-negative integer)',
});
// A type is a primitive name ("long", "decimal(9,2)") or a nested struct/list/map object.
const icebergType = z.custom<unknown>((v) => typeof v === 'string' || (typeof v === 'object' && v !== null && !Array.isArray(v)), {
  error: 'expected a type name (a string) or a nested type (an object)',
});

const schemaObject = z.looseObject({
  'schema-id': int.optional(),
  fields: z.array(z.looseObject({ id: int, name: z.string(), required: z.boolean().optional(), type: icebergType })),
});
const partitionField = z.looseObject({ 'source-id': int, 'field-id': int.optional(), name: z.string(), transform: z.string() });
const snapshot = z.looseObject({
  'snapshot-id': long,
  'parent-snapshot-id': long.nullish(),
  'sequence-number': int.optional(),
  'timestamp-ms': timeMs,
  'manifest-list': z.string().optional(),
  manifests: z.array(z.string()).optional(),
  summary: z.looseObject({ operation: z.string() }).optional(),
  'schema-id': int.optional(),
});
const ref = z.looseObject({
  'snapshot-id': long,
  type: z.enum(['branch', 'tag']),
  'max-ref-age-ms': int.nullish(),
  'max-snapshot-age-ms': int.nullish(),
  'min-snapshots-to-keep': int.nullish(),
});

const tableMetadata = z.looseObject({
  location: z.string(),
  'table-uuid': z.string().optional(),
  'last-sequence-number': int.optional(),
  'last-updated-ms': timeMs.optional(),
  'last-column-id': int.optional(),
  'current-schema-id': int.optional(),
  schemas: z.array(schemaObject).optional(),
  schema: schemaObject.optional(),
  'default-spec-id': int.optional(),
  'partition-specs': z.array(z.looseObject({ 'spec-id': int.optional(), fields: z.array(partitionField) })).optional(),
  'partition-spec': z.array(partitionField).optional(),
  'last-partition-id': int.optional(),
  'default-sort-order-id': int.optional(),
  'sort-orders': z.array(z.looseObject({ 'order-id': int, fields: z.array(z.unknown()) })).optional(),
  properties: z.record(z.string(), z.string()).optional(),
  'current-snapshot-id': long.nullish(),
  refs: z.record(z.string(), ref).optional(),
  snapshots: z.array(snapshot).optional(),
  statistics: z.array(z.unknown()).optional(),
  'snapshot-log': z.array(z.looseObject({ 'timestamp-ms': timeMs, 'snapshot-id': long })).optional(),
  'metadata-log': z.array(z.looseObject({ 'timestamp-ms': timeMs, 'metadata-file': z.string() })).optional(),
});

const ARTICLE: Record<string, string> = {
  array: 'an array', object: 'an object', string: 'a string', number: 'a number', boolean: 'true or false', record: 'an object',
};

/** How a JSON value reads in a message: `the string "abc"`, `the number 3`, `nothing`. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'number' || typeof v === 'bigint') return `the number ${String(v)}`;
  if (typeof v === 'boolean') return `the boolean ${v}`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return 'an object';
}

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(the file)';
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

function shapeProblems(raw: Record<string, unknown>): MetadataProblem[] {
  const res = tableMetadata.safeParse(raw);
  if (res.success) return [];
  return res.error.issues.map((issue) => {
    const got = describeValue(valueAt(raw, issue.path));
    let expected: string;
    if (issue.code === 'invalid_type') expected = `expected ${ARTICLE[issue.expected] ?? issue.expected}`;
    else if (issue.code === 'invalid_value') expected = `expected one of ${issue.values.map((x) => JSON.stringify(x)).join(', ')}`;
    else expected = issue.message;
    return { field: fieldPath(issue.path), message: `${expected}, got ${got}` };
  });
}

const idOf = (v: unknown): bigint | null => (v === null || v === undefined ? null : BigInt(v as number | bigint));

/** Pointers that must name something in the same file (only checked once the shape is right). */
function pointerProblems(raw: Record<string, unknown>, formatVersion: number): MetadataProblem[] {
  const problems: MetadataProblem[] = [];
  const snapshots = (raw.snapshots as Record<string, unknown>[] | undefined) ?? [];
  const ids = new Set<bigint>();
  snapshots.forEach((s, i) => {
    const id = idOf(s['snapshot-id'])!;
    if (ids.has(id)) problems.push({ field: `snapshots[${i}].snapshot-id`, message: `snapshot ${id} appears twice in "snapshots"` });
    ids.add(id);
    if (typeof s['manifest-list'] !== 'string' && (formatVersion >= 2 || !Array.isArray(s.manifests))) {
      problems.push({
        field: `snapshots[${i}].manifest-list`,
        message: `snapshot ${id} has no manifest list${formatVersion >= 2 ? ' (format version 2 requires one)' : ' and no "manifests"'}, so its files cannot be found`,
      });
    }
  });
  // Parents may name expired snapshots (that ends a walk), but must never loop: walks from
  // the current snapshot back (the history table's is_current_ancestor) would never end.
  const parentOf = new Map(snapshots.map((s) => [idOf(s['snapshot-id'])!, idOf(s['parent-snapshot-id'])]));
  snapshots.forEach((s, i) => {
    const start = idOf(s['snapshot-id'])!;
    const seen = new Set<bigint>([start]);
    for (let p = parentOf.get(start) ?? null; p !== null && parentOf.has(p); p = parentOf.get(p) ?? null) {
      if (p === start) {
        problems.push({ field: `snapshots[${i}].parent-snapshot-id`, message: `the parents of snapshot ${start} loop back to it, so its history never ends` });
        break;
      }
      if (seen.has(p)) break; // a loop further up: reported at a snapshot on it
      seen.add(p);
    }
  });
  const known = () => (ids.size ? [...ids].slice(0, 10).join(', ') + (ids.size > 10 ? ', …' : '') : 'none');
  const current = idOf(raw['current-snapshot-id']);
  if (current !== null && current !== -1n && !ids.has(current)) {
    problems.push({ field: 'current-snapshot-id', message: `snapshot ${current} is not in "snapshots" (snapshots: ${known()})` });
  }
  for (const [name, r] of Object.entries((raw.refs as Record<string, { 'snapshot-id': unknown }> | undefined) ?? {})) {
    const id = idOf(r['snapshot-id'])!;
    if (!ids.has(id)) problems.push({ field: `refs.${name}.snapshot-id`, message: `${name} points at snapshot ${id}, which is not in "snapshots" (snapshots: ${known()})` });
  }
  const schemaIds = ((raw.schemas as { 'schema-id'?: number }[] | undefined) ?? []).map((s) => s['schema-id'] ?? 0);
  const currentSchema = raw['current-schema-id'];
  if (schemaIds.length && typeof currentSchema === 'number' && !schemaIds.includes(currentSchema)) {
    problems.push({ field: 'current-schema-id', message: `schema ${currentSchema} is not in "schemas" (schema ids: ${schemaIds.join(', ')})` });
  }
  const specIds = ((raw['partition-specs'] as { 'spec-id'?: number }[] | undefined) ?? []).map((s) => s['spec-id'] ?? 0);
  const defaultSpec = raw['default-spec-id'];
  if (specIds.length && typeof defaultSpec === 'number' && !specIds.includes(defaultSpec)) {
    problems.push({ field: 'default-spec-id', message: `partition spec ${defaultSpec} is not in "partition-specs" (spec ids: ${specIds.join(', ')})` });
  }
  return problems;
}

/** Throws a MetadataValidationError listing every problem; returns when the metadata is sound. */
export function validateMetadata(raw: Record<string, unknown>, file: string, formatVersion: number): void {
  const shape = shapeProblems(raw);
  const problems = shape.length ? shape : pointerProblems(raw, formatVersion);
  if (problems.length) throw new MetadataValidationError(file, problems);
}
