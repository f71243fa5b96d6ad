/** Node-only: the warehouse in a directory (or in memory), with DuckDB-WASM in a worker thread. */
import { NodeFsStorage } from '../../lakehouse/storage/node-fs.ts';
import { MemoryStorage } from '../../lakehouse/storage/memory.ts';
import { createNodeEngine } from '../../lakehouse/sql/duckdb-node.ts';
import { openLakehouse } from './open.ts';
import type { WarehouseLakehouse } from './warehouse-adapter.ts';

export async function openNodeLakehouse(o: { dir?: string; clock?: () => number; idSeed?: string } = {}): Promise<WarehouseLakehouse> {
  const storage = o.dir ? new NodeFsStorage(o.dir) : new MemoryStorage();
  const engine = await createNodeEngine();
  return openLakehouse({ storage, engine, clock: o.clock, idSeed: o.idSeed });
}
