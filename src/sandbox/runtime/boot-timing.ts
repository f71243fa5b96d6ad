/**
 * Where a sandbox's start goes, as User Timing entries named `sandbox:<phase>` that
 * bench/sandbox.mjs reads out of the page (`performance.getEntriesByType('measure')`).
 * The cold path crosses two threads (the page, DuckDB's worker) and overlaps its steps, so
 * the breakdown is measured where each step runs rather than guessed from the outside.
 *
 * Entries are recorded until the first result is on screen, then no more: a long session
 * (a query restarting the engine, thousands of queries) adds nothing to the timeline.
 */
const PREFIX = 'sandbox:';

/** The channel DuckDB's worker reports its module phases on (src/sandbox/runtime/duckdb-worker.ts). */
export const WORKER_TIMING_CHANNEL = 'phlo-sandbox-timing';

/** A phase the DuckDB worker measured; its clock has its own origin, so times travel as epoch ms. */
export interface WorkerPhase {
  phase: string;
  /** Epoch milliseconds (performance.timeOrigin + performance.now() in the worker). */
  start: number;
  end: number;
  detail?: Record<string, unknown>;
}

let recording = true;

/** Record `phase` from `start` (performance.now() of this page) to now or `end`. */
export function measurePhase(phase: string, start: number, end = performance.now(), detail?: Record<string, unknown>): void {
  if (!recording) return;
  try {
    performance.measure(PREFIX + phase, { start, end, detail });
  } catch {
    /* a timeline without User Timing: nothing to record */
  }
}

/** Run `work` and record how long it took as `phase`. */
export async function timePhase<T>(phase: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await work();
  measurePhase(phase, start);
  return result;
}

/** The first result is on screen: mark it and stop recording. */
export function firstResultShown(): void {
  if (!recording) return;
  try {
    performance.mark(`${PREFIX}first-result`);
  } catch {
    /* ignore */
  }
  recording = false;
}

/** Listen for the phases DuckDB's worker reports while an engine boots; returns the stop function. */
export function listenToWorkerPhases(): () => void {
  if (!recording || typeof BroadcastChannel === 'undefined') return () => {};
  const channel = new BroadcastChannel(WORKER_TIMING_CHANNEL);
  channel.onmessage = (e: MessageEvent<WorkerPhase>) => {
    const { phase, start, end, detail } = e.data ?? ({} as WorkerPhase);
    if (typeof phase !== 'string' || typeof start !== 'number' || typeof end !== 'number') return;
    measurePhase(phase, start - performance.timeOrigin, end - performance.timeOrigin, detail);
  };
  return () => channel.close();
}
