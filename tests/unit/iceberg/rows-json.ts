/**
 * The reader's in-memory rows in the documented output form (sql/value-forms.ts), so a test
 * can compare them with what `scan --format json` or another reader printed.
 */
import type * as arrow from 'apache-arrow';
import type { Schema } from '../../../sandboxes/lakehouse/iceberg/types.ts';
import { arrowToRows } from '../../../sandboxes/lakehouse/iceberg/schema.ts';
import { jsonOfValue, type JsonValue } from '../../../sandboxes/lakehouse/sql/value-forms.ts';
import { tableToRows } from '../../../sandboxes/lakehouse/sql/rows.ts';

export function documentedRows(t: arrow.Table, schema: Schema): Record<string, JsonValue>[] {
  const internal = arrowToRows(t, schema);
  // Nested columns have no single primitive form: they take rows.ts's Arrow rule, as the CLI does.
  const nested = tableToRows(t);
  return internal.map((row, r) => Object.fromEntries(schema.fields.map((f) => [f.name, typeof f.type === 'string' ? jsonOfValue(f.type, row[f.name] ?? null) : nested[r]![f.name] ?? null])));
}

/** Rows in a canonical order (their JSON text), for comparing readers that order files differently. */
export function canonical(rows: Record<string, unknown>[]): string[] {
  return rows.map((r) => JSON.stringify(Object.keys(r).sort().map((k) => [k, r[k]]))).sort();
}
