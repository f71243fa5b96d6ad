/**
 * The pipeline's Web Worker: the "Worker runner". It owns its own DuckDB-WASM engine (a
 * nested worker) and opens the section's warehouse in OPFS, layered over the shipped one,
 * so the page sees every commit a run makes as soon as it lands. The page can terminate it
 * at any time (Cancel, a time limit, a crash): runs write on their own branch, so main is
 * never left half-written.
 */
import { createBrowserEngine } from '../../../sandboxes/lakehouse/sql/duckdb-browser.ts';
import { initParquet } from '../../../sandboxes/lakehouse/iceberg/parquet.ts';
import { HttpStorage } from '../../../sandboxes/lakehouse/storage/http.ts';
import { OpfsStorage } from '../../../sandboxes/lakehouse/storage/opfs.ts';
import { opfsDir } from '../runtime/section-store.ts';
import { LayeredStorage } from '../runtime/layered-storage.ts';
import { PipelineHost } from './host.ts';
import type { ToWorker, FromWorker } from './protocol.ts';

let host: Promise<PipelineHost> | null = null;
const post = (m: FromWorker) => (self as unknown as Worker).postMessage(m);

function hostFor(m: Extract<ToWorker, { type: 'init' }>): Promise<PipelineHost> {
  host ??= (async () => {
    const [engine] = await Promise.all([
      createBrowserEngine({ mainModule: m.assets.duckdbWasmUrl, mainWorker: m.assets.duckdbWorkerUrl }, { timeLimitMs: 120_000 }),
      initParquet(m.assets.parquetWasmUrl),
    ]);
    const storage = new LayeredStorage(new HttpStorage(m.warehouseUrl), new OpfsStorage('', await opfsDir(m.opfsDir)));
    return new PipelineHost({ storage, engine, blocking: (graceMs) => post({ type: 'alive', graceMs }) });
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
