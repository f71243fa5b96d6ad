/**
 * The record of a scale run (Part 12) and the arithmetic around it, without the pipeline:
 * the page reads these records for task checks and the Scale pane's chart, and should not
 * load the ingestion code to do so. See scale.ts for the runs themselves.
 */
import type { Storage } from '../../lakehouse/storage/storage.ts';
import { addDays, dayStart } from '../util/dates.ts';

/** The backfill the Part 12 lesson scales out: every day of 2025. */
export const SCALE_FROM = '2025-01-01';
export const SCALE_MAX_DAYS = 365;


export interface Slice {
  worker: number;
  from: string;
  to: string;
  days: number;
}

export interface SliceResult extends Slice {
  rows: number;
  snapshots: number;
  /** Time inside the worker, from its first day to its last commit. */
  ms: number;
}

export interface ScaleRecord {
  /** When the run finished (ms since the epoch). */
  at: number;
  from: string;
  to: string;
  days: number;
  workers: number;
  /** Wall time from the first worker's start to the last worker's result. */
  wallMs: number;
  /** Sum of the time the workers were busy (the "worker-seconds" a cluster bills). */
  workerMs: number;
  rows: number;
  /** "web-workers" (in parallel, in the browser) or "in-process" (one thread, one slice after another). */
  host: 'web-workers' | 'in-process';
  slices: SliceResult[];
}

/** Cut `days` days from `from` into `workers` contiguous slices, sizes differing by at most one. */
export function splitDays(from: string, days: number, workers: number): Slice[] {
  if (!Number.isInteger(days) || days < 1 || days > SCALE_MAX_DAYS) throw new Error(`The backfill takes 1 to ${SCALE_MAX_DAYS} days; got ${days}.`);
  if (!Number.isInteger(workers) || workers < 1 || workers > 16) throw new Error(`Use 1 to 16 workers; got ${workers}.`);
  dayStart(from);
  const n = Math.min(workers, days);
  const slices: Slice[] = [];
  let start = 0;
  for (let w = 0; w < n; w++) {
    const size = Math.floor(days / n) + (w < days % n ? 1 : 0);
    slices.push({ worker: w + 1, from: addDays(from, start), to: addDays(from, start + size - 1), days: size });
    start += size;
  }
  return slices;
}

export function scaleRecord(from: string, days: number, workers: number, wallMs: number, slices: SliceResult[], host: ScaleRecord['host'], at: number): ScaleRecord {
  return {
    at, from, to: addDays(from, days - 1), days, workers, wallMs,
    workerMs: slices.reduce((a, s) => a + s.ms, 0),
    rows: slices.reduce((a, s) => a + s.rows, 0),
    host, slices,
  };
}

const SCALE_DIR = 'pipeline/scale';

/** Keep a scale run in the warehouse (tasks and the Scale pane read them back). */
export async function recordScaleRun(storage: Storage, rec: ScaleRecord): Promise<string> {
  const path = `${SCALE_DIR}/${new Date(rec.at).toISOString().replace(/[:.]/g, '-')}_d${rec.days}_w${rec.workers}.json`;
  await storage.write(path, new TextEncoder().encode(JSON.stringify(rec, null, 1)));
  return path;
}

/** Every recorded scale run, oldest first. */
export async function readScaleRuns(storage: Storage): Promise<ScaleRecord[]> {
  const out: ScaleRecord[] = [];
  for (const p of await storage.list(SCALE_DIR)) {
    if (!p.endsWith('.json')) continue;
    try {
      out.push(JSON.parse(new TextDecoder().decode(await storage.read(p))) as ScaleRecord);
    } catch { /* a damaged record is skipped, never fatal */ }
  }
  return out.sort((a, b) => a.at - b.at);
}

/** Amdahl's law: the speed-up on n workers when a fraction p of the work runs in parallel. */
export function amdahl(p: number, n: number): number {
  return 1 / ((1 - p) + p / n);
}

/**
 * The serial fraction a measured speed-up implies (the Karp–Flatt metric): e = (1/S − 1/n) / (1 − 1/n).
 * Returns null for n = 1, where it is undefined.
 */
export function serialFraction(speedup: number, n: number): number | null {
  if (n <= 1 || !(speedup > 0)) return null;
  return Math.min(1, Math.max(0, (1 / speedup - 1 / n) / (1 - 1 / n)));
}

/** Whether the recorded runs include, for each worker count asked for, one of at least `minDays` days. */
export function scaleRunsCover(runs: ScaleRecord[], workers: number[], minDays = 1): { passed: boolean; detail: string } {
  const missing = workers.filter((w) => !runs.some((r) => r.workers === w && r.days >= minDays));
  if (!missing.length) return { passed: true, detail: `recorded runs with ${workers.join(' and ')} worker(s)` };
  return { passed: false, detail: `no recorded run of at least ${minDays} days with ${missing.join(' or ')} worker(s) yet` };
}
