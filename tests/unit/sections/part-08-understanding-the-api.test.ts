/**
 * Part 8's hands-on section against the warehouse the site ships: main at `part-07-backfill`
 * (2025-01-01 .. 2025-01-20 in every layer, nothing published), every prepared query and
 * dashboard panel runs, and the tasks are solved in order with their own solutions through
 * the learner's terminal (ingestion and every dbt model for 2025-01-21, publish, psql, one
 * more day end to end): each check fails before its solution and passes after it. The
 * numbers the part's text quotes are asserted here, from the real runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import section, { NEW_DAY, NEXT_DAY, RUN_NEW_DAY, PSQL_OVERVIEW } from '../../../src/sandbox/sections/part-08-understanding-the-api.ts';
import { sectionHarness, githubSlug, repo } from './prebuilt-section.ts';
import { fetchDay, type NightscoutEntry } from '../../../sandboxes/pipeline/source/nightscout.ts';
import { parts } from '../../../src/data/series.ts';

const MDX = join(repo, 'content/parts/08-real-world-example.mdx');
const { rowsOf, terminal, passes, checkShape, applySolution, setLastQuery } = sectionHarness({
  section,
  tmpPrefix: 'part08-',
  /** Phlo paths marked as present at the pinned commit in the facts sheet. */
  phloPathsOk: [
    'examples/glucose-platform/workflows/ingestion/nightscout/readings.py',
    'examples/glucose-platform/workflows/schemas/nightscout.py',
    'examples/glucose-platform/workflows/quality/nightscout.py',
    'transforms/dbt/models/bronze/stg_glucose_entries.sql',
    'transforms/dbt/models/silver/fct_glucose_readings.sql',
    'transforms/dbt/models/gold/mrt_glucose_readings.sql',
    'transforms/dbt/models/marts_postgres/mrt_glucose_overview.sql',
    'services/superset/dashboards/glucose_monitoring.json',
    'src/phlo/framework/discovery.py',
  ],
  forbiddenCommands: /phlo materialize --select|publish_glucose_marts|phlo quality run|phlo catalog sync|dagster-webserver dagster|-U phlo lakehouse|2024-/,
});

test('the section is well formed and matches the MDX: heading, anchor, frontmatter, embed', () => {
  checkShape();
  const part = parts.find((p) => p.number === 8)!;
  assert.equal(section.anchor, part.handsOn!.anchor);
  assert.equal(section.checkpoint, 'part-07-backfill');
  assert.deepEqual(section.panes, ['pipeline', 'dashboard', 'sql']);
  const mdx = readFileSync(MDX, 'utf8');
  const slugs = [...mdx.matchAll(/^## (.*)$/gm)].map((m) => githubSlug(m[1]!));
  assert.ok(slugs.includes(section.anchor), `a level-2 heading produces #${section.anchor}`);
  assert.match(mdx, /^readingMinutes: 60$/m);
  assert.match(mdx, new RegExp(`anchor: "?${section.anchor}"?`), 'frontmatter lists the anchor');
  assert.match(mdx, new RegExp(`<HandsOn section="${section.id}"`), 'the section is embedded');
  // The commands the walk-through prints are the ones the tasks run (and this test runs).
  for (const cmd of [RUN_NEW_DAY, PSQL_OVERVIEW, `materialize --partition ${NEXT_DAY}`, 'publish']) assert.ok(mdx.includes(cmd), `the text shows ${cmd}`);
});

test('the entry the text shows is the stand-in\'s, field for field, and the raw table holds it', async () => {
  const mdx = readFileSync(MDX, 'utf8');
  const shown = JSON.parse(/```json title="One entry, as entries\.json returns it"\n([\s\S]*?)\n```/.exec(mdx)![1]!) as NightscoutEntry;
  const served = fetchDay({ seed: 'phlo' }, '2025-01-20', Date.parse('2025-01-23T00:00:00Z')).entries.find((e) => e._id === shown._id);
  assert.deepEqual(served, shown);
  const raw = await rowsOf(`select sgv, date, direction, trend from raw.glucose_entries where _id = '${shown._id}'`);
  assert.deepEqual(raw, [{ sgv: shown.sgv, date: shown.date, direction: shown.direction, trend: shown.trend }]);
});

test('the API stand-in answers a day as Nightscout does: newest first, camelCase fields, one reading per five minutes', () => {
  const day = fetchDay({ seed: 'phlo' }, NEW_DAY, Date.parse('2025-01-23T00:00:00Z'));
  const e = day.entries[0]!;
  assert.deepEqual(Object.keys(e), ['_id', 'sgv', 'date', 'dateString', 'direction', 'trend', 'device', 'type', 'utcOffset', 'sysTime', 'rssi']);
  assert.equal(new Date(e.date).toISOString(), e.dateString);
  assert.ok(day.entries.every((x, i) => i === 0 || x.date <= day.entries[i - 1]!.date), 'newest first');
  assert.match(e._id, /^[0-9a-f]{24}$/);
  // The text: the new day comes back as 291 entries, three of them sent twice (the run inserts 288).
  const now = fetchDay({ seed: 'phlo' }, NEW_DAY, Date.now()).entries;
  assert.deepEqual([now.length, new Set(now.map((x) => x._id)).size], [291, 288]);
});

const day = (v: unknown) => new Date(Number(v)).toISOString().slice(0, 10);

test('the checkpoint: 20 days on main, marts built, nothing published', async () => {
  const days = await rowsOf(`select count(*) as days, min(reading_date) as first, max(reading_date) as last from marts.mrt_glucose_overview`);
  assert.deepEqual([Number(days[0]!.days), day(days[0]!.first), day(days[0]!.last)], [20, '2025-01-01', '2025-01-20']);
  // Nothing is published at a checkpoint: the warehouse builder never runs publish.
  const psql = await terminal('psql "select count(*) from marts.mrt_glucose_overview"');
  assert.notEqual(psql.code, 0, 'Postgres has no marts before the first publish');
});

test('every prepared query runs on the checkpoint and returns rows; the API fields are what the text shows', async () => {
  for (const q of section.queries) {
    const rows = await rowsOf(q.sql, q.ref ?? 'main');
    assert.ok(rows.length > 0, `${q.label} returns rows`);
  }
  const api = await rowsOf(section.queries[0]!.sql);
  assert.equal(api.length, 5);
  // The text quotes the newest reading of 2025-01-20.
  assert.deepEqual({ ...api[0], date_string: new Date(Number(api[0]!.date_string)).toISOString() }, {
    _id: '678ee221f5b36b34710b486f', sgv: 117, date: 1737417249000, date_string: '2025-01-20T23:54:09.000Z', direction: 'Flat', trend: 4, device: 'share2', type: 'sgv',
  });
  const hourly = await rowsOf(section.queries[4]!.sql);
  const peak = hourly.reduce((a, b) => (Number(b.avg_glucose_mg_dl) > Number(a.avg_glucose_mg_dl) ? b : a));
  const low = hourly.reduce((a, b) => (Number(b.avg_glucose_mg_dl) < Number(a.avg_glucose_mg_dl) ? b : a));
  assert.deepEqual([peak.hour_of_day, peak.avg_glucose_mg_dl, low.hour_of_day, low.avg_glucose_mg_dl], [8, 182.5, 3, 98.7], 'the hourly pattern the text describes');
});

test('the entries command prints the source\'s answer as the text describes it', async () => {
  const mdx = readFileSync(MDX, 'utf8');
  const all = 'entries --partition 2025-01-21 --count 2';
  const noon = '--as-of 2025-01-21T12:00:00Z';
  assert.ok(mdx.includes(`\`${all}\``) && mdx.includes(`\`${noon}\``), 'the walk-through shows both commands');
  const r = await terminal(all);
  assert.equal(r.code, 0, r.err.join('\n'));
  const shown = JSON.parse(r.out.slice(0, -1).join('\n')) as NightscoutEntry[];
  assert.equal(shown.length, 2);
  assert.deepEqual(Object.keys(shown[0]!), ['_id', 'sgv', 'date', 'dateString', 'direction', 'trend', 'device', 'type', 'utcOffset', 'sysTime', 'rssi']);
  assert.ok(shown[0]!.date > shown[1]!.date, 'newest first');
  assert.match(r.out.at(-1)!, /^291 entries for 2025-01-21 /);
  const early = await terminal(`${all} ${noon}`);
  assert.match(early.out.at(-1)!, /^142 entries for 2025-01-21 .*not_yet_arrived 148/);
  assert.match(mdx, /142 entries,\s+and 148 readings `not_yet_arrived`/);
  const bad = await terminal('entries --count 2');
  assert.equal(bad.code, 2);
  assert.match(bad.err.join(''), /needs --partition DAY/);
});

test('every task fails before its solution and passes after it, in order; the numbers the text quotes', async () => {
  for (const task of section.tasks) {
    setLastQuery(null);
    assert.equal(await passes(task.check), false, `${task.id} must not pass before its solution`);
    if (task.id === 'publish' || task.id === 'next-day-end-to-end') {
      // The dashboard before this task's publish: the panels still show the previous newest day (or nothing).
      const before = await terminal(`psql "select max(reading_date) as newest from marts.mrt_glucose_overview" --json`);
      if (task.id === 'publish') assert.notEqual(before.code, 0, 'no marts in Postgres before the first publish');
      else assert.match(before.out.join(''), new RegExp(NEW_DAY));
    }
    const results = await applySolution(task.solution);
    for (const r of results) assert.equal(r.code, 0, `${task.id}: "${r.cmd}" failed: ${r.err.join('\n')}`);
    assert.equal(await passes(task.check), true, `${task.id} passes after its solution`);

    if (task.id === 'run-new-day') {
      const out = results[0]!.out.join('\n');
      assert.equal(results[0]!.cmd, RUN_NEW_DAY);
      assert.match(out, /dlt_glucose_entries: raw\.glucose_entries, 288 inserted, 0 updated/);
      assert.match(out, /mrt_glucose_overview: marts\.mrt_glucose_overview, 1 inserted, 0 updated/);
      assert.doesNotMatch(out, /publish_marts_to_postgres/, 'kind:dbt leaves the publishing asset out');
      // The text prints this run's lines (without run and snapshot ids).
      const mdx = readFileSync(MDX, 'utf8');
      const shown = /```text title="materialize dlt_glucose_entries kind:dbt --partition 2025-01-21"\n([\s\S]*?)\n```/.exec(mdx)![1]!.split('\n');
      const printed = results[0]!.out.slice(1).map((l) => l.trim().replace(/, snapshot \d+$/, ''));
      assert.deepEqual(printed, shown);
    }
    if (task.id === 'publish') {
      assert.equal(results[1]!.cmd, PSQL_OVERVIEW);
      assert.deepEqual(results[1]!.out, [
        'reading_date  reading_count  avg_glucose_mg_dl  time_in_range_pct  estimated_a1c_pct',
        '------------  -------------  -----------------  -----------------  -----------------',
        '2025-01-21    288            126.5              87.2               6.34',
        '2025-01-20    284            137.9              84.5               6.61',
        '2025-01-19    288            129.7              87.5               6.41',
      ]);
      const mdx = readFileSync(MDX, 'utf8');
      for (const line of results[1]!.out) assert.ok(mdx.includes(`   ${line}\n`), `the text shows the psql line "${line}"`);
      // Every dashboard panel is valid Postgres over the published marts and has rows.
      for (const panel of section.dashboard!.panels) {
        const r = await terminal(`psql "${panel.sql}" --json`);
        assert.equal(r.code, 0, `${panel.title}: ${r.err.join('\n')}`);
        assert.ok((JSON.parse(r.out[0]!) as unknown[]).length > 0, `${panel.title} has rows`);
      }
      const latest = JSON.parse((await terminal(`psql "${section.dashboard!.panels[0]!.sql}" --json`)).out[0]!)[0];
      assert.deepEqual(latest, { reading_date: NEW_DAY, avg_glucose_mg_dl: 126.5, time_in_range_pct: 87.2, estimated_a1c_7d_avg: 6.46 });
      const bands = JSON.parse((await terminal(`psql "${section.dashboard!.panels[5]!.sql}" --json`)).out[0]!);
      assert.deepEqual(bands, [{ band: 'below 70', pct: 2.1 }, { band: '70-180', pct: 87.2 }, { band: 'above 180', pct: 10.8 }]);
      const hours = JSON.parse((await terminal(`psql "${section.dashboard!.panels[4]!.sql}" --json`)).out[0]!) as { hour_of_day: number; avg_glucose_mg_dl: number }[];
      const byValue = [...hours].sort((a, b) => a.avg_glucose_mg_dl - b.avg_glucose_mg_dl);
      assert.deepEqual([hours.length, byValue.at(-1)!.hour_of_day, byValue[0]!.hour_of_day], [24, 8, 3], 'the hourly panel: highest around 08:00, lowest around 03:00');
      const range = JSON.parse((await terminal(`psql "select min_glucose_mg_dl, max_glucose_mg_dl from marts.mrt_glucose_overview where reading_date = '${NEW_DAY}'" --json`)).out[0]!)[0];
      assert.deepEqual(range, { min_glucose_mg_dl: 66, max_glucose_mg_dl: 238 });
    }
    if (task.id === 'lowest-time-in-range') {
      const rows = await rowsOf(task.solution.sql!);
      assert.deepEqual([day(rows[0]!.reading_date), rows[0]!.time_in_range_pct], ['2025-01-03', 84]);
    }
    if (task.id === 'next-day-end-to-end') {
      const out = results[0]!.out.join('\n');
      assert.match(out, /dlt_glucose_entries: raw\.glucose_entries, 264 inserted/, 'a new sensor warms up for two hours on 2025-01-22');
      const latest = JSON.parse((await terminal(`psql "${section.dashboard!.panels[0]!.sql}" --json`)).out[0]!)[0];
      assert.deepEqual(latest, { reading_date: NEXT_DAY, avg_glucose_mg_dl: 138.9, time_in_range_pct: 90.5, estimated_a1c_7d_avg: 6.45 });
      const days = JSON.parse((await terminal(`psql "select count(*)::int as days from marts.mrt_glucose_overview" --json`)).out[0]!)[0];
      assert.deepEqual(days, { days: 22 });
    }
  }
});
