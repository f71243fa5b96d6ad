/**
 * A data catalog of the glucose lakehouse, in the spirit of OpenMetadata: one entity per
 * table (namespace.table on a reference), with its columns and Iceberg types, row count
 * and snapshots read from the warehouse, and its description, owner and tags read from
 * the dbt project's YAML (`meta: { owner, tags }`), plus lineage at table and column level.
 *
 * OpenMetadata builds the same picture from two ingestions: the Trino connector (schemas,
 * tables, columns, types) and the dbt artifacts (descriptions, owners, tags, lineage). Here
 * the warehouse plays Trino and the project files play dbt's manifest.
 */
import { parse as parseYaml } from 'yaml';
import type { Project } from '../transform/project.ts';
import type { Definitions } from '../orchestrate/definitions.ts';
import type { Schema, Snapshot, IcebergType } from '../../lakehouse/iceberg/types.ts';
import { deriveColumns, renderForLineage } from './column-lineage.ts';

/** The slice of the lakehouse library's Warehouse the catalog reads (the page and Node both have one). */
export interface WarehouseView {
  tables(ref?: string): Promise<string[]>;
  table(name: string, ref: string): Promise<{ schema(): Schema; currentSnapshot(): Snapshot | null; snapshots(): Snapshot[]; metadata: { 'format-version': number; location: string } }>;
}

export interface CatalogColumn {
  name: string;
  /** Iceberg type ("long", "string", "timestamp" ...); null for a view, which stores nothing. */
  type: string | null;
  description: string;
  /** dbt tests declared on the column, e.g. "not_null", "between 20..600". */
  tests: string[];
  /** Upstream columns this one is computed from, as "namespace.table.column". */
  from: string[];
}

export interface CatalogTable {
  /** "silver.fct_glucose_readings": OpenMetadata would say trino.iceberg.silver.fct_glucose_readings. */
  fqn: string;
  namespace: string;
  name: string;
  /** ingestion table, dbt table, or dbt view (not stored). */
  kind: 'ingestion' | 'table' | 'view';
  /** The Dagster asset that writes it. */
  asset: string;
  /** Project file that describes it (the model's SQL, or the sources YAML). */
  file: string;
  description: string;
  owner: string | null;
  /** Classification tags (OpenMetadata style: Tier.Silver, PII.None, ...). */
  tags: string[];
  /** dbt tags from the folder and the model's config. */
  dbtTags: string[];
  materialized: string;
  columns: CatalogColumn[];
  /** From the current Iceberg snapshot's summary; null for a view or a table not on the ref. */
  rowCount: number | null;
  snapshots: number;
  lastCommitMs: number | null;
  formatVersion: number | null;
  location: string | null;
  /** Tables this one reads / tables that read it (fqn). */
  upstream: string[];
  downstream: string[];
  /** Asset checks (group.check) and dbt tests on the table. */
  checks: string[];
  /** Where publishing copies it, e.g. "postgres marts.mrt_glucose_overview". */
  publishedTo: string | null;
}

export interface DataCatalog {
  ref: string;
  tables: CatalogTable[];
  table(fqn: string): CatalogTable;
}

export class CatalogError extends Error {
  constructor(message: string) { super(message); this.name = 'CatalogError'; }
}

export interface CatalogInput {
  warehouse: WarehouseView;
  ref: string;
  /** The project files (learner's edits applied): models, their YAML, contracts. */
  files: Record<string, string>;
  project: Project;
  definitions: Pick<Definitions, 'ingestion' | 'checks' | 'publish' | 'sourceAssets'>;
}

interface Meta { description: string; owner: string | null; tags: string[]; columns: Map<string, string> }

/** description, meta.owner, meta.tags and column descriptions from every YAML under models/. */
function readMeta(files: Record<string, string>): { models: Map<string, Meta>; sources: Map<string, Meta> } {
  const models = new Map<string, Meta>();
  const sources = new Map<string, Meta>();
  const metaOf = (node: Record<string, unknown>): Meta => {
    const meta = (node.meta ?? (node.config as Record<string, unknown> | undefined)?.meta ?? {}) as Record<string, unknown>;
    const tags = meta.tags;
    return {
      description: String(node.description ?? '').trim(),
      owner: meta.owner == null ? null : String(meta.owner),
      tags: Array.isArray(tags) ? tags.map(String) : typeof tags === 'string' ? [tags] : [],
      columns: new Map(((node.columns as Record<string, unknown>[] | undefined) ?? []).map((c) => [String(c.name), String(c.description ?? '').trim()])),
    };
  };
  for (const [path, text] of Object.entries(files)) {
    if (!path.startsWith('models/') || !/\.ya?ml$/.test(path)) continue;
    let doc: Record<string, unknown>;
    try {
      doc = (parseYaml(text) ?? {}) as Record<string, unknown>;
    } catch (e) {
      throw new CatalogError(`${path} is not valid YAML (${(e as Error).message.split('\n')[0]}); fix it and the catalog reads it again.`);
    }
    for (const m of (doc.models as Record<string, unknown>[] | undefined) ?? []) models.set(String(m.name), metaOf(m));
    for (const s of (doc.sources as Record<string, unknown>[] | undefined) ?? []) {
      const schema = String(s.schema ?? s.name);
      for (const t of (s.tables as Record<string, unknown>[] | undefined) ?? []) sources.set(`${schema}.${t.name}`, metaOf(t));
    }
  }
  return { models, sources };
}

const typeName = (t: IcebergType): string => (typeof t === 'string' ? t : t.type);

function testLabel(kind: string, params: Record<string, unknown>): string {
  if (kind === 'between') return `between ${params.min_value}..${params.max_value}`;
  if (kind === 'accepted_values') return `accepted_values (${(params.values as unknown[] | undefined)?.length ?? 0})`;
  if (kind === 'of_type') return `of_type ${params.column_type}`;
  if (kind === 'relationships') return `relationships ${String(params.to ?? '').replace(/^ref\('(.*)'\)$/, '$1')}.${params.field}`;
  return kind;
}

/** Build the catalog of every table on `ref` plus the project's views. */
export async function buildCatalog(input: CatalogInput): Promise<DataCatalog> {
  const { warehouse, ref, project, definitions } = input;
  const meta = readMeta(input.files);
  const stored = new Set(await warehouse.tables(ref));
  const relation = (model: string) => {
    const m = project.models.get(model)!;
    return `${m.config.schema}.${m.name}`;
  };
  const tables = new Map<string, CatalogTable>();

  const storedFacts = async (fqn: string) => {
    if (!stored.has(fqn)) return { columns: null, rowCount: null, snapshots: 0, lastCommitMs: null, formatVersion: null, location: null };
    const t = await warehouse.table(fqn, ref);
    const snap = t.currentSnapshot();
    return {
      columns: t.schema().fields.map((f) => ({ name: f.name, type: typeName(f.type) })),
      rowCount: snap ? Number(snap.summary?.['total-records'] ?? 0) : 0,
      snapshots: t.snapshots().length,
      lastCommitMs: snap ? Number(snap['timestamp-ms']) : null,
      formatVersion: t.metadata['format-version'],
      location: t.metadata.location,
    };
  };

  // Ingestion tables (dbt sources): columns and types come only from the warehouse.
  for (const a of definitions.ingestion) {
    const facts = await storedFacts(a.table);
    const m = meta.sources.get(a.table);
    const [namespace, name] = a.table.split('.') as [string, string];
    tables.set(a.table, {
      fqn: a.table, namespace, name, kind: 'ingestion', asset: a.name, file: 'models/sources/sources.yml',
      description: m?.description || a.description, owner: m?.owner ?? null, tags: m?.tags ?? [], dbtTags: [],
      materialized: `ingestion (${a.mergeStrategy} on ${a.uniqueKey.join(', ')})`,
      columns: (facts.columns ?? []).map((c) => ({ ...c, description: m?.columns.get(c.name) ?? '', tests: [], from: [] })),
      rowCount: facts.rowCount, snapshots: facts.snapshots, lastCommitMs: facts.lastCommitMs, formatVersion: facts.formatVersion, location: facts.location,
      upstream: [], downstream: [], checks: [], publishedTo: null,
    });
  }

  // dbt models, in dependency order so a model's upstream columns are known when it is read.
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (n: string) => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const r of project.models.get(n)!.refs) visit(r);
    order.push(n);
  };
  for (const n of [...project.models.keys()].sort()) visit(n);

  for (const name of order) {
    const model = project.models.get(name)!;
    const fqn = relation(name);
    const upstream = [
      ...model.sources.map((s) => project.sources.get(`${s.source}.${s.table}`)!.relation),
      ...model.refs.map(relation),
    ];
    // Upstream column name -> "table.column" (the first upstream that has it).
    const upstreamColumns = new Map<string, string>();
    for (const u of upstream) for (const c of tables.get(u)?.columns ?? []) if (!upstreamColumns.has(c.name.toLowerCase())) upstreamColumns.set(c.name.toLowerCase(), `${u}.${c.name}`);
    let derived: ReturnType<typeof deriveColumns> = [];
    try {
      derived = deriveColumns(renderForLineage(name, model.file, model.raw));
    } catch {
      // A model whose template does not render is reported by the pipeline itself; the catalog still lists it.
    }
    const facts = model.config.materialized === 'view' ? null : await storedFacts(fqn);
    const m = meta.models.get(name);
    const derivedByName = new Map(derived.map((d) => [d.name.toLowerCase(), d]));
    const names = facts?.columns ?? derived.map((d) => ({ name: d.name, type: null as string | null }));
    const tests = project.tests.filter((t) => t.model === name);
    tables.set(fqn, {
      fqn, namespace: model.config.schema, name, kind: model.config.materialized === 'view' ? 'view' : 'table', asset: name, file: model.file,
      description: m?.description || model.description, owner: m?.owner ?? null, tags: m?.tags ?? [], dbtTags: model.config.tags,
      materialized: model.config.materialized,
      columns: names.map((c) => ({
        name: c.name, type: c.type,
        description: m?.columns.get(c.name) ?? '',
        tests: tests.filter((t) => t.column === c.name).map((t) => testLabel(t.kind, t.params as Record<string, unknown>)),
        from: (derivedByName.get(c.name.toLowerCase())?.mentions ?? []).flatMap((x) => upstreamColumns.get(x) ?? []),
      })),
      rowCount: facts?.rowCount ?? null, snapshots: facts?.snapshots ?? 0, lastCommitMs: facts?.lastCommitMs ?? null,
      formatVersion: facts?.formatVersion ?? null, location: facts?.location ?? null,
      upstream, downstream: [],
      checks: tests.map((t) => `dbt test ${t.id}`),
      publishedTo: null,
    });
  }

  for (const t of tables.values()) for (const u of t.upstream) tables.get(u)?.downstream.push(t.fqn);
  for (const c of definitions.checks) tables.get(c.table)?.checks.unshift(...c.checks.map((d) => `${c.name}.${d.plugin}${checkColumns(d.params).length ? `(${checkColumns(d.params).join(', ')})` : ''}`));
  for (const p of definitions.publish) for (const d of p.deps) {
    const t = tables.get(relation(d));
    if (t) t.publishedTo = `postgres ${p.schema}.${d} (${p.name})`;
  }

  const list = [...tables.values()];
  return {
    ref,
    tables: list,
    table(fqn: string) {
      const t = tables.get(fqn) ?? list.find((x) => x.name === fqn);
      if (!t) throw new CatalogError(`No table "${fqn}" in the catalog on ${ref}. Tables: ${list.map((x) => x.fqn).join(', ')}.`);
      return t;
    },
  };
}

/** The columns an asset check's parameters name (for impact analysis). */
export function checkColumns(params: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const k of ['column', 'timestamp_column']) if (typeof params[k] === 'string') out.push(params[k] as string);
  if (Array.isArray(params.columns)) out.push(...params.columns.map(String));
  return out;
}

export interface SearchHit { fqn: string; column?: string; matched: 'name' | 'description' | 'tag' | 'owner' | 'column'; text: string }

/** Search table names, descriptions, owners, tags and columns (case-insensitive substring), tables first. */
export function searchCatalog(catalog: DataCatalog, term: string): SearchHit[] {
  const q = term.trim().toLowerCase();
  if (!q) return [];
  const hits: SearchHit[] = [];
  const has = (s: string | null | undefined) => !!s && s.toLowerCase().includes(q);
  for (const t of catalog.tables) {
    if (has(t.fqn)) hits.push({ fqn: t.fqn, matched: 'name', text: t.description });
    else if (has(t.description)) hits.push({ fqn: t.fqn, matched: 'description', text: t.description });
    else if (t.tags.some(has) || t.dbtTags.some(has)) hits.push({ fqn: t.fqn, matched: 'tag', text: [...t.tags, ...t.dbtTags].join(', ') });
    else if (has(t.owner)) hits.push({ fqn: t.fqn, matched: 'owner', text: `owner ${t.owner}` });
  }
  for (const t of catalog.tables) {
    for (const c of t.columns) if (has(c.name) || has(c.description)) hits.push({ fqn: t.fqn, column: c.name, matched: 'column', text: `${c.type ?? 'view column'}${c.description ? ` · ${c.description}` : ''}` });
  }
  return hits;
}

export interface Lineage { upstream: string[]; downstream: string[]; edges: { from: string; to: string }[] }

/** Every table upstream and downstream of one (transitively), with the edges between them. */
export function tableLineage(catalog: DataCatalog, fqn: string): Lineage {
  const start = catalog.table(fqn).fqn;
  const walk = (dir: 'upstream' | 'downstream') => {
    const out: string[] = [];
    const queue = [start];
    while (queue.length) {
      for (const n of catalog.table(queue.shift()!)[dir]) if (!out.includes(n)) { out.push(n); queue.push(n); }
    }
    return out;
  };
  const upstream = walk('upstream');
  const downstream = walk('downstream');
  const inGraph = new Set([start, ...upstream, ...downstream]);
  const edges = catalog.tables.filter((t) => inGraph.has(t.fqn)).flatMap((t) => t.upstream.filter((u) => inGraph.has(u)).map((u) => ({ from: u, to: t.fqn })));
  return { upstream, downstream, edges };
}
