import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runCommand } from '../../../sandboxes/pipeline/cli/commands.ts';
import { pipelineFromArgs } from '../../../sandboxes/pipeline/cli/node-wiring.ts';
import { openNodeLakehouse } from '../../../sandboxes/pipeline/lakehouse/open-node.ts';

const dir = mkdtempSync(join(tmpdir(), 'phlo-cli-'));
// One warehouse on disk for every command (each `npm run pipeline` would open it anew; the
// spawned test at the end covers that path).
const lake = await openNodeLakehouse({ dir: join(dir, 'wh'), clock: () => Date.parse('2025-01-20T06:00:00Z') });
after(async () => { await lake.close(); rmSync(dir, { recursive: true, force: true }); });

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
  const wiring = { open: async (args: Parameters<typeof pipelineFromArgs>[1]) => ({ pipeline: pipelineFromArgs(lake, args), lake }) };
  const code = await runCommand(['--as-of', '2025-01-20T06:00:00Z', ...argv], wiring, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('materialize, runs, logs, sql and snapshots against a warehouse on disk', async () => {
  const m = await cli('materialize', 'dlt_glucose_entries', 'fct_glucose_readings', '--partition', '2025-01-02', '--partition', '2025-01-03');
  assert.equal(m.code, 0, m.err);
  assert.match(m.out, /^Run [0-9a-f]{16} succeeded/);
  assert.match(m.out, /dlt_glucose_entries: raw\.glucose_entries \(2 partitions\), \d+ inserted, 0 updated/);
  const id = /^Run ([0-9a-f]{16})/.exec(m.out)![1];
  const logs = await cli('logs', id);
  assert.match(logs.out, new RegExp(`^${id}  materialize SUCCESS`));
  assert.match(logs.out, /RUN_START/);
  assert.match(logs.out, /BRANCH_MERGED/);
  const sql = await cli('sql', 'select count(distinct cast(reading_timestamp as date)) as days from silver.fct_glucose_readings', '--json');
  assert.deepEqual(JSON.parse(sql.out), [{ days: 2 }]);
  const snaps = await cli('snapshots', 'raw.glucose_entries');
  assert.match(snaps.out, /snapshot_id\s+committed_at\s+operation/);
  assert.equal(snaps.out.split('\n').length, 4, 'header, rule, one snapshot per partition merged');
});

test('a failed run exits non-zero with one paragraph, and main is unchanged', async () => {
  const bad = await cli('materialize', 'dlt_glucose_entries', '--partition', '2025-01-04', '--bad-day', '2025-01-04');
  assert.equal(bad.code, 1);
  assert.match(bad.err, /^Run [0-9a-f]{16} failed\. The run stopped at dlt_glucose_entries: .*did not pass validation/);
  assert.match(bad.err, /main was not changed/);
  const early = await cli('materialize', '--partition', '2024-12-31');
  assert.equal(early.code, 1);
  assert.match(early.err, /^PipelineError: 2024-12-31 is before the first partition, 2025-01-01/);
  const dry = await cli('backfill', '--from', '2025-01-01', '--to', '2025-01-10', 'fct_daily_glucose_metrics+', '--dry-run');
  assert.equal(dry.code, 0);
  assert.match(dry.out, /for 10 partitions \(2025-01-01 \.\. 2025-01-10\):\n  1\. fct_daily_glucose_metrics\n  2\. mrt_glucose_overview\n  3\. publish_marts_to_postgres/);
  const usage = await cli('backfill', '--from', '2025-01-01');
  assert.equal(usage.code, 2);
  assert.match(usage.err, /backfill needs both --from DAY and --to DAY/);
});

test('npm run pipeline exits 1 with a readable error for an unknown asset', () => {
  const r = spawnSync(process.execPath, ['sandboxes/pipeline/cli/main.ts', '--warehouse', join(dir, 'wh2'), 'materialize', 'glucose_entries'], { encoding: 'utf8', cwd: new URL('../../../', import.meta.url).pathname });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /"glucose_entries" is not an asset\. Did you mean dlt_glucose_entries/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('--plugin loads a module: its source is registered and its assets join the graph', async () => {
  const { loadPluginModules } = await import('../../../sandboxes/pipeline/cli/node-wiring.ts');
  const modules = await loadPluginModules([new URL('../../../sandboxes/pipeline/plugins/examples/github-module.ts', import.meta.url).pathname]);
  const out: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(`ERR ${l}`) };
  const wiring = { open: async (args: Parameters<typeof pipelineFromArgs>[1]) => ({ pipeline: pipelineFromArgs(lake, args, { modules }), lake }) };
  assert.equal(await runCommand(['plugins'], wiring, io), 0);
  assert.ok(out.some((l) => /^source\s+github_events\s+1\.0\.0/.test(l)));
  assert.equal(await runCommand(['materialize', 'dlt_github_events+', '--partition', '2025-01-03'], wiring, io), 0, out.join('\n'));
  out.length = 0;
  assert.equal(await runCommand(['sql', 'select sum(events) as n from silver.fct_github_daily_activity', '--json'], wiring, io), 0);
  const sample = JSON.parse(readFileSync(new URL('../../../sandboxes/pipeline/plugins/examples/github-events.sample.json', import.meta.url), 'utf8')) as { created_at: string }[];
  assert.deepEqual(JSON.parse(out[0]), [{ n: sample.filter((e) => e.created_at.startsWith('2025-01-03')).length }]);
  await assert.rejects(loadPluginModules(['no/such/plugin.ts']), /--plugin no\/such\/plugin\.ts: no such file/);
});

test('numeric flags take whole numbers in range, and an empty value is refused: usage message, exit 2 (issue 13, item 7)', async () => {
  const refused: [string[], RegExp][] = [
    [['scale', '--days', 'abc'], /--days needs a whole number of days from 1 to 366, not "abc"/],
    [['scale', '--workers', '0'], /--workers needs a whole number of workers from 1 to 64, not "0"/],
    [['scale', '--days', '1e20'], /--days needs a whole number .* not "1e20"/],
    [['checks', '--limit', 'abc'], /--limit needs a whole number of results from 1 .* not "abc"/],
    [['entries', '--partition', '2025-01-02', '--count', '-1'], /--count needs a whole number of entries .* not "-1"/],
    [['entries', '--partition', '2025-01-02', '--count', '1.5'], /not "1\.5"/],
    [['compact', 'raw.glucose_entries', '--min-input-files', 'abc'], /--min-input-files needs a whole number of files/],
    [['expire', 'raw.glucose_entries', '--older-than', '2025-02-01T00:00:00Z', '--retain-last', '1e3'], /--retain-last takes a whole number of at least 1/],
    [['tables', '--ref', ''], /--ref needs a value, not an empty string/],
  ];
  for (const [args, why] of refused) {
    const r = await cli(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, why, args.join(' '));
  }
  const some = await cli('entries', '--partition', '2025-01-02', '--count', '1');
  assert.equal(some.code, 0, some.err);
  assert.match(some.out, /\(showing 1\)/);
});
