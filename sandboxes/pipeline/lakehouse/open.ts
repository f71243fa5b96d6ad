/**
 * Open the real warehouse as the pipeline's Lakehouse, on any Storage and SqlEngine the
 * host provides (browser code passes OPFS + the browser engine; Node uses open-node.ts).
 */
import { openWarehouse } from '../../lakehouse/warehouse.ts';
import { deterministicIds, randomIds } from '../../lakehouse/iceberg/write.ts';
import type { Storage } from '../../lakehouse/storage/storage.ts';
import type { SqlEngine } from '../../lakehouse/sql/engine.ts';
import { WarehouseLakehouse } from './warehouse-adapter.ts';
import { attachOpsTables } from '../observe/ops-tables.ts';

export interface OpenOptions {
  storage: Storage;
  engine: SqlEngine;
  /** Clock for commits and snapshots; fixed in the prebuilt warehouse. */
  clock?: () => number;
  /** Seed for table uuids and snapshot ids; set it for byte-identical rebuilds. */
  idSeed?: string;
  author?: string;
}

export async function openLakehouse(o: OpenOptions): Promise<WarehouseLakehouse> {
  const clock = o.clock ?? (() => Date.now());
  const warehouse = await openWarehouse({
    storage: o.storage,
    engine: o.engine,
    clock: () => new Date(clock()),
    author: o.author ?? 'phlo-pipeline',
    ids: o.idSeed ? deterministicIds(o.idSeed) : randomIds(),
  });
  // The run log as SQL tables (ops.runs, ops.run_events, ...): see ../observe/ops-tables.ts.
  attachOpsTables(warehouse);
  return new WarehouseLakehouse(warehouse);
}
