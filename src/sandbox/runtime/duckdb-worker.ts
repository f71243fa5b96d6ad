/**
 * DuckDB-WASM's browser worker, started through this small classic worker for two reasons.
 *
 * - The compiled-code cache. When `TransformStream` exists, DuckDB's worker wraps the
 *   module's response in a progress-counting stream before `WebAssembly.instantiateStreaming`.
 *   That copy is a new Response with no URL, and Chromium keys its cache of compiled
 *   WebAssembly by the response's URL: every visit compiled the 33 MB module again. Hidden
 *   here, DuckDB hands fetch()'s own response to the compiler (nobody reads its progress).
 * - The boot breakdown. The module's network, compile and instantiate phases run in this
 *   thread; they are sent to the page (./boot-timing.ts) on a BroadcastChannel, so they
 *   never mix with DuckDB's own messages.
 *
 */
import duckdbWorkerUrl from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import { WORKER_TIMING_CHANNEL, type WorkerPhase } from './boot-timing.ts';

declare function importScripts(...urls: string[]): void;

const epoch = () => performance.timeOrigin + performance.now();

function report(phases: WorkerPhase[]): void {
  if (typeof BroadcastChannel === 'undefined') return;
  const channel = new BroadcastChannel(WORKER_TIMING_CHANNEL);
  for (const p of phases) channel.postMessage(p);
  channel.close();
}

(globalThis as { TransformStream?: unknown }).TransformStream = undefined;

const instantiateStreaming = async (source: Response | PromiseLike<Response>, imports?: WebAssembly.Imports): Promise<WebAssembly.WebAssemblyInstantiatedSource> => {
  const start = epoch();
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
