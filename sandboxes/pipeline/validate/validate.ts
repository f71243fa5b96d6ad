/**
 * Row validation against a TableSchema. Every failure names the row, its key, the column,
 * the value and the rule it broke, in words a learner can act on. Validation is lazy (all
 * failures are collected, like Pandera's lazy=True) so one run shows every problem.
 */
import type { TableSchema } from './schema.ts';

export interface ValidationFailure {
  /** 0-based position in the batch. */
  row: number;
  /** The row's key value when the schema has a unique column, for finding it in the source. */
  key: string | null;
  column: string;
  value: unknown;
  rule: string;
  message: string;
}

export interface ValidationReport {
  schema: string;
  rowsChecked: number;
  passed: boolean;
  failures: ValidationFailure[];
  /** e.g. { "sgv: between 1 and 1000": 3 } */
  summary: Record<string, number>;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'empty (null)';
  if (typeof value === 'string') return `"${value}"`;
  return String(value);
}

function typeWord(t: string): string {
  return ({ string: 'text', int64: 'a whole number', int32: 'a whole number', float64: 'a number', timestamp: 'a timestamp', date: 'a date', bool: 'true or false' } as Record<string, string>)[t] ?? t;
}

export function validateRows(schema: TableSchema, rows: Record<string, unknown>[]): ValidationReport {
  const failures: ValidationFailure[] = [];
  const keyCol = schema.columns.find((c) => c.unique)?.name ?? null;
  const declared = new Set(schema.columns.map((c) => c.name));
  const seen = new Map<string, Map<unknown, number>>();
  for (const c of schema.columns) if (c.unique) seen.set(c.name, new Map());

  rows.forEach((row, i) => {
    const key = keyCol && row[keyCol] != null ? String(row[keyCol]) : null;
    const where = key ? `row ${i} (${keyCol} ${key})` : `row ${i}`;
    for (const c of schema.columns) {
      const value = row[c.name] ?? null;
      if (value === null) {
        if (!c.nullable) {
          failures.push({ row: i, key, column: c.name, value, rule: 'not null', message: `${where}: ${c.name} is empty, but ${schema.name} requires a value` });
        }
        continue;
      }
      const ok = c.validator.safeParse(value).success;
      if (!ok) {
        const rule = c.rule ?? `must be ${typeWord(c.type)}`;
        const typeOk = c.type === 'string' ? typeof value === 'string' : c.type === 'bool' ? typeof value === 'boolean'
          : c.type === 'float64' ? typeof value === 'number' : typeof value === 'number' && Number.isInteger(value);
        const text = typeOk
          ? `${where}: ${c.name} is ${show(value)}, but ${schema.name} requires ${rule}`
          : `${where}: ${c.name} is ${show(value)}, but it must be ${typeWord(c.type)}`;
        failures.push({ row: i, key, column: c.name, value, rule: typeOk ? rule : `type ${c.type}`, message: text });
      }
      if (c.unique) {
        const m = seen.get(c.name)!;
        const first = m.get(value);
        if (first !== undefined) {
          failures.push({ row: i, key, column: c.name, value, rule: 'unique', message: `${where}: ${c.name} ${show(value)} already appears in row ${first}; ${c.name} must be unique` });
        } else m.set(value, i);
      }
    }
    if (schema.strict) {
      for (const k of Object.keys(row)) {
        if (!declared.has(k)) {
          failures.push({ row: i, key, column: k, value: row[k], rule: 'declared column', message: `${where}: column ${k} is not part of ${schema.name} (the schema is strict)` });
        }
      }
    }
  });
  const summary: Record<string, number> = {};
  for (const f of failures) summary[`${f.column}: ${f.rule}`] = (summary[`${f.column}: ${f.rule}`] ?? 0) + 1;
  return { schema: schema.name, rowsChecked: rows.length, passed: failures.length === 0, failures, summary };
}

/** One paragraph for a terminal or the UI: the counts per rule and the first few rows. */
export function describeReport(report: ValidationReport, limit = 5): string {
  if (report.passed) return `${report.schema}: all ${report.rowsChecked} rows passed.`;
  const rules = Object.entries(report.summary).map(([r, n]) => `${n} × ${r}`).join('; ');
  const lines = report.failures.slice(0, limit).map((f) => `  - ${f.message}`);
  const more = report.failures.length > limit ? `\n  ... and ${report.failures.length - limit} more` : '';
  return `${report.schema}: ${report.failures.length} problem(s) in ${report.rowsChecked} rows (${rules}).\n${lines.join('\n')}${more}`;
}
