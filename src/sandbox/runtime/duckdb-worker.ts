/**
 * DuckDB-WASM's browser worker, started through this small classic worker.
 *
 * - A module compiled by the page. The sandbox page compiles DuckDB's module itself, from the
 *   moment it knows the URL, while this worker is still loading DuckDB's 0.8 MB script; it
 *   sends the compiled module here (COMPILED_MODULE_MESSAGE) and DuckDB instantiates that.
 * - Streaming from the response, where the worker compiles (the pipeline's own engine). When
 *   `TransformStream` exists, DuckDB's worker wraps the module's response in a
 *   progress-counting stream: a new Response with no URL, which no compiled-code cache (keyed
 *   by URL) could ever match. Hidden here, DuckDB hands fetch()'s own response to the
 *   compiler (nobody reads its progress). In headless Chromium 2026 we measured no
 *   compiled-code cache hit either way (bench/sandbox.mjs, warm "wasm-compile").
 * - The boot breakdown. The module's network, compile and instantiate phases run in this
 *   thread; they are sent to the page (./boot-timing.ts) on a BroadcastChannel, so they
 *   never mix with DuckDB's own messages.
 *
 */
import duckdbWorkerUrl from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import { WORKER_TIMING_CHANNEL, type WorkerPhase } from './boot-timing.ts';
import { COMPILED_MODULE_MESSAGE, type CompiledModuleMessage } from '../../../sandboxes/lakehouse/sql/duckdb-module-message.ts';

declare function importScripts(...urls: string[]): void;

const epoch = () => performance.timeOrigin + performance.now();

function report(phases: WorkerPhase[]): void {
  if (typeof BroadcastChannel === 'undefined') return;
  const channel = new BroadcastChannel(WORKER_TIMING_CHANNEL);
  for (const p of phases) channel.postMessage(p);
  channel.close();
}

(globalThis as { TransformStream?: unknown }).TransformStream = undefined;

/**
 * The module the page compiled (sandboxes/lakehouse/sql/duckdb-browser.ts), if it sent one.
 * Taken here, before DuckDB's handler (registered later, by importScripts below) sees it.
 */
let fromPage: CompiledModuleMessage | null = null;
self.addEventListener('message', (e: MessageEvent) => {
  if ((e.data as CompiledModuleMessage | undefined)?.type !== COMPILED_MODULE_MESSAGE) return;
  fromPage = e.data as CompiledModuleMessage;
  e.stopImmediatePropagation();
});
// DuckDB still fetches the module by its URL before instantiating: with the compiled module
// in hand, that fetch gets an empty answer instead of 34 MB.
const realFetch = globalThis.fetch.bind(globalThis);
globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (fromPage && new URL(url, location.href).href === fromPage.url) return Promise.resolve(new Response(null, { headers: { 'content-type': 'application/wasm' } }));
  return realFetch(input, init);
};

const instantiateStreaming = async (source: Response | PromiseLike<Response>, imports?: WebAssembly.Imports): Promise<WebAssembly.WebAssemblyInstantiatedSource> => {
  const start = epoch();
  if (fromPage) {
    const { module } = fromPage;
    const instance = await WebAssembly.instantiate(module, imports);
    report([{ phase: 'wasm-instantiate', start, end: epoch() }]);
    return { module, instance };
  }
  const response = await source;
  // compileStreaming + instantiate is instantiateStreaming in two steps: the same code cache, two timings.
  const module = await WebAssembly.compileStreaming(response);
  const compiled = epoch();
  const instance = await WebAssembly.instantiate(module, imports);
  const done = epoch();
  const entry = response.url ? (performance.getEntriesByName(response.url, 'resource').at(-1) as PerformanceResourceTiming | undefined) : undefined;
  const networkEnd = entry ? performance.timeOrigin + entry.responseEnd : compiled;
  const phases: WorkerPhase[] = [
    { phase: 'wasm-compile', start, end: compiled, detail: { afterLastByteMs: Math.max(0, compiled - networkEnd), from: response.url.startsWith('blob:') ? 'joined parts' : 'whole file' } },
    { phase: 'wasm-instantiate', start: compiled, end: done },
  ];
  // A joined module (blob: URL) was fetched by the page, which measured that network itself.
  if (entry) {
    const { transferSize, encodedBodySize, decodedBodySize } = entry;
    phases.unshift({ phase: 'wasm-network', start: performance.timeOrigin + entry.startTime, end: networkEnd, detail: { transferSize, encodedBodySize, decodedBodySize } });
  }
  report(phases);
  return { module, instance };
};
WebAssembly.instantiateStreaming = instantiateStreaming;

// Not passed in this script's URL: the service worker answers it under its cache key, and a
// fragment or query would be lost on the way.
const duckdbWorker = new URL(duckdbWorkerUrl, location.href);
if (duckdbWorker.pathname === location.pathname) throw new Error('duckdb-worker: DuckDB\'s worker URL resolved to this shim itself; check the build.');
importScripts(duckdbWorker.toString());
