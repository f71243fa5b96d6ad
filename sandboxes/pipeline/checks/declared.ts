/**
 * Asset checks declared in the project's `checks.yml`: the sandbox's answer to writing a
 * `@phlo.quality(table=..., checks=[...], blocking=...)` decorator. Each entry is one group
 * of checks on one table; each check names a quality plugin (null_check, range_check,
 * unique_check, freshness_check, count_check, custom_sql_check, or one a plugin adds) and
 * its parameters, with Phlo's parameter names.
 *
 * The file is data, read on every run, so a learner can add a check in the editor and run it
 * at once. Mistakes are reported with the entry and the field to fix, before anything runs.
 */
import { parse as parseYaml } from 'yaml';
import type { AssetChecksDecl, CheckDecl, IngestionAssetDef } from '../orchestrate/definitions.ts';

export const CHECKS_FILE = 'checks.yml';

export class ChecksFileError extends Error {
  constructor(message: string) { super(message); this.name = 'ChecksFileError'; }
}

/** What the parser needs to know about the pipeline to fill in defaults and catch typos. */
export interface DeclaredChecksContext {
  ingestion: Pick<IngestionAssetDef, 'name' | 'table' | 'partitionColumn'>[];
  /** dbt project files (path -> text): a model is an asset when models/**\/<name>.sql exists. */
  project: Record<string, string>;
  /** Check groups declared in code; their names are taken and their partition columns are reused. */
  builtin: Pick<AssetChecksDecl, 'name' | 'table' | 'partitionColumn'>[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parse checks.yml into check groups. An absent file, or `quality: []`, declares none. */
export function parseDeclaredChecks(text: string | undefined, ctx: DeclaredChecksContext): AssetChecksDecl[] {
  if (text === undefined || text.trim() === '') return [];
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ChecksFileError(`${CHECKS_FILE} is not valid YAML: ${(err as Error).message.split('\n')[0]}. Fix it in the editor and run again.`);
  }
  if (doc == null) return [];
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ChecksFileError(`${CHECKS_FILE} must be a mapping with one key, quality: a list of check groups.`);
  const list = (doc as Record<string, unknown>).quality;
  if (list == null) return [];
  if (!Array.isArray(list)) throw new ChecksFileError(`${CHECKS_FILE}: quality must be a list (start each group with "- name: ...").`);

  const models = new Set(Object.keys(ctx.project).filter((p) => p.startsWith('models/') && p.endsWith('.sql')).map((p) => p.split('/').pop()!.replace(/\.sql$/, '')));
  const taken = new Set(ctx.builtin.map((b) => b.name));
  return list.map((raw, i) => {
    const where = `${CHECKS_FILE}, group ${i + 1}`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ChecksFileError(`${where}: each group is a mapping with name, table and checks.`);
    const g = raw as Record<string, unknown>;
    const name = g.name;
    if (typeof name !== 'string' || !NAME.test(name)) throw new ChecksFileError(`${where}: name must be a word of letters, digits and _ (got ${JSON.stringify(name ?? null)}).`);
    const at = `${CHECKS_FILE}, group "${name}"`;
    if (taken.has(name)) throw new ChecksFileError(`${at}: the name is already used by another check group; pick another.`);
    taken.add(name);

    const table = g.table;
    if (typeof table !== 'string' || !/^[A-Za-z_]\w*\.[A-Za-z_]\w*$/.test(table)) throw new ChecksFileError(`${at}: table must be namespace.table, e.g. raw.glucose_entries or silver.fct_glucose_readings.`);
    const ingestion = ctx.ingestion.find((a) => a.table === table);
    const asset = typeof g.asset === 'string' ? g.asset : ingestion?.name ?? table.split('.')[1];
    if (!ctx.ingestion.some((a) => a.name === asset) && !models.has(asset)) {
      throw new ChecksFileError(`${at}: "${asset}" is not an asset of this pipeline, so the checks would never run. Set asset: to one of ${[...ctx.ingestion.map((a) => a.name), ...models].join(', ')}.`);
    }
    const partitionColumn = typeof g.partition_column === 'string' ? g.partition_column
      : ingestion?.partitionColumn ?? ctx.builtin.find((b) => b.table === table)?.partitionColumn ?? null;
    if (g.blocking !== undefined && typeof g.blocking !== 'boolean') throw new ChecksFileError(`${at}: blocking is true or false.`);

    if (!Array.isArray(g.checks) || g.checks.length === 0) throw new ChecksFileError(`${at}: checks must be a list with at least one check, e.g. "- null_check: { columns: [sgv] }".`);
    const checks: CheckDecl[] = g.checks.map((c, j) => {
      const cw = `${at}, check ${j + 1}`;
      if (!c || typeof c !== 'object' || Array.isArray(c) || Object.keys(c).length !== 1) {
        throw new ChecksFileError(`${cw}: write each check as one kind with its parameters, e.g. "- range_check: { column: sgv, min_value: 20, max_value: 600 }".`);
      }
      const [plugin, p] = Object.entries(c as Record<string, unknown>)[0]!;
      if (p != null && (typeof p !== 'object' || Array.isArray(p))) throw new ChecksFileError(`${cw}: the parameters of ${plugin} must be a mapping.`);
      const params = { ...((p ?? {}) as Record<string, unknown>) };
      if (params.severity !== undefined) {
        const s = String(params.severity).toUpperCase();
        if (s !== 'ERROR' && s !== 'WARN') throw new ChecksFileError(`${cw}: severity is ERROR or WARN (got ${JSON.stringify(params.severity)}).`);
        params.severity = s;
      }
      if (plugin === 'custom_sql_check' && (typeof params.name_ !== 'string' || typeof params.sql !== 'string')) {
        throw new ChecksFileError(`${cw}: custom_sql_check needs name_ (the check's name) and sql (a query over data that returns the failing rows).`);
      }
      return { plugin, params };
    });
    return {
      name, asset, table, partitionColumn,
      blocking: g.blocking === undefined ? true : g.blocking,
      description: typeof g.description === 'string' ? g.description : `Declared in ${CHECKS_FILE}.`,
      checks,
    };
  });
}
