import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { GLUCOSE_PROJECT_FILES, loadProject, Pipeline, runCommand } from '../../../sandboxes/pipeline/index.ts';
import { readProjectFiles, GLUCOSE_PROJECT_DIR } from '../../../sandboxes/pipeline/transform/load-dir.ts';
import { renderProjectModule } from '../../../sandboxes/pipeline/cli/bundle-project.ts';

test('the bundled project module matches the project folder (run cli/bundle-project.ts after edits)', () => {
  const onDisk = readProjectFiles(GLUCOSE_PROJECT_DIR);
  assert.deepEqual(GLUCOSE_PROJECT_FILES, onDisk);
  assert.equal(readFileSync(`${GLUCOSE_PROJECT_DIR}/files.generated.ts`, 'utf8'), renderProjectModule(onDisk));
  assert.equal(loadProject(GLUCOSE_PROJECT_FILES).models.size, 6);
  assert.equal(typeof Pipeline, 'function');
});

test('the library entry and browser-side modules import nothing from node:*', () => {
  const seen = new Set<string>();
  const nodeOnly = new Set(['transform/load-dir.ts', 'lakehouse/open-node.ts', 'cli/node-wiring.ts', 'cli/build-warehouse.ts', 'cli/bundle-project.ts', 'cli/main.ts']);
  const root = new URL('../../../sandboxes/pipeline/', import.meta.url);
  const walk = (rel: string) => {
    if (seen.has(rel)) return;
    seen.add(rel);
    assert.ok(!nodeOnly.has(rel), `${rel} is Node-only but reachable from index.ts`);
    const text = readFileSync(new URL(rel, root), 'utf8');
    assert.doesNotMatch(text, /from 'node:/, `${rel} imports a node: module`);
    for (const m of text.matchAll(/from '(\.[^']+\.ts)'/g)) {
      const next = new URL(m[1], new URL(rel, root)).pathname;
      const base = root.pathname;
      if (next.startsWith(base)) walk(next.slice(base.length));
    }
  };
  walk('index.ts');
  assert.ok(seen.size > 20);
});

test('the command line prints usage and refuses unknown commands with a pointer to help', async () => {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
  const wiring = { open: async () => { throw new Error('not needed'); } };
  assert.equal(await runCommand([], wiring, io), 2);
  assert.match(out.join('\n'), /materialize \[ASSET\.\.\.\] \[--partition DAY\]/);
  assert.equal(await runCommand(['frobnicate'], wiring, io), 2);
  assert.match(err.at(-1)!, /Unknown command "frobnicate"/);
});

test("the asset graph has Phlo's assets, groups and edges, and Dagster-style selection", async () => {
  const { AssetGraph, glucoseDefinitions } = await import('../../../sandboxes/pipeline/index.ts');
  const defs = glucoseDefinitions({ project: GLUCOSE_PROJECT_FILES });
  const g = new AssetGraph(defs, loadProject(GLUCOSE_PROJECT_FILES));
  assert.deepEqual(g.order, ['dlt_glucose_entries', 'stg_glucose_entries', 'fct_glucose_readings', 'fct_daily_glucose_metrics', 'mrt_glucose_readings', 'mrt_glucose_hourly_patterns', 'mrt_glucose_overview', 'publish_marts_to_postgres']);
  const n = (k: string) => g.nodes.get(k)!;
  assert.deepEqual([n('dlt_glucose_entries').group, n('stg_glucose_entries').group, n('fct_glucose_readings').group, n('mrt_glucose_overview').group, n('publish_marts_to_postgres').group], ['nightscout', 'bronze', 'silver', 'gold', 'publishing']);
  assert.deepEqual(n('stg_glucose_entries').deps, ['dlt_glucose_entries']);
  assert.deepEqual(n('publish_marts_to_postgres').deps, ['mrt_glucose_overview', 'mrt_glucose_hourly_patterns']);
  assert.deepEqual(g.select(['fct_daily_glucose_metrics*']), ['fct_daily_glucose_metrics', 'mrt_glucose_overview', 'publish_marts_to_postgres']);
  assert.deepEqual(g.select(['+stg_glucose_entries']), ['dlt_glucose_entries', 'stg_glucose_entries']);
  assert.deepEqual(g.select(['mrt_glucose_readings'], { downstream: true }), ['mrt_glucose_readings', 'mrt_glucose_hourly_patterns', 'publish_marts_to_postgres']);
  assert.deepEqual(g.select(['group:silver', 'kind:ingestion']), ['dlt_glucose_entries', 'fct_glucose_readings']);
  assert.throws(() => g.select(['fct_glucose']), /"fct_glucose" is not an asset\. Did you mean fct_glucose_readings\?/);
  const lineage = g.lineage(defs);
  assert.ok(lineage.edges.some((e) => e.from === 'source:nightscout' && e.to === 'dlt_glucose_entries'));
  assert.ok(lineage.edges.some((e) => e.from === 'fct_glucose_readings' && e.to === 'check:glucose_readings_quality'));
  assert.equal(lineage.nodes.filter((x) => x.kind === 'check').length, 3);
});
