/**
 * Takes the ambient authority out of a worker's global scope before the learner's code
 * (plugin files, pipeline.config.ts) loads in it. A worker of this page shares the page's
 * origin: left as it is, learner code could list, read and delete every section's OPFS
 * folder, read Cache Storage and IndexedDB, fetch any same-origin URL, start a fresh worker
 * (which would have all of that back) or post made-up messages to the page.
 *
 * The pipeline keeps what it legitimately needs by taking it *before* the lockdown and
 * holding it in closures: its own section's OPFS directory handle (a handle cannot climb to
 * its parent), `post` for its replies, and `restrictedFetch` for the shipped warehouse and
 * the engines' files. Everything else goes; `lockdown` checks that it is gone and throws
 * when it is not, so learner code never runs in a scope that was only half closed.
 *
 * What stays possible (tests/browser/learner-isolation.spec.ts attacks the rest): reading
 * the shipped (public) warehouse and the site's built assets through the restricted fetch;
 * `import()` of a same-origin module or JSON file (syntax cannot be removed; a module runs in
 * this same locked scope); SQL, which runs in DuckDB's own worker (not locked down); writing
 * the section's own warehouse through `ctx.lake` (that is what a plugin is for); spending CPU
 * and memory while a command runs, until the watchdog (silence), the command's time limit or
 * the end of the command (the page then terminates this worker) stops it.
 */

/** Global names removed: storage, network, other contexts, and talking to the page. */
export const REMOVED_GLOBALS = [
  'fetch',
  'XMLHttpRequest',
  'WebSocket',
  'WebSocketStream',
  'WebTransport',
  'EventSource',
  'BroadcastChannel',
  'Worker',
  'SharedWorker',
  'importScripts',
  'indexedDB',
  'caches',
  'cookieStore',
  'postMessage',
  'requestFileSystem',
  'webkitRequestFileSystem',
  'webkitRequestFileSystemSync',
  'webkitResolveLocalFileSystemURL',
  'webkitResolveLocalFileSystemSyncURL',
  'FileSystemObserver',
  'RTCPeerConnection',
  'webkitRTCPeerConnection',
] as const;

/** `navigator` properties removed: OPFS and storage buckets, locks shared with the page, beacons. */
export const REMOVED_NAVIGATOR = ['storage', 'storageBuckets', 'locks', 'serviceWorker', 'sendBeacon', 'usb', 'hid', 'serial', 'bluetooth'] as const;

export class LockdownError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockdownError';
  }
}

/** Delete `name` wherever it is defined along `obj`'s prototype chain. */
function remove(obj: object, name: string): void {
  for (let o: object | null = obj; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    const d = Object.getOwnPropertyDescriptor(o, name);
    if (!d) continue;
    if (!Reflect.deleteProperty(o, name)) Object.defineProperty(o, name, { value: undefined, configurable: false, writable: false });
  }
}

/**
 * Remove the ambient authority from this global scope (a worker's). `keep.fetch` becomes the
 * scope's `fetch` afterwards (libraries that load their own files, PGlite, call it by name).
 */
export function lockdown(keep: { fetch?: typeof fetch } = {}): void {
  const g = globalThis as unknown as Record<string, unknown>;
  for (const name of REMOVED_GLOBALS) remove(g, name);
  const nav = g.navigator as object | undefined;
  if (nav) for (const name of REMOVED_NAVIGATOR) remove(nav, name);
  if (keep.fetch) Object.defineProperty(g, 'fetch', { value: keep.fetch, configurable: false, writable: false, enumerable: true });
  const left = [...REMOVED_GLOBALS.filter((n) => !(n === 'fetch' && keep.fetch) && g[n] !== undefined), ...REMOVED_NAVIGATOR.filter((n) => nav && (nav as Record<string, unknown>)[n] !== undefined).map((n) => `navigator.${n}`)];
  if (left.length) throw new LockdownError(`The pipeline worker could not remove ${left.join(', ')} before loading your code, so it will not load it. Use another browser (Chromium, Firefox, Safari).`);
}

export class RefusedFetch extends Error {
  constructor(url: string) {
    super(`fetch("${url}") was refused: code in the sandbox reads only the shipped warehouse and the engines' files. A source plugin gets its data from phlo.samples (the sandbox has no network).`);
    this.name = 'RefusedFetch';
  }
}

/**
 * A fetch that answers only GET/HEAD requests for same-origin URLs under the given prefixes
 * (the shipped warehouse, the folders the engines' files are served from).
 */
export function restrictedFetch(realFetch: typeof fetch, allowedPrefixes: readonly string[], origin: string): typeof fetch {
  const prefixes = allowedPrefixes.map((p) => new URL(p, origin)).filter((u) => u.origin === origin).map((u) => u.pathname);
  return (input, init) => {
    const req = input instanceof Request ? input : null;
    const url = new URL(req ? req.url : String(input), origin);
    const method = (init?.method ?? req?.method ?? 'GET').toUpperCase();
    const ok = url.origin === origin && (method === 'GET' || method === 'HEAD') && !url.pathname.includes('/../') && prefixes.some((p) => url.pathname.startsWith(p));
    if (!ok) return Promise.reject(new RefusedFetch(url.origin === origin ? url.pathname : url.href));
    return realFetch(input, init);
  };
}
