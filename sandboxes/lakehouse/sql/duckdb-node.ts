/**
 * DuckDB-WASM for Node (CLI, tests, WebContainer, the site build): the eh build in a
 * worker thread, loaded from node_modules. Node only: browser code imports
 * ./duckdb-browser.ts instead.
 *
 * DuckDB-WASM's Node worker is written against the Web Worker API (global `postMessage` /
 * `onmessage`), so a few lines of glue run it inside `worker_threads`, and a small adapter
 * gives the main side the EventTarget-style object AsyncDuckDB expects. We do not use the
 * package's own `createWorker`, which fetches the script by URL.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as duckdbTypes from '@duckdb/duckdb-wasm';
import { DuckDbWasmEngine, type DuckDbEngineOptions } from './duckdb-engine.ts';

const require = createRequire(import.meta.url);

/**
 * Defined as `true` by scripts/bundle-webcontainer.mjs: the prebundled CLI (what a
 * WebContainer runs, with no node_modules) carries DuckDB's worker and .wasm beside itself.
 */
declare const __PHLO_PREBUNDLED__: boolean | undefined;

/** The folder holding duckdb-node-eh.worker.cjs and duckdb-eh.wasm. */
function duckdbDist(): string {
  if (typeof __PHLO_PREBUNDLED__ !== 'undefined' && __PHLO_PREBUNDLED__) return dirname(fileURLToPath(import.meta.url));
  return dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node.cjs'));
}

// The worker logs every failed query with a stack trace; errors reach us as values anyway.
const WORKER_GLUE = `
const { parentPort, workerData } = require('node:worker_threads');
for (const level of ['log', 'info', 'warn', 'error', 'debug']) console[level] = () => {};
globalThis.postMessage = (data, transfer) => parentPort.postMessage(data, transfer);
parentPort.on('message', (data) => { if (globalThis.onmessage) globalThis.onmessage({ data }); });
require(workerData.script);
`;

type Listener = (event: unknown) => void;

/** Presents a worker_threads Worker as the browser Worker that AsyncDuckDB talks to. */
class NodeWorkerAdapter {
  private readonly worker: Worker;
  private readonly handlers = new Map<Listener, { event: string; handler: (...args: unknown[]) => void }>();

  /** Requests sent and not yet answered (AsyncDuckDB gets one reply per request). */
  private inFlight = 0;

  constructor(script: string) {
    this.worker = new Worker(WORKER_GLUE, { eval: true, workerData: { script } });
    // An idle engine must not keep Node running (a script that forgets close() still ends);
    // a busy one must, or a process awaiting a query could exit under it.
    this.worker.unref();
    this.worker.on('message', () => {
      if (--this.inFlight <= 0) {
        this.inFlight = 0;
        this.worker.unref();
      }
    });
  }

  addEventListener(type: string, listener: Listener): void {
    const event = type === 'close' ? 'exit' : type;
    const handler =
      type === 'message'
        ? (data: unknown) => listener({ data })
        : type === 'error'
          ? (error: unknown) => listener({ error, message: String((error as Error)?.message ?? error) })
          : () => listener({});
    this.handlers.set(listener, { event, handler });
    this.worker.on(event, handler);
  }

  removeEventListener(_type: string, listener: Listener): void {
    const entry = this.handlers.get(listener);
    if (entry) this.worker.off(entry.event, entry.handler);
    this.handlers.delete(listener);
  }

  postMessage(message: unknown, transfer?: ArrayBuffer[]): void {
    if (this.inFlight++ === 0) this.worker.ref();
    this.worker.postMessage(message, transfer as never);
  }

  terminate(): void {
    void this.worker.terminate();
  }
}

export async function createNodeEngine(options: DuckDbEngineOptions = {}): Promise<DuckDbWasmEngine> {
  // The package's Node build (its "node" export condition); a bundler can follow this import.
  const mod = (await import('@duckdb/duckdb-wasm')) as typeof duckdbTypes & { default?: typeof duckdbTypes };
  const duckdb = mod.AsyncDuckDB ? mod : mod.default!;
  const dist = duckdbDist();
  const boot = async () => {
    const worker = new NodeWorkerAdapter(join(dist, 'duckdb-node-eh.worker.cjs'));
    const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker as unknown as globalThis.Worker);
    await db.instantiate(join(dist, 'duckdb-eh.wasm'), null);
    await db.open({});
    return db;
  };
  return DuckDbWasmEngine.start(boot, options);
}
