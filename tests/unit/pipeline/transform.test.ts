import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { render, TemplateError } from '../../../sandboxes/pipeline/transform/template.ts';
import { loadProject } from '../../../sandboxes/pipeline/transform/project.ts';
import { select, topoOrder } from '../../../sandboxes/pipeline/transform/dag.ts';
import { compileModel, compileTest } from '../../../sandboxes/pipeline/transform/compile.ts';
import { build } from '../../../sandboxes/pipeline/transform/run.ts';
import { readProjectFiles, GLUCOSE_PROJECT_DIR } from '../../../sandboxes/pipeline/transform/load-dir.ts';
import { StandInLakehouse } from '../../../sandboxes/pipeline/lakehouse/standin.ts';
import { createNodeEngine } from '../../../sandboxes/lakehouse/sql/duckdb-node.ts';
import { MemoryStorage } from '../../../sandboxes/lakehouse/storage/memory.ts';
import { rowsToArrow, arrowToRows } from '../../../sandboxes/pipeline/util/arrow.ts';

const ctx = (over = {}) => ({
  ref: (m: string) => `silver.${m}`, source: (s: string, t: string) => `raw.${t}`, config: () => {},
  var: (n: string, d?: unknown) => (n === 'day' ? "DATE '2025-01-02'" : (d as string) ?? ''), isIncremental: () => false, this: () => 'gold.me', ...over,
});

test('template: ref, source, var, this, and nested if/else blocks', () => {
  const src = "select * from {{ ref('a') }} join {{ source('s', 't') }} {# note #}{% if is_incremental() %}where d = {{ var('day') }}{% else %}{% if not is_incremental() %}-- full{% endif %}{% endif %} {{ this }}";
  assert.equal(render(src, ctx(), 'm.sql'), 'select * from silver.a join raw.t -- full gold.me');
  assert.equal(render(src, ctx({ isIncremental: () => true }), 'm.sql'), "select * from silver.a join raw.t where d = DATE '2025-01-02' gold.me");
});

test('template: unknown functions and unclosed blocks name the file and line', () => {
  assert.throws(() => render('select 1\n{{ run_query("x") }}', ctx(), 'models/x.sql'), (e: Error) => e instanceof TemplateError && /models\/x\.sql, line 2: unknown function "run_query"/.test(e.message));
  assert.throws(() => render('{% if is_incremental() %}x', ctx(), 'y.sql'), /y\.sql, line 1: "if" is never closed/);
  assert.throws(() => render('{% for x in y %}{% endfor %}', ctx(), 'z.sql'), /not supported here/);
});

const project = loadProject(readProjectFiles(GLUCOSE_PROJECT_DIR));

test("the glucose project has Phlo's models, layers and materialisations", () => {
  assert.deepEqual(topoOrder(project), ['stg_glucose_entries', 'fct_glucose_readings', 'fct_daily_glucose_metrics', 'mrt_glucose_readings', 'mrt_glucose_hourly_patterns', 'mrt_glucose_overview']);
  const m = (n: string) => project.models.get(n)!.config;
  assert.deepEqual([m('stg_glucose_entries').schema, m('stg_glucose_entries').materialized], ['bronze', 'view']);
  assert.deepEqual([m('fct_glucose_readings').schema, m('fct_glucose_readings').materialized], ['silver', 'table']);
  assert.deepEqual([m('fct_daily_glucose_metrics').schema, m('fct_daily_glucose_metrics').materialized, m('fct_daily_glucose_metrics').uniqueKey], ['gold', 'incremental', ['reading_date']]);
  assert.deepEqual([m('mrt_glucose_overview').schema, m('mrt_glucose_hourly_patterns').schema], ['marts', 'marts']);
  assert.ok(m('fct_glucose_readings').tags.includes('silver') && m('fct_glucose_readings').tags.includes('nightscout'));
  assert.equal(project.sources.get('dagster_assets.glucose_entries')!.relation, 'raw.glucose_entries');
  assert.ok(project.tests.some((t) => t.id === 'unique_fct_glucose_readings_entry_id'));
  assert.ok(project.tests.some((t) => t.kind === 'singular' && t.model === 'fct_daily_glucose_metrics'));
});

test('selection: model, model+, +model, +model+, tag:', () => {
  assert.deepEqual(select(project, 'fct_daily_glucose_metrics'), ['fct_daily_glucose_metrics']);
  assert.deepEqual(select(project, 'fct_daily_glucose_metrics+'), ['fct_daily_glucose_metrics', 'mrt_glucose_overview']);
  assert.deepEqual(select(project, '+fct_daily_glucose_metrics'), ['stg_glucose_entries', 'fct_glucose_readings', 'fct_daily_glucose_metrics']);
  assert.deepEqual(select(project, 'mrt_glucose_readings+ tag:bronze'), ['stg_glucose_entries', 'mrt_glucose_readings', 'mrt_glucose_hourly_patterns']);
  assert.throws(() => select(project, 'fct_readings'), /"fct_readings" is not a model in this project\. Models: stg_glucose_entries/);
});

test('compile: refs become table names, views are inlined, is_incremental switches the filter', () => {
  const full = compileModel(project, 'fct_daily_glucose_metrics', {});
  assert.match(full, /from silver\.fct_glucose_readings/);
  assert.doesNotMatch(full, /where reading_date/);
  const inc = compileModel(project, 'fct_daily_glucose_metrics', { existing: new Set(['fct_daily_glucose_metrics']), vars: { partition_dates: "DATE '2025-01-02'" } });
  assert.match(inc, /where reading_date in \(DATE '2025-01-02'\)/);
  const noVar = compileModel(project, 'fct_daily_glucose_metrics', { existing: new Set(['fct_daily_glucose_metrics']) });
  assert.match(noVar, /from gold\.fct_daily_glucose_metrics\)/);
  const silver = compileModel(project, 'fct_glucose_readings');
  assert.match(silver, /from \(\n-- Bronze/);
  assert.match(silver, /from raw\.glucose_entries/);
  assert.match(compileTest(project, project.tests.find((t) => t.id === 'unique_fct_glucose_readings_entry_id')!), /group by "entry_id" having count\(\*\) > 1/);
});

test('project errors say which file and what to do', () => {
  const base = { 'dbt_project.yml': 'name: p\n' };
  assert.throws(() => loadProject({}), /no dbt_project\.yml/);
  assert.throws(() => loadProject({ ...base, 'models/a.sql': "select * from {{ ref('nope') }}" }), /models\/a\.sql: ref\('nope'\) names no model/);
  assert.throws(() => loadProject({ ...base, 'models/a.sql': "select * from {{ source('x', 'y') }}" }), /not declared in any sources/);
  assert.throws(() => loadProject({ ...base, 'models/a.sql': "select * from {{ ref('b') }}", 'models/b.sql': "select * from {{ ref('a') }}" }) && topoOrder(loadProject({ ...base, 'models/a.sql': "select * from {{ ref('b') }}", 'models/b.sql': "select * from {{ ref('a') }}" })), /cycle/);
  assert.throws(() => loadProject({ ...base, 'models/a.sql': 'select 1 as x', 'models/a.yml': 'models:\n  - name: a\n    columns:\n      - name: x\n        tests: [is_even]\n' }), /test "is_even" on a\.x is not known here/);
});

const engine = await createNodeEngine();
after(() => engine.close());

test('build runs models in order on DuckDB-WASM, merges incrementals, and tests catch bad rows', async () => {
  const lake = new StandInLakehouse(new MemoryStorage(), engine);
  const files = {
    'dbt_project.yml': 'name: demo\nmodels:\n  demo:\n    +materialized: table\n    gold:\n      +schema: gold\n',
    'models/sources.yml': 'sources:\n  - name: src\n    schema: raw\n    tables:\n      - name: events\n',
    'models/stg_events.sql': "{{ config(materialized='view', schema='bronze') }}\nselect id, kind, amount from {{ source('src', 'events') }} where amount >= 0",
    'models/gold/daily.sql': "{{ config(materialized='incremental', unique_key='kind') }}\nselect kind, sum(amount) as total, count(*) as n from {{ ref('stg_events') }} group by kind",
    'models/gold/daily.yml': "models:\n  - name: daily\n    columns:\n      - name: kind\n        tests:\n          - unique\n          - accepted_values:\n              values: ['a', 'b']\n      - name: n\n        tests:\n          - dbt_expectations.expect_column_values_to_be_of_type:\n              column_type: bigint\n      - name: total\n        tests:\n          - dbt_expectations.expect_column_values_to_be_of_type:\n              column_type: varchar\n              config:\n                severity: warn\n          - dbt_expectations.expect_column_values_to_be_between:\n              min_value: 0\n              max_value: 100\n              config:\n                severity: warn\n",
    'models/gold/after.sql': "select * from {{ ref('daily') }}",
  };
  const p = loadProject(files);
  const cols = [{ name: 'id', type: 'int64' as const }, { name: 'kind', type: 'string' as const }, { name: 'amount', type: 'int64' as const }];
  await lake.createTable('main', 'raw.events', cols, 'create');
  await lake.merge('main', 'raw.events', rowsToArrow(cols, [{ id: 1, kind: 'a', amount: 5 }, { id: 2, kind: 'b', amount: 7 }, { id: 3, kind: 'a', amount: -1 }]), ['id'], 'load');
  const first = await build(lake, p, { ref: 'main' });
  assert.deepEqual(first.map((r) => [r.model, r.status]), [['stg_events', 'success'], ['daily', 'success'], ['after', 'success']]);
  assert.deepEqual(arrowToRows(await lake.query('select * from gold.daily order by kind', 'main')), [{ kind: 'a', total: 5, n: 1 }, { kind: 'b', total: 7, n: 1 }]);

  await lake.merge('main', 'raw.events', rowsToArrow(cols, [{ id: 4, kind: 'b', amount: 200 }, { id: 5, kind: 'c', amount: 1 }]), ['id'], 'load 2');
  const second = await build(lake, p, { ref: 'main' });
  const daily = second.find((r) => r.model === 'daily')!;
  assert.equal(daily.inserted, 1);
  assert.equal(daily.updated, 1, 'kind b changed; kind a is unchanged and left alone');
  assert.equal(daily.status, 'error', 'accepted_values fails on kind c');
  const warn = daily.tests.find((t) => t.kind === 'between')!;
  assert.equal(warn.status, 'fail');
  assert.equal(warn.severity, 'warn');
  const types = daily.tests.filter((t) => t.kind === 'of_type');
  assert.deepEqual(types.map((t) => [t.column, t.status]), [['n', 'pass'], ['total', 'fail']]);
  const av = daily.tests.find((t) => t.kind === 'accepted_values')!;
  assert.equal(av.failures, 1);
  assert.deepEqual(av.sample, [{ value: 'c', n: 1 }]);
  assert.equal(second.find((r) => r.model === 'after')!.status, 'skipped');
  const broken = loadProject({ ...files, 'models/gold/after.sql': 'select nope from {{ ref(\'daily\') }}' });
  const res = await build(lake, broken, { ref: 'main', select: 'after', runTests: false });
  assert.equal(res[0].status, 'error');
  assert.match(res[0].message, /^models\/gold\/after\.sql: .*nope/);
});
