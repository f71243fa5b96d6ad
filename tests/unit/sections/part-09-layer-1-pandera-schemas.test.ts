/**
 * Part 9's hands-on section against the warehouse the site ships: main is put at the
 * part-09-quality checkpoint (2025-01-21 stopped at validation, 2025-01-22 stopped by the
 * blocking range check), every prepared query runs, and the tasks are solved in order with
 * their own solutions (pipeline.config.ts, a transform bug, checks.yml; commands in the
 * terminal): each check fails before its solution and passes after it. The numbers the text
 * of Part 9 quotes are measured here and looked up in the MDX, so the prose cannot drift.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import section, { FAULT_BRANCH, MMOL_BUG_SQL, CHECKS_DECLARATIVE, CHECKS_BOTH, JUMPS_SQL } from '../../../src/sandbox/sections/part-09-layer-1-pandera-schemas.ts';
import { GLUCOSE_PROJECT_FILES } from '../../../sandboxes/pipeline/project/files.generated.ts';
import { sectionHarness, githubSlug, repo } from './prebuilt-section.ts';

const MDX = join(repo, 'content/parts/09-data-quality.mdx');
const mdx = () => readFileSync(MDX, 'utf8');
const num = (v: unknown) => Number(v);
/** A DATE cell as YYYY-MM-DD (DuckDB hands dates over as epoch milliseconds). */
const dayOf = (v: unknown) => (typeof v === 'number' ? new Date(v).toISOString() : v instanceof Date ? v.toISOString() : String(v)).slice(0, 10);

const { withLake, rowsOf, terminal, passes, checkShape, applySolution } = sectionHarness({
  section,
  tmpPrefix: 'part09-',
  /** Phlo paths marked as present at the pinned commit in the facts sheet. */
  phloPathsOk: [
    'examples/glucose-platform/workflows/schemas/nightscout.py',
    'examples/glucose-platform/workflows/quality/nightscout.py',
    'examples/glucose-platform/workflows/ingestion/nightscout/readings.py',
    'src/phlo/quality/checks.py',
    'src/phlo/quality/decorator.py',
  ],
  forbiddenCommands: /phlo quality run|phlo catalog sync|phlo contract check --pr|docker exec dagster-webserver |2024-/,
});

/** The numbers Part 9's text quotes. */
const QUOTED = {
  /** 2025-01-21 as the server looked at 06:00 the next day: rows staged, and problems found. */
  stagedOn0121: 284,
  problemsOn0121: 8,
  sgvProblemsOn0121: 6,
  directionProblemsOn0121: 2,
  /** 2025-01-22: rows merged on the run branch, and rows outside 20..600. */
  rowsOn0122: 259,
  outOfRangeOn0122: 44,
  /** Readings the custom check flags on 2025-01-22 (and on no day of main). */
  jumpsOn0122: 43,
};

test('the section is well formed and matches its MDX heading', () => {
  checkShape();
  assert.equal(section.id, 'part-09-layer-1-pandera-schemas');
  assert.equal(section.checkpoint, 'part-09-quality');
  const text = mdx();
  // The anchor the series index links to sits on the hands-on heading, which comes after the three
  // layers its tasks use (no "read on and come back").
  const anchorAt = text.indexOf(`<div id="${section.anchor}"`);
  assert.ok(anchorAt >= 0, 'an element carries the section anchor');
  assert.match(text.slice(anchorAt), /^<div[^\n]*\n\n## Hands-on: /, 'the anchor sits on the hands-on heading');
  const embed = text.indexOf(`<HandsOn section="${section.id}"`);
  for (const h of ['## Layer 2:', '## Layer 3:', '## Comparing both approaches']) {
    assert.ok(text.indexOf(h) >= 0 && text.indexOf(h) < embed, `the sandbox comes after "${h}", which its tasks need`);
  }
  assert.match(text, new RegExp(`anchor: "?${section.anchor}"?`), 'frontmatter lists the anchor');
  assert.match(text, /^readingMinutes: 60$/m);
  assert.match(text, new RegExp(`<HandsOn section="${section.id}"`), 'the section is embedded in the MDX');
  for (const p of section.runForReal.phloFiles) assert.ok(text.includes(p), `the MDX links ${p}`);
  for (const f of section.files!) if (f !== 'pipeline.config.ts') assert.ok(f in GLUCOSE_PROJECT_FILES, `${f} is a shipped project file`);
});

test('the solution files are the shipped files plus exactly the edit each task asks for', () => {
  const silver = GLUCOSE_PROJECT_FILES['models/silver/fct_glucose_readings.sql']!;
  assert.notEqual(MMOL_BUG_SQL, silver);
  assert.equal(MMOL_BUG_SQL.replace('round(glucose_mg_dl / 18.0, 1) as glucose_mg_dl,  -- "report in mmol/L"', 'glucose_mg_dl,'), silver);
  assert.match(GLUCOSE_PROJECT_FILES['checks.yml']!, /^quality: \[\]$/m, 'checks.yml ships with no groups');
  assert.ok(CHECKS_DECLARATIVE.includes('range_check: { column: sgv, min_value: 40, max_value: 400 }'));
  assert.ok(CHECKS_BOTH.startsWith(CHECKS_DECLARATIVE.trimEnd()) && CHECKS_BOTH.includes('name_: glucose_jumps'));
});

test('the checkpoint: main ends on 2025-01-20; the faulty day sits on its audit branch only', async () => {
  const days = await rowsOf(`select count(*) as days, max(reading_date) = date '2025-01-20' as ends_ok from gold.fct_daily_glucose_metrics`);
  assert.deepEqual(days.map((r) => [num(r.days), r.ends_ok]), [[20, true]]);
  const refs = await withLake((l) => l.refs());
  assert.ok(refs.some((r) => r.name === FAULT_BRANCH && r.type === 'branch'), `${FAULT_BRANCH} is kept`);
  const fault = await rowsOf(section.queries[1]!.sql, FAULT_BRANCH);
  const f22 = fault.find((r) => dayOf(r.day) === '2025-01-22')!;
  assert.equal(num(f22.readings), QUOTED.rowsOn0122);
  assert.equal(num(f22.outside_20_600), QUOTED.outOfRangeOn0122);
  assert.deepEqual([num(f22.lowest), num(f22.highest)], [5, 898]);
  const kept = await rowsOf(section.queries[3]!.sql, FAULT_BRANCH);
  assert.deepEqual([num(kept[0]!.raw_readings), num(kept[0]!.silently_dropped)], [QUOTED.rowsOn0122, QUOTED.outOfRangeOn0122]);
  const jumps = await rowsOf(JUMPS_SQL, FAULT_BRANCH);
  assert.equal(jumps.length, QUOTED.jumpsOn0122);
  const onMain = await rowsOf(JUMPS_SQL.replace("= date '2025-01-22'", "<= date '2025-01-20'").replace('over (order by', 'over (partition by cast(date_string as date) order by').replace('over (order by', 'over (partition by cast(date_string as date) order by'));
  assert.equal(onMain.length, 0, 'no day on main has such a jump');
  const outside40400 = await rowsOf(`select count(*) as n from raw.glucose_entries where sgv < 40 or sgv > 400`);
  assert.equal(num(outside40400[0]!.n), 0, 'the 40..400 check passes on every day of main');
});

test('every prepared query runs on the checkpoint and returns rows', async () => {
  for (const q of section.queries) {
    const rows = await rowsOf(q.sql, q.ref ?? 'main');
    assert.ok(rows.length > 0, `${q.label} returns rows`);
  }
});

test('the stored runs the text reads: runs, logs and checks', async () => {
  const runs = await terminal('runs');
  assert.equal(runs.code, 0, runs.err.join('\n'));
  const failed = runs.out.filter((l) => /FAILURE/.test(l));
  assert.ok(failed.some((l) => / 2025-01-21 /.test(l)) && failed.some((l) => / 2025-01-22 /.test(l)));
  const runId = failed.find((l) => / 2025-01-22 /.test(l))!.split(/\s+/)[0]!;
  assert.ok(FAULT_BRANCH.endsWith(runId.slice(0, 8)), 'the faulty day\'s run id names its branch');
  const first = await terminal(`logs ${failed.find((l) => / 2025-01-21 /.test(l))!.split(/\s+/)[0]}`);
  assert.ok(first.out.some((l) => /fetched 287 records/.test(l)) && first.out.some((l) => /staged 284 rows .* 3 duplicate\(s\) skipped/.test(l)), 'the 2025-01-21 log the text walks through');
  const logs = await terminal(`logs ${runId}`);
  assert.ok(logs.out.some((l) => /FAIL glucose_entries_quality\.range_check\(sgv, 20\.\.600\): 44 of 259 rows/.test(l)), 'the log shows the failing check');
  const checks = await terminal('checks dlt_glucose_entries');
  assert.equal(checks.code, 0, checks.err.join('\n'));
});

test('every task fails before its solution and passes after it, in order', async () => {
  const mainHash = () => withLake((l) => l.refHash('main'));
  for (const task of section.tasks) {
    assert.equal(await passes(task.check), false, `${task.id} must not pass before its solution`);
    const before = await mainHash();
    const results = await applySolution(task.solution);
    const run = results.at(-1)!.run!;
    assert.ok(run, `${task.id} made a run`);

    if (task.id === 'replay-validation') {
      assert.equal(run.status, 'FAILURE');
      const v = run.events.find((e) => e.type === 'VALIDATION')!;
      const summary = v.metadata!.summary as Record<string, number>;
      assert.equal(Object.values(summary).reduce((a, b) => a + b, 0), QUOTED.problemsOn0121);
      assert.equal(summary['sgv: a value between 1 and 1000'], QUOTED.sgvProblemsOn0121);
      assert.equal(Object.entries(summary).find(([k]) => k.startsWith('direction'))![1], QUOTED.directionProblemsOn0121);
      assert.match(run.failure!, new RegExp(`${QUOTED.problemsOn0121} problem\\(s\\) in ${QUOTED.stagedOn0121} rows`));
      const values = (v.metadata!.failures as { value: unknown }[]).map((f) => f.value);
      assert.deepEqual([...new Set(values)].sort(), [-50, 1500, 'Sideways'].sort());
      assert.deepEqual([values.filter((x) => x === -50).length, values.filter((x) => x === 1500).length], [3, 3], 'three of -50 and three of 1500');
      // The report excerpt the text shows is the learner's report, line for line.
      const text = mdx();
      for (const f of (v.metadata!.failures as { message: string }[]).slice(0, 3)) assert.ok(text.includes(`  - ${f.message}`), `the MDX quotes "${f.message}"`);
      assert.ok(text.includes(run.failure!.split('\n')[1]!), 'the MDX quotes the report\'s summary line');
      assert.equal(await mainHash(), before, 'validation failure leaves main untouched');
    }
    if (task.id === 'land-fixed-day') {
      assert.equal(run.status, 'SUCCESS', run.failure ?? '');
      const day = await rowsOf(`select reading_count from gold.fct_daily_glucose_metrics where reading_date = date '2025-01-21'`);
      assert.equal(num(day[0]!.reading_count), QUOTED.stagedOn0121, 'the same 284 readings, clean');
    }
    if (task.id === 'replay-range-check') {
      assert.equal(run.status, 'FAILURE');
      const range = run.checks.find((c) => c.check === 'range_check(sgv, 20..600)')!;
      assert.deepEqual([range.passed, range.severity, range.blocking, range.failures, range.total], [false, 'ERROR', true, QUOTED.outOfRangeOn0122, QUOTED.rowsOn0122]);
      const count = run.checks.find((c) => c.kind === 'count_check')!;
      assert.deepEqual([count.passed, count.severity], [true, 'WARN']);
      assert.ok(run.events.some((e) => e.type === 'LOG' && /validation passed for 259 rows/.test(e.message)), 'the raw schema lets the values through');
      assert.equal(await mainHash(), before);
    }
    if (task.id === 'dbt-test-catches-bug') {
      assert.equal(run.status, 'FAILURE');
      const failing = Number(/expect_column_values_to_be_between_fct_glucose_readings_glucose_mg_dl: (\d+) failing row/.exec(run.failure ?? '')?.[1]);
      const silver = await rowsOf(`select count(*) as n, min(glucose_mg_dl) / 18.0 as lo, max(glucose_mg_dl) / 18.0 as hi from silver.fct_glucose_readings`);
      assert.equal(failing, num(silver[0]!.n), 'every row of silver fails the range test');
      assert.ok(num(silver[0]!.lo) >= 3 && num(silver[0]!.hi) <= 15, 'the mmol/L values run from about 3 to 15');
      assert.equal(run.checks.length, 0, 'the asset checks on silver never ran: the dbt test failed the model first');
      assert.equal(await mainHash(), before);
    }
    if (task.id === 'declare-a-check' || task.id === 'write-custom-sql') {
      const mine = run.checks.filter((c) => c.checkGroup === 'raw_sensor_checks');
      const range = mine.find((c) => c.kind === 'range_check')!;
      assert.deepEqual([range.passed, range.failures, range.total], [false, QUOTED.outOfRangeOn0122, QUOTED.rowsOn0122]);
      if (task.id === 'write-custom-sql') {
        const jumps = mine.find((c) => c.check === 'glucose_jumps')!;
        assert.deepEqual([jumps.passed, jumps.failures], [false, QUOTED.jumpsOn0122]);
      }
      assert.equal(await mainHash(), before, 'checks on a branch change nothing');
    }
    assert.equal(await passes(task.check), true, `${task.id} passes after its solution`);
  }
});

test('the text quotes the numbers measured here', () => {
  const text = mdx();
  for (const [name, n] of Object.entries(QUOTED)) {
    if (n < 10) continue;
    assert.ok(new RegExp(`\\b${n}\\b`).test(text), `Part 9 quotes ${name} = ${n}`);
  }
  let inside = false;
  const code: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trimStart().startsWith('```')) inside = !inside;
    else if (inside) code.push(line);
  }
  assert.ok(code.length > 50, 'the code blocks were found');
  assert.ok(!code.some((l) => /phlo quality run|phlo quality\b/.test(l)), 'no code block shows a phlo quality command (none exists at the pin)');
});
