/**
 * Scaling a backfill out (Part 12): the days of a range are cut into N contiguous slices and
 * each slice is ingested by its own worker into its OWN in-memory warehouse, the way N
 * Dagster run workers each materialise a block of partitions. Workers share nothing while
 * they run, so the only serial parts left are starting them and collecting their results:
 * what Amdahl's law calls the serial fraction. (Real run workers write into one shared
 * table; there every commit also goes through the catalog's compare-and-swap one at a time,
 * a serial part this measurement deliberately leaves out and the text discusses.)
 *
 * Host-independent: the browser's Scale pane runs `ingestSlice` in Web Workers, the CLI's
 * `scale` command runs the slices in-process, and both record the result with
 * `recordScaleRun` in the warehouse under `pipeline/scale/`, where task checks read it.
 */
import { openWarehouse } from '../../lakehouse/warehouse.ts';
import { MemoryStorage } from '../../lakehouse/storage/memory.ts';
import { deterministicIds } from '../../lakehouse/iceberg/write.ts';
import { WarehouseLakehouse } from '../lakehouse/warehouse-adapter.ts';
import { createDefaultRegistry } from '../plugins/builtin.ts';
import { glucoseDefinitions } from './definitions.ts';
import { ingestPartition } from './ingest.ts';
import { addDays, dayRange, dayStart } from '../util/dates.ts';
import type { Slice, SliceResult, ScaleRecord } from './scale-record.ts';
import { SCALE_FROM, splitDays, scaleRecord } from './scale-record.ts';
export { SCALE_FROM, SCALE_MAX_DAYS, splitDays, scaleRecord, recordScaleRun, readScaleRuns, amdahl, serialFraction, scaleRunsCover } from './scale-record.ts';

export type { Slice, SliceResult, ScaleRecord } from './scale-record.ts';

/**
 * Ingest one slice: `dlt_glucose_entries` for each day, each day one Iceberg commit into
 * raw.glucose_entries of a fresh in-memory warehouse. The run clock is the morning after the
 * slice's last day, so every late reading has arrived and each worker's result is complete.
 */
export async function ingestSlice(slice: Slice, o: { seed?: string; timer?: () => number } = {}): Promise<SliceResult> {
  const timer = o.timer ?? (() => globalThis.performance.now());
  const started = timer();
  const asOf = dayStart(addDays(slice.to, 1)) + 9 * 3_600_000;
  let clock = dayStart(slice.from);
  const warehouse = await openWarehouse({
    storage: new MemoryStorage(),
    clock: () => new Date((clock += 1000)),
    author: `worker-${slice.worker}`,
    ids: deterministicIds(`scale-${slice.worker}-${slice.from}`),
  });
  const lake = new WarehouseLakehouse(warehouse);
  const registry = createDefaultRegistry();
  const asset = glucoseDefinitions({ project: {}, seed: o.seed ?? 'phlo' }).ingestion[0]!;
  let rows = 0;
  let snapshots = 0;
  for (const partition of dayRange(slice.from, slice.to)) {
    const out = await ingestPartition({ lake, registry, asset, partition, ref: 'main', runId: `scale-${slice.worker}`, asOf, log: () => {} });
    rows += out.rowsInserted;
    if (out.snapshotId) snapshots++;
  }
  return { ...slice, rows, snapshots, ms: Math.round(timer() - started) };
}

/** One scale run in this thread: the slices run as concurrent promises, taking turns on the one thread. */
export async function runScaleInProcess(days: number, workers: number, o: { from?: string; seed?: string; now?: () => number } = {}): Promise<ScaleRecord> {
  const from = o.from ?? SCALE_FROM;
  const slices = splitDays(from, days, workers);
  const t0 = globalThis.performance.now();
  const results = await Promise.all(slices.map((s) => ingestSlice(s, { seed: o.seed })));
  return scaleRecord(from, days, workers, Math.round(globalThis.performance.now() - t0), results, 'in-process', (o.now ?? Date.now)());
}


