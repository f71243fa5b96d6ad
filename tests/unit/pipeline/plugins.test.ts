/**
 * The plugin path: a GitHub events source, a threshold check and an uppercase transform,
 * registered exactly like the built-ins and used by a pipeline over the real lakehouse.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PluginRegistry, PluginError } from '../../../sandboxes/pipeline/plugins/registry.ts';
import { createDefaultRegistry } from '../../../sandboxes/pipeline/plugins/builtin.ts';
import type { QualityCheckPlugin, TransformationPlugin, Plugin } from '../../../sandboxes/pipeline/plugins/types.ts';
import { githubEventsSource } from '../../../sandboxes/pipeline/plugins/examples/github-events.ts';
import { openNodeLakehouse } from '../../../sandboxes/pipeline/lakehouse/open-node.ts';
import { Pipeline } from '../../../sandboxes/pipeline/orchestrate/pipeline.ts';
import type { Definitions } from '../../../sandboxes/pipeline/orchestrate/definitions.ts';
import { arrowToRows } from '../../../sandboxes/pipeline/util/arrow.ts';

const events = JSON.parse(readFileSync(new URL('../../../sandboxes/pipeline/plugins/examples/github-events.sample.json', import.meta.url), 'utf8')) as { created_at: string; type: string }[];

test('the registry holds the built-ins and refuses malformed or duplicate plugins', () => {
  const r = createDefaultRegistry();
  assert.deepEqual(r.list('source').map((p) => p.metadata.name), ['entries_file', 'nightscout']);
  assert.deepEqual(r.list('quality').map((p) => p.metadata.name), ['count_check', 'custom_sql_check', 'freshness_check', 'null_check', 'range_check', 'unique_check']);
  assert.deepEqual(r.list('transform').map((p) => p.metadata.name), ['dlt_normalize']);
  assert.throws(() => r.register({ type: 'source', metadata: { name: 'x', version: '1', description: '' }, getSchema: () => null } as unknown as Plugin), (e: Error) => e instanceof PluginError && /"x" \(source\) has no fetchPartition\(\) method/.test(e.message));
  assert.throws(() => r.register(githubEventsSource) ?? r.register(githubEventsSource), /already registered/);
  assert.throws(() => r.source('nope'), /No source plugin named "nope" is registered \(known: entries_file, github_events, nightscout\)/);
  const only = new PluginRegistry({ whitelist: ['nightscout'] });
  only.register(githubEventsSource);
  assert.equal(only.list().length, 0);
  const deny = new PluginRegistry({ blacklist: ['github_events'] });
  deny.register(githubEventsSource);
  assert.equal(deny.list().length, 0);
});

/** Like Phlo's example ThresholdCheckPlugin: values above max, with a tolerance; nulls count as violations. */
const thresholdCheck: QualityCheckPlugin = {
  type: 'quality',
  metadata: { name: 'threshold_check', version: '1.0.0', description: 'Share of rows over a threshold' },
  createCheck(p) {
    const column = String(p.column);
    const max = Number(p.max);
    const tolerance = Math.min(1, Math.max(0, Number(p.tolerance ?? 0)));
    return {
      name: `threshold_check(${column},max=${max})`, kind: 'threshold_check', severity: 'ERROR',
      async run(ctx) {
        const [r] = arrowToRows(await ctx.lake.query(`select count(*) as total, count(*) filter (where "${column}" is null or "${column}" > ${max}) as bad from ${ctx.table}${ctx.where ? ` where ${ctx.where}` : ''}`, ctx.ref));
        const total = Number(r.total);
        const bad = Number(r.bad);
        const rate = total ? bad / total : 0;
        return { passed: rate <= tolerance, total, failures: bad, observed: { violation_rate: rate }, sample: [], message: `${bad} of ${total} rows over ${max} (tolerance ${tolerance})` };
      },
    };
  },
};

const uppercase: TransformationPlugin = {
  type: 'transform',
  metadata: { name: 'uppercase', version: '1.0.0', description: 'Upper-case the given columns' },
  transform(rows, config) {
    const cols = config.columns as string[];
    for (const c of cols) if (rows.length && !(c in rows[0])) throw new Error(`uppercase: no column "${c}"`);
    return rows.map((r) => ({ ...r, ...Object.fromEntries(cols.map((c) => [c, typeof r[c] === 'string' ? (r[c] as string).toUpperCase() : r[c]])) }));
  },
};

function githubDefinitions(maxEvents: number): Definitions {
  return {
    partitionStart: '2025-01-01',
    ingestion: [{
      name: 'dlt_github_events', table: 'raw.github_events', group: 'github',
      source: { plugin: 'github_events', config: { events } },
      transforms: [{ plugin: 'dlt_normalize', config: { timestamps: ['created_at'] } }, { plugin: 'uppercase', config: { columns: ['type'] } }],
      uniqueKey: ['id'], mergeStrategy: 'merge', partitionColumn: 'created_at', description: 'GitHub events',
    }],
    project: {
      'dbt_project.yml': 'name: github\nmodels:\n  github:\n    +materialized: table\n    silver:\n      +schema: silver\n',
      'models/sources.yml': 'sources:\n  - name: github\n    schema: raw\n    tables:\n      - name: github_events\n',
      'models/silver/fct_daily_github_events.sql': "select cast(created_at as date) as event_date, repo_name, count(*) as events\nfrom {{ source('github', 'github_events') }}\ngroup by 1, 2",
    },
    sourceAssets: { 'github.github_events': 'dlt_github_events' },
    checks: [{
      name: 'github_activity', asset: 'fct_daily_github_events', table: 'silver.fct_daily_github_events', partitionColumn: 'event_date', blocking: true, description: 'Not too many events per repo and day',
      checks: [{ plugin: 'threshold_check', params: { column: 'events', max: maxEvents, tolerance: 0 } }],
    }],
    publish: [],
  };
}

let now = Date.parse('2025-01-05T00:00:00Z');
const lake = await openNodeLakehouse({ clock: () => now, idSeed: 'plugins' });
after(() => lake.close());

test('a source, a transform and a check added as plugins run through the pipeline', async () => {
  const registry = createDefaultRegistry();
  registry.register(githubEventsSource);
  registry.register(thresholdCheck);
  registry.register(uppercase);
  const pipeline = new Pipeline({ lake, registry, definitions: githubDefinitions(100), clock: () => now });
  assert.deepEqual(pipeline.graph.order, ['dlt_github_events', 'fct_daily_github_events']);
  const r = await pipeline.materialize({ partitions: ['2025-01-02'] });
  assert.equal(r.status, 'SUCCESS', r.failure ?? '');
  const expected = events.filter((e) => e.created_at.startsWith('2025-01-02'));
  const rows = arrowToRows(await lake.query('select id, type, actor_login, created_at from raw.github_events order by id', 'main'));
  assert.equal(rows.length, expected.length);
  assert.ok(rows.every((x) => x.type === String(x.type).toUpperCase() && /EVENT$/.test(String(x.type))), 'the transform plugin ran before staging');
  assert.ok(rows.every((x) => typeof x.created_at === 'number'));
  const check = r.checks.find((c) => c.kind === 'threshold_check')!;
  assert.equal(check.passed, true);
  assert.equal(check.check, 'threshold_check(events,max=100)');
  const lineage = pipeline.lineage();
  assert.ok(lineage.nodes.some((n) => n.id === 'source:github_events'));
  assert.ok(lineage.edges.some((e) => e.from === 'fct_daily_github_events' && e.to === 'check:github_activity'));
});

test('a plugin check with severity ERROR blocks the merge like a built-in one', async () => {
  const registry = createDefaultRegistry();
  registry.register(githubEventsSource);
  registry.register(thresholdCheck);
  registry.register(uppercase);
  const pipeline = new Pipeline({ lake, registry, definitions: githubDefinitions(0), clock: () => now });
  const before = await lake.refHash('main');
  const r = await pipeline.materialize({ partitions: ['2025-01-03'] });
  assert.equal(r.status, 'FAILURE');
  assert.match(r.failure!, /github_activity\.threshold_check\(events,max=0\)/);
  assert.equal(await lake.refHash('main'), before);
});

test("a learner's own CSV export goes through the same ingestion as the generated source", async () => {
  const { glucoseDefinitions } = await import('../../../sandboxes/pipeline/orchestrate/definitions.ts');
  const { GLUCOSE_PROJECT_FILES } = await import('../../../sandboxes/pipeline/project/files.generated.ts');
  const lines = ['_id,sgv,dateString,direction,device,type'];
  for (let i = 0; i < 12; i++) lines.push(`mine${i},${100 + i * 5},2025-01-02T0${Math.floor(i / 6)}:${String((i % 6) * 10).padStart(2, '0')}:00.000Z,Flat,my-sensor,sgv`);
  lines.push('other,120,2025-01-03T00:00:00.000Z,Flat,my-sensor,sgv');
  const pipeline = new Pipeline({ lake, definitions: glucoseDefinitions({ project: GLUCOSE_PROJECT_FILES, file: { name: 'export.csv', text: lines.join('\n') } }), clock: () => now });
  const r = await pipeline.materialize({ select: ['dlt_glucose_entries', 'stg_glucose_entries', 'fct_glucose_readings'], partitions: ['2025-01-02'] });
  assert.equal(r.status, 'SUCCESS', r.failure ?? '');
  const rows = arrowToRows(await lake.query("select entry_id, glucose_mg_dl, device from silver.fct_glucose_readings order by entry_id", 'main'));
  assert.equal(rows.length, 12, 'only the partition day is ingested');
  assert.deepEqual(rows[0], { entry_id: 'mine0', glucose_mg_dl: 100, device: 'my-sensor' });
  const broken = new Pipeline({ lake, definitions: glucoseDefinitions({ project: GLUCOSE_PROJECT_FILES, file: { name: 'export.csv', text: '_id,sgv,date\nx,high,1735776000000\n' } }), clock: () => now });
  const bad = await broken.materialize({ select: ['dlt_glucose_entries'], partitions: ['2025-01-02'] });
  assert.equal(bad.status, 'FAILURE');
  assert.match(bad.failure!, /Could not read export\.csv: export\.csv line 2: column "sgv" holds "high", which is not a number/);
});
