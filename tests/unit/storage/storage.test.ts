import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MemoryStorage, HttpStorage, writeHttpIndex, rebaseLocation, StorageError, type Storage } from '../../../sandboxes/lakehouse/storage/index.ts';
import { NodeFsStorage } from '../../../sandboxes/lakehouse/storage/node-fs.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

async function conformance(s: Storage) {
  await s.write('t/metadata/v1.metadata.json', enc('{"a":1}'));
  assert.equal(dec(await s.read('t/metadata/v1.metadata.json')), '{"a":1}');
  assert.equal(await s.exists('t/metadata/v1.metadata.json'), true);
  assert.equal(await s.exists('t/metadata/v2.metadata.json'), false);
  await assert.rejects(s.write('t/metadata/v1.metadata.json', enc('x')), (e: unknown) => e instanceof StorageError && e.code === 'already-exists');
  await assert.rejects(s.read('t/nope'), (e: unknown) => e instanceof StorageError && e.code === 'not-found' && e.path === 't/nope');
  await s.write('t/data/a=1/f.parquet', enc('p'));
  await s.write('u/other', enc('o'));
  assert.deepEqual(await s.list('t'), ['t/data/a=1/f.parquet', 't/metadata/v1.metadata.json']);
  assert.deepEqual(await s.list('t/'), ['t/data/a=1/f.parquet', 't/metadata/v1.metadata.json']);
  assert.deepEqual(await s.list('nothing'), []);
  assert.equal(await s.compareAndSwap('t/hint', null, '1'), true);
  assert.equal(await s.compareAndSwap('t/hint', null, '2'), false);
  assert.equal(await s.compareAndSwap('t/hint', '1', '2'), true);
  assert.equal(dec(await s.read('t/hint')), '2');
  // Racing writers: exactly one of N concurrent swaps from the same expected value wins.
  const results = await Promise.all(Array.from({ length: 8 }, (_, i) => s.compareAndSwap('t/hint', '2', `w${i}`)));
  assert.equal(results.filter(Boolean).length, 1);
  const racers = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => s.write('t/race', enc(`r${i}`))));
  assert.equal(racers.filter((r) => r.status === 'fulfilled').length, 1);
  await s.delete('u/other');
  await s.delete('u/other');
  assert.equal(await s.exists('u/other'), false);
}

test('memory storage honours the Storage contract', async () => {
  await conformance(new MemoryStorage());
});

test('node-fs storage honours the Storage contract, including races', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'phlo-fs-'));
  try {
    await conformance(new NodeFsStorage(dir));
    const ro = new NodeFsStorage(dir, { readOnly: true });
    await assert.rejects(ro.write('z', enc('z')), (e: unknown) => e instanceof StorageError && e.code === 'read-only');
    await assert.rejects(new NodeFsStorage(dir).read('../escape'), /leaves the storage root/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('http storage reads by URL and lists from _index.json written by writeHttpIndex', async () => {
  const backing = new MemoryStorage();
  await backing.write('wh/glucose/t/metadata/v1.metadata.json', enc('{}'));
  await backing.write('wh/glucose/t/data/day=2024-01-01/a b.parquet', enc('pq'));
  const files = await writeHttpIndex(backing, 'wh');
  assert.deepEqual(files, ['glucose/t/data/day=2024-01-01/a b.parquet', 'glucose/t/metadata/v1.metadata.json']);
  const requested: string[] = [];
  const fakeFetch = (async (input: string | URL) => {
    const url = new URL(String(input));
    requested.push(url.pathname);
    const p = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (!(await backing.exists(p))) return new Response('nope', { status: 404 });
    return new Response((await backing.read(p)) as unknown as BodyInit);
  }) as typeof fetch;
  const http = new HttpStorage('http://site.test/wh', { fetch: fakeFetch });
  assert.equal(http.writable, false);
  assert.equal(dec(await http.read('glucose/t/data/day=2024-01-01/a b.parquet')), 'pq');
  assert.ok(requested.includes('/wh/glucose/t/data/day=2024-01-01/a%20b.parquet'));
  assert.deepEqual(await http.list('glucose/t/metadata'), ['glucose/t/metadata/v1.metadata.json']);
  assert.equal(await http.exists('glucose/t/metadata/v1.metadata.json'), true);
  await assert.rejects(http.read('missing'), (e: unknown) => e instanceof StorageError && e.code === 'not-found');
  await assert.rejects(http.write('x', enc('x')), (e: unknown) => e instanceof StorageError && e.code === 'read-only');
});

test('rebaseLocation maps the locations other engines wrote onto a table dir', () => {
  const dir = 'fx/t';
  assert.equal(rebaseLocation('s3a://hyperparam-iceberg/spark/bunnies/data/a.parquet', 's3a://hyperparam-iceberg/spark/bunnies', dir), 'fx/t/data/a.parquet');
  assert.equal(rebaseLocation('s3://hyperparam-iceberg/spark/bunnies/metadata/snap.avro', 's3a://hyperparam-iceberg/spark/bunnies', dir), 'fx/t/metadata/snap.avro');
  assert.equal(rebaseLocation('hdfs://localhost:20500/test-warehouse/ice/t1/data/x.parq', '/test-warehouse/ice/t1', dir), 'fx/t/data/x.parq');
  assert.equal(rebaseLocation('/test-warehouse/ice/t1/metadata/m.avro', '/test-warehouse/ice/t1', dir), 'fx/t/metadata/m.avro');
  assert.equal(rebaseLocation('file:/tmp/iceberg/t1/data/ts_day=2023-03-01/f.parquet', '/tmp/iceberg/t1', dir), 'fx/t/data/ts_day=2023-03-01/f.parquet');
  assert.equal(rebaseLocation('file:///tmp/iceberg/t1/data/f.parquet', 'file:/tmp/iceberg/t1', dir), 'fx/t/data/f.parquet');
  assert.equal(rebaseLocation('data/f.parquet', './lineitem', dir), 'fx/t/data/f.parquet');
  assert.equal(rebaseLocation('./lineitem/data/f.parquet', './lineitem', dir), 'fx/t/data/f.parquet');
  assert.equal(rebaseLocation('s3://b/moved/t/data/f.parquet', 's3://b/wh/t', ''), 'data/f.parquet');
});
