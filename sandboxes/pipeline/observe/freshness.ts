/**
 * Freshness per table, from the Iceberg snapshots on a branch: a table is as fresh as its
 * newest snapshot. A run that changed nothing commits no snapshot, so a table can look
 * older than the pipeline's last run: that is what freshness means (the data did not move).
 */
import type { Warehouse } from '../../lakehouse/warehouse.ts';

export interface TableFreshness {
  table: string;
  /** Snapshots committed at or before `at`. */
  snapshots: number;
  /** Commit time of the newest of them (epoch ms), null when there is none. */
  lastSnapshotAt: number | null;
  lastOperation: string | null;
  totalRecords: number | null;
}

/** Every table on `ref`, as it stood at `at` (default: now, i.e. every snapshot). */
export async function tableFreshness(warehouse: Warehouse, ref = 'main', at = Number.POSITIVE_INFINITY): Promise<TableFreshness[]> {
  const out: TableFreshness[] = [];
  for (const table of await warehouse.tables(ref)) out.push(await freshnessOf(warehouse, table, ref, at));
  return out;
}

export async function freshnessOf(warehouse: Warehouse, table: string, ref = 'main', at = Number.POSITIVE_INFINITY): Promise<TableFreshness> {
  if (!(await warehouse.hasTable(table, ref))) return { table, snapshots: 0, lastSnapshotAt: null, lastOperation: null, totalRecords: null };
  const snaps = (await warehouse.snapshots(table, ref)).filter((s) => s.timestampMs <= at);
  const last = snaps.reduce<(typeof snaps)[number] | null>((a, s) => (a === null || s.timestampMs >= a.timestampMs ? s : a), null);
  return {
    table,
    snapshots: snaps.length,
    lastSnapshotAt: last?.timestampMs ?? null,
    lastOperation: last?.operation ?? null,
    totalRecords: last?.summary['total-records'] !== undefined ? Number(last.summary['total-records']) : null,
  };
}
