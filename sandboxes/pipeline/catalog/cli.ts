/**
 * The terminal side of the catalog: `catalog tables|search|describe|lineage|impact` and
 * `contract list|show|check`. Phlo's CLI at the pinned commit has `phlo catalog tables|
 * describe|history` and `phlo contract list|show|validate|check`; search, lineage and
 * impact are what OpenMetadata's UI (and `phlo lineage impact`) answer.
 */
import type { Pipeline } from '../orchestrate/pipeline.ts';
import type { Lakehouse } from '../lakehouse/port.ts';
import { arrowToRows } from '../util/arrow.ts';
import { buildCatalog, searchCatalog, tableLineage, CatalogError, type DataCatalog, type WarehouseView } from './catalog.ts';
import { impactOf } from './impact.ts';
import { loadContracts, contractByName, checkContract, type ContractReport, type Finding } from './contract.ts';

export interface CatalogIo { out(line: string): void; err(line: string): void }

export function openCatalog(pipeline: Pipeline, lake: Lakehouse, ref: string): Promise<DataCatalog> {
  const warehouse = (lake as unknown as { warehouse?: WarehouseView }).warehouse;
  if (!warehouse) throw new CatalogError('This lakehouse does not expose its Iceberg tables, so the catalog cannot read their schemas.');
  return buildCatalog({ warehouse, ref, files: pipeline.definitions.project, project: pipeline.project, definitions: pipeline.definitions });
}

const when = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' '));

export function describeLines(catalog: DataCatalog, fqn: string): string[] {
  const t = catalog.table(fqn);
  const out = [
    `${t.fqn}  (${t.kind === 'view' ? 'dbt view: not stored' : t.kind === 'ingestion' ? 'ingestion table' : `dbt ${t.materialized}`}, asset ${t.asset}, ref ${catalog.ref})`,
    `  description  ${t.description || '(none)'}`,
    `  owner        ${t.owner ?? '(no owner: add meta.owner to the model YAML)'}`,
    `  tags         ${[...t.tags, ...t.dbtTags.map((x) => `dbt:${x}`)].join(', ') || '(none)'}`,
  ];
  if (t.rowCount !== null) out.push(`  rows         ${t.rowCount} in the current snapshot; ${t.snapshots} snapshot(s), last commit ${when(t.lastCommitMs)}Z; format v${t.formatVersion}`);
  out.push(`  upstream     ${t.upstream.join(', ') || '(none)'}`, `  downstream   ${t.downstream.join(', ') || '(none)'}`);
  if (t.publishedTo) out.push(`  published    ${t.publishedTo}`);
  out.push(`  columns (${t.columns.length}):`);
  for (const c of t.columns) {
    out.push(`    ${c.name.padEnd(28)} ${(c.type ?? '-').padEnd(10)} ${c.description}`.trimEnd());
    if (c.from.length) out.push(`    ${''.padEnd(28)} from ${c.from.join(', ')}`);
  }
  if (t.checks.length) out.push(`  checks: ${t.checks.join('; ')}`);
  return out;
}

export function reportLines(r: ContractReport): string[] {
  const line = (f: Finding) => `  ${f.level.padEnd(8)} ${f.rule}: ${f.message}`;
  const out = [`Contract ${r.contract} v${r.version} on ${r.table} (ref ${r.ref}): ${r.status === 'pass' ? 'PASS' : 'FAIL'}`];
  out.push(' schema', ...r.schema.map(line));
  if (r.quality.length) out.push(' quality', ...r.quality.map(line));
  if (r.sla.length) out.push(' sla', ...r.sla.map(line));
  if (r.broken.length) out.push(`Broken: ${r.broken.map((f) => f.rule).join(', ')}. Tell: ${r.notify.join(', ')}.`);
  return out;
}

const CATALOG_USAGE = 'catalog takes: tables | search TERM | describe TABLE | lineage TABLE | impact TABLE.COLUMN   (each with [--ref REF])';
const CONTRACT_USAGE = 'contract takes: list | show NAME | check NAME [--ref REF]';

export async function catalogCommand(rest: string[], ref: string, pipeline: Pipeline, lake: Lakehouse, io: CatalogIo): Promise<number> {
  const [sub, arg] = rest;
  if (!sub) { io.err(CATALOG_USAGE); return 2; }
  const catalog = await openCatalog(pipeline, lake, ref);
  switch (sub) {
    case 'tables':
      for (const t of catalog.tables) io.out(`${t.fqn.padEnd(36)} ${t.kind.padEnd(9)} ${String(t.rowCount ?? '-').padStart(6)} rows  owner ${(t.owner ?? '-').padEnd(18)} ${t.tags.join(', ')}`);
      return 0;
    case 'search': {
      const term = rest.slice(1).join(' ');
      if (!term) { io.err('catalog search needs a term, e.g. catalog search glucose'); return 2; }
      const hits = searchCatalog(catalog, term);
      if (!hits.length) io.out(`Nothing matches "${term}".`);
      for (const h of hits) io.out(`${h.matched.padEnd(11)} ${h.column ? `${h.fqn}.${h.column}` : h.fqn}${h.text ? `  ${h.text}` : ''}`);
      return 0;
    }
    case 'describe':
      if (!arg) { io.err('catalog describe needs a table, e.g. catalog describe silver.fct_glucose_readings'); return 2; }
      describeLines(catalog, arg).forEach((l) => io.out(l));
      return 0;
    case 'lineage': {
      if (!arg) { io.err('catalog lineage needs a table, e.g. catalog lineage silver.fct_glucose_readings'); return 2; }
      const l = tableLineage(catalog, arg);
      io.out(`upstream of ${catalog.table(arg).fqn}: ${l.upstream.join(', ') || '(none)'}`);
      io.out(`downstream: ${l.downstream.join(', ') || '(none)'}`);
      for (const e of l.edges) io.out(`  ${e.from} -> ${e.to}`);
      return 0;
    }
    case 'impact': {
      if (!arg) { io.err('catalog impact needs TABLE.COLUMN, e.g. catalog impact silver.fct_glucose_readings.glucose_mg_dl'); return 2; }
      const r = impactOf(catalog, arg, { definitions: pipeline.definitions, contracts: loadContracts(pipeline.definitions.project) });
      io.out(`Changing ${r.column} affects ${r.models.length} downstream model(s): ${r.models.join(', ') || '(none)'}`);
      for (const c of r.columns) io.out(`  ${c.table}: ${c.columns.join(', ')}`);
      if (r.unaffectedDownstream.length) io.out(`Downstream but not reading the column: ${r.unaffectedDownstream.join(', ')}`);
      io.out(`Checks and tests on affected columns (${r.checks.length}):`);
      for (const c of r.checks) io.out(`  ${c}`);
      for (const c of r.contracts) io.out(`Contract ${c.name} names ${c.column}`);
      for (const p of r.published) io.out(`Published: ${p}`);
      return 0;
    }
  }
  io.err(CATALOG_USAGE);
  return 2;
}

export async function contractCommand(rest: string[], ref: string, pipeline: Pipeline, lake: Lakehouse, io: CatalogIo): Promise<number> {
  const [sub, name] = rest;
  const files = pipeline.definitions.project;
  if (sub === 'list') {
    const all = loadContracts(files);
    if (!all.length) io.out('No contracts: add contracts/<name>.yaml to the project.');
    for (const c of all) io.out(`${c.name.padEnd(20)} v${c.version.padEnd(7)} ${c.table.padEnd(32)} owner ${c.owner}  (${c.file})`);
    return 0;
  }
  if ((sub === 'show' || sub === 'check') && name) {
    const c = contractByName(files, name);
    if (sub === 'show') {
      io.out(`${c.name} v${c.version} on ${c.table}, owner ${c.owner}: ${c.description}`);
      for (const col of c.columns) io.out(`  ${col.required ? 'required' : 'optional'} ${col.name.padEnd(20)} ${col.type.padEnd(10)} ${JSON.stringify(col.constraints)}`);
      io.out(`  sla ${JSON.stringify(c.sla)}`);
      io.out(`  consumers ${c.consumers.map((x) => x.name).join(', ')}; notify ${c.notifications.channels.map((x) => x.channel).join(', ')} on ${c.notifications.on_events.join(', ')}`);
      return 0;
    }
    const catalog = await openCatalog(pipeline, lake, ref);
    const report = await checkContract(c, catalog, async (sql, r) => arrowToRows(await lake.query(sql, r)));
    reportLines(report).forEach((l) => (report.status === 'pass' ? io.out(l) : io.out(l)));
    return report.status === 'pass' ? 0 : 1;
  }
  io.err(CONTRACT_USAGE);
  return 2;
}
