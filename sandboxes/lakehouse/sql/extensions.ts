/**
 * DuckDB's own hints send a learner to `INSTALL iceberg` / `LOAD httpfs`. In the browser the
 * download is blocked (the page's Content-Security-Policy, and the sandbox works offline), so
 * DuckDB answers with a raw XHR/CSP error. We answer in words instead: extensions are not
 * available here, and the sandbox already does what the learner wanted from them.
 */

/** An INSTALL/LOAD statement, or DuckDB failing to fetch or find an extension. */
const STATEMENT = /^\s*(?:force\s+)?(install|load)\s+["'`]?([a-z0-9_]+)/i;
const FAILED_FETCH = /extension|\.duckdb_extension/i;
const FETCH_WORDS = /content security policy|xmlhttprequest|networkerror|failed to (?:download|fetch)|could not (?:download|fetch)|not found.*extension|extension.*not (?:found|available|loaded)|httpfs|autoload/i;

/** What each extension a learner might reach for was for, and what to use instead here. */
const INSTEAD: Record<string, string> = {
  iceberg: 'Every table here already is an Iceberg table: query it by name (raw.glucose_entries), on a branch or snapshot with raw."glucose_entries@dev" or raw."glucose_entries@<snapshot id>", and its metadata with raw."glucose_entries$snapshots" (also $history, $files, $manifests, $refs).',
  httpfs: 'The warehouse is already in this browser; nothing is read over the network.',
  parquet: 'Parquet is built in: the Iceberg tables are read from their Parquet files already.',
  json: 'JSON functions are built in.',
};

/**
 * For a query that installs or loads an extension (any of its statements): the answer, given
 * before DuckDB runs it. DuckDB-WASM may even report success for INSTALL and fail later on a
 * blocked download; either way nothing can be installed here.
 */
export function extensionStatement(sql: string): string | null {
  for (const statement of sql.split(';')) {
    const stripped = statement.replace(/--[^\n]*/g, '').trim();
    if (STATEMENT.test(stripped)) return extensionProblem('', stripped);
  }
  return null;
}

/** The explanation for a failed query that was about an extension, or null when it was not. */
export function extensionProblem(rawMessage: string, sql: string): string | null {
  const stmt = STATEMENT.exec(sql);
  const mentionsExtension = FAILED_FETCH.test(rawMessage) && FETCH_WORDS.test(rawMessage);
  if (!stmt && !mentionsExtension) return null;
  const name = (stmt?.[2] ?? /extension\s+["'`]?([a-z0-9_]+)/i.exec(rawMessage)?.[1] ?? '').toLowerCase();
  const what = name ? `the DuckDB extension "${name}"` : 'DuckDB extensions';
  const instead = INSTEAD[name] ?? INSTEAD.iceberg!;
  return `${what[0]!.toUpperCase()}${what.slice(1)} cannot be installed or loaded in this sandbox: it works offline and downloads nothing. You do not need it here. ${instead}`;
}
