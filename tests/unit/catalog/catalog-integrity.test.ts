/**
 * A catalog commit or tree file that was changed after it was written (issue 13, item 3):
 * commits are content addressed, so a file whose bytes no longer hash to its name is
 * corrupt and must be refused with the file named. Before, a commit rewritten to name a
 * later commit as its parent made `log` and `main*<time>` loop forever (one process spun for
 * 28 minutes). The looping case runs in a child process under a time limit, so a regression
 * fails this test instead of hanging the suite.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MemoryStorage } from '../../../sandboxes/lakehouse/storage/memory.ts';
import { openCatalog, Catalog } from '../../../sandboxes/lakehouse/catalog/catalog.ts';
import { CatalogError } from '../../../sandboxes/lakehouse/catalog/errors.ts';

const child = fileURLToPath(new URL('./looping-history.mjs', import.meta.url));

for (const reader of ['log', 'time', 'tilde']) {
  test(`a commit history that loops stops '${reader}' with a CORRUPT error instead of hanging`, () => {
    const started = Date.now();
    const res = spawnSync(process.execPath, [child, reader], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(res.signal, null, `the reader did not finish within 20 s (killed after ${Date.now() - started} ms): it loops`);
    assert.equal(res.status, 1, `expected a refusal, got: ${res.stdout}${res.stderr}`);
    assert.match(res.stdout, /CatalogError CORRUPT/);
    assert.match(res.stdout, /catalog\/commits\/[0-9a-f]{64}\.json/);
  });
}

function clock() {
  let t = Date.UTC(2026, 0, 1);
  return () => new Date((t += 1000));
}

const put = (key: string, metadataLocation: string) => ({ type: 'PUT' as const, key, metadataLocation });

test('a commit whose content does not match its hash is refused, naming the file', async () => {
  const storage = new MemoryStorage();
  const c = await openCatalog(storage, { clock: clock() });
  const one = await c.commit('main', [put('glucose.raw', 'r1')], { message: 'one' });
  const path = `catalog/commits/${one.hash}.json`;
  const object = JSON.parse(new TextDecoder().decode(storage.files.get(path)!));
  object.message = 'rewritten history';
  storage.files.set(path, new TextEncoder().encode(JSON.stringify(object)));
  const reader = new Catalog(storage);
  await assert.rejects(reader.log('main'), (e: unknown) => e instanceof CatalogError && e.code === 'CORRUPT' && e.message.includes(path) && /does not match its hash/.test(e.message));
});

test('a tree whose content does not match its hash is refused, naming the file', async () => {
  const storage = new MemoryStorage();
  const c = await openCatalog(storage, { clock: clock() });
  const one = await c.commit('main', [put('glucose.raw', 'r1')], { message: 'one' });
  const path = `catalog/trees/${one.tree}.json`;
  storage.files.set(path, new TextEncoder().encode(JSON.stringify({ 'glucose.raw': { type: 'ICEBERG_TABLE', id: 'x', metadataLocation: 'elsewhere' } })));
  await assert.rejects(new Catalog(storage).content('glucose.raw'), (e: unknown) => e instanceof CatalogError && e.code === 'CORRUPT' && e.message.includes(path));
});

test('a commit of the wrong shape (with a matching hash) is refused field by field, not with a raw error', async () => {
  const storage = new MemoryStorage();
  const c = await openCatalog(storage, { clock: clock() });
  // Hand-made object whose name is its true hash, so only the shape check can catch it.
  const { hashOf, canonicalJson } = await import('../../../sandboxes/lakehouse/catalog/hash.ts');
  const bad = { parents: 'abc', tree: 5, author: 'x', message: 'm', time: 'not a time', operations: {} };
  const hash = await hashOf(bad);
  storage.files.set(`catalog/commits/${hash}.json`, new TextEncoder().encode(canonicalJson(bad)));
  await storage.compareAndSwap('catalog/refs/branches/main', (await c.reference('main')).hash, hash);
  await assert.rejects(new Catalog(storage).log('main'), (e: unknown) => {
    assert.ok(e instanceof CatalogError && e.code === 'CORRUPT', String(e));
    assert.match(e.message, /parents: expected an array/);
    assert.match(e.message, /tree: expected a string/);
    assert.match(e.message, /time: expected an ISO-8601 time/);
    return true;
  });
});

for (const reader of ['log', 'time', 'tilde']) {
  test(`walks that follow parents ('${reader}') stop on a cycle even among trusted (cached) commits`, () => {
    const res = spawnSync(process.execPath, [child, reader, 'cached'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(res.signal, null, 'the reader did not finish within 20 s: it loops');
    assert.equal(res.status, 1, `expected a refusal, got: ${res.stdout}${res.stderr}`);
    assert.match(res.stdout, /CatalogError CORRUPT: .*loops/);
  });
}

test('a reference file that does not hold a commit hash is CORRUPT, naming the file', async () => {
  const storage = new MemoryStorage();
  await openCatalog(storage, { clock: clock() });
  storage.files.set('catalog/refs/branches/main', new TextEncoder().encode('../../trees/x'));
  await assert.rejects(new Catalog(storage).log('main'), (e: unknown) => e instanceof CatalogError && e.code === 'CORRUPT' && e.message.includes('catalog/refs/branches/main'));
});
