/**
 * Compile a model to the SQL the engine runs: refs become the table names the lakehouse
 * exposes ("silver.fct_glucose_readings"), a ref to a view becomes the view's own compiled
 * SELECT as a subquery (the miniature keeps no view catalog), sources become their raw
 * tables, and vars come from the run (the partition days).
 */
import { render, type TemplateValue } from './template.ts';
import type { Project, ModelNode, SchemaTest } from './project.ts';

export interface CompileOptions {
  vars?: Record<string, TemplateValue>;
  /** Models whose table already exists (decides is_incremental()). */
  existing?: Set<string>;
  fullRefresh?: boolean;
}

export function relationOf(model: ModelNode): string {
  return `${model.config.schema}.${model.name}`;
}

function context(project: Project, self: string, opts: CompileOptions, stack: string[]) {
  const vars = opts.vars ?? {};
  const model = project.models.get(self);
  return {
    ref: (name: string): string => {
      const m = project.models.get(name);
      if (!m) throw new Error(`ref('${name}') names no model.`);
      if (m.config.materialized === 'view') {
        if (stack.includes(name)) throw new Error(`The views form a cycle: ${[...stack, name].join(' -> ')}.`);
        return `(\n${compileModel(project, name, opts, [...stack, name]).trim()}\n)`;
      }
      return relationOf(m);
    },
    source: (s: string, t: string) => {
      const src = project.sources.get(`${s}.${t}`);
      if (!src) throw new Error(`source('${s}', '${t}') is not declared.`);
      return src.relation;
    },
    config: () => {},
    var: (name: string, fallback?: TemplateValue) => {
      if (name in vars) return vars[name];
      if (fallback !== undefined) return fallback;
      throw new Error(`var('${name}') has no value and no default: pass it with --vars or give the model a default.`);
    },
    isIncremental: () => !!model && model.config.materialized === 'incremental' && !opts.fullRefresh && (opts.existing?.has(self) ?? false),
    this: () => (model ? relationOf(model) : self),
  };
}

export function compileModel(project: Project, name: string, opts: CompileOptions = {}, stack: string[] = [name]): string {
  const model = project.models.get(name);
  if (!model) throw new Error(`"${name}" is not a model in this project.`);
  return render(model.raw, context(project, name, opts, stack), model.file)
    .split('\n').filter((l, i, a) => !(l.trim() === '' && (a[i - 1] ?? '').trim() === '')).join('\n').trim();
}

/** SQL that returns the failing rows of a test: no rows = pass. */
export function compileTest(project: Project, test: SchemaTest, opts: CompileOptions = {}): string {
  if (test.kind === 'singular') {
    return render(test.sql ?? '', context(project, test.id, opts, []), test.file).trim();
  }
  const model = project.models.get(test.model)!;
  const rel = model.config.materialized === 'view' ? `(${compileModel(project, model.name, opts)})` : relationOf(model);
  const col = `"${test.column}"`;
  const p = test.params;
  switch (test.kind) {
    case 'not_null':
      return `select * from ${rel} as t where ${col} is null`;
    case 'unique':
      return `select ${col} as value, count(*) as n from ${rel} as t where ${col} is not null group by ${col} having count(*) > 1`;
    case 'accepted_values': {
      const quote = p.quote !== false;
      const values = (p.values as TemplateValue[] ?? []).map((v) => (quote ? `'${String(v).replace(/'/g, "''")}'` : String(v)));
      return `select ${col} as value, count(*) as n from ${rel} as t where ${col} is not null and ${col} not in (${values.join(', ')}) group by ${col}`;
    }
    case 'between': {
      const lo = p.min_value ?? p.min;
      const hi = p.max_value ?? p.max;
      const conds = [lo != null ? `${col} < ${lo}` : null, hi != null ? `${col} > ${hi}` : null].filter(Boolean);
      return `select * from ${rel} as t where ${col} is not null and (${conds.join(' or ') || 'false'})`;
    }
    case 'of_type': {
      // DuckDB's typeof() names types in upper case (BIGINT, DOUBLE, VARCHAR, DATE, TIMESTAMP).
      const want = String(p.column_type ?? '').replace(/'/g, "''");
      if (!want) throw new Error(`${test.file}: expect_column_values_to_be_of_type on ${test.model}.${test.column} needs column_type.`);
      return `select typeof(${col}) as value, count(*) as n from ${rel} as t where ${col} is not null and upper(typeof(${col})) <> upper('${want}') group by 1`;
    }
    case 'relationships': {
      const to = String(p.to ?? '');
      const m = /ref\(\s*['"]([^'"]+)['"]\s*\)/.exec(to);
      if (!m) throw new Error(`${test.file}: relationships test on ${test.model}.${test.column} needs "to: ref('model')".`);
      const parent = project.models.get(m[1]);
      if (!parent) throw new Error(`${test.file}: relationships test points to ref('${m[1]}'), which is not a model.`);
      const prel = parent.config.materialized === 'view' ? `(${compileModel(project, parent.name, opts)})` : relationOf(parent);
      const field = `"${String(p.field ?? test.column)}"`;
      return `select c.${col} as value from ${rel} as c left join ${prel} as p on c.${col} = p.${field} where c.${col} is not null and p.${field} is null`;
    }
  }
}
