/**
 * Data contracts: a YAML promise from a table's producer to its consumers (columns and
 * types, constraints, SLAs, who reads it), shaped like Phlo's
 * examples/glucose-platform/contracts/glucose_readings.yaml, and checked against the
 * table as it is on a reference.
 *
 * Two kinds of rules. Schema rules compare the contract's columns with the table's
 * current Iceberg schema and classify each difference the way a schema change is
 * reviewed: a column the contract does not know is an addition (SAFE); a contract column
 * that is gone, or whose type changed to one the contract does not accept, is BREAKING.
 * Quality rules run SQL over the data: not null, unique, min/max, valid values, and the
 * share of rows that pass them all against `sla.quality_threshold`.
 *
 * Phlo's contract names no table (and its column `reading_id` exists in none); ours adds
 * `table:` so the check knows what to read.
 */
import { parse as parseYaml } from 'yaml';
import type { DataCatalog } from './catalog.ts';

export type ContractType = 'string' | 'integer' | 'long' | 'double' | 'timestamp' | 'date' | 'boolean';

/** Iceberg types each contract type accepts (int -> long is a safe promotion, so integer takes both). */
const ACCEPTS: Record<ContractType, string[]> = {
  string: ['string'],
  integer: ['int', 'long'],
  long: ['long'],
  double: ['double', 'float'],
  timestamp: ['timestamp', 'timestamptz'],
  date: ['date'],
  boolean: ['boolean'],
};

export interface ContractColumn {
  name: string;
  type: ContractType;
  required: boolean;
  description: string;
  constraints: { unique?: boolean; nullable?: boolean; min?: number; max?: number; valid_values?: (string | number)[] };
}

export interface DataContract {
  name: string;
  version: string;
  owner: string;
  description: string;
  table: string;
  file: string;
  columns: ContractColumn[];
  sla: { freshness_hours?: number; quality_threshold?: number; availability_percentage?: number; max_stale_records_percentage?: number };
  consumers: { name: string; usage: string; contact: string }[];
  notifications: { channels: { type: string; channel: string }[]; on_events: string[] };
}

export class ContractError extends Error {
  constructor(message: string) { super(message); this.name = 'ContractError'; }
}

const CONTRACT_DIR = 'contracts/';

/** Parse one contract file; every problem names the file and the field. */
export function parseContract(file: string, text: string): DataContract {
  let doc: Record<string, unknown>;
  try {
    doc = (parseYaml(text) ?? {}) as Record<string, unknown>;
  } catch (e) {
    throw new ContractError(`${file} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const need = (k: string) => {
    if (doc[k] == null || doc[k] === '') throw new ContractError(`${file}: the contract needs "${k}:".`);
    return String(doc[k]);
  };
  const schema = (doc.schema ?? {}) as Record<string, unknown>;
  const list = [...((schema.required_columns as unknown[]) ?? []), ...((schema.optional_columns as unknown[]) ?? [])] as Record<string, unknown>[];
  if (!list.length) throw new ContractError(`${file}: schema.required_columns lists no columns.`);
  const columns = list.map((c, i): ContractColumn => {
    const type = String(c.type ?? '') as ContractType;
    if (!c.name) throw new ContractError(`${file}: column ${i + 1} of the schema has no name.`);
    if (!(type in ACCEPTS)) throw new ContractError(`${file}: column ${c.name} has type "${c.type}"; use one of ${Object.keys(ACCEPTS).join(', ')}.`);
    return {
      name: String(c.name), type, required: c.required !== false, description: String(c.description ?? ''),
      constraints: (c.constraints ?? {}) as ContractColumn['constraints'],
    };
  });
  const notes = (doc.notifications ?? {}) as Record<string, unknown>;
  return {
    name: need('name'), version: need('version'), owner: need('owner'), description: String(doc.description ?? ''), table: need('table'), file,
    columns,
    sla: (doc.sla ?? {}) as DataContract['sla'],
    consumers: ((doc.consumers as Record<string, unknown>[] | undefined) ?? []).map((c) => ({ name: String(c.name), usage: String(c.usage ?? ''), contact: String(c.contact ?? '') })),
    notifications: {
      channels: ((notes.channels as Record<string, unknown>[] | undefined) ?? []).map((c) => ({ type: String(c.type), channel: String(c.channel) })),
      on_events: ((notes.on_events as unknown[] | undefined) ?? []).map(String),
    },
  };
}

/** Every contracts/*.yaml in the project files. */
export function loadContracts(files: Record<string, string>): DataContract[] {
  return Object.entries(files)
    .filter(([p]) => p.startsWith(CONTRACT_DIR) && /\.ya?ml$/.test(p))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([p, t]) => parseContract(p, t));
}

export function contractByName(files: Record<string, string>, name: string): DataContract {
  const all = loadContracts(files);
  const c = all.find((x) => x.name === name);
  if (!c) throw new ContractError(`No contract named "${name}". Contracts: ${all.map((x) => x.name).join(', ') || '(none: add contracts/<name>.yaml)'}.`);
  return c;
}

/** PASS/FAIL for measured rules; SAFE/BREAKING classify a schema difference; INFO is not measured here. */
export type Level = 'PASS' | 'SAFE' | 'INFO' | 'BREAKING' | 'FAIL';

export interface Finding {
  /** The rule, named the way the contract names it: "schema.required_columns.glucose_mg_dl.type". */
  rule: string;
  level: Level;
  message: string;
}

export interface ContractReport {
  contract: string;
  version: string;
  table: string;
  ref: string;
  /** "fail" when any finding is BREAKING or FAIL. */
  status: 'pass' | 'fail';
  schema: Finding[];
  quality: Finding[];
  sla: Finding[];
  /** Table columns the contract does not name (schema additions). */
  added: string[];
  /** The findings that make it fail. */
  broken: Finding[];
  /** Who to tell: the contract's consumers and channels. */
  notify: string[];
}

/** Runs SQL on a ref and returns plain rows. */
export type SqlRunner = (sql: string, ref: string) => Promise<Record<string, unknown>[]>;

const q = (id: string) => `"${id.replace(/"/g, '""')}"`;
const lit = (v: string | number) => (typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`);

/** Check a contract against its table on `ref`: schema (from the catalog) and quality (SQL). */
export async function checkContract(contract: DataContract, catalog: DataCatalog, sql: SqlRunner): Promise<ContractReport> {
  const ref = catalog.ref;
  const schema: Finding[] = [];
  const quality: Finding[] = [];
  const sla: Finding[] = [];
  const table = catalog.tables.find((t) => t.fqn === contract.table);
  const base = 'schema.required_columns';
  const added: string[] = [];
  if (!table || table.rowCount === null) {
    schema.push({ rule: 'table', level: 'BREAKING', message: `${contract.table} does not exist on ${ref}: every consumer of the contract breaks.` });
  } else {
    const have = new Map(table.columns.map((c) => [c.name, c.type ?? '']));
    for (const c of contract.columns) {
      const t = have.get(c.name);
      const rule = `${base}.${c.name}`;
      if (t === undefined) schema.push({ rule, level: 'BREAKING', message: `column ${c.name} (${c.type}) was removed or renamed: consumers that read it fail.` });
      else if (!ACCEPTS[c.type].includes(t)) schema.push({ rule: `${rule}.type`, level: 'BREAKING', message: `column ${c.name} is ${t} in the table; the contract promises ${c.type} (accepts ${ACCEPTS[c.type].join(' or ')}).` });
      else schema.push({ rule: `${rule}.type`, level: 'PASS', message: `${c.name}: ${t} matches ${c.type}.` });
    }
    const known = new Set(contract.columns.map((c) => c.name));
    added.push(...table.columns.filter((c) => !known.has(c.name)).map((c) => c.name));
    if (added.length) schema.push({ rule: 'schema.additional_columns', level: 'SAFE', message: `${added.length} column(s) the contract does not name (${added.join(', ')}): additions, no consumer reads them through the contract.` });

    // Quality: only columns that exist with an accepted type can be measured.
    const measurable = contract.columns.filter((c) => ACCEPTS[c.type].includes(have.get(c.name) ?? '-'));
    const conds: { rule: string; bad: string; what: string }[] = [];
    for (const c of measurable) {
      const k = c.constraints;
      const r = `${base}.${c.name}.constraints`;
      if (k.nullable === false) conds.push({ rule: `${r}.nullable`, bad: `${q(c.name)} is null`, what: `${c.name} is null` });
      if (k.min !== undefined) conds.push({ rule: `${r}.min`, bad: `${q(c.name)} < ${k.min}`, what: `${c.name} below ${k.min}` });
      if (k.max !== undefined) conds.push({ rule: `${r}.max`, bad: `${q(c.name)} > ${k.max}`, what: `${c.name} above ${k.max}` });
      if (k.valid_values?.length) conds.push({ rule: `${r}.valid_values`, bad: `${q(c.name)} is not null and ${q(c.name)} not in (${k.valid_values.map(lit).join(', ')})`, what: `${c.name} outside its ${k.valid_values.length} valid values` });
    }
    const uniques = measurable.filter((c) => c.constraints.unique);
    const from = contract.table;
    const select = [
      'count(*) as total',
      ...conds.map((c, i) => `count(*) filter (where ${c.bad}) as c${i}`),
      `count(*) filter (where ${conds.length ? conds.map((c) => `(${c.bad})`).join(' or ') : 'false'}) as any_bad`,
      ...uniques.map((c, i) => `count(*) - count(distinct ${q(c.name)}) as u${i}`),
    ];
    const row = (await sql(`select ${select.join(', ')} from ${from}`, ref))[0] ?? {};
    const total = Number(row.total ?? 0);
    conds.forEach((c, i) => {
      const n = Number(row[`c${i}`] ?? 0);
      quality.push({ rule: c.rule, level: n === 0 ? 'PASS' : 'FAIL', message: n === 0 ? `no row has ${c.what}.` : `${n} of ${total} rows have ${c.what}.` });
    });
    uniques.forEach((c, i) => {
      const n = Number(row[`u${i}`] ?? 0);
      quality.push({ rule: `${base}.${c.name}.constraints.unique`, level: n === 0 ? 'PASS' : 'FAIL', message: n === 0 ? `${c.name} is unique over ${total} rows.` : `${n} duplicate ${c.name} values.` });
    });
    const threshold = contract.sla.quality_threshold;
    if (threshold !== undefined) {
      const share = total ? (total - Number(row.any_bad ?? 0)) / total : 1;
      sla.push({
        rule: 'sla.quality_threshold', level: share >= threshold ? 'PASS' : 'FAIL',
        message: `${(100 * share).toFixed(2)} % of ${total} rows pass every constraint (at least ${(100 * threshold).toFixed(0)} % promised).`,
      });
    }
    if (contract.sla.freshness_hours !== undefined) {
      sla.push({
        rule: 'sla.freshness_hours', level: 'INFO',
        message: `promised within ${contract.sla.freshness_hours} h of a reading; measured by the scheduler's freshness check at run time, not from a static warehouse.`,
      });
    }
  }
  const broken = [...schema, ...quality, ...sla].filter((f) => f.level === 'BREAKING' || f.level === 'FAIL');
  return {
    contract: contract.name, version: contract.version, table: contract.table, ref,
    status: broken.length ? 'fail' : 'pass',
    schema, quality, sla, broken, added,
    notify: broken.length ? [...contract.consumers.map((c) => `${c.name} <${c.contact}>`), ...contract.notifications.channels.map((c) => `${c.type} ${c.channel}`)] : [],
  };
}
