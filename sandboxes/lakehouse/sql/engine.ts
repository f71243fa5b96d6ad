/**
 * The SQL seam of the lakehouse. Everything above this file speaks Arrow in and Arrow out;
 * the engine behind it is DuckDB-WASM (one factory for Node, one for the browser).
 * DuckDB never reads Parquet here (see DESIGN.md): data arrives already decoded as Arrow.
 */
import { extensionProblem } from './extensions.ts';
import type * as arrow from 'apache-arrow';

export interface QueryOptions {
  /** Abort the query; the promise then rejects with a SqlError of kind 'cancelled'. */
  signal?: AbortSignal;
  /** Per-query time limit in milliseconds (overrides the engine's default). */
  timeLimitMs?: number;
}

export interface SqlEngine {
  /** Run one or more statements; the result of the last is returned as Arrow. */
  query(sql: string, options?: QueryOptions): Promise<arrow.Table>;
  /**
   * Make Arrow data queryable as a table. `name` may be qualified (`glucose.raw_entries`);
   * the schema is created when missing. An existing table of that name is replaced.
   */
  registerArrow(name: string, data: arrow.Table | Uint8Array): Promise<void>;
  /** Drop a table registered earlier; dropping an absent table is not an error. */
  dropTable(name: string): Promise<void>;
  close(): Promise<void>;
}

export type SqlErrorKind = 'query' | 'cancelled' | 'timeout' | 'engine';

/**
 * A failed query with DuckDB's own message and, when DuckDB reported it, where in the SQL
 * text the problem is: `position` is a 0-based character offset into the query, `line` and
 * `column` are 1-based.
 */
export class SqlError extends Error {
  readonly kind: SqlErrorKind;
  readonly position?: number;
  readonly line?: number;
  readonly column?: number;
  readonly sql?: string;
  constructor(message: string, details: { kind?: SqlErrorKind; position?: number; line?: number; column?: number; sql?: string } = {}) {
    super(message);
    this.name = 'SqlError';
    this.kind = details.kind ?? 'query';
    if (details.position !== undefined) this.position = details.position;
    if (details.line !== undefined) this.line = details.line;
    if (details.column !== undefined) this.column = details.column;
    if (details.sql !== undefined) this.sql = details.sql;
  }
}

/**
 * Turn DuckDB's error text into a SqlError. DuckDB appends an excerpt of the offending line
 * ("LINE 2: from x where nope > 1") and a caret line under it; long lines are shortened with
 * "..." so the caret column is relative to the excerpt, which we locate in the real line.
 */
export function parseDuckDbError(rawMessage: string, sql: string): SqlError {
  // INSTALL iceberg (DuckDB's own hint) fails on a blocked download: say why, and what instead.
  const extension = extensionProblem(rawMessage, sql);
  if (extension) return new SqlError(extension, { sql });
  let text = rawMessage.replace(/^Error:\s*/, '');
  // Parser errors arrive as JSON with DuckDB's own character position.
  if (text.startsWith('{')) {
    try {
      const info = JSON.parse(text) as { exception_type?: string; exception_message?: string; position?: string };
      if (info.exception_message) {
        text = `${info.exception_type ?? 'SQL'} Error: ${info.exception_message}`;
        if (info.position !== undefined && /^\d+$/.test(info.position)) {
          const position = Number(info.position);
          const before = sql.slice(0, position).split('\n');
          const message = text.split('\n\nLINE ')[0]!.trim();
          return new SqlError(message, { position, line: before.length, column: before[before.length - 1]!.length + 1, sql });
        }
      }
    } catch {
      // not JSON after all: keep the text as it is
    }
  }
  const lines = text.split('\n');
  const at = lines.findIndex((l) => /^LINE \d+: /.test(l));
  if (at < 0) return new SqlError(text.trim(), { sql });
  const message = lines.slice(0, at).join('\n').trim();
  const m = /^LINE (\d+): (.*)$/.exec(lines[at]!)!;
  const lineNo = Number(m[1]);
  const prefix = `LINE ${m[1]}: `.length;
  const caret = (lines[at + 1] ?? '').indexOf('^');
  const sqlLines = sql.split('\n');
  const source = sqlLines[lineNo - 1];
  if (caret < 0 || source === undefined) return new SqlError(message, { line: lineNo, sql });
  let excerpt = m[2]!;
  let offsetInExcerpt = caret - prefix;
  if (excerpt.startsWith('...')) {
    excerpt = excerpt.slice(3);
    offsetInExcerpt -= 3;
  }
  if (excerpt.endsWith('...')) excerpt = excerpt.slice(0, -3);
  const found = source.indexOf(excerpt);
  const columnIndex = Math.max(0, (found >= 0 ? found : 0) + offsetInExcerpt);
  let position = columnIndex;
  for (let i = 0; i < lineNo - 1; i++) position += sqlLines[i]!.length + 1;
  return new SqlError(message, { line: lineNo, column: columnIndex + 1, position, sql });
}

/** Quote an identifier for DuckDB ("a""b"). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `glucose.raw_entries` -> `"glucose"."raw_entries"`; a bare name stays in `main`. */
export function qualifiedName(name: string): { schema: string; table: string; sql: string } {
  const dot = name.lastIndexOf('.');
  const schema = dot > 0 ? name.slice(0, dot) : 'main';
  const table = dot > 0 ? name.slice(dot + 1) : name;
  return { schema, table, sql: `${quoteIdent(schema)}.${quoteIdent(table)}` };
}
