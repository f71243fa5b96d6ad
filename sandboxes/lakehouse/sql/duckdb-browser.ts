/**
 * DuckDB-WASM in the browser: the eh bundle in a Web Worker. The caller passes the bundle
 * URLs (e.g. Vite `?url` imports of `duckdb-eh.wasm` and `duckdb-browser-eh.worker.js`) so
 * the build can fingerprint and serve them from the site's own origin: nothing is fetched
 * from a CDN.
 */
import * as duckdb from '@duckdb/duckdb-wasm';
import { DuckDbWasmEngine, type DuckDbEngineOptions } from './duckdb-engine.ts';

export interface BrowserBundle {
  /** URL of duckdb-eh.wasm. */
  mainModule: string;
  /** URL of duckdb-browser-eh.worker.js. */
  mainWorker: string;
}

export async function createBrowserEngine(bundle: BrowserBundle, options: DuckDbEngineOptions = {}): Promise<DuckDbWasmEngine> {
  // Taken now: a restart (after a time limit) may come after the pipeline worker removed
  // `Worker` from its scope (src/sandbox/pipeline/lockdown.ts).
  const Spawn = globalThis.Worker;
  const boot = async () => {
    const worker = new Spawn(bundle.mainWorker);
    const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
    await db.instantiate(bundle.mainModule, null);
    await db.open({});
    return db;
  };
  return DuckDbWasmEngine.start(boot, options);
}
