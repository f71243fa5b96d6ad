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
  /**
   * Keep only the first rows of the result: at most `rows` rows and about `bytes` bytes.
   * Later rows are counted (see `progress`), not kept, so a result of millions of rows
   * costs the page no more memory than the cap. Without it every row is kept.
   * A cancel or time limit that comes once the cap is full ends the counting and returns the
   * rows kept (with `progress.complete` false) instead of an error.
   */
  keep?: { rows?: number; bytes?: number };
  /** Called with each record batch as it arrives, kept or not (e.g. to stream it into a file). */
  onBatch?: (batch: arrow.RecordBatch) => void | Promise<void>;
  /** Filled in while the result arrives. */
  progress?: ResultProgress;
}

/** How much of a result has arrived; `complete` once the engine said it had no more rows. */
export interface ResultProgress {
  /** Rows seen so far (kept or only counted). */
  rows: number;
  /** Rows kept in the returned table. */
  kept: number;
  complete: boolean;
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
  /**
   * Counts the times the engine lost what plain SQL had created in it (a stuck worker
   * replaced by a fresh one). Tables given to `registerArrow` come back by themselves;
   * views and schemas made with `query` do not, so whoever made them checks this number
   * and makes them again when it changed. Absent on engines that never lose anything.
   */
  readonly generation?: number;
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
  // What the sandbox turned off is named first (a query needing 'icu' says so, not "autoloading").
  const turnedOff = sandboxRefusal(rawMessage.replace(/^Error:\s*/, ''));
  if (turnedOff) return new SqlError(turnedOff, { sql });
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
  const refused = sandboxRefusal(text);
  if (refused) return new SqlError(refused, { sql });
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

/**
 * DuckDB's refusals of what the sandbox turns off (duckdb-engine.ts, CONNECTION_SETUP),
 * said in the learner's terms: what was refused, why, and what to do instead.
 */
function sandboxRefusal(text: string): string | null {
  const file = /Permission Error: Cannot access (?:file|directory) "([^"]*)"/.exec(text);
  if (file) {
    return `SQL here cannot read or write files: "${file[1]}" is outside the warehouse. The sandbox's SQL reaches only the warehouse's own tables (read_csv, read_text, read_blob, glob, COPY, ATTACH and EXPORT DATABASE are turned off). Query a table instead; SHOW ALL TABLES lists them.`;
  }
  const autoload = /required extension '([^']+)'[\s\S]*(?:extensions? (?:is|are) disabled|Permission)/i.exec(text);
  if (autoload) {
    const hint = autoload[1] === 'icu' ? ' Time zone functions are among them: use TIMESTAMP (UTC) values instead of TIMESTAMPTZ.' : '';
    return `this query needs DuckDB's '${autoload[1]}' extension, which the sandbox does not have: its SQL runs offline with DuckDB's built-in functions only.${hint}`;
  }
  if (/Permission Error: .*extensions? (?:is|are) disabled/i.test(text) || /Loading external extensions is disabled/i.test(text)) {
    return "DuckDB extensions cannot be installed or loaded here: the sandbox's SQL runs offline with DuckDB's built-in functions, and the sandbox itself reads the Iceberg tables for you. Query the tables directly (SHOW ALL TABLES lists them).";
  }
  // DuckDB's own hint here ("INSTALL json; LOAD json") cannot work offline: say what can.
  const inExtension = /(?:Function|Type|Secret type|Copy Function)[^\n]*?["']?([\w.]+)["']? (?:is not in the catalog|does not exist), but it exists in the (\w+) extension/.exec(text);
  if (inExtension) {
    return `${inExtension[1]} is part of DuckDB's '${inExtension[2]}' extension, which the sandbox does not have: its SQL runs offline with DuckDB's built-in functions only, over the warehouse's tables (SHOW ALL TABLES lists them).`;
  }
  const locked = /Cannot change configuration option "([^"]*)" - the configuration has been locked/.exec(text);
  if (locked) {
    return `DuckDB's settings are fixed in this sandbox ("${locked[1]}" cannot be changed): they keep SQL to the warehouse's own tables. Run the query without SET or RESET.`;
  }
  if (/Permission Error:/.test(text)) {
    return `${text.split('\n')[0]!.replace(/^Permission Error:\s*/, '')}: the sandbox's SQL reaches only the warehouse's own tables, not files, URLs or extensions.`;
  }
  return null;
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
