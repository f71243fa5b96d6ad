/**
 * checks.yml: asset checks declared as data in the project (the sandbox's @phlo.quality).
 * The parser fills in the asset and partition column from the pipeline, and every mistake
 * names the group, the check and the field to fix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDeclaredChecks, ChecksFileError } from '../../../sandboxes/pipeline/checks/declared.ts';
import { glucoseDefinitions, resolveChecks } from '../../../sandboxes/pipeline/orchestrate/definitions.ts';
import { createDefaultRegistry } from '../../../sandboxes/pipeline/plugins/builtin.ts';
import { readProjectFiles, GLUCOSE_PROJECT_DIR } from '../../../sandboxes/pipeline/transform/load-dir.ts';

const project = readProjectFiles(GLUCOSE_PROJECT_DIR);
const shipped = glucoseDefinitions({ project });
const ctx = { ingestion: shipped.ingestion, project, builtin: shipped.checks };

const GROUP = `quality:
  - name: raw_sensor_checks
    table: raw.glucose_entries
    checks:
      - range_check: { column: sgv, min_value: 40, max_value: 400 }
      - custom_sql_check:
          name_: glucose_jumps
          sql: select * from data where sgv is null
          severity: warn
  - name: silver_extra
    table: silver.fct_glucose_readings
    blocking: false
    checks:
      - null_check: { columns: [direction] }
`;

test('the shipped checks.yml declares nothing, so the pipeline keeps its three groups', () => {
  assert.match(project['checks.yml']!, /^quality: \[\]$/m);
  assert.deepEqual(shipped.checks.map((c) => c.name), ['glucose_entries_quality', 'glucose_readings_quality', 'daily_metrics_quality']);
  assert.deepEqual(parseDeclaredChecks(undefined, ctx), []);
  assert.deepEqual(parseDeclaredChecks('# only a comment\n', ctx), []);
});

test('groups get their asset and partition column from the pipeline; severity is normalised', () => {
  const groups = parseDeclaredChecks(GROUP, ctx);
  assert.deepEqual(groups.map((g) => [g.name, g.asset, g.table, g.partitionColumn, g.blocking]), [
    ['raw_sensor_checks', 'dlt_glucose_entries', 'raw.glucose_entries', 'date_string', true],
    ['silver_extra', 'fct_glucose_readings', 'silver.fct_glucose_readings', 'reading_timestamp', false],
  ]);
  assert.deepEqual(groups[0]!.checks[0], { plugin: 'range_check', params: { column: 'sgv', min_value: 40, max_value: 400 } });
  assert.equal(groups[0]!.checks[1]!.params.severity, 'WARN');
});

test('glucoseDefinitions appends the declared groups and they resolve to runnable checks', () => {
  const defs = glucoseDefinitions({ project: { ...project, 'checks.yml': GROUP } });
  assert.deepEqual(defs.checks.map((c) => c.name).slice(3), ['raw_sensor_checks', 'silver_extra']);
  const resolved = resolveChecks(defs, createDefaultRegistry());
  const mine = resolved.find((g) => g.name === 'raw_sensor_checks')!;
  assert.deepEqual(mine.checks.map((c) => [c.name, c.severity]), [['range_check(sgv, 40..400)', 'ERROR'], ['glucose_jumps', 'WARN']]);
});

test('mistakes are reported with the group and the field to fix', () => {
  const bad: [string, RegExp][] = [
    ['quality: [\n', /not valid YAML/],
    ['quality: {}\n', /quality must be a list/],
    ['quality:\n  - table: raw.glucose_entries\n    checks: [{ null_check: { columns: [sgv] } }]\n', /group 1: name must be a word/],
    ['quality:\n  - name: glucose_entries_quality\n    table: raw.glucose_entries\n    checks: [{ null_check: { columns: [sgv] } }]\n', /already used/],
    ['quality:\n  - name: g\n    table: glucose_entries\n    checks: [{ null_check: { columns: [sgv] } }]\n', /namespace\.table/],
    ['quality:\n  - name: g\n    table: gold.no_such_model\n    checks: [{ null_check: { columns: [sgv] } }]\n', /"no_such_model" is not an asset/],
    ['quality:\n  - name: g\n    table: raw.glucose_entries\n    checks: []\n', /at least one check/],
    ['quality:\n  - name: g\n    table: raw.glucose_entries\n    checks: [{ null_check: { columns: [sgv] }, range_check: {} }]\n', /check 1: write each check as one kind/],
    ['quality:\n  - name: g\n    table: raw.glucose_entries\n    checks: [{ range_check: { column: sgv, severity: fatal } }]\n', /severity is ERROR or WARN/],
    ['quality:\n  - name: g\n    table: raw.glucose_entries\n    checks: [{ custom_sql_check: { sql: select 1 } }]\n', /needs name_/],
    ['quality:\n  - name: g\n    table: raw.glucose_entries\n    blocking: yes please\n    checks: [{ null_check: { columns: [sgv] } }]\n', /blocking is true or false/],
  ];
  for (const [text, message] of bad) {
    assert.throws(() => parseDeclaredChecks(text, ctx), (err: Error) => err instanceof ChecksFileError && message.test(err.message) && err.message.includes('checks.yml'), text);
  }
});

test('an unknown check kind is named by the plugin registry when the pipeline resolves it', () => {
  const defs = glucoseDefinitions({ project: { ...project, 'checks.yml': 'quality:\n  - name: g\n    table: raw.glucose_entries\n    checks: [{ nul_check: { columns: [sgv] } }]\n' } });
  assert.throws(() => resolveChecks(defs, createDefaultRegistry()), /No quality plugin named "nul_check".*null_check/);
});
