/**
 * The message that hands DuckDB's worker a WebAssembly module the page already compiled
 * (src/sandbox/runtime/duckdb-worker.ts takes it before DuckDB's own message handler). Its
 * own file, so the worker shim can import it without DuckDB-WASM's page-side bundle.
 */
export const COMPILED_MODULE_MESSAGE = 'phlo:compiled-duckdb-module';

export interface CompiledModuleMessage {
  type: typeof COMPILED_MODULE_MESSAGE;
  module: WebAssembly.Module;
  /** The module's URL: DuckDB's own fetch of it is answered with nothing (not downloaded twice). */
  url: string;
}
