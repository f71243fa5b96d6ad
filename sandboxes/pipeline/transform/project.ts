/**
 * A dbt-like project read from a map of file path -> text, so the same project loads from
 * disk in Node (load-dir.ts) and from bundled or edited files in the browser.
 */
import { parse as parseYaml } from 'yaml';
import { render, type TemplateValue } from './template.ts';

export type Materialization = 'view' | 'table' | 'incremental';

export interface SchemaTest {
  /** dbt-style id: "unique_fct_glucose_readings_entry_id". */
  id: string;
  kind: 'not_null' | 'unique' | 'accepted_values' | 'relationships' | 'between' | 'of_type' | 'singular';
  model: string;
  column: string | null;
  params: Record<string, TemplateValue>;
  severity: 'error' | 'warn';
  /** For singular tests: the SQL file's text. */
  sql?: string;
  file: string;
}

export interface ModelNode {
  name: string;
  file: string;
  /** models/<folder>/... first folder: bronze, silver, gold, marts_postgres. */
  folder: string;
  raw: string;
  config: { materialized: Materialization; schema: string; uniqueKey: string[] | null; tags: string[] };
  refs: string[];
  sources: { source: string; table: string }[];
  description: string;
  columns: { name: string; description: string }[];
}

export interface SourceTable { source: string; table: string; schema: string; relation: string }

export interface Project {
  name: string;
  models: Map<string, ModelNode>;
  sources: Map<string, SourceTable>;
  tests: SchemaTest[];
}

export class ProjectError extends Error {
  constructor(message: string) { super(message); this.name = 'ProjectError'; }
}

type FolderConfig = { materialized?: Materialization; schema?: string; tags?: string[] };

function folderConfigs(project: Record<string, unknown>, name: string): Map<string, FolderConfig> {
  const out = new Map<string, FolderConfig>();
  const models = (project.models as Record<string, unknown> | undefined)?.[name] as Record<string, unknown> | undefined;
  const read = (node: Record<string, unknown>): FolderConfig => ({
    materialized: node['+materialized'] as Materialization | undefined,
    schema: node['+schema'] as string | undefined,
    tags: node['+tags'] as string[] | undefined,
  });
  if (!models) return out;
  out.set('', read(models));
  for (const [k, v] of Object.entries(models)) {
    if (!k.startsWith('+') && v && typeof v === 'object') out.set(k, read(v as Record<string, unknown>));
  }
  return out;
}

function testEntries(list: unknown): { kind: string; params: Record<string, TemplateValue> }[] {
  if (!Array.isArray(list)) return [];
  return list.map((t) => {
    if (typeof t === 'string') return { kind: t, params: {} };
    const [kind, params] = Object.entries(t as Record<string, unknown>)[0];
    return { kind, params: (params ?? {}) as Record<string, TemplateValue> };
  });
}

const KIND_ALIASES: Record<string, SchemaTest['kind']> = {
  not_null: 'not_null',
  unique: 'unique',
  accepted_values: 'accepted_values',
  relationships: 'relationships',
  'dbt_expectations.expect_column_values_to_be_between': 'between',
  expect_column_values_to_be_between: 'between',
  'dbt_utils.accepted_range': 'between',
  'dbt_expectations.expect_column_values_to_be_of_type': 'of_type',
  expect_column_values_to_be_of_type: 'of_type',
};

/** Collect refs/sources/config by rendering the model once with recording callbacks. */
function scanModel(name: string, file: string, raw: string) {
  const refs: string[] = [];
  const sources: { source: string; table: string }[] = [];
  let config: Record<string, TemplateValue> = {};
  const ctx = {
    ref: (m: string) => { if (!refs.includes(m)) refs.push(m); return m; },
    source: (s: string, t: string) => { if (!sources.some((x) => x.source === s && x.table === t)) sources.push({ source: s, table: t }); return `${s}.${t}`; },
    config: (c: Record<string, TemplateValue>) => { config = { ...config, ...c }; },
    var: (_n: string, d?: TemplateValue) => d ?? '',
    // Scan both branches: a ref inside `{% if is_incremental() %}` is still a dependency.
    isIncremental: () => true,
    this: () => name,
  };
  render(raw, ctx, file);
  render(raw, { ...ctx, isIncremental: () => false }, file);
  return { refs, sources, config };
}

export function loadProject(files: Record<string, string>): Project {
  const projectFile = files['dbt_project.yml'];
  if (!projectFile) throw new ProjectError('The project has no dbt_project.yml at its root: add one with at least "name:".');
  const projectYaml = (parseYaml(projectFile) ?? {}) as Record<string, unknown>;
  const name = String(projectYaml.name ?? 'project');
  const folders = folderConfigs(projectYaml, name);
  const models = new Map<string, ModelNode>();
  const sources = new Map<string, SourceTable>();
  const tests: SchemaTest[] = [];

  for (const [path, text] of Object.entries(files).sort()) {
    if (!path.startsWith('models/') || !path.endsWith('.sql')) continue;
    const modelName = path.split('/').pop()!.replace(/\.sql$/, '');
    if (models.has(modelName)) throw new ProjectError(`Two models are named "${modelName}" (${models.get(modelName)!.file} and ${path}); model names must be unique.`);
    const folder = path.split('/').length > 2 ? path.split('/')[1] : '';
    const scanned = scanModel(modelName, path, text);
    const base = folders.get('') ?? {};
    const fc = folders.get(folder) ?? {};
    const c = scanned.config;
    const uk = c.unique_key;
    models.set(modelName, {
      name: modelName,
      file: path,
      folder,
      raw: text,
      config: {
        materialized: (c.materialized as Materialization) ?? fc.materialized ?? base.materialized ?? 'table',
        schema: (c.schema as string) ?? fc.schema ?? base.schema ?? 'main',
        uniqueKey: uk == null ? null : Array.isArray(uk) ? uk.map(String) : [String(uk)],
        tags: [...new Set([...(base.tags ?? []), ...(fc.tags ?? []), ...((c.tags as string[]) ?? [])])],
      },
      refs: scanned.refs,
      sources: scanned.sources,
      description: '',
      columns: [],
    });
  }

  for (const [path, text] of Object.entries(files).sort()) {
    if (!path.startsWith('models/') || !/\.ya?ml$/.test(path)) continue;
    const doc = (parseYaml(text) ?? {}) as Record<string, unknown>;
    for (const s of (doc.sources as Record<string, unknown>[] | undefined) ?? []) {
      const sName = String(s.name);
      for (const t of (s.tables as Record<string, unknown>[] | undefined) ?? []) {
        const schema = String(s.schema ?? sName);
        sources.set(`${sName}.${t.name}`, { source: sName, table: String(t.name), schema, relation: `${schema}.${t.name}` });
      }
    }
    for (const m of (doc.models as Record<string, unknown>[] | undefined) ?? []) {
      const model = models.get(String(m.name));
      if (!model) throw new ProjectError(`${path} describes a model "${m.name}" but there is no models/**/${m.name}.sql.`);
      model.description = String(m.description ?? '');
      for (const c of (m.columns as Record<string, unknown>[] | undefined) ?? []) {
        const column = String(c.name);
        model.columns.push({ name: column, description: String(c.description ?? '') });
        for (const t of testEntries(c.tests ?? c.data_tests)) {
          const kind = KIND_ALIASES[t.kind];
          if (!kind) throw new ProjectError(`${path}: test "${t.kind}" on ${model.name}.${column} is not known here. Use not_null, unique, accepted_values, relationships, dbt_expectations.expect_column_values_to_be_between or dbt_expectations.expect_column_values_to_be_of_type, or write a SQL test in tests/.`);
          const cfg = (t.params.config ?? {}) as Record<string, TemplateValue>;
          tests.push({
            id: `${t.kind.split('.').pop()}_${model.name}_${column}`,
            kind, model: model.name, column, params: t.params,
            severity: cfg.severity === 'warn' ? 'warn' : 'error', file: path,
          });
        }
      }
    }
  }

  for (const [path, text] of Object.entries(files).sort()) {
    if (!path.startsWith('tests/') || !path.endsWith('.sql')) continue;
    const id = path.split('/').pop()!.replace(/\.sql$/, '');
    const scanned = scanModel(id, path, text);
    tests.push({
      id, kind: 'singular', model: scanned.refs[scanned.refs.length - 1] ?? '', column: null, params: {},
      severity: scanned.config.severity === 'warn' ? 'warn' : 'error', sql: text, file: path,
    });
  }

  for (const m of models.values()) {
    for (const r of m.refs) if (!models.has(r)) throw new ProjectError(`${m.file}: ref('${r}') names no model. Models: ${[...models.keys()].join(', ')}.`);
    for (const s of m.sources) if (!sources.has(`${s.source}.${s.table}`)) throw new ProjectError(`${m.file}: source('${s.source}', '${s.table}') is not declared in any sources .yml file.`);
  }
  return { name, models, sources, tests };
}
