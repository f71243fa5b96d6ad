/**
 * Publishing (Phlo's publish_marts_to_postgres): copy the mart tables from main into a real
 * PostgreSQL — PGlite, Postgres compiled to WASM — under schema `marts`, replacing each
 * table as Phlo's DROP + CREATE TABLE AS does. Column types follow the Arrow types, so the
 * numbers in Postgres are the numbers in the gold tables.
 */
import * as arrow from 'apache-arrow';
import type { Lakehouse } from '../lakehouse/port.ts';
import { arrowToRows } from '../util/arrow.ts';

/** The part of PGlite (or any Postgres client) publishing needs. */
export interface PostgresLike {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  exec(sql: string): Promise<unknown>;
}

export interface PublishedTable { table: string; rows: number; columns: string[] }

function pgType(t: arrow.DataType): string {
  if (arrow.DataType.isInt(t)) return (t as arrow.Int).bitWidth === 64 ? 'bigint' : 'integer';
  if (arrow.DataType.isFloat(t)) return 'double precision';
  if (arrow.DataType.isDecimal(t)) return 'double precision';
  if (arrow.DataType.isBool(t)) return 'boolean';
  if (arrow.DataType.isDate(t)) return 'date';
  if (arrow.DataType.isTimestamp(t)) return 'timestamp';
  return 'text';
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

function pgValue(v: unknown, type: string): unknown {
  if (v === null || v === undefined) return null;
  if (type === 'date') return new Date(Number(v)).toISOString().slice(0, 10);
  if (type === 'timestamp') return new Date(Number(v)).toISOString().replace('T', ' ').replace('Z', '');
  if (typeof v === 'bigint') return v.toString();
  return v;
}

export async function publishTables(lake: Lakehouse, ref: string, pg: PostgresLike, schema: string, tables: string[]): Promise<PublishedTable[]> {
  await pg.exec(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`);
  const out: PublishedTable[] = [];
  for (const table of tables) {
    const name = table.split('.').pop()!;
    const data = await lake.query(`select * from ${table}`, ref);
    const cols = data.schema.fields.map((f) => ({ name: f.name, type: pgType(f.type) }));
    const target = `${ident(schema)}.${ident(name)}`;
    // One transaction per table: readers never see a half-copied mart.
    await pg.exec(`BEGIN; DROP TABLE IF EXISTS ${target}; CREATE TABLE ${target} (${cols.map((c) => `${ident(c.name)} ${c.type}`).join(', ')});`);
    try {
      const rows = arrowToRows(data);
      const per = Math.max(1, Math.floor(30000 / Math.max(1, cols.length)));
      for (let i = 0; i < rows.length; i += per) {
        const chunk = rows.slice(i, i + per);
        const params: unknown[] = [];
        const tuples = chunk.map((r) => `(${cols.map((c) => { params.push(pgValue(r[c.name], c.type)); return `$${params.length}`; }).join(', ')})`);
        await pg.query(`INSERT INTO ${target} (${cols.map((c) => ident(c.name)).join(', ')}) VALUES ${tuples.join(', ')}`, params);
      }
      await pg.exec('COMMIT');
    } catch (err) {
      await pg.exec('ROLLBACK');
      throw new Error(`Publishing ${table} to Postgres ${schema}.${name} failed: ${(err as Error).message}. Postgres still holds the previous copy.`);
    }
    out.push({ table: `${schema}.${name}`, rows: data.numRows, columns: cols.map((c) => c.name) });
  }
  return out;
}

/** Open PGlite: in memory, or persisted in a directory (Node) / IndexedDB (`idb://name`, browser). */
export async function openPostgres(dataDir?: string): Promise<PostgresLike & { close(): Promise<void> }> {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = dataDir ? new PGlite(dataDir) : new PGlite();
  await db.waitReady;
  return db as unknown as PostgresLike & { close(): Promise<void> };
}
