import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from '../../../sandboxes/lakehouse/storage/memory.ts';
import { openCatalog, type Catalog } from '../../../sandboxes/lakehouse/catalog/catalog.ts';
import { CatalogError, MergeConflictError, ReferenceConflictError } from '../../../sandboxes/lakehouse/catalog/errors.ts';

function fixedClock(start = Date.UTC(2026, 0, 1)) {
  let t = start;
  return () => new Date((t += 1000));
}

async function fresh(): Promise<Catalog> {
  return openCatalog(new MemoryStorage(), { clock: fixedClock(), author: 'test' });
}

const put = (key: string, metadataLocation: string) => ({ type: 'PUT' as const, key, metadataLocation });

test('a new catalog has main at a root commit with no tables', async () => {
  const c = await fresh();
  const refs = await c.references();
  assert.deepEqual(refs.map((r) => [r.type, r.name]), [['BRANCH', 'main']]);
  assert.deepEqual(await c.entries('main'), {});
  const log = await c.log('main');
  assert.equal(log.length, 1);
  assert.equal(log[0]!.parents.length, 0);
});

test('commits are content addressed: same history, same hashes', async () => {
  const a = await fresh();
  const b = await fresh();
  const ca = await a.commit('main', [put('glucose.raw', 'm/v1.json')], { message: 'add raw' });
  const cb = await b.commit('main', [put('glucose.raw', 'm/v1.json')], { message: 'add raw' });
  assert.equal(ca.hash, cb.hash);
  assert.match(ca.hash, /^[0-9a-f]{64}$/);
  const cc = await a.commit('main', [put('glucose.raw', 'm/v2.json')], { message: 'update raw' });
  assert.notEqual(cc.hash, ca.hash);
  assert.deepEqual(cc.parents, [ca.hash]);
});

test('put keeps the content id; log lists operations, author, message, time newest first', async () => {
  const c = await fresh();
  const c1 = await c.commit('main', [put('glucose.raw', 'm/v1.json')], { message: 'one', author: 'ann' });
  const c2 = await c.commit('main', [put('glucose.raw', 'm/v2.json')], { message: 'two' });
  const id1 = c1.operations[0]!.type === 'PUT' ? c1.operations[0]!.content.id : '';
  const id2 = c2.operations[0]!.type === 'PUT' ? c2.operations[0]!.content.id : '';
  assert.equal(id1, id2);
  const log = await c.log('main');
  assert.deepEqual(log.map((x) => x.message), ['two', 'one', 'initialize catalog']);
  assert.equal(log[1]!.author, 'ann');
  assert.equal(log[0]!.author, 'test');
  assert.ok(log[0]!.time > log[1]!.time);
  assert.equal((await c.content('glucose.raw')).metadataLocation, 'm/v2.json');
  assert.equal((await c.content('glucose.raw', 'main~1')).metadataLocation, 'm/v1.json');
});

test('branches and tags: create, list, assign, delete; tags do not move', async () => {
  const c = await fresh();
  await c.commit('main', [put('glucose.raw', 'm/v1.json')], { message: 'one' });
  await c.createReference('dev', 'BRANCH', 'main');
  await c.createReference('v1', 'TAG', 'main');
  await c.commit('dev', [put('glucose.raw', 'm/v2.json')], { message: 'two on dev' });
  assert.equal((await c.content('glucose.raw', 'v1')).metadataLocation, 'm/v1.json');
  assert.equal((await c.content('glucose.raw', 'dev')).metadataLocation, 'm/v2.json');
  assert.equal((await c.content('glucose.raw', 'main')).metadataLocation, 'm/v1.json');
  assert.deepEqual((await c.references()).map((r) => `${r.type}:${r.name}`), ['BRANCH:dev', 'BRANCH:main', 'TAG:v1']);
  await assert.rejects(c.commit('v1', [put('glucose.raw', 'x')], { message: 'no' }), /is a tag/);
  await assert.rejects(c.createReference('dev', 'BRANCH'), (e: CatalogError) => e.code === 'REFERENCE_ALREADY_EXISTS');
  const dev = await c.reference('dev');
  await c.assignReference('v1', 'dev');
  assert.equal((await c.reference('v1')).hash, dev.hash);
  await c.deleteReference('dev');
  await assert.rejects(c.reference('dev'), (e: CatalogError) => e.code === 'REFERENCE_NOT_FOUND' && /branch create dev/.test(e.message));
  // a deleted name can be created again
  await c.createReference('dev', 'BRANCH', 'main');
  assert.equal((await c.reference('dev')).hash, (await c.reference('main')).hash);
  await assert.rejects(c.deleteReference('main'), /default branch/);
});

test('diff between refs lists changed, added and removed keys', async () => {
  const c = await fresh();
  await c.commit('main', [put('glucose.raw', 'r1'), put('glucose.daily', 'd1')], { message: 'base' });
  await c.createReference('dev', 'BRANCH');
  await c.commit('dev', [put('glucose.raw', 'r2'), { type: 'DELETE', key: 'glucose.daily' }, put('glucose.new', 'n1')], { message: 'work' });
  const d = await c.diff('main', 'dev');
  assert.deepEqual(
    d.map((x) => [x.key, x.from?.metadataLocation ?? null, x.to?.metadataLocation ?? null]),
    [['glucose.daily', 'd1', null], ['glucose.new', null, 'n1'], ['glucose.raw', 'r1', 'r2']],
  );
  assert.deepEqual(await c.diff('main', 'main'), []);
});

test('merge fast-forwards when the target did not move', async () => {
  const c = await fresh();
  await c.createReference('dev', 'BRANCH');
  const w = await c.commit('dev', [put('glucose.raw', 'r1')], { message: 'w' });
  const r = await c.merge('dev', 'main');
  assert.equal(r.kind, 'fast-forward');
  assert.equal((await c.reference('main')).hash, w.hash);
  assert.deepEqual(r.keys, ['glucose.raw']);
  const again = await c.merge('dev', 'main');
  assert.equal(again.kind, 'up-to-date');
});

test('three-way merge brings over keys changed only on the source', async () => {
  const c = await fresh();
  await c.commit('main', [put('glucose.raw', 'r1'), put('glucose.daily', 'd1')], { message: 'base' });
  await c.createReference('dev', 'BRANCH');
  await c.commit('dev', [put('glucose.raw', 'r2'), { type: 'DELETE', key: 'glucose.daily' }], { message: 'on dev' });
  const mainHead = await c.commit('main', [put('glucose.other', 'o1')], { message: 'on main' });
  const r = await c.merge('dev', 'main');
  assert.equal(r.kind, 'merge-commit');
  const merged = await c.readCommit(r.hash);
  assert.equal(merged.parents[0], mainHead.hash);
  assert.equal(merged.parents[1], (await c.reference('dev')).hash);
  const tree = await c.entries('main');
  assert.deepEqual(Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, v.metadataLocation])), {
    'glucose.other': 'o1',
    'glucose.raw': 'r2',
  });
});

test('merge conflict when both sides changed the same key; nothing is written', async () => {
  const c = await fresh();
  await c.commit('main', [put('glucose.raw', 'r1')], { message: 'base' });
  await c.createReference('dev', 'BRANCH');
  await c.commit('dev', [put('glucose.raw', 'r-dev')], { message: 'dev' });
  const head = await c.commit('main', [put('glucose.raw', 'r-main')], { message: 'main' });
  await assert.rejects(c.merge('dev', 'main'), (e: unknown) => {
    assert.ok(e instanceof MergeConflictError);
    assert.deepEqual(e.keys, ['glucose.raw']);
    assert.match(e.message, /glucose\.raw/);
    assert.match(e.message, /Nothing was merged/);
    return true;
  });
  assert.equal((await c.reference('main')).hash, head.hash);
});

test('expected hash: commit applies on a moved head unless a touched key changed', async () => {
  const c = await fresh();
  const base = await c.commit('main', [put('glucose.raw', 'r1'), put('glucose.daily', 'd1')], { message: 'base' });
  await c.commit('main', [put('glucose.daily', 'd2')], { message: 'other writer' });
  // unrelated key: applies on top of the new head
  const ok = await c.commit('main', [put('glucose.raw', 'r2')], { message: 'mine', expectedHash: base.hash });
  assert.equal((await c.content('glucose.daily')).metadataLocation, 'd2');
  assert.equal((await c.content('glucose.raw')).metadataLocation, 'r2');
  // same key changed since expected hash: conflict naming the key
  await assert.rejects(
    c.commit('main', [put('glucose.daily', 'd3')], { message: 'stale', expectedHash: base.hash }),
    (e: unknown) => e instanceof ReferenceConflictError && e.keys.includes('glucose.daily'),
  );
  // assign/delete with a stale hash
  await c.createReference('dev', 'BRANCH');
  await assert.rejects(c.deleteReference('dev', base.hash), ReferenceConflictError);
  await assert.rejects(c.assignReference('main', 'dev', base.hash), ReferenceConflictError);
  assert.equal((await c.reference('main')).hash, ok.hash);
});

test('expected contents: a table commit fails when the table moved', async () => {
  const c = await fresh();
  await c.commit('main', [put('glucose.raw', 'r1')], { message: 'create', expectedContents: { 'glucose.raw': null } });
  await assert.rejects(
    c.commit('main', [put('glucose.raw', 'r2')], { message: 'x', expectedContents: { 'glucose.raw': null } }),
    (e: unknown) => e instanceof ReferenceConflictError && /glucose\.raw/.test((e as Error).message),
  );
  await c.commit('main', [put('glucose.raw', 'r2')], { message: 'y', expectedContents: { 'glucose.raw': 'r1' } });
  assert.equal((await c.content('glucose.raw')).metadataLocation, 'r2');
});

test('concurrent commits from many writers all land (compare-and-swap retries)', async () => {
  const storage = new MemoryStorage();
  const writers = await Promise.all([0, 1, 2, 3, 4].map(() => openCatalog(storage, { clock: fixedClock() })));
  await Promise.all(writers.map((w, i) => w.commit('main', [put(`ns.t${i}`, `m${i}`)], { message: `w${i}` })));
  const c = writers[0]!;
  assert.deepEqual(Object.keys(await c.entries('main')).sort(), ['ns.t0', 'ns.t1', 'ns.t2', 'ns.t3', 'ns.t4']);
  assert.equal((await c.log('main')).length, 6);
});

test('bad names and missing things give actionable errors', async () => {
  const c = await fresh();
  await assert.rejects(c.commit('main', [put('raw', 'x')], { message: 'x' }), /namespace\.table/);
  await assert.rejects(c.createReference('bad name', 'BRANCH'), /not a valid reference name/);
  await assert.rejects(c.content('glucose.nope'), (e: CatalogError) => e.code === 'CONTENT_NOT_FOUND');
  await assert.rejects(c.resolve('main~5'), /past the first commit/);
});

test('write-audit-publish: a branch isolates writes until merged, dropping discards them', async () => {
  const c = await fresh();
  await c.commit('main', [put('glucose.raw', 'r1')], { message: 'published' });
  await c.createReference('etl', 'BRANCH');
  await c.commit('etl', [put('glucose.raw', 'r2'), put('glucose.daily', 'd1')], { message: 'write' });
  assert.equal((await c.content('glucose.raw', 'main')).metadataLocation, 'r1');
  await c.merge('etl', 'main');
  assert.equal((await c.content('glucose.daily', 'main')).metadataLocation, 'd1');
  await c.createReference('etl2', 'BRANCH');
  await c.commit('etl2', [put('glucose.raw', 'bad')], { message: 'bad write' });
  await c.deleteReference('etl2');
  assert.equal((await c.content('glucose.raw', 'main')).metadataLocation, 'r2');
});

test('the catalog persists on disk and reopens (node-fs storage), read-only refuses writes', async () => {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { NodeFsStorage } = await import('../../../sandboxes/lakehouse/storage/node-fs.ts');
  const dir = await mkdtemp(join(tmpdir(), 'catalog-'));
  try {
    const c = await openCatalog(new NodeFsStorage(dir), { clock: fixedClock() });
    await c.commit('main', [put('glucose.raw', 'r1')], { message: 'one' });
    await c.createReference('dev', 'BRANCH');
    await c.deleteReference('dev');
    const again = await openCatalog(new NodeFsStorage(dir, { readOnly: true }));
    assert.equal((await again.content('glucose.raw')).metadataLocation, 'r1');
    assert.deepEqual((await again.references()).map((r) => r.name), ['main']);
    await assert.rejects(again.createReference('x', 'BRANCH'), (e: CatalogError) => e.code === 'READ_ONLY');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('relative references: name~N, name@hash, name*time', async () => {
  const c = await fresh(); // clock: 2026-01-01T00:00:01Z, then +1 s per commit
  const one = await c.commit('main', [put('glucose.raw', 'r1')], { message: 'one' });
  const two = await c.commit('main', [put('glucose.raw', 'r2')], { message: 'two' });
  assert.equal((await c.resolve('main~1')).hash, one.hash);
  assert.equal((await c.resolve(`main@${one.hash}`)).hash, one.hash);
  assert.equal((await c.resolve(`main*${one.time}`)).hash, one.hash);
  assert.equal((await c.resolve(`main*${Date.parse(two.time) + 5000}`)).hash, two.hash);
  assert.equal((await c.content('glucose.raw', `main*${one.time}`)).metadataLocation, 'r1');
  await assert.rejects(c.resolve('main*1999-01-01T00:00:00Z'), /no commit at or before/);
  await assert.rejects(c.resolve('main*yesterday'), /not a time/);
  await c.createReference('dev', 'BRANCH');
  const onDev = await c.commit('dev', [put('glucose.raw', 'r3')], { message: 'dev' });
  await assert.rejects(c.resolve(`main@${onDev.hash}`), /not in the history of 'main'/);
});
