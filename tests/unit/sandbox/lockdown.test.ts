/**
 * The pipeline worker's lockdown (issue 13 item 10): what learner code finds in its global
 * scope once the worker has taken what it needs. Node has most of the same globals (fetch,
 * WebSocket, BroadcastChannel, navigator, postMessage-less), so the removal and the
 * fail-closed check are tested here; tests/browser/learner-isolation.spec.ts attacks the
 * real worker in Chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lockdown, restrictedFetch, RefusedFetch, REMOVED_GLOBALS } from '../../../src/sandbox/pipeline/lockdown.ts';

const ORIGIN = 'http://127.0.0.1:4334';

test('the restricted fetch answers only GET/HEAD under the allowed folders of this origin', async () => {
  const asked: string[] = [];
  const real = (async (input: RequestInfo | URL) => (asked.push(String(input)), new Response('ok'))) as typeof fetch;
  const f = restrictedFetch(real, [`${ORIGIN}/warehouse/`, '/_astro/'], ORIGIN);
  assert.equal(await (await f(`${ORIGIN}/warehouse/glucose/metadata/v1.metadata.json`)).text(), 'ok');
  assert.equal(await (await f('/_astro/pglite.wasm')).text(), 'ok');
  for (const url of ['/', '/parts/', `${ORIGIN}/warehouse/../progress/`, '/warehouse/%2e%2e/x', 'https://example.com/warehouse/x', '/warehousex/a', 'data:text/plain,hi']) {
    await assert.rejects(f(url), RefusedFetch, url);
  }
  await assert.rejects(f('/warehouse/x', { method: 'PUT' }), RefusedFetch);
  await assert.rejects(f(new Request(`${ORIGIN}/warehouse/x`, { method: 'POST', body: 'x' })), RefusedFetch);
  assert.deepEqual(asked, [`${ORIGIN}/warehouse/glucose/metadata/v1.metadata.json`, '/_astro/pglite.wasm']);
});

test('lockdown removes storage, network and messaging from the global scope, keeping only the given fetch', async () => {
  const g = globalThis as Record<string, unknown>;
  // Stand-ins for what a browser worker has and Node does not.
  g.caches = { keys: async () => ['phlo-offline'] };
  g.indexedDB = {};
  g.postMessage = () => {};
  Object.defineProperty(globalThis.navigator, 'storage', { value: { getDirectory: async () => ({}) }, configurable: true });
  Object.defineProperty(globalThis.navigator, 'locks', { value: {}, configurable: true });
  const limited = (async () => new Response('limited')) as typeof fetch;
  lockdown({ fetch: limited });
  for (const name of REMOVED_GLOBALS) if (name !== 'fetch') assert.equal(g[name], undefined, `${name} is gone`);
  assert.equal(globalThis.fetch, limited, 'fetch is the limited one');
  assert.equal((navigator as unknown as Record<string, unknown>).storage, undefined, 'navigator.storage is gone');
  assert.equal((navigator as unknown as Record<string, unknown>).locks, undefined, 'navigator.locks is gone');
  // Learner code cannot put the real one back.
  assert.throws(() => Object.defineProperty(globalThis, 'fetch', { value: () => 'mine' }), TypeError);
});
