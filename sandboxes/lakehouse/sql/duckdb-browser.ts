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

/** Told when a start-up phase ends (`performance.now()` times), for the boot breakdown. */
export type PhaseListener = (phase: string, start: number, end: number) => void;

export async function createBrowserEngine(bundle: BrowserBundle, options: DuckDbEngineOptions & { onPhase?: PhaseListener } = {}): Promise<DuckDbWasmEngine> {
  // Taken now: a restart (after a time limit) may come after the pipeline worker removed
  // `Worker` from its scope (src/sandbox/pipeline/lockdown.ts).
  const Spawn = globalThis.Worker;
  const onPhase = options.onPhase ?? (() => {});
  let opened = 0;
  const boot = async () => {
    const start = performance.now();
    const worker = new Spawn(bundle.mainWorker);
    const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
    await db.instantiate(bundle.mainModule, null);
    const instantiated = performance.now();
    onPhase('duckdb-instantiate', start, instantiated);
    await db.open({});
    opened = instantiated;
    return db;
  };
  const engine = await DuckDbWasmEngine.start(boot, options);
  // Opening the database, its connection and the sandbox's settings (CONNECTION_SETUP).
  onPhase('duckdb-open', opened, performance.now());
  return engine;
}
