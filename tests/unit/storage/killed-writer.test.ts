/**
 * Writers killed at every step of a commit, and several writer processes at once, on a
 * warehouse on disk (issue 13, item 4). A writer killed mid-commit used to leave a lock
 * that made the next writer wait and then fail for 30 s ("Timed out waiting for lock"),
 * and temporary files that were never removed. After a kill at any step the next writer
 * must commit at once, no temporary or lock file may remain, the catalog must verify, and
 * main must hold either exactly the killed writer's rows or none of them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, readdir } from 'node:fs/promises';
import { writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeFsStorage } from '../../../sandboxes/lakehouse/storage/node-fs.ts';
import { openWarehouse } from '../../../sandboxes/lakehouse/warehouse.ts';
import { rowsToArrow, arrowToRows } from '../../../sandboxes/lakehouse/iceberg/index.ts';
import type { Warehouse } from '../../../sandboxes/lakehouse/warehouse.ts';

const child = fileURLToPath(new URL('./killed-writer.mjs', import.meta.url));

async function baseWarehouse(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'phlo-kill-'));
  const w = await openWarehouse({ storage: new NodeFsStorage(dir) });
  const t = await w.createTable('glucose.raw', { schema: [{ name: 'id', type: 'long', required: true }, { name: 'who', type: 'string' }] });
  await t.append(rowsToArrow([{ id: 1, who: 'base' }, { id: 2, who: 'base' }], t.schema()));
  return dir;
}

function run(args: string[]): { proc: ChildProcess; line: (re: RegExp) => Promise<string>; exit: Promise<number | null> } {
  const proc = spawn(process.execPath, [child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { re: RegExp; resolve: (s: string) => void }[] = [];
  proc.stdout!.on('data', (d) => {
    out += d;
    for (const w of [...waiters]) { const m = w.re.exec(out); if (m) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m[0]); } }
  });
  proc.stderr!.on('data', (d) => { err += d; });
  const exit = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const line = (re: RegExp) => new Promise<string>((resolve, reject) => {
    const m = re.exec(out);
    if (m) return resolve(m[0]);
    waiters.push({ re, resolve });
    exit.then((code) => reject(new Error(`writer exited (${code}) before printing ${re}: ${out}${err}`)));
  });
  return { proc, line, exit };
}

async function ids(w: Warehouse): Promise<number[]> {
  const t = await w.table('glucose.raw');
  const { table } = await t.scan();
  return arrowToRows(table, t.schema()).map((r) => Number(r.id)).sort((a, b) => a - b);
}

async function leftovers(dir: string): Promise<string[]> {
  const all = await readdir(dir, { recursive: true });
  return all.filter((f) => /\.tmp-|\.lock/.test(f));
}

test('a writer SIGKILLed at each step of a commit costs the next writer nothing', { timeout: 900_000 }, async () => {
  // How many file-system steps one append takes.
  const probe = await baseWarehouse();
  const dry = run([probe, '0', '100', '3']);
  const total = Number((await dry.line(/steps (\d+)/)).split(' ')[1]);
  await dry.exit;
  await rm(probe, { recursive: true, force: true });
  assert.ok(total > 10, `an append takes ${total} steps`);

  const report: string[] = [];
  // Kill writers a few steps at a time (each in its own warehouse), then check each.
  const steps = Array.from({ length: total }, (_, i) => i + 1);
  for (let at = 0; at < steps.length; at += 4) {
    const batch = await Promise.all(steps.slice(at, at + 4).map(async (step) => {
      const dir = await baseWarehouse();
      const writer = run([dir, String(step), '100', '3']);
      const where = await writer.line(/stopped at .*/);
      writer.proc.kill('SIGKILL');
      await writer.exit;
      return { dir, where };
    }));
    for (const { dir, where } of batch) {
      try {
        const w = await openWarehouse({ storage: new NodeFsStorage(dir) });
        const started = Date.now();
        const t = await w.table('glucose.raw', { message: 'next writer' });
        await t.append(rowsToArrow([{ id: 500, who: 'next' }], t.schema()));
        const ms = Date.now() - started;
        report.push(`${where}: next commit in ${ms} ms`);
        assert.ok(ms < 5_000, `after a kill (${where}) the next writer waited ${ms} ms`);

        const got = await ids(w);
        const killedLanded = got.includes(100);
        assert.deepEqual(got, killedLanded ? [1, 2, 100, 101, 102, 500] : [1, 2, 500], `after a kill (${where}) main holds all or none of the killed rows`);
        const log = await w.catalog.log('main'); // verifies every commit's hash
        assert.equal(log[0].message, 'next writer');
        assert.deepEqual(await leftovers(dir), [], `after a kill (${where}) and one more commit, no temporary or lock file remains`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  }
  console.log(report.join('\n'));
});

test('a lock left by a process that is gone is broken at once; a live owner is named when the wait times out', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'phlo-lock-'));
  try {
    const s = new NodeFsStorage(dir);
    assert.equal(await s.compareAndSwap('refs/main', null, 'a'), true);
    // A lock whose owner is not running (pid far above any real one) on this host.
    writeFileSync(path.join(dir, 'refs/main.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), since: Date.now(), token: 'x' }));
    let t0 = Date.now();
    assert.equal(await s.compareAndSwap('refs/main', 'a', 'b'), true);
    assert.ok(Date.now() - t0 < 2_000, 'no wait for a dead owner');
    // The old format: just a pid.
    writeFileSync(path.join(dir, 'refs/main.lock'), String(2 ** 22 + 12346));
    t0 = Date.now();
    assert.equal(await s.compareAndSwap('refs/main', 'b', 'c'), true);
    assert.ok(Date.now() - t0 < 2_000);
    // A live owner (this very test process) keeps its lock, and the error says who holds it.
    writeFileSync(path.join(dir, 'refs/main.lock'), JSON.stringify({ pid: process.pid, host: hostname(), since: Date.now(), token: 'live' }));
    await assert.rejects(s.compareAndSwap('refs/main', 'c', 'd'), (e: Error) => new RegExp(`process ${process.pid} on host .*still holds it`).test(e.message));
    assert.equal(new TextDecoder().decode(await s.read('refs/main')), 'c');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('temporary files of a dead writer are swept; a live writer\'s are left alone', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'phlo-tmp-'));
  try {
    mkdirSync(path.join(dir, 'data'));
    const dead = `x.parquet.tmp-${2 ** 22 + 777}-1`;
    const live = `y.parquet.tmp-${process.pid}-999`;
    writeFileSync(path.join(dir, 'data', dead), 'half');
    writeFileSync(path.join(dir, 'data', live), 'busy');
    const s = new NodeFsStorage(dir);
    await s.write('data/z.parquet', new Uint8Array([1]));
    const names = await readdir(path.join(dir, 'data'));
    assert.ok(!names.includes(dead), 'the dead writer\'s temporary file is gone');
    assert.ok(names.includes(live), 'the live writer\'s temporary file stays');
    assert.deepEqual(await s.list('data'), ['data/z.parquet']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('four writer processes appending to one table at once lose no row', { timeout: 600_000 }, async () => {
  const dir = await baseWarehouse();
  try {
    const writers = [0, 1, 2, 3].map((k) => run([dir, '0', String(1000 + k * 100), '2', '4']));
    const codes = await Promise.all(writers.map((w) => w.exit));
    assert.deepEqual(codes, [0, 0, 0, 0]);
    const w = await openWarehouse({ storage: new NodeFsStorage(dir, { readOnly: true }) });
    const expected = [1, 2];
    for (let k = 0; k < 4; k++) for (let i = 0; i < 8; i++) expected.push(1000 + k * 100 + i);
    assert.deepEqual(await ids(w), expected);
    assert.equal((await w.catalog.log('main')).filter((c) => c.message.startsWith('append')).length, 16);
    assert.deepEqual(await leftovers(dir), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
