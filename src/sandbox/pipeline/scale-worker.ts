/**
 * One worker of the Scale pane (Part 12): ingests one slice of days into its own in-memory
 * warehouse and reports its rows and time, then the page terminates it. It shares nothing
 * with the other workers or the section's warehouse, so N of them run truly side by side
 * (as far as the machine's cores allow).
 */
import { config as zodConfig } from 'zod';
import { initParquet } from '../../../sandboxes/lakehouse/iceberg/parquet.ts';
import { ingestSlice, type Slice } from '../../../sandboxes/pipeline/orchestrate/scale.ts';
import { allowArrowNullTests } from './arrow-csp.ts';

// The same Content-Security-Policy workarounds as the pipeline worker (no 'unsafe-eval').
zodConfig({ jitless: true });
allowArrowNullTests();

export type ToScaleWorker = { type: 'slice'; slice: Slice; parquetWasmUrl: string };
export type FromScaleWorker =
  | { type: 'ready' }
  | { type: 'done'; result: Awaited<ReturnType<typeof ingestSlice>> }
  | { type: 'error'; message: string };

const post = (m: FromScaleWorker) => (self as unknown as Worker).postMessage(m);

self.addEventListener('message', (ev: MessageEvent<ToScaleWorker>) => {
  const m = ev.data;
  if (m.type !== 'slice') return;
  void (async () => {
    try {
      await initParquet(m.parquetWasmUrl);
      post({ type: 'done', result: await ingestSlice(m.slice) });
    } catch (err) {
      post({ type: 'error', message: (err as Error).message });
    }
  })();
});

post({ type: 'ready' });
