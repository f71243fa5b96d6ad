/**
 * What the Part 10 tasks ask of the catalog, in one place for the browser (exercises.ts)
 * and the Node section test: open the catalog over a warehouse and project files, answer
 * a question the way the catalog would, and judge a contract check.
 */
import { loadProject } from '../transform/project.ts';
import { glucoseDefinitions, type Definitions } from '../orchestrate/definitions.ts';
import { buildCatalog, type DataCatalog, type WarehouseView } from './catalog.ts';
import { impactOf } from './impact.ts';
import { loadContracts, contractByName, checkContract, type DataContract, type ContractReport, type SqlRunner } from './contract.ts';

export interface ProjectCatalog {
  catalog: DataCatalog;
  contracts: DataContract[];
  definitions: Definitions;
  files: Record<string, string>;
  sql: SqlRunner;
}

/** The catalog of `ref` for a project (the learner's edits already applied to `files`). */
export async function openProjectCatalog(o: { warehouse: WarehouseView; ref: string; files: Record<string, string>; sql: SqlRunner }): Promise<ProjectCatalog> {
  const project = loadProject(o.files);
  const definitions = glucoseDefinitions({ project: o.files });
  const catalog = await buildCatalog({ warehouse: o.warehouse, ref: o.ref, files: o.files, project, definitions });
  return { catalog, contracts: loadContracts(o.files), definitions, files: o.files, sql: o.sql };
}

export type CatalogQuestion = 'owner' | 'impacted-models';

/** The catalog's own answer: a table's owner, or how many downstream models a column change affects. */
export function catalogAnswer(pc: ProjectCatalog, question: CatalogQuestion, target: string): string {
  if (question === 'owner') return pc.catalog.table(target).owner ?? '';
  return String(impactOf(pc.catalog, target, { definitions: pc.definitions, contracts: pc.contracts }).models.length);
}

/** Typed answers compare without case, surrounding spaces or quotes. */
export function sameAnswer(given: string | null | undefined, expected: string): boolean {
  const norm = (s: string) => s.trim().replace(/^["'`]|["'`]$/g, '').trim().toLowerCase();
  return !!given && norm(given) !== '' && norm(given) === norm(expected);
}

export function runContract(pc: ProjectCatalog, name: string): Promise<ContractReport> {
  return checkContract(contractByName(pc.files, name), pc.catalog, pc.sql);
}

/** A contract task: the check must end in `status`; optionally a named rule must be broken, or a column must be an addition. */
export function judgeContract(r: ContractReport, want: { status: 'pass' | 'fail'; brokenRule?: string; added?: string }): { passed: boolean; detail: string } {
  const broken = r.broken.map((f) => f.rule);
  const now = r.status === 'pass' ? `contract ${r.contract} passes on ${r.ref}` : `contract ${r.contract} fails on ${r.ref}: ${broken.join(', ')}`;
  if (r.status !== want.status) return { passed: false, detail: now };
  if (want.brokenRule && !broken.some((b) => b.includes(want.brokenRule!))) return { passed: false, detail: `${now}, but not at ${want.brokenRule}` };
  if (want.added && !r.added.includes(want.added)) return { passed: false, detail: `${now}; ${r.table} has no column ${want.added} yet` };
  return { passed: true, detail: now };
}
