/**
 * Table schemas declared in TypeScript (the ideas of Pandera's DataFrameModel): each column
 * has a type, nullability and an optional rule, and a zod validator is derived from the
 * declaration so one source of truth gives the Arrow/Iceberg column types and the row checks.
 */
import { z } from 'zod';

export type ColumnType = 'string' | 'int64' | 'int32' | 'float64' | 'timestamp' | 'date' | 'bool';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  nullable: boolean;
  unique: boolean;
  doc: string;
  /** Plain-words rule, shown when a value breaks it: "between 1 and 1000". */
  rule: string | null;
  validator: z.ZodType;
}

export interface TableSchema {
  name: string;
  columns: ColumnSpec[];
  /** strict: columns not declared here are refused (Pandera strict=True). */
  strict: boolean;
}

interface ColumnOptions {
  nullable?: boolean;
  unique?: boolean;
  doc?: string;
  min?: number;
  max?: number;
  oneOf?: readonly (string | number)[];
}

function build(name: string, type: ColumnType, o: ColumnOptions): ColumnSpec {
  let base: z.ZodType;
  const rules: string[] = [];
  if (type === 'string') {
    let s = z.string();
    if (o.oneOf) rules.push(`one of ${o.oneOf.join(', ')}`);
    base = o.oneOf ? z.enum(o.oneOf.map(String) as [string, ...string[]]) : s;
  } else if (type === 'bool') {
    base = z.boolean();
  } else {
    let n = type === 'float64' ? z.number() : z.number().int();
    if (o.min !== undefined) n = n.min(o.min);
    if (o.max !== undefined) n = n.max(o.max);
    if (o.min !== undefined && o.max !== undefined) rules.push(`a value between ${o.min} and ${o.max}`);
    else if (o.min !== undefined) rules.push(`a value of at least ${o.min}`);
    else if (o.max !== undefined) rules.push(`a value of at most ${o.max}`);
    base = n;
    if (o.oneOf) {
      const allowed = new Set(o.oneOf);
      base = n.refine((v) => allowed.has(v));
      rules.push(`one of ${o.oneOf.join(', ')}`);
    }
  }
  const nullable = o.nullable ?? true;
  return {
    name,
    type,
    nullable,
    unique: o.unique ?? false,
    doc: o.doc ?? '',
    rule: rules.length ? rules.join(' and ') : null,
    validator: nullable ? base.nullable() : base,
  };
}

/** Column constructors: `col.int64({ min: 1, max: 1000, nullable: false })`. */
export const col = {
  string: (o: ColumnOptions = {}) => (name: string) => build(name, 'string', o),
  int64: (o: ColumnOptions = {}) => (name: string) => build(name, 'int64', o),
  int32: (o: ColumnOptions = {}) => (name: string) => build(name, 'int32', o),
  float64: (o: ColumnOptions = {}) => (name: string) => build(name, 'float64', o),
  timestamp: (o: ColumnOptions = {}) => (name: string) => build(name, 'timestamp', o),
  date: (o: ColumnOptions = {}) => (name: string) => build(name, 'date', o),
  bool: (o: ColumnOptions = {}) => (name: string) => build(name, 'bool', o),
};

export function defineSchema(
  name: string,
  columns: Record<string, (name: string) => ColumnSpec>,
  options: { strict?: boolean } = {},
): TableSchema {
  return {
    name,
    strict: options.strict ?? false,
    columns: Object.entries(columns).map(([k, make]) => make(k)),
  };
}

export function columnNames(schema: TableSchema): string[] {
  return schema.columns.map((c) => c.name);
}
