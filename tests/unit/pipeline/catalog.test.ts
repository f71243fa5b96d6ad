/**
 * The catalog's pure parts, without a warehouse: column lineage read from model SQL, the
 * contract parser's errors, and the answer and contract judges the Part 10 tasks use.
 * (The catalog over the real prebuilt warehouse is tested in
 * tests/unit/sections/part-10-setting-up-trino-data-source.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveColumns, renderForLineage } from '../../../sandboxes/pipeline/catalog/column-lineage.ts';
import { parseContract, loadContracts, ContractError, type ContractReport } from '../../../sandboxes/pipeline/catalog/contract.ts';
import { sameAnswer, judgeContract } from '../../../sandboxes/pipeline/catalog/tasks.ts';
import { readProjectFiles, GLUCOSE_PROJECT_DIR } from '../../../sandboxes/pipeline/transform/load-dir.ts';

const cols = (sql: string) => Object.fromEntries(deriveColumns(sql).map((c) => [c.name, c.mentions]));

test('column lineage: aliases, bare columns, casts, window functions, qualified names', () => {
  const got = cols(`
    -- a comment that mentions select and from
    select
      r.entry_id,
      sgv as glucose_mg_dl,
      cast(reading_timestamp as date) as reading_date,
      case when sgv < 70 then 'low from here' else 'ok' end as band,
      sgv - lag(sgv) over (partition by device order by reading_timestamp) as change,
      count(*) as n
    from readings r`);
  assert.deepEqual(got, {
    entry_id: ['r', 'entry_id'],
    glucose_mg_dl: ['sgv'],
    reading_date: ['reading_timestamp'],
    band: ['sgv'],
    change: ['sgv', 'device', 'reading_timestamp'],
    n: [],
  });
});

test('column lineage: a final select * passes through the CTE it reads; subqueries in where are ignored', () => {
  const got = cols(`
    with daily as (
      select reading_date, round(avg(glucose_mg_dl), 1) as avg_glucose, extract(hour from reading_timestamp) as h
      from facts group by 1
    )
    select * from daily where reading_date > (select max(reading_date) from daily)`);
  assert.deepEqual(got, { reading_date: ['reading_date'], avg_glucose: ['glucose_mg_dl'], h: ['hour', 'reading_timestamp'] });
});

test('column lineage of every shipped model: each output column is named, and silver reads staging', () => {
  const files = readProjectFiles(GLUCOSE_PROJECT_DIR);
  const sql = files['models/silver/fct_glucose_readings.sql']!;
  const derived = deriveColumns(renderForLineage('fct_glucose_readings', 'models/silver/fct_glucose_readings.sql', sql));
  assert.equal(derived.length, 15);
  assert.deepEqual(derived.find((c) => c.name === 'is_in_range')?.mentions, ['glucose_mg_dl']);
  const overview = files['models/marts_postgres/mrt_glucose_overview.sql']!;
  const o = deriveColumns(renderForLineage('mrt_glucose_overview', 'models/marts_postgres/mrt_glucose_overview.sql', overview));
  assert.ok(o.some((c) => c.name === 'coefficient_of_variation' && c.mentions.includes('stddev_glucose_mg_dl')));
  assert.ok(o.some((c) => c.name === 'month' && c.mentions.includes('month')), 'a column named like a SQL word is still lineage');
});

test('contracts: the shipped one parses; mistakes name the file and the field', () => {
  const [c] = loadContracts(readProjectFiles(GLUCOSE_PROJECT_DIR));
  assert.equal(c!.name, 'glucose_readings');
  assert.equal(c!.table, 'silver.fct_glucose_readings');
  assert.deepEqual(c!.columns.filter((x) => x.required).map((x) => x.name), ['entry_id', 'glucose_mg_dl', 'reading_timestamp']);
  assert.throws(() => parseContract('contracts/x.yaml', 'name: x\nversion: 1\nowner: me\nschema:\n  required_columns: [{name: a, type: string}]\n'), (e: Error) => e instanceof ContractError && /contracts\/x\.yaml: the contract needs "table:"/.test(e.message));
  assert.throws(() => parseContract('contracts/x.yaml', 'name: x\nversion: 1\nowner: me\ntable: t.t\nschema:\n  required_columns: [{name: a, type: varchar}]\n'), /column a has type "varchar"; use one of string, integer/);
  assert.throws(() => parseContract('contracts/x.yaml', 'name: [x\n'), /contracts\/x\.yaml is not valid YAML/);
});

test('answers compare without case, spaces or quotes; contract judges name what is wrong', () => {
  assert.equal(sameAnswer('  "Analytics-Team" ', 'analytics-team'), true);
  assert.equal(sameAnswer('', ''), false);
  assert.equal(sameAnswer('data-platform-team', 'analytics-team'), false);
  const report = (status: 'pass' | 'fail', broken: string[] = [], added: string[] = []): ContractReport => ({
    contract: 'c', version: '1', table: 't.t', ref: 'main', status, schema: [], quality: [], sla: [], added, notify: [],
    broken: broken.map((rule) => ({ rule, level: 'BREAKING' as const, message: '' })),
  });
  assert.equal(judgeContract(report('pass', [], ['glucose_mmol_l']), { status: 'pass', added: 'glucose_mmol_l' }).passed, true);
  assert.match(judgeContract(report('pass'), { status: 'pass', added: 'glucose_mmol_l' }).detail, /has no column glucose_mmol_l yet/);
  assert.equal(judgeContract(report('fail', ['schema.required_columns.glucose_mg_dl.type']), { status: 'fail', brokenRule: 'glucose_mg_dl.type' }).passed, true);
  assert.match(judgeContract(report('fail', ['schema.required_columns.device']), { status: 'fail', brokenRule: 'glucose_mg_dl.type' }).detail, /but not at glucose_mg_dl\.type/);
});
