/**
 * DuckDB-WASM in the browser: the eh bundle in a Web Worker. The caller passes the bundle
 * URLs (e.g. Vite `?url` imports of `duckdb-eh.wasm` and `duckdb-browser-eh.worker.js`) so
 * the build can fingerprint and serve them from the site's own origin: nothing is fetched
 * from a CDN.
 */
import * as duckdb from '@duckdb/duckdb-wasm';
import { DuckDbWasmEngine, type DuckDbEngineOptions } from './duckdb-engine.ts';
import { COMPILED_MODULE_MESSAGE, type CompiledModuleMessage } from './duckdb-module-message.ts';

export interface BrowserBundle {
  /**
   * URL of duckdb-eh.wasm, or the promise of it: the worker then starts (and loads its
   * script) while the caller is still finding out where the module comes from.
   */
  mainModule: string | Promise<string>;
  /** URL of duckdb-browser-eh.worker.js (or of a worker that loads it and takes `compiledModule`). */
  mainWorker: string;
  /**
   * The module, compiled by the caller while the worker starts (the page's compile can begin
   * as soon as the module's URL is known, and the browser caches a page's compiled modules).
   * Only for a worker that understands COMPILED_MODULE_MESSAGE (src/sandbox/runtime/duckdb-worker.ts);
   * if it fails, the worker fetches and compiles the module itself.
   */
  compiledModule?: Promise<WebAssembly.Module>;
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
    const url = await bundle.mainModule;
    const module = await bundle.compiledModule?.catch(() => undefined);
    // Sent before DuckDB's INSTANTIATE (one port keeps the order), so the worker has it in time.
    if (module) worker.postMessage({ type: COMPILED_MODULE_MESSAGE, module, url: new URL(url, globalThis.location?.href).toString() } satisfies CompiledModuleMessage);
    await db.instantiate(url, null);
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
