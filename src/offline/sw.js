/**
 * The course's service worker (plain JavaScript: it is copied into the build as /sw.js by
 * scripts/service-worker.mjs, which replaces the precache manifest below).
 *
 * Two groups of files, each in its own cache:
 * - "shell": every page, its styles and scripts, the search index. Cached when the worker
 *   installs, so after a first visit the whole course can be read offline.
 * - "sandbox": the engines (DuckDB-WASM, PGlite, the Parquet codec), the sandbox code and
 *   the prebuilt warehouse, about 60 MB. Cached only once a reader uses a hands-on section
 *   (or asks for it), so a reader who never opens one never downloads them.
 * Each cache remembers the hash of every file it holds; an update fetches only the files
 * that changed and deletes the ones that are gone, so offline use survives an update.
 *
 * Static hosts that cannot send headers (GitHub Pages) lose cross-origin isolation, which
 * DuckDB's threads and the WebContainer need, and the Content-Security-Policy: pages and
 * workers served through this worker get every security header the host left out (the
 * build writes them into the manifest from src/lib/security-headers.mjs, with the CSP's
 * inline-script hashes of this build).
 */
const MANIFEST = self.__PHLO_PRECACHE__;
const BASE = new URL(MANIFEST.base, self.location.href);
const CACHE = { shell: 'phlo-shell', sandbox: 'phlo-sandbox' };
const HASHES_KEY = new URL('__phlo-offline-hashes.json', BASE).toString();
const SECURITY_HEADERS = MANIFEST.headers;

const abs = (url) => new URL(url, BASE).toString();
const byUrl = new Map(MANIFEST.files.map((f) => [abs(f.url), f]));
/**
 * The whole form of each module the build split into parts (DuckDB-WASM). Where the host
 * serves it whole (npm start, the workshop, Netlify, GitHub Pages) the page loads it by that
 * URL; this worker leaves it to the browser's HTTP cache and does not store it a second
 * time beside the parts. Offline the request fails and the page joins the parts cached here instead
 * (src/sandbox/runtime/split-assets.ts).
 */
const WHOLE_OF_SPLIT = new Set(MANIFEST.files.filter((f) => f.url.endsWith('.wasm.parts.json')).map((f) => abs(f.url.slice(0, -'.parts.json'.length))));

async function storedHashes(cache) {
  const res = await cache.match(HASHES_KEY);
  return res ? res.json() : {};
}

/** Bring one group's cache to this version: fetch what is new or changed, drop what is gone. */
async function syncGroup(group, onProgress, { prune = false } = {}) {
  const cache = await caches.open(CACHE[group]);
  const hashes = await storedHashes(cache);
  const want = MANIFEST.files.filter((f) => f.group === group && !f.sameAs);
  const todo = want.filter((f) => hashes[abs(f.url)] !== f.hash);
  const total = want.reduce((n, f) => n + f.size, 0);
  let done = total - todo.reduce((n, f) => n + f.size, 0);
  onProgress?.(done, total);
  // A few at a time: a workshop room shares one laptop's server.
  const queue = [...todo];
  const worker = async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      const res = await fetch(abs(f.url), { cache: 'no-cache' });
      if (!res.ok) throw new Error(`${f.url}: HTTP ${res.status}`);
      await cache.put(abs(f.url), res);
      hashes[abs(f.url)] = f.hash;
      done += f.size;
      onProgress?.(done, total);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  if (prune) {
    for (const url of Object.keys(hashes)) {
      if (!byUrl.has(url) || byUrl.get(url).group !== group) {
        await cache.delete(url);
        delete hashes[url];
      }
    }
  }
  await cache.put(HASHES_KEY, new Response(JSON.stringify(hashes), { headers: { 'Content-Type': 'application/json' } }));
  return { cached: want.every((f) => hashes[abs(f.url)] === f.hash), version: MANIFEST.version };
}

async function groupState(group) {
  const cache = await caches.open(CACHE[group]);
  const hashes = await storedHashes(cache);
  const want = MANIFEST.files.filter((f) => f.group === group && !f.sameAs);
  const have = want.filter((f) => hashes[abs(f.url)] === f.hash);
  return { cached: have.length === want.length, bytes: have.reduce((n, f) => n + f.size, 0), total: want.reduce((n, f) => n + f.size, 0), started: Object.keys(hashes).length > 0 };
}

async function broadcast(message) {
  for (const client of await self.clients.matchAll({ includeUncontrolled: true })) client.postMessage(message);
}

self.addEventListener('install', (event) => {
  event.waitUntil(syncGroup('shell'));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      await syncGroup('shell', null, { prune: true });
      // A reader who had the sandboxes offline keeps them: bring them to this version too.
      const sandbox = await caches.open(CACHE.sandbox);
      if (Object.keys(await storedHashes(sandbox)).length > 0) {
        await syncGroup('sandbox', null, { prune: true }).catch(() => {});
      }
      await self.clients.claim();
      await broadcast({ type: 'offline-state', version: MANIFEST.version, shell: await groupState('shell'), sandbox: await groupState('sandbox') });
    })(),
  );
});

let sandboxSync = null;
self.addEventListener('message', (event) => {
  const msg = event.data || {};
  if (msg.type === 'skip-waiting') self.skipWaiting();
  if (msg.type === 'offline-state') {
    event.waitUntil(
      (async () => event.source?.postMessage({ type: 'offline-state', version: MANIFEST.version, shell: await groupState('shell'), sandbox: await groupState('sandbox') }))(),
    );
  }
  if (msg.type === 'cache-sandbox') {
    let last = 0;
    sandboxSync ??= syncGroup('sandbox', (done, total) => {
      if (Date.now() - last < 250 && done < total) return;
      last = Date.now();
      void broadcast({ type: 'offline-progress', group: 'sandbox', done, total });
    })
      .then(async () => broadcast({ type: 'offline-state', version: MANIFEST.version, shell: await groupState('shell'), sandbox: await groupState('sandbox') }))
      .catch((err) => broadcast({ type: 'offline-error', group: 'sandbox', message: String(err && err.message ? err.message : err) }))
      .finally(() => {
        sandboxSync = null;
      });
    event.waitUntil(sandboxSync);
  }
});

/** Add the security headers (isolation, CSP) to a page or worker script when the host did not send them. */
function isolated(response, request) {
  const needs = request.mode === 'navigate' || request.destination === 'worker' || request.destination === 'sharedworker';
  if (!needs || response.type === 'opaque') return response;
  const missing = Object.keys(SECURITY_HEADERS).filter((k) => !response.headers.has(k));
  if (missing.length === 0) return response;
  const headers = new Headers(response.headers);
  for (const k of missing) headers.set(k, SECURITY_HEADERS[k]);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** Page URLs are cached under their directory form ("/parts/x/"), as the server answers them. */
function cacheKey(url) {
  const u = new URL(url);
  u.hash = '';
  u.search = '';
  if (u.pathname.endsWith('/index.html')) u.pathname = u.pathname.slice(0, -'index.html'.length);
  return u.toString();
}

async function fromCache(request) {
  const key = cacheKey(request.url);
  const entry = byUrl.get(key);
  if (!entry) return null;
  const cache = await caches.open(CACHE[entry.group]);
  const hit = await cache.match(entry.sameAs ? abs(entry.sameAs) : key, { ignoreMethod: true });
  if (!hit) return null;
  // HEAD asks only for the headers (the warehouse reader probes sizes this way).
  return request.method === 'HEAD' ? new Response(null, { status: hit.status, headers: hit.headers }) : hit;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' && request.method !== 'HEAD') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (WHOLE_OF_SPLIT.has(cacheKey(request.url))) return;
  event.respondWith(
    (async () => {
      // Precached files never change under their version, so the cache answers first:
      // a workshop room gets the course from every laptop's own disk.
      const cached = await fromCache(request);
      if (cached) return isolated(cached, request);
      try {
        return isolated(await fetch(request), request);
      } catch (err) {
        if (request.mode === 'navigate') {
          const fallback = await caches.match(abs('404.html'));
          if (fallback) return isolated(new Response(fallback.body, { status: 503, headers: fallback.headers }), request);
        }
        throw err;
      }
    })(),
  );
});
