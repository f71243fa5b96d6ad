/**
 * `npm run lakehouse -- export`: writes the same export the library plans (folder or zip),
 * replaces only a previous export's files, refuses a folder holding anything else, needs
 * --zip for an s3:// destination, answers bad input with usage and exit 2, and never writes
 * outside --to (or the --zip file).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeFsStorage } from '../../../sandboxes/lakehouse/storage/node-fs.ts';
import type { Warehouse } from '../../../sandboxes/lakehouse/warehouse.ts';
import { planExport, zipExportBytes } from '../../../sandboxes/lakehouse/export/index.ts';
import { buildWarehouse } from './source-warehouse.ts';
import { exportCommand } from '../../../sandboxes/lakehouse/cli/export-command.ts';
import { UsageError } from '../../../sandboxes/lakehouse/cli/args.ts';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const main = join(repo, 'sandboxes/lakehouse/cli/main.ts');
let work: string;
let whDir: string;
let w: Warehouse;

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args, '--warehouse', whDir], { cwd: work });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The command in-process: the same code path as the CLI, without a process start. */
const run = (flags: Record<string, string>, positionals: string[] = []) =>
  exportCommand({ flags: new Map(Object.entries(flags)), positionals, warehouseDir: whDir, openWarehouse: async () => w });

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(relative(dir, join(e.parentPath, e.name)).split('\\').join('/'));
  return out.sort();
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'phlo-export-cli-'));
  whDir = join(work, 'warehouse');
  w = await buildWarehouse(new NodeFsStorage(whDir));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

test('export --to DIR writes the planned files; a second export replaces exactly the first one; anything else in DIR is refused', async () => {
  const warehouseBefore = await listFiles(whDir);
  const out = join(work, 'out');
  const dev = await cli('export', '--ref', 'dev', '--to', out);
  assert.equal(dev.code, 0, dev.stderr);
  assert.match(dev.stdout, /exported 2 table\(s\) on 'dev'/);
  assert.deepEqual(await listFiles(out), (await planExport(w, { ref: 'dev', destination: out })).files.map((f) => f.path));

  const main = await cli('export', '--ref', 'main', '--to', out, '--format', 'json');
  assert.equal(main.code, 0, main.stderr);
  assert.deepEqual(JSON.parse(main.stdout).map((r: { table: string }) => r.table), ['shop.customers', 'shop.orders']);
  assert.deepEqual(await listFiles(out), (await planExport(w, { ref: 'main', destination: out })).files.map((f) => f.path), 'dev-only files are gone');

  await writeFile(join(out, 'notes.txt'), 'mine');
  const before = await listFiles(out);
  await assert.rejects(run({ ref: 'dev', to: out }), /notes\.txt/);
  assert.deepEqual(await listFiles(out), before, 'nothing was changed');

  const other = join(work, 'other');
  await mkdir(other);
  await writeFile(join(other, 'a.txt'), 'x');
  await assert.rejects(run({ to: other }), /not empty/);
  assert.deepEqual(await listFiles(other), ['a.txt']);
  assert.deepEqual(await listFiles(whDir), warehouseBefore, 'the warehouse is untouched');
});

test('export --to s3://… --zip FILE writes the same bytes as the library; s3 without --zip and bad input get usage and exit 2', async () => {
  const zip = join(work, 'dev.zip');
  const r = await cli('export', '--ref', 'dev', '--to', 's3://lake/course/dev', '--zip', zip);
  assert.equal(r.code, 0, r.stderr);
  const expected = await zipExportBytes(await planExport(w, { ref: 'dev', destination: 's3://lake/course/dev' }));
  assert.ok((await readFile(zip)).equals(Buffer.from(expected)), 'the CLI zip is the library zip');
  await assert.rejects(run({ ref: 'dev', to: 's3://lake/course/dev', zip }), /already exists/);

  const before = await listFiles(work);
  // Two through the process (exit code 2 and the usage hint), the rest in-process (same code path, faster).
  for (const args of [['export', '--to', 's3://lake/course/dev'], ['export', '--bogus', '1', '--to', join(work, 'z')]]) {
    const bad = await cli(...args);
    assert.equal(bad.code, 2, `${args.join(' ')}: ${bad.stderr}`);
    assert.match(bad.stderr, /^lakehouse: .*npm run lakehouse -- help/, args.join(' '));
  }
  for (const [flags, positionals] of [
    [{}, []],
    [{ to: 'http://example.com/x' }, []],
    [{ to: 's3://Not_A_Bucket/x', zip: join(work, 'x.zip') }, []],
    [{ to: join(work, 'y') }, ['extra']],
    [{ to: join(whDir, 'inside') }, []],
    [{ to: work }, []],
  ] as [Record<string, string>, string[]][]) {
    await assert.rejects(run(flags, positionals), UsageError, JSON.stringify(flags));
  }
  assert.deepEqual(await listFiles(work), before, 'a refused command wrote nothing');
});
