/**
 * The pipeline's Web Worker: the "Worker runner". It owns its own DuckDB-WASM engine (a
 * nested worker) and opens the section's warehouse in OPFS, layered over the shipped one,
 * so the page sees every commit a run makes as soon as it lands. The page can terminate it
 * at any time (Cancel, a time limit, a crash): runs write on their own branch, so main is
 * never left half-written.
 *
 * The learner's plugin files run in this worker, so before any of them loads it takes what
 * the pipeline needs (its section's OPFS folder, a fetch limited to the shipped warehouse
 * and the engines' files, its channel to the page, the Worker constructor for the settings
 * worker) and then removes storage, network and messaging from its global scope
 * (lockdown.ts). The page terminates it when a command that ran learner code ends.
 */
import { createBrowserEngine } from '../../../sandboxes/lakehouse/sql/duckdb-browser.ts';
import { initParquet } from '../../../sandboxes/lakehouse/iceberg/parquet.ts';
import { HttpStorage } from '../../../sandboxes/lakehouse/storage/http.ts';
import { OpfsStorage } from '../../../sandboxes/lakehouse/storage/opfs.ts';
import { opfsDir } from '../runtime/section-store.ts';
import { LayeredStorage } from '../runtime/layered-storage.ts';
import { PipelineHost } from './host.ts';
import type { ToWorker, FromWorker } from './protocol.ts';
import { lockdown, restrictedFetch } from './lockdown.ts';
import { isolatedSettingsImport, spawnSettingsWorker } from './settings-import.ts';

let host: Promise<PipelineHost> | null = null;
// Taken now: lockdown removes postMessage, fetch and Worker from the global scope.
const postMessage = (self as unknown as Worker).postMessage.bind(self);
const post = (m: FromWorker) => postMessage(m);
const realFetch = fetch.bind(globalThis);
const settingsImport = isolatedSettingsImport(spawnSettingsWorker(Worker));
const locks = navigator.locks as LockManager | undefined;
/** The folders this worker may fetch from: the warehouse, and where the engines' files are served. */
const dirOf = (url: string): string[] => {
  const u = new URL(url, location.href);
  return u.origin === location.origin && u.protocol.startsWith('http') ? [new URL('.', u).toString()] : [];
};

function hostFor(m: Extract<ToWorker, { type: 'init' }>): Promise<PipelineHost> {
  host ??= (async () => {
    const [engine] = await Promise.all([
      createBrowserEngine({ mainModule: m.assets.duckdbWasmUrl, mainWorker: m.assets.duckdbWorkerUrl }, { timeLimitMs: 120_000 }),
      initParquet(m.assets.parquetWasmUrl),
    ]);
    const allowed = [m.warehouseUrl, ...dirOf(import.meta.url), ...dirOf(m.assets.duckdbWasmUrl), ...dirOf(m.assets.parquetWasmUrl), ...(import.meta.env.DEV ? ['/node_modules/', '/@fs/'] : [])];
    const fetchLimited = restrictedFetch(realFetch, allowed, location.origin);
    const storage = new LayeredStorage(new HttpStorage(m.warehouseUrl, { fetch: fetchLimited }), new OpfsStorage('', await opfsDir(m.opfsDir), locks));
    // From here on the scope holds nothing but this section's folder and the limited fetch.
    lockdown({ fetch: fetchLimited });
    return new PipelineHost({ storage, engine, blocking: (graceMs) => post({ type: 'alive', graceMs }), importSettings: settingsImport });
  })();
  return host;
}

let init: Extract<ToWorker, { type: 'init' }> | null = null;

// A heartbeat: an endless loop in the learner's code, or a crash, silences it.
setInterval(() => post({ type: 'alive' }), 1000);

// Requests run one after another: a command waiting behind a stuck one has not "started",
// so the page can hand it to a fresh worker.
let queue: Promise<void> = Promise.resolve();
self.addEventListener('message', (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  queue = queue.then(() => handle(m)).catch(() => {});
});

async function handle(m: ToWorker): Promise<void> {
  if (m.type === 'init') {
    init = m;
    try {
      await hostFor(m);
      post({ type: 'ready' });
    } catch (err) {
      post({ type: 'fatal', message: `The pipeline worker could not start: ${(err as Error).message}` });
    }
    return;
  }
  if (!init) return;
  const h = await hostFor(init);
  if (m.type === 'lineage') {
    try {
      post({ type: 'lineage', id: m.id, graph: await h.lineage(m.files) });
    } catch (err) {
      post({ type: 'lineage', id: m.id, error: (err as Error).message });
    }
    return;
  }
  if (m.type === 'postgres') {
    try {
      post({ type: 'postgres', id: m.id, answer: await h.postgres(m.sql) });
    } catch (err) {
      post({ type: 'postgres', id: m.id, answer: { ok: false, notPublished: false, error: (err as Error).message } });
    }
    return;
  }
  if (m.type === 'run') {
    post({ type: 'started', id: m.id });
    const io = { out: (text: string) => post({ type: 'line', id: m.id, stream: 'out', text }), err: (text: string) => post({ type: 'line', id: m.id, stream: 'err', text }) };
    try {
      const res = await h.run(m.line, m.files, io, (event) => post({ type: 'event', id: m.id, event }));
      post({ type: 'done', id: m.id, code: res.code, run: res.run });
    } catch (err) {
      const e = err as Error;
      io.err(`${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`);
      post({ type: 'done', id: m.id, code: 1, run: null });
    }
  }
}
