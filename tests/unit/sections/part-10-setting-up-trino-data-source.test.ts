/**
 * Part 10's hands-on section against the warehouse the site ships: main at the
 * `part-09-quality` checkpoint, the catalog built from it and the project's YAML, the
 * terminal's catalog and contract commands, and the five tasks solved in order with their
 * own solutions (answers typed, files edited, commands run): each check fails before its
 * solution and passes after it. The numbers the text of Part 10 quotes are asserted here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import section, { WITH_MMOL, RETYPED, SILVER_MODEL, HOURLY_YML, HOURLY_WITH_OWNER } from '../../../src/sandbox/sections/part-10-setting-up-trino-data-source.ts';
import { sectionHarness, githubSlug, repo } from './prebuilt-section.ts';
import { readProjectFiles, GLUCOSE_PROJECT_DIR } from '../../../sandboxes/pipeline/transform/load-dir.ts';
import { openProjectCatalog, runContract } from '../../../sandboxes/pipeline/catalog/tasks.ts';
import { impactOf } from '../../../sandboxes/pipeline/catalog/impact.ts';
import { tableLineage, searchCatalog } from '../../../sandboxes/pipeline/catalog/catalog.ts';

const MDX = join(repo, 'content/parts/10-metadata-and-governance.mdx');
const { withLake, rowsOf, terminal, passes, checkShape, applySolution, setAnswer, setLastQuery } = sectionHarness({
  section,
  tmpPrefix: 'part10-',
  phloPathsOk: [
    'docs/setup/openmetadata.md',
    'examples/glucose-platform/contracts/glucose_readings.yaml',
    'transforms/dbt/models/silver/fct_glucose_readings.yml',
    'docker-compose.yml',
    'Makefile',
  ],
  forbiddenCommands: /dbt compile|phlo catalog sync|phlo quality run|contract check --pr|localhost:8585|phlo lineage|nessie-setup|make up-query/,
});

const shipped = readProjectFiles(GLUCOSE_PROJECT_DIR);
const catalogOf = (files = shipped) => withLake((l) => openProjectCatalog({ warehouse: l.warehouse, ref: 'main', files, sql: (q, r) => rowsOf(q, r) }));

test('the section is well formed and matches its MDX heading', () => {
  checkShape();
  assert.equal(section.id, 'part-10-setting-up-trino-data-source');
  assert.equal(section.checkpoint, 'part-09-quality');
  assert.ok(section.panes.includes('catalog'), 'the section shows the catalog pane');
  const mdx = readFileSync(MDX, 'utf8');
  // The anchor the series index links to sits on the hands-on heading, after the sections its tasks
  // need (lineage, impact analysis, contracts): no "read on and come back".
  const slugs = [...mdx.matchAll(/^##+ (.*)$/gm)].map((m) => githubSlug(m[1]!));
  assert.equal(slugs.filter((s) => s === section.anchor).length, 0, 'no heading repeats the anchor id');
  const anchorAt = mdx.indexOf(`<div id="${section.anchor}"`);
  assert.ok(anchorAt >= 0, 'an element carries the section anchor');
  assert.match(mdx.slice(anchorAt), /^<div[^\n]*\n\n## Hands-on: /, 'the anchor sits on the hands-on heading');
  const embed = mdx.indexOf(`<HandsOn section="${section.id}"`);
  for (const h of ['## Lineage', '### Impact analysis', '## Data contracts', '## Schema evolution']) {
    assert.ok(mdx.indexOf(h) >= 0 && mdx.indexOf(h) < embed, `the sandbox comes after "${h}", which its tasks need`);
  }
  assert.match(mdx, new RegExp(`anchor: "?${section.anchor}"?`), 'frontmatter lists the anchor');
  assert.match(mdx, new RegExp(`<HandsOn section="${section.id}"`), 'the section is embedded in the MDX');
  assert.match(mdx, /^slug: 10-metadata-and-governance|readingMinutes: 50/m, 'the measured reading time (tests/unit/site/reading-time.test.ts)');
  // The edited versions of the silver model really change it.
  assert.notEqual(WITH_MMOL, shipped[SILVER_MODEL]);
  assert.notEqual(RETYPED, shipped[SILVER_MODEL]);
  assert.notEqual(HOURLY_WITH_OWNER, shipped[HOURLY_YML]);
  for (const f of section.files ?? []) assert.ok(f in shipped, `${f} is a project file`);
});

test('every PhloLink and RunItForReal path in the MDX is a path checked at the pinned commit', () => {
  const mdx = readFileSync(MDX, 'utf8');
  const ok = ['docs/setup/openmetadata.md', 'examples/glucose-platform/contracts/glucose_readings.yaml', 'transforms/dbt/models/silver/fct_glucose_readings.yml', 'docker-compose.yml', 'Makefile', 'docs/setup/postgrest.md', 'docs/setup/hasura.md'];
  for (const m of mdx.matchAll(/PhloLink path="([^"]+)"/g)) assert.ok(ok.includes(m[1]!), `${m[1]} is checked`);
  assert.doesNotMatch(mdx.replace(/does not exist at the pinned commit|`phlo catalog sync` and `phlo contract check --pr` do not|recommends running `phlo catalog sync`/g, ''), /^phlo catalog sync|^phlo contract check --pr/m, 'no nonexistent command is shown as runnable');
});

test('the catalog of the checkpoint: the numbers Part 10 quotes', async () => {
  const { catalog } = await catalogOf();
  const t = (fqn: string) => catalog.table(fqn);
  assert.deepEqual(catalog.tables.map((x) => x.fqn), [
    'raw.glucose_entries', 'bronze.stg_glucose_entries', 'silver.fct_glucose_readings', 'gold.fct_daily_glucose_metrics',
    'gold.mrt_glucose_readings', 'marts.mrt_glucose_hourly_patterns', 'marts.mrt_glucose_overview',
  ]);
  assert.equal(t('raw.glucose_entries').rowCount, 5675);
  assert.equal(t('silver.fct_glucose_readings').rowCount, 5675);
  assert.equal(t('silver.fct_glucose_readings').columns.length, 15);
  assert.equal(t('silver.fct_glucose_readings').snapshots, 9, 'nine snapshots on the checkpoint');
  assert.equal(t('gold.fct_daily_glucose_metrics').rowCount, 20);
  assert.equal(t('marts.mrt_glucose_hourly_patterns').rowCount, 168);
  assert.equal(t('bronze.stg_glucose_entries').rowCount, null, 'a view stores nothing');
  assert.equal(t('silver.fct_glucose_readings').owner, 'data-platform-team');
  assert.deepEqual(t('silver.fct_glucose_readings').tags, ['Tier.Silver', 'PII.None', 'Healthcare.CGM']);
  assert.equal(t('marts.mrt_glucose_overview').owner, 'analytics-team');
  assert.equal(t('marts.mrt_glucose_hourly_patterns').owner, null, 'the orphan mart of the set-owner task');
  assert.deepEqual(catalog.tables.filter((x) => !x.owner).map((x) => x.fqn), ['marts.mrt_glucose_hourly_patterns']);
  assert.equal(t('silver.fct_glucose_readings').columns.find((c) => c.name === 'glucose_mg_dl')?.type, 'long');
  assert.deepEqual(t('silver.fct_glucose_readings').columns.find((c) => c.name === 'glucose_category')?.from, ['bronze.stg_glucose_entries.glucose_mg_dl']);
  const lin = tableLineage(catalog, 'silver.fct_glucose_readings');
  assert.deepEqual(lin.upstream, ['bronze.stg_glucose_entries', 'raw.glucose_entries']);
  assert.equal(lin.downstream.length, 4);
  assert.ok(searchCatalog(catalog, 'overview').some((h) => h.fqn === 'marts.mrt_glucose_overview'));
});

test('impact analysis of silver glucose_mg_dl: four models, two published marts, the contract', async () => {
  const pc = await catalogOf();
  const r = impactOf(pc.catalog, 'silver.fct_glucose_readings.glucose_mg_dl', { definitions: pc.definitions, contracts: pc.contracts });
  assert.deepEqual(r.models, ['fct_daily_glucose_metrics', 'mrt_glucose_readings', 'mrt_glucose_hourly_patterns', 'mrt_glucose_overview']);
  assert.equal(r.published.length, 2);
  assert.deepEqual(r.contracts, [{ name: 'glucose_readings', column: 'silver.fct_glucose_readings.glucose_mg_dl' }]);
  assert.equal(r.checks.length, 20);
  // A column nothing downstream reads.
  const quiet = impactOf(pc.catalog, 'silver.fct_glucose_readings.minutes_since_last_reading', { definitions: pc.definitions });
  assert.deepEqual(quiet.models, []);
  assert.equal(quiet.unaffectedDownstream.length, 4);
});

test('the contract passes on the checkpoint, with ten additions and 5675 clean rows', async () => {
  const r = await runContract(await catalogOf(), 'glucose_readings');
  assert.equal(r.status, 'pass');
  assert.equal(r.added.length, 10);
  assert.equal(r.quality.length, 7, 'seven quality rules');
  assert.equal(r.schema.filter((f) => f.level === 'SAFE').length, 1, 'one SAFE line for the additions');
  assert.match(r.sla.find((f) => f.rule === 'sla.quality_threshold')!.message, /^100\.00 % of 5675 rows/);
  const out = await terminal('contract check glucose_readings');
  assert.equal(out.code, 0, out.err.join('\n'));
  assert.match(out.out[0]!, /Contract glucose_readings v1\.0\.0 on silver\.fct_glucose_readings \(ref main\): PASS/);
  // A renamed column is BREAKING under the rule that names it.
  const renamed = { ...shipped, [SILVER_MODEL]: shipped[SILVER_MODEL]! };
  const c = await catalogOf(renamed);
  c.catalog.table('silver.fct_glucose_readings').columns = c.catalog.table('silver.fct_glucose_readings').columns.filter((x) => x.name !== 'device');
  const broken = await runContract(c, 'glucose_readings');
  assert.deepEqual(broken.broken.map((f) => f.rule), ['schema.required_columns.device']);
});

test('terminal: catalog tables, search, describe, lineage, impact', async () => {
  const tables = await terminal('catalog tables');
  assert.equal(tables.code, 0, tables.err.join('\n'));
  assert.equal(tables.out.length, 7);
  const describe = await terminal('catalog describe marts.mrt_glucose_overview');
  assert.ok(describe.out.some((l) => /owner\s+analytics-team/.test(l)));
  const impact = await terminal('catalog impact silver.fct_glucose_readings.glucose_mg_dl');
  assert.match(impact.out[0]!, /affects 4 downstream model\(s\)/);
  const bad = await terminal('catalog impact silver.fct_glucose_readings.sgv');
  assert.equal(bad.code, 1);
  assert.match(bad.err.join('\n'), /has no column "sgv"/);
  const range = await terminal('catalog search range');
  assert.ok(range.out.some((l) => l.includes('silver.fct_glucose_readings.is_in_range')), 'the text: search finds is_in_range');
  assert.ok(range.out.some((l) => l.includes('gold.fct_daily_glucose_metrics.time_in_range_pct')));
  const lineage = await terminal('catalog lineage silver.fct_glucose_readings');
  assert.equal(lineage.code, 0);
  assert.match(lineage.out[0]!, /upstream of silver\.fct_glucose_readings: bronze\.stg_glucose_entries, raw\.glucose_entries/);
  const search = await terminal('catalog search mmol');
  assert.deepEqual(search.out, ['Nothing matches "mmol".']);
});

test('every prepared query runs on the checkpoint and returns rows', async () => {
  for (const q of section.queries) {
    const rows = await rowsOf(q.sql, q.ref ?? 'main');
    assert.ok(rows.length > 0, `${q.label} returns rows`);
  }
  const rules = await rowsOf(section.queries[2]!.sql);
  assert.deepEqual(Object.values(rules[0]!).map(Number), [5675, 0, 0, 0, 0]);
});

test('every task fails before its solution and passes after it, in order', async () => {
  for (const task of section.tasks) {
    setLastQuery(null);
    setAnswer(null);
    assert.equal(await passes(task.check), false, `${task.id} must not pass before its solution`);
    if (task.check.kind === 'catalog-answer') {
      setAnswer('someone-else');
      assert.equal(await passes(task.check), false, `${task.id}: a wrong answer does not pass`);
    }
    const results = await applySolution(task.solution);
    for (const r of results) {
      const expectFail = false;
      assert.equal(r.code === 0, !expectFail, `${task.id}: "${r.cmd}" failed: ${r.err.join('\n')}`);
    }
    if (task.id === 'break-contract') {
      const check = await terminal('contract check glucose_readings');
      assert.equal(check.code, 1, 'the contract check exits non-zero on a breaking change');
      assert.ok(check.out.some((l) => /BREAKING schema\.required_columns\.glucose_mg_dl\.type: column glucose_mg_dl is double in the table; the contract promises integer/.test(l)), check.out.join('\n'));
    }
    if (task.id === 'evolve-safely') {
      const line = results.at(-1)!.out.find((l) => l.includes('schema.additional_columns'));
      assert.match(line ?? '', /11 column\(s\).*glucose_mmol_l/);
    }
    assert.equal(await passes(task.check), true, `${task.id} passes after its solution`);
  }
  const { catalog } = await catalogOf();
  assert.equal(catalog.table('silver.fct_glucose_readings').columns.find((c) => c.name === 'glucose_mg_dl')?.type, 'long', 'restored');
});
