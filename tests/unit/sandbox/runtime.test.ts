/**
 * The sandbox's host-free pieces in Node: the layered storage (shipped warehouse + the
 * learner's layer) under a real catalog, checkpoints.json as the warehouse builder writes
 * it, the Arrow null tests that replace `new Function` under our CSP, and the terminal's
 * command-line splitting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as arrow from 'apache-arrow';
import { MemoryStorage } from '../../../sandboxes/lakehouse/storage/memory.ts';
import { StorageError, type Storage } from '../../../sandboxes/lakehouse/storage/storage.ts';
import { openWarehouse } from '../../../sandboxes/lakehouse/warehouse.ts';
import { LayeredStorage } from '../../../src/sandbox/runtime/layered-storage.ts';
import { parseCheckpoints, applyCheckpoint, type RefMover } from '../../../src/sandbox/runtime/checkpoints.ts';
import { nullTestFromSource, allowArrowNullTests } from '../../../src/sandbox/pipeline/arrow-csp.ts';
import { splitCommand } from '../../../src/sandbox/pipeline/command-line.ts';

/** The shipped warehouse as the browser sees it: readable, never writable. */
function readOnly(s: Storage): Storage {
  const refuse = async (path: string): Promise<never> => {
    throw new StorageError('read-only', path, 'read-only');
  };
  return { kind: 'http', writable: false, read: (p) => s.read(p), exists: (p) => s.exists(p), list: (p) => s.list(p), write: refuse, delete: refuse, compareAndSwap: refuse };
}

test('layered storage: the learner branches and commits on top of a read-only warehouse, and clearing the layer restores it', async () => {
  const shippedFiles = new MemoryStorage();
  const shipped = await openWarehouse({ storage: shippedFiles });
  await shipped.createTable('glucose.readings', { schema: [{ name: 'sgv', type: 'long', required: true }] });
  const shippedMain = (await shipped.references()).find((r) => r.name === 'main')!.hash;
  const before = [...shippedFiles.files.keys()].sort();

  let upper = new MemoryStorage();
  const learner = await openWarehouse({ storage: new LayeredStorage(readOnly(shippedFiles), upper) });
  assert.deepEqual(await learner.tables(), ['glucose.readings']);
  await learner.createBranch('experiment');
  const t = await learner.table('glucose.readings', 'experiment');
  await t.append(arrow.tableFromArrays({ sgv: BigInt64Array.from([120n, 180n]) }));
  assert.equal((await learner.snapshots('glucose.readings', 'experiment')).length, 1);
  await learner.merge('experiment', 'main');
  assert.notEqual((await learner.references()).find((r) => r.name === 'main')!.hash, shippedMain);

  // Nothing of the shipped warehouse changed; the learner's writes are all in the layer.
  assert.deepEqual([...shippedFiles.files.keys()].sort(), before);
  assert.ok([...upper.files.keys()].some((k) => k.startsWith('catalog/refs/branches/main')));
  await assert.rejects(new LayeredStorage(readOnly(shippedFiles), upper).write(before.find((p) => p.startsWith('catalog/commits/'))!, new Uint8Array([1])), /write-once/);

  // Reset = an empty layer: back to the shipped heads.
  upper = new MemoryStorage();
  const fresh = await openWarehouse({ storage: new LayeredStorage(readOnly(shippedFiles), upper) });
  assert.equal((await fresh.references()).find((r) => r.name === 'main')!.hash, shippedMain);
  assert.equal((await fresh.references()).some((r) => r.name === 'experiment'), false);
});

test('layered storage: a stale compare-and-swap on a shipped pointer fails and changes nothing', async () => {
  const lower = new MemoryStorage();
  await lower.write('refs/head', new TextEncoder().encode('abc'));
  const upper = new MemoryStorage();
  const s = new LayeredStorage(readOnly(lower), upper);
  assert.equal(await s.compareAndSwap('refs/head', 'zzz', 'def'), false);
  assert.equal(upper.files.size, 0);
  assert.equal(await s.compareAndSwap('refs/head', 'abc', 'def'), true);
  assert.equal(new TextDecoder().decode(await s.read('refs/head')), 'def');
  assert.equal(await s.compareAndSwap('refs/head', 'abc', 'ghi'), false);
  assert.deepEqual(await s.list('refs'), ['refs/head']);
});

test('checkpoints.json as the warehouse builder writes it', () => {
  const hash = 'a'.repeat(64);
  const cps = parseCheckpoints({ note: 'x', checkpoints: [{ name: 'part-03-snapshots', tag: 'part-03-snapshots', description: 'Seven daily runs', commit: hash, tables: {}, runs: [] }] });
  assert.deepEqual(cps.get('part-03-snapshots')?.branches, { main: hash });
  assert.equal(cps.get('part-03-snapshots')?.description, 'Seven daily runs');
  assert.equal(parseCheckpoints(null).size, 0);
  assert.deepEqual(parseCheckpoints({ a: { refs: [{ name: 'dev', type: 'BRANCH', hash }, { name: 'v1', type: 'TAG', hash }] } }).get('a'), { name: 'a', description: undefined, branches: { dev: hash }, tags: { v1: hash } });
});

test('an exclusive checkpoint leaves only its own refs; a plain one deletes nothing', async () => {
  const [h1, h2] = ['a'.repeat(64), 'b'.repeat(64)];
  const fake = (names: string[]) => {
    const refs = new Map(names.map((n) => [n, h1]));
    const mover: RefMover = {
      references: async () => [...refs].map(([name, hash]) => ({ name, hash })),
      catalog: { createReference: async (name, _type, from) => refs.set(name, from) },
      assignRef: async (name, to) => refs.set(name, to),
      deleteRef: async (name) => refs.delete(name),
    };
    return { mover, names: () => [...refs.keys()].sort() };
  };
  const manifest = { checkpoints: [
    { name: 'part-04-nessie', commit: h2, refs: [{ name: 'dev', type: 'BRANCH', hash: h1 }, { name: 'pipeline-run-1', type: 'BRANCH', hash: h1 }], exclusive: true },
    { name: 'part-03-snapshots', commit: h2 },
  ] };
  const cps = parseCheckpoints(manifest);
  assert.equal(cps.get('part-04-nessie')?.exclusive, true);
  assert.equal('exclusive' in cps.get('part-03-snapshots')!, false, 'an older checkpoint parses as before');
  const later = ['main', 'dev', 'pipeline-run-1', 'pipeline-run-2', 'part-13-plugins', 'part-04-nessie'];
  const a = fake(later);
  await applyCheckpoint(a.mover, cps.get('part-04-nessie')!);
  assert.deepEqual(a.names(), ['dev', 'main', 'pipeline-run-1']);
  const b = fake(later);
  await applyCheckpoint(b.mover, cps.get('part-03-snapshots')!);
  assert.deepEqual(b.names(), [...later].sort());
});

test("Arrow's generated null tests work without eval", () => {
  const t = nullTestFromSource('x', 'if (x !== x) return false;\n\n    switch (x) {\n        case null:\n        case "N/A":\n        case 5n:\n            return false;\n    }\nreturn true;')!;
  assert.deepEqual([null, 'N/A', NaN, 5n, 1, 'a'].map(t), [false, false, false, false, true, true]);
  assert.equal(nullTestFromSource('a, b', 'return a + b'), null);
  assert.equal(nullTestFromSource('x', 'return fetch(x)'), null);

  // Under a policy that forbids eval, Arrow's builders still build columns with nulls.
  const real = globalThis.Function;
  // What a page under our CSP has: a Function constructor that refuses to compile.
  const refusing = function () {
    throw new EvalError('unsafe-eval is not allowed');
  };
  Object.defineProperty(refusing, 'prototype', { value: real.prototype });
  (globalThis as { Function: unknown }).Function = refusing;
  try {
    assert.throws(() => arrow.vectorFromArray([1, null, 3], new arrow.Int32()), EvalError, 'Arrow compiles its null test with new Function');
    allowArrowNullTests();
    const v = arrow.vectorFromArray([1, null, 3], new arrow.Int32());
    assert.deepEqual([...v], [1, null, 3]);
    assert.ok((() => 1) instanceof Function);
    assert.throws(() => new Function('return 1'), EvalError);
  } finally {
    (globalThis as { Function: unknown }).Function = real;
  }
});

test('the terminal splits a command line like a shell', () => {
  assert.deepEqual(splitCommand('materialize --partition 2025-01-08 --downstream dlt_glucose_entries'), ['materialize', '--partition', '2025-01-08', '--downstream', 'dlt_glucose_entries']);
  assert.deepEqual(splitCommand('npm run pipeline -- sql "select 1 as \\"a b\\"" --json'), ['sql', 'select 1 as "a b"', '--json']);
  assert.deepEqual(splitCommand("pipeline sql 'select 2'"), ['sql', 'select 2']);
});
