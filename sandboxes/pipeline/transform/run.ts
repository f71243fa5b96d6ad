/**
 * `dbt build` in miniature: for each selected model in dependency order, compile, run the
 * query, write the result as an Iceberg table (replace for `table`, merge on unique_key for
 * `incremental`), then run the model's tests. A model whose error-severity test fails stops
 * everything downstream of it, as dbt skips the children of a failed node.
 */
import type { Lakehouse } from '../lakehouse/port.ts';
import type { Project } from './project.ts';
import { compileModel, compileTest, relationOf } from './compile.ts';
import { select, children } from './dag.ts';
import { arrowToRows } from '../util/arrow.ts';
import type { TemplateValue } from './template.ts';

export interface TestResult {
  id: string;
  model: string;
  column: string | null;
  kind: string;
  severity: 'error' | 'warn';
  status: 'pass' | 'fail' | 'error';
  failures: number;
  /** A few failing rows, for the log. */
  sample: Record<string, unknown>[];
  message: string;
  sql: string;
}

export interface ModelResult {
  model: string;
  relation: string;
  materialized: string;
  status: 'success' | 'error' | 'skipped';
  rows: number;
  inserted: number;
  updated: number;
  snapshotId: string | null;
  ms: number;
  sql: string;
  message: string;
  tests: TestResult[];
}

export interface BuildOptions {
  ref: string;
  select?: string | string[];
  vars?: Record<string, TemplateValue>;
  fullRefresh?: boolean;
  runTests?: boolean;
  now?: () => number;
  onModel?: (r: ModelResult) => void;
}

export async function runTests(lake: Lakehouse, project: Project, ref: string, model: string, vars: Record<string, TemplateValue>, existing: Set<string>): Promise<TestResult[]> {
  const tests = project.tests.filter((x) => x.model === model);
  if (tests.length === 0) return [];
  const compiled: (string | Error)[] = tests.map((t) => {
    try { return compileTest(project, t, { vars, existing }); } catch (err) { return err as Error; }
  });
  // Count every test's failing rows in one query; only failing tests are queried again for samples.
  const counts = new Map<number, number>();
  const runnable = compiled.map((c, i) => [c, i] as const).filter(([c]) => typeof c === 'string');
  if (runnable.length) {
    try {
      const union = runnable.map(([sql, i]) => `select ${i} as i, count(*) as n from (${sql}) as failing_${i}`).join('\nunion all\n');
      for (const r of arrowToRows(await lake.query(union, ref))) counts.set(Number(r.i), Number(r.n));
    } catch {
      // One test's SQL is broken: run them one by one so the error lands on the right test.
    }
  }
  const out: TestResult[] = [];
  for (let i = 0; i < tests.length; i++) {
    const t = tests[i];
    const sql = typeof compiled[i] === 'string' ? (compiled[i] as string) : '';
    const what = t.column ? `${t.model}.${t.column}` : t.model;
    try {
      if (compiled[i] instanceof Error) throw compiled[i];
      const count = counts.has(i) ? counts.get(i)! : Number(arrowToRows(await lake.query(`select count(*) as n from (${sql}) as failing`, ref))[0].n);
      const sample = count ? arrowToRows(await lake.query(`select * from (${sql}) as failing limit 5`, ref)) : [];
      out.push({
        id: t.id, model: t.model, column: t.column, kind: t.kind, severity: t.severity,
        status: count === 0 ? 'pass' : 'fail', failures: count, sample, sql,
        message: count === 0 ? `${t.id}: pass` : `${t.id}: ${count} failing row(s) in ${what} (${t.kind}${t.severity === 'warn' ? ', warning only' : ''})`,
      });
    } catch (err) {
      out.push({ id: t.id, model: t.model, column: t.column, kind: t.kind, severity: t.severity, status: 'error', failures: 0, sample: [], sql, message: `${t.id} could not run: ${(err as Error).message}` });
    }
  }
  return out;
}

export async function build(lake: Lakehouse, project: Project, opts: BuildOptions): Promise<ModelResult[]> {
  const now = opts.now ?? (() => Date.now());
  const names = select(project, opts.select ?? []);
  const kids = children(project);
  const blocked = new Set<string>();
  const existing = new Set<string>();
  for (const m of project.models.values()) if (m.config.materialized !== 'view' && (await lake.tableExists(opts.ref, relationOf(m)))) existing.add(m.name);
  const vars = opts.vars ?? {};
  const results: ModelResult[] = [];
  for (const name of names) {
    const model = project.models.get(name)!;
    const started = now();
    const base: ModelResult = { model: name, relation: relationOf(model), materialized: model.config.materialized, status: 'success', rows: 0, inserted: 0, updated: 0, snapshotId: null, ms: 0, sql: '', message: '', tests: [] };
    if (blocked.has(name)) {
      const r = { ...base, status: 'skipped' as const, message: `skipped: an upstream model failed` };
      results.push(r); opts.onModel?.(r);
      continue;
    }
    try {
      const sql = compileModel(project, name, { vars, existing, fullRefresh: opts.fullRefresh });
      base.sql = sql;
      if (model.config.materialized === 'view') {
        const n = await lake.query(`select count(*) as n from (${sql}) as v`, opts.ref);
        base.rows = Number(arrowToRows(n)[0].n);
        base.message = `view compiled (${base.rows} rows visible)`;
      } else {
        const data = await lake.query(sql, opts.ref);
        const message = `dbt ${model.config.materialized}: ${relationOf(model)}`;
        const incremental = model.config.materialized === 'incremental' && existing.has(name) && !opts.fullRefresh;
        if (incremental && model.config.uniqueKey) {
          const w = await lake.merge(opts.ref, relationOf(model), data, model.config.uniqueKey, message);
          Object.assign(base, { rows: w.totalRows, inserted: w.inserted, updated: w.updated, snapshotId: w.snapshotId });
        } else {
          const w = await lake.replace(opts.ref, relationOf(model), data, message);
          Object.assign(base, { rows: w.totalRows, inserted: data.numRows, snapshotId: w.snapshotId });
        }
        existing.add(name);
        base.message = incremental ? `merged ${base.inserted} new and ${base.updated} updated rows on ${model.config.uniqueKey?.join(', ')}` : `wrote ${base.rows} rows`;
      }
      if (opts.runTests !== false) {
        base.tests = await runTests(lake, project, opts.ref, name, vars, existing);
        const failed = base.tests.filter((t) => t.severity === 'error' && t.status !== 'pass');
        if (failed.length) {
          base.status = 'error';
          base.message = `tests failed: ${failed.map((t) => t.message).join('; ')}`;
        }
      }
    } catch (err) {
      base.status = 'error';
      base.message = `${model.file}: ${(err as Error).message}`;
    }
    base.ms = now() - started;
    if (base.status === 'error') {
      const stack = [...(kids.get(name) ?? [])];
      while (stack.length) { const k = stack.pop()!; if (!blocked.has(k)) { blocked.add(k); stack.push(...(kids.get(k) ?? [])); } }
    }
    results.push(base);
    opts.onModel?.(base);
  }
  return results;
}
