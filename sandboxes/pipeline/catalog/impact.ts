/**
 * Impact analysis: "if I change column X of table T, what is affected?" Follows the
 * column-level lineage downstream (a column is affected when it is computed from an
 * affected column), then lists the models that hold affected columns, the dbt tests and
 * asset checks that read them, the contracts that name them and the published marts.
 * Tables downstream of T that do not read the column are listed apart: a rename there is
 * harmless, a change of the table's grain is not.
 */
import { CatalogError, checkColumns, type DataCatalog } from './catalog.ts';
import type { Definitions } from '../orchestrate/definitions.ts';
import type { DataContract } from './contract.ts';

export interface ImpactReport {
  /** "silver.fct_glucose_readings.glucose_mg_dl" */
  column: string;
  /** Affected columns per downstream table, in lineage order. */
  columns: { table: string; columns: string[] }[];
  /** dbt models (downstream of T) with at least one affected column. */
  models: string[];
  /** Downstream tables that do not read the column. */
  unaffectedDownstream: string[];
  /** dbt tests and asset checks on affected columns (including the column itself). */
  checks: string[];
  contracts: { name: string; column: string }[];
  published: string[];
}

/** Split "namespace.table.column" (the table part may be just the table name). */
export function parseColumnRef(catalog: DataCatalog, text: string): { table: string; column: string } {
  const at = text.lastIndexOf('.');
  if (at < 0) throw new CatalogError(`"${text}" is not TABLE.COLUMN; for example silver.fct_glucose_readings.glucose_mg_dl.`);
  const table = catalog.table(text.slice(0, at)).fqn;
  const column = text.slice(at + 1);
  if (!catalog.table(table).columns.some((c) => c.name === column)) {
    throw new CatalogError(`${table} has no column "${column}". Its columns: ${catalog.table(table).columns.map((c) => c.name).join(', ')}.`);
  }
  return { table, column };
}

export function impactOf(
  catalog: DataCatalog,
  target: string,
  extras: { definitions?: Pick<Definitions, 'checks'>; contracts?: DataContract[] } = {},
): ImpactReport {
  const { table, column } = parseColumnRef(catalog, target);
  const affected = new Set([`${table}.${column}`]);
  // Tables come in dependency order, so one pass over them follows the lineage.
  for (const t of catalog.tables) {
    for (const c of t.columns) if (c.from.some((f) => affected.has(f))) affected.add(`${t.fqn}.${c.name}`);
  }
  const columns: ImpactReport['columns'] = [];
  const unaffected: string[] = [];
  const downstream = new Set<string>();
  const queue = [table];
  while (queue.length) for (const d of catalog.table(queue.shift()!).downstream) if (!downstream.has(d)) { downstream.add(d); queue.push(d); }
  for (const t of catalog.tables) {
    if (!downstream.has(t.fqn)) continue;
    const cols = t.columns.filter((c) => affected.has(`${t.fqn}.${c.name}`)).map((c) => c.name);
    if (cols.length) columns.push({ table: t.fqn, columns: cols });
    else unaffected.push(t.fqn);
  }
  const isAffected = (tbl: string, col: string) => affected.has(`${tbl}.${col}`);
  const checks: string[] = [];
  for (const t of catalog.tables) {
    for (const c of t.columns) if (isAffected(t.fqn, c.name)) for (const test of c.tests) checks.push(`dbt test ${test} on ${t.name}.${c.name}`);
  }
  for (const group of extras.definitions?.checks ?? []) {
    for (const d of group.checks) {
      const cols = checkColumns(d.params);
      const sql = typeof d.params.sql === 'string' ? d.params.sql : '';
      const hit = cols.filter((c) => isAffected(group.table, c));
      const sqlHit = catalog.tables.find((t) => t.fqn === group.table)?.columns.filter((c) => isAffected(group.table, c.name) && new RegExp(`\\b${c.name}\\b`).test(sql)) ?? [];
      if (hit.length || sqlHit.length) checks.push(`asset check ${group.name}.${String(d.params.name_ ?? d.plugin)} on ${group.table} (${[...new Set([...hit, ...sqlHit.map((c) => c.name)])].join(', ')})`);
    }
  }
  const contracts = (extras.contracts ?? []).flatMap((k) => k.columns.filter((c) => isAffected(k.table, c.name)).map((c) => ({ name: k.name, column: `${k.table}.${c.name}` })));
  const published = columns.flatMap((c) => (catalog.table(c.table).publishedTo ? [catalog.table(c.table).publishedTo!] : []));
  return { column: `${table}.${column}`, columns, models: columns.map((c) => catalog.table(c.table).name), unaffectedDownstream: unaffected, checks, contracts, published };
}
