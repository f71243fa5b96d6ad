/**
 * The warehouse the export tests export: shop.orders (partitioned by day, merge-on-read
 * deletes and a merge) and shop.customers, with main, a branch dev and a tag v1. Built with a
 * fixed clock and ids, so two builds are byte-identical (the zip determinism test needs that).
 */
import type { Storage } from '../../../sandboxes/lakehouse/storage/storage.ts';
import { openWarehouse, type Warehouse } from '../../../sandboxes/lakehouse/warehouse.ts';
import { rowsToArrow, deterministicIds, lt, eq, type Table } from '../../../sandboxes/lakehouse/iceberg/index.ts';

const MOR = { 'write.delete.mode': 'merge-on-read', 'write.merge.mode': 'merge-on-read' };
const rowsFor = (t: Table, from: number, to: number, tag = '') =>
  rowsToArrow(Array.from({ length: to - from }, (_, k) => ({ id: from + k, name: `n${from + k}${tag}`, score: (from + k) / 2, day: 20000 + ((from + k) % 3) })), t.schema());

/** The source: shop.orders (partitioned, merge-on-read deletes) and shop.customers, on main, dev and tag v1. */
export async function buildWarehouse(storage: Storage): Promise<Warehouse> {
  let clock = Date.UTC(2025, 0, 1);
  const wh = await openWarehouse({ storage, clock: () => new Date((clock += 1000)), ids: deterministicIds('export-test') });
  const schema = [{ name: 'id', type: 'long', required: true }, { name: 'name', type: 'string' }, { name: 'score', type: 'double' }, { name: 'day', type: 'date' }] as const;
  const orders = await wh.createTable('shop.orders', { schema: [...schema], partitionSpec: [{ source: 'day', transform: 'identity' }], properties: MOR });
  await orders.append(rowsFor(orders, 0, 12));
  await orders.append(rowsFor(orders, 12, 20));
  await (await wh.table('shop.orders')).delete(lt('id', 3));
  const customers = await wh.createTable('shop.customers', { schema: [...schema], properties: MOR });
  await customers.append(rowsFor(customers, 100, 105));
  await wh.tag('v1');
  await wh.createBranch('dev');
  const dev = await wh.table('shop.orders', 'dev');
  await dev.append(rowsFor(dev, 20, 24));
  await (await wh.table('shop.orders', 'dev')).delete(eq('id', 13));
  await (await wh.table('shop.orders', 'dev')).merge(rowsFor(dev, 5, 7, '-updated'), { key: 'id' });
  await (await wh.table('shop.customers')).append(rowsFor(customers, 105, 108));
  return wh;
}

