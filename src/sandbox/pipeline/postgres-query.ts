/**
 * Reading the published marts: a Postgres query on the PGlite that `publish` wrote to, with
 * its result in the same shape as the SQL console's (typed columns, JSON-ready rows), so the
 * dashboard and the task checks can draw and judge it like any other result.
 *
 * PGlite is one database per process with no second connection: it lives inside the
 * section's pipeline worker (src/sandbox/pipeline/host.ts), so the page asks the worker to
 * run the query instead of opening the database itself. Opening the same IndexedDB store
 * from the page would give two writers over one data directory, which PGlite does not
 * support. Nothing is persisted: a reload (or a restarted worker) starts from an empty
 * Postgres, and the answer says "run publish first".
 */
import type { PostgresLike } from '../../../sandboxes/pipeline/publish/postgres.ts';
import type { JsonValue } from '../../../sandboxes/lakehouse/sql/rows.ts';

/** Same shape as the results grid's ResultColumn / ResultData (src/sandbox/ui/grid.ts). */
export interface PgColumn {
  name: string;
  /** Arrow-style type name, so the grid labels it like a DuckDB column ("Int64", "Date"...). */
  type: string;
  numeric: boolean;
  temporal: boolean;
}

export interface PgResult {
  columns: PgColumn[];
  rows: JsonValue[][];
}

/** What the worker answers; plain data, since it crosses the worker boundary. */
export type PgAnswer =
  | { ok: true; result: PgResult }
  /** `notPublished`: there is nothing in Postgres yet (no publish in this tab's worker). */
  | { ok: false; notPublished: boolean; error: string };

export const NOT_PUBLISHED_MESSAGE =
  'Nothing is published to Postgres yet: run publish first (in the pipeline terminal: publish). Postgres lives in this tab’s pipeline worker, so publish again after a reload.';

// Postgres type OIDs (pg_type) -> the Arrow-style names the grid knows.
const TYPES: Record<number, string> = {
  16: 'Bool',
  20: 'Int64',
  21: 'Int16',
  23: 'Int32',
  700: 'Float32',
  701: 'Float64',
  1700: 'Decimal',
  1082: 'Date',
  1114: 'Timestamp<MICROSECOND>',
  1184: 'Timestamp<MICROSECOND, UTC>',
  25: 'Utf8',
  1043: 'Utf8',
};

function jsonValue(v: unknown, type: string): JsonValue {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return type === 'Date' ? v.toISOString().slice(0, 10) : v.toISOString();
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (type === 'Decimal' && typeof v === 'string') return Number(v);
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return JSON.parse(JSON.stringify(v)) as JsonValue;
}

type PgFieldsResult = { rows: Record<string, unknown>[]; fields?: { name: string; dataTypeID: number }[] };

/** Runs one query on the published marts; `pg` is null when nothing was ever published. */
export async function queryPublished(pg: PostgresLike | null, sql: string): Promise<PgAnswer> {
  if (!pg) return { ok: false, notPublished: true, error: NOT_PUBLISHED_MESSAGE };
  let res: PgFieldsResult;
  try {
    res = (await pg.query(sql)) as PgFieldsResult;
  } catch (err) {
    const e = err as Error & { code?: string };
    // A missing table or schema while schema marts is empty means: not published yet.
    if (e.code === '42P01' || e.code === '3F000') {
      const marts = await pg
        .query<{ n: number }>(`select count(*)::int as n from information_schema.tables where table_schema = 'marts'`)
        .then((r) => r.rows[0]?.n ?? 0, () => 0);
      if (marts === 0) return { ok: false, notPublished: true, error: NOT_PUBLISHED_MESSAGE };
    }
    return { ok: false, notPublished: false, error: `Postgres: ${e.message}` };
  }
  const fields = res.fields ?? Object.keys(res.rows[0] ?? {}).map((name) => ({ name, dataTypeID: 25 }));
  const columns = fields.map((f) => {
    const type = TYPES[f.dataTypeID] ?? 'Utf8';
    return { name: f.name, type, numeric: /^(Int|Float|Decimal)/.test(type), temporal: /^(Date|Timestamp)/.test(type) };
  });
  const rows = res.rows.map((r) => columns.map((c) => jsonValue(r[c.name], c.type)));
  return { ok: true, result: { columns, rows } };
}
