import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as arrow from 'apache-arrow';
import { NodeFsStorage } from '../../../sandboxes/lakehouse/storage/node-fs.ts';
import { openWarehouse } from '../../../sandboxes/lakehouse/warehouse.ts';
import { fixturesRoot } from '../iceberg-fixtures.ts';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const main = join(repo, 'sandboxes/lakehouse/cli/main.ts');
const fixtures = fixturesRoot;
const icebird = join(fixtures, 'hyparam+icebird/test/files/hyperparam-iceberg');
const impala = join(fixtures, 'apache+impala/testdata/data/iceberg_test/hadoop_catalog/ice');

interface Run { code: number; stdout: string; stderr: string }

function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args], { cwd: repo });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function json(...args: string[]): Promise<Record<string, unknown>[]> {
  const r = await cli(...args, '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'json output is one line: one array');
  return JSON.parse(lines[0]!);
}

let dir: string;
let snapshotIds: string[] = [];
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakehouse-cli-'));
  let t = Date.UTC(2026, 0, 1);
  const w = await openWarehouse({ storage: new NodeFsStorage(dir), clock: () => new Date((t += 60_000)), author: 'tester' });
  const table = await w.createTable('glucose.raw_entries', {
    schema: [{ name: 'id', type: 'long', required: true }, { name: 'ts', type: 'timestamptz' }, { name: 'mg_dl', type: 'int' }, { name: 'big', type: 'long' }],
    partitionSpec: [{ source: 'ts', transform: 'day' }],
  });
  const rows = (ids: number[]) =>
    new arrow.Table({
      id: arrow.vectorFromArray(ids.map(BigInt), new arrow.Int64()),
      ts: arrow.vectorFromArray(ids.map((i) => Date.UTC(2026, 0, 1) + i * 12 * 3_600_000), new arrow.TimestampMicrosecond('UTC')),
      mg_dl: arrow.vectorFromArray(ids.map((i) => 100 + i), new arrow.Int32()),
      big: arrow.vectorFromArray(ids.map((i) => 9007199254740990n + BigInt(i)), new arrow.Int64()),
    });
  await table.append(rows([1, 2]));
  await table.append(rows([3, 4]));
  snapshotIds = (await w.snapshots('glucose.raw_entries')).map((s) => s.snapshotId);
  await w.createBranch('dev');
  await (await w.table('glucose.raw_entries', 'dev')).append(rows([5]));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('tables, snapshots and files of a catalog table', async () => {
  assert.deepEqual((await json('tables', '--warehouse', dir)).map((r) => r.table), ['glucose.raw_entries']);
  const snaps = await json('snapshots', 'glucose.raw_entries', '--warehouse', dir);
  assert.deepEqual(snaps.map((s) => s.snapshot_id), snapshotIds);
  assert.deepEqual(snaps.map((s) => s.total_records), [2, 4]);
  const files = await json('files', 'glucose.raw_entries', '--warehouse', dir, '--snapshot', snapshotIds[0]!);
  assert.equal(files.reduce((n, f) => n + (f.records as number), 0), 2);
  assert.ok(files.every((f) => String(f.path).startsWith('glucose/raw_entries/data/')));
  const text = await cli('snapshots', 'glucose.raw_entries', '--warehouse', dir);
  assert.match(text.stdout, /snapshot_id\s+parent_id/);
});

test('scan: json rows with ISO timestamps and 64-bit ints, on a snapshot, a time, a ref, with a limit', async () => {
  const all = await json('scan', 'glucose.raw_entries', '--warehouse', dir);
  const byId = all.sort((a, b) => (a.id as number) - (b.id as number));
  assert.deepEqual(byId[0], { id: 1, ts: '2026-01-01T12:00:00Z', mg_dl: 101, big: 9007199254740991 });
  assert.equal(byId[1]!.big, '9007199254740992'); // beyond 2^53-1: a string
  assert.equal((await json('scan', 'glucose.raw_entries', '--warehouse', dir, '--snapshot', snapshotIds[0]!)).length, 2);
  assert.equal((await json('scan', 'glucose.raw_entries', '--warehouse', dir, '--ref', 'dev')).length, 5);
  assert.equal((await json('scan', 'glucose.raw_entries', '--warehouse', dir, '--limit', '3')).length, 3);
  const firstCommit = (await json('snapshots', 'glucose.raw_entries', '--warehouse', dir))[0]!.committed_at as string;
  assert.equal((await json('scan', 'glucose.raw_entries', '--warehouse', dir, '--as-of', firstCommit)).length, 2);
});

test('sql on a branch (and a table part naming another ref); errors are one line with the position, exit 1', async () => {
  const q = 'SELECT count(*) AS n, max(mg_dl) AS hi, (SELECT count(*) FROM glucose."raw_entries@main") AS on_main FROM glucose.raw_entries';
  assert.deepEqual(await json('sql', q, '--warehouse', dir, '--ref', 'dev'), [{ n: 5, hi: 105, on_main: 4 }]);
  const bad = await cli('sql', 'SELECT nope FROM glucose.raw_entries', '--warehouse', dir);
  assert.equal(bad.code, 1);
  assert.equal(bad.stdout, '');
  const lines = bad.stderr.trim().split('\n');
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /Referenced column "nope" not found.*line 1, column 8/);
});

test('branch, tag, log, diff and merge', async () => {
  assert.deepEqual((await json('branch', 'list', '--warehouse', dir)).map((r) => r.name), ['dev', 'main']);
  await json('branch', 'create', 'audit', '--from', 'dev', '--warehouse', dir);
  await json('tag', 'before-merge', 'main', '--warehouse', dir);
  assert.deepEqual((await json('tag', 'list', '--warehouse', dir)).map((r) => r.name), ['before-merge']);
  const log = await json('log', 'dev', '--warehouse', dir);
  assert.equal(log.length, 5);
  assert.equal(log[0]!.author, 'tester');
  assert.match(String((log[0]!.operations as string[])[0]), /^PUT glucose\.raw_entries -> glucose\/raw_entries\/metadata\//);
  const diff = await json('diff', 'main', 'dev', '--warehouse', dir);
  assert.deepEqual(diff.map((d) => [d.table, d.change]), [['glucose.raw_entries', 'changed']]);
  const merged = await json('merge', 'dev', 'main', '--warehouse', dir);
  assert.equal(merged[0]!.kind, 'fast-forward');
  const counts = await cli('sql', 'SELECT count(*) AS n, (SELECT count(*) FROM glucose."raw_entries@before-merge") AS before FROM glucose.raw_entries', '--warehouse', dir);
  assert.equal(counts.code, 0, counts.stderr);
  assert.match(counts.stdout, /^n\s+│\s+before\n─+┼─+\n5\s+│\s+4\n\(1 row\)/); // the text table format
  await json('branch', 'delete', 'audit', '--warehouse', dir);
  assert.deepEqual((await json('branch', 'list', '--warehouse', dir)).map((r) => r.name), ['dev', 'main']);
});

test('tables written by other engines, by path, with --metadata and --snapshot', async () => {
  const spark = join(icebird, 'spark/bunnies');
  assert.equal((await json('scan', spark, '--metadata', 'v3.metadata.json')).length, 20);
  assert.equal((await json('scan', spark, '--metadata', 'v5.metadata.json', '--snapshot', '7505300640432048841')).length, 21);
  const renamed = await json('scan', join(icebird, 'spark/rename_column'), '--metadata', 'v3.metadata.json');
  assert.deepEqual(renamed.map((r) => [r.id, r.event_date, r.price]), [[3, null, 0], [4, '2022-01-02', 99999999.99], [1, '2022-01-01', 9.99], [2, '2022-01-01', -5]]);
  const ts = await json('scan', join(impala, 'iceberg_timestamp_part'));
  assert.deepEqual(ts.sort((a, b) => (a.i as number) - (b.i as number))[0], { i: -2, ts: '1969-01-01T01:00:00Z' });
  const snaps = await json('snapshots', join(impala, 'iceberg_v2_delete_positional'));
  assert.equal(snaps.length, 2);
  const files = await json('files', join(impala, 'iceberg_v2_delete_positional'));
  assert.equal((files[0]!.delete_files as string[]).length, 1);
  const hours = await json('files', join(impala, 'iceberg_timestamp_part'));
  assert.deepEqual(hours.map((f) => (f.partition as Record<string, string>).ts_hour).sort(), ['1969-01-01-01', '2021-01-10-12', '2021-10-31-02', '2022-04-11-00', '2022-04-11-12']);
});

test('clean errors: unknown table, unknown snapshot, missing warehouse, usage', async () => {
  const missing = await cli('scan', 'glucose.nope', '--warehouse', dir);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no table 'glucose\.nope' on 'main' \(tables there: glucose\.raw_entries\)/);
  const snap = await cli('scan', join(icebird, 'spark/bunnies'), '--snapshot', '1234');
  assert.equal(snap.code, 1);
  assert.match(snap.stderr, /Snapshot 1234 not found/);
  assert.equal(snap.stderr.trim().split('\n').length, 1);
  const none = await cli('tables', '--warehouse', join(dir, 'nowhere'));
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no warehouse at/);
  const usage = await cli('frobnicate');
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /unknown command 'frobnicate'/);
  assert.equal(usage.stderr.trim().split('\n').length, 1);
});

test('numeric flags take whole numbers in range; empty names and values are refused (issue 13, item 7)', async () => {
  const refused: [string[], RegExp][] = [
    [['sql', 'select 1', '--time-limit', 'abc', '--warehouse', dir], /--time-limit needs a whole number of milliseconds from 1 to 86400000, not 'abc'/],
    [['sql', 'select 1', '--time-limit', '-5', '--warehouse', dir], /--time-limit needs a whole number/],
    [['sql', 'select 1', '--time-limit=0', '--warehouse', dir], /--time-limit needs a whole number .* not '0'/],
    [['scan', 'glucose.raw_entries', '--limit', 'abc', '--warehouse', dir], /--limit needs a whole number of rows from 0 to \d+, not 'abc'/],
    [['scan', 'glucose.raw_entries', '--limit=-1', '--warehouse', dir], /--limit needs a whole number of rows .* not '-1'/],
    [['scan', 'glucose.raw_entries', '--limit', '1e20', '--warehouse', dir], /--limit needs a whole number of rows .* not '1e20'/],
    [['scan', 'glucose.raw_entries', '--limit', '1.5', '--warehouse', dir], /not '1\.5'/],
    [['log', '--limit', 'abc', '--warehouse', dir], /--limit needs a whole number of commits from 1/],
    [['tables', '--ref', '', '--warehouse', dir], /option --ref needs a value, not an empty string/],
    [['log', '', '--warehouse', dir], /argument 2 is empty/],
    [['tables', '--warehouse', ''], /option --warehouse needs a value, not an empty string/],
    [['branch', 'delete', 'main', '--expected-hash', '', '--warehouse', dir], /option --expected-hash needs a value/],
  ];
  for (const [args, why] of refused) {
    const r = await cli(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, why, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, args.join(' '));
  }
  // The refused delete deleted nothing.
  assert.ok((await json('branch', 'list', '--warehouse', dir)).some((b) => b.name === 'main'));
  const ok = await json('scan', 'glucose.raw_entries', '--limit', '1', '--time-limit', '60000', '--warehouse', dir);
  assert.equal(ok.length, 1);
});

test('a table path that is not a table (the file system root, a plain folder) says so', async () => {
  for (const path of ['/', dir]) {
    const r = await cli('scan', path);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`no Iceberg table at ${path.replace(/[/\\]/g, '.')}: a table directory holds a metadata/ folder`));
    assert.doesNotMatch(r.stderr, /leaves the storage root|at ""/);
  }
});
