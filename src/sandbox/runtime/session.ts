/**
 * One section's live sandbox: its SQL engine (DuckDB-WASM in its own worker), its warehouse
 * (the shipped warehouse with the learner's layer on top) and its saved state.
 *
 * The engine boots as soon as the reader scrolls near the section (see ../boot.ts), so by
 * the time they press "Start" the 34 MB WASM module is usually compiled and waiting.
 */
import duckdbWasmUrl from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import duckdbWorkerShimUrl from './duckdb-worker.ts?worker&url';
import parquetWasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';
import { createBrowserEngine } from '../../../sandboxes/lakehouse/sql/duckdb-browser.ts';
import type { SqlEngine } from '../../../sandboxes/lakehouse/sql/engine.ts';
import { HttpStorage } from '../../../sandboxes/lakehouse/storage/http.ts';
import { initParquet } from '../../../sandboxes/lakehouse/iceberg/parquet.ts';
import { openWarehouse, type Warehouse } from '../../../sandboxes/lakehouse/warehouse.ts';
import type { SectionConfig } from '../sections/types.ts';
import { LayeredStorage } from './layered-storage.ts';
import { loadCheckpoints, applyCheckpoint, refsAfterReset, workLostByReset, type Checkpoint, type WorkAtRisk } from './checkpoints.ts';
import { Catalog } from '../../../sandboxes/lakehouse/catalog/catalog.ts';
import { openSectionStore, type SectionStore } from './section-store.ts';
import { attachOpsTables } from '../../../sandboxes/pipeline/observe/ops-tables.ts';
import { markCheckpoint } from '../../../sandboxes/pipeline/observe/run-log.ts';
import { splitAwareUrl, compileModule } from './split-assets.ts';
import { listenToWorkerPhases, measurePhase, timePhase } from './boot-timing.ts';

export interface EngineAssets {
  duckdbWasmUrl: string;
  duckdbWorkerUrl: string;
  parquetWasmUrl: string;
}

/**
 * Where the engines load from. DuckDB's module comes whole where the host serves it, else
 * joined from its parts (./split-assets.ts); DuckDB's worker starts through ./duckdb-worker.ts,
 * which loads DuckDB's own worker script.
 */
export async function engineAssets(): Promise<EngineAssets> {
  return { duckdbWasmUrl: await splitAwareUrl(duckdbWasmUrl), duckdbWorkerUrl: new URL(duckdbWorkerShimUrl, location.href).toString(), parquetWasmUrl };
}

/** Where the site serves the prebuilt warehouse (written by the pipeline's build step). */
export function warehouseBaseUrl(): string {
  return new URL(`${import.meta.env.BASE_URL.replace(/\/?$/, '/')}warehouse/`, location.href).toString();
}

/** Per-query time limit: a runaway query is stopped (and the engine restarted) after this. */
export const QUERY_TIME_LIMIT_MS = 30_000;

export class StateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateError';
  }
}

export class SandboxSession {
  readonly config: SectionConfig;
  readonly store: SectionStore;
  readonly engine: SqlEngine;
  readonly shipped: HttpStorage;
  warehouse!: Warehouse;
  storage!: LayeredStorage;
  checkpoint: Checkpoint | null = null;
  /** Listeners told when the warehouse changed (a commit, a merge, a pipeline run, a reset). */
  private readonly listeners = new Set<(why: string) => void>();

  private constructor(config: SectionConfig, store: SectionStore, engine: SqlEngine, shipped: HttpStorage) {
    this.config = config;
    this.store = store;
    this.engine = engine;
    this.shipped = shipped;
  }

  static async open(config: SectionConfig, engine?: Promise<SqlEngine>): Promise<SandboxSession> {
    const base = warehouseBaseUrl();
    const shipped = new HttpStorage(base);
    const [store, eng, checkpoints] = await Promise.all([
      timePhase('section-store', () => openSectionStore(config.id)),
      engine ?? bootEngine(),
      timePhase('checkpoints', () => loadCheckpoints(base)),
      timePhase('parquet-codec', () => initParquet(parquetWasmUrl)),
    ]);
    const session = new SandboxSession(config, store, eng, shipped);
    session.checkpoint = checkpoints.get(config.checkpoint) ?? null;
    await timePhase('warehouse-open', () => session.openWarehouse());
    return session;
  }

  /** (Re)open the warehouse over the current layer; applies the checkpoint on first use. */
  async openWarehouse(): Promise<void> {
    this.storage = new LayeredStorage(this.shipped, this.store.warehouse);
    // A fresh warehouse object (same engine): its caches must not outlive a reset.
    this.warehouse = await openWarehouse({ storage: this.storage, engine: this.engine, author: 'learner' });
    // The pipeline's run log as SQL (ops.runs, ops.check_results, ...), as in the Node CLI.
    attachOpsTables(this.warehouse);
    const started = await this.store.state.get<string>('checkpoint-applied');
    if (started === undefined) {
      await timePhase('checkpoint-apply', () => this.applyCheckpoint());
      await this.store.state.set('checkpoint-applied', this.config.checkpoint);
    }
  }

  private async applyCheckpoint(): Promise<void> {
    if (this.checkpoint) await applyCheckpoint(this.warehouse, this.checkpoint);
    // The run log then hides the shipped runs that come after this checkpoint.
    if (this.checkpoint) await markCheckpoint(this.storage, this.config.checkpoint);
  }

  /** Throws a StateError when the saved state cannot be read (the UI then offers a reset). */
  async verify(): Promise<void> {
    try {
      // main must resolve to a readable commit and tree; other refs are read when shown.
      const refs = await this.warehouse.references();
      if (!refs.some((r) => r.name === 'main')) throw new Error('the branch main is missing');
      await this.warehouse.catalog.entries('main');
    } catch (err) {
      throw new StateError(`The saved state of this section could not be read (${(err as Error).message}).`);
    }
  }

  /**
   * What a reset would lose: the branches and tags the learner made, and the refs they
   * moved, compared with the refs a reset leaves (the shipped ones at the checkpoint).
   */
  async workAtRisk(): Promise<WorkAtRisk> {
    const shipped = await new Catalog(this.shipped).references();
    return workLostByReset(await this.warehouse.references(), refsAfterReset(shipped, this.checkpoint));
  }

  /** Back to the section's checkpoint. Edited pipeline files are kept. */
  async reset(): Promise<void> {
    await this.store.clearWarehouse();
    await this.store.state.delete('checkpoint-applied');
    await this.store.state.delete('tasks');
    await this.store.state.delete('last-run');
    await this.store.state.delete('last-result');
    await this.openWarehouse();
    this.changed('reset');
  }

  onChange(fn: (why: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  changed(why: string): void {
    for (const fn of this.listeners) {
      try {
        fn(why);
      } catch (err) {
        console.error(err);
      }
    }
  }
}

export async function bootEngine(): Promise<SqlEngine> {
  const stopListening = listenToWorkerPhases();
  try {
    // The worker starts (loading DuckDB's script) while the page finds out where the module
    // comes from and compiles it.
    const moduleUrl = splitAwareUrl(duckdbWasmUrl);
    return await createBrowserEngine(
      { mainModule: moduleUrl, mainWorker: new URL(duckdbWorkerShimUrl, location.href).toString(), compiledModule: moduleUrl.then(compileModule) },
      { timeLimitMs: QUERY_TIME_LIMIT_MS, cancelGraceMs: 1500, onPhase: measurePhase },
    );
  } finally {
    // The worker's last report may still be on its way: give it a moment.
    setTimeout(stopListening, 1000);
  }
}
