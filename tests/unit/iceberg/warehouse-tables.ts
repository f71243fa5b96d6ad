/**
 * Every table state the warehouse builder writes, for tests that must cover all of them (the
 * icebird interop test, the scan --format json round trip): the prebuilt warehouse the site
 * ships (built by the real builder, cached per version of the sandboxes' sources), and each
 * table at every branch and tag of its catalog, one entry per distinct metadata file.
 */
import { NodeFsStorage } from '../../../sandboxes/lakehouse/storage/node-fs.ts';
import { openWarehouse } from '../../../sandboxes/lakehouse/warehouse.ts';
import type { Table } from '../../../sandboxes/lakehouse/iceberg/table.ts';
import { prebuiltWarehouse } from '../sections/prebuilt-section.ts';

export interface WarehouseTable {
  /** Catalog name, e.g. glucose.raw_entries, and the refs that show this state. */
  name: string;
  refs: string[];
  table: Table;
}

/** Build (or copy from the cache) the prebuilt warehouse into `dir`, and list its table states. */
export async function warehouseTables(dir: string): Promise<WarehouseTable[]> {
  await prebuiltWarehouse(dir);
  const w = await openWarehouse({ storage: new NodeFsStorage(dir, { readOnly: true }) });
  const byLocation = new Map<string, WarehouseTable>();
  for (const ref of await w.catalog.references()) {
    for (const [name, content] of Object.entries(await w.catalog.entries(ref.name))) {
      const seen = byLocation.get(content.metadataLocation);
      if (seen) { seen.refs.push(ref.name); continue; }
      byLocation.set(content.metadataLocation, { name, refs: [ref.name], table: await w.table(name, ref.name) });
    }
  }
  return [...byLocation.values()];
}
