/**
 * Binding a table reads its manifests and data files a few at a time, in order: over HTTP
 * (the sandbox's shipped warehouse) each read is a round trip, and a first query on a table
 * of ten files used to wait for twenty of them one after another. The rows and their order
 * must not change.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as arrow from 'apache-arrow';
import { MemoryStorage } from '../../../sandboxes/lakehouse/storage/memory.ts';
import type { Storage } from '../../../sandboxes/lakehouse/storage/storage.ts';
import { openWarehouse } from '../../../sandboxes/lakehouse/warehouse.ts';
import { createNodeEngine } from '../../../sandboxes/lakehouse/sql/duckdb-node.ts';
import type { DuckDbWasmEngine } from '../../../sandboxes/lakehouse/sql/duckdb-engine.ts';
import { tableToRows } from '../../../sandboxes/lakehouse/sql/rows.ts';
import { inOrder } from '../../../sandboxes/lakehouse/iceberg/scan.ts';

let engine: DuckDbWasmEngine;
before(async () => {
  engine = await createNodeEngine();
});
after(async () => {
  await engine.close();
});

test('inOrder: results in item order, at most N started ahead, a failure surfaces at its turn', async () => {
  let inFlight = 0;
  let most = 0;
  const read = inOrder([30, 5, 20, 1, 10, 2], 3, async (ms) => {
    inFlight++;
    most = Math.max(most, inFlight);
    await new Promise((r) => setTimeout(r, ms));
    inFlight--;
    if (ms === 10) throw new Error('file 10 is damaged');
    return ms;
  });
  const got: number[] = [];
  await assert.rejects(
    (async () => {
      for (let i = 0; i < 6; i++) got.push(await read(i));
    })(),
    /file 10 is damaged/,
  );
  assert.deepEqual(got, [30, 5, 20, 1]);
  assert.equal(most, 3);
});

/** Storage whose reads take a while, counting how many are in flight at once. */
function slow(inner: Storage, ms: number) {
  const stats = { inFlight: 0, most: 0, reads: 0 };
  const storage: Storage = Object.assign(Object.create(inner) as Storage, {
    read: async (path: string) => {
      stats.inFlight++;
      stats.reads++;
      stats.most = Math.max(stats.most, stats.inFlight);
      try {
        await new Promise((r) => setTimeout(r, ms));
        return await inner.read(path);
      } finally {
        stats.inFlight--;
      }
    },
  });
  return { storage, stats };
}

test('a first query on a table of many files reads them overlapped, with the same rows', async () => {
  const files = new MemoryStorage();
  const DAY = Date.UTC(2026, 0, 1);
  const writer = await openWarehouse({ storage: files, engine, author: 'test' });
  await writer.createTable('ahead.readings', {
    schema: [{ name: 'id', type: 'long', required: true }, { name: 'ts', type: 'timestamptz' }],
    partitionSpec: [{ source: 'ts', transform: 'day' }],
  });
  // Eight appends, one day each: eight data files behind eight manifests.
  for (let d = 0; d < 8; d++) {
    const ids = [d * 10 + 1, d * 10 + 2];
    await (await writer.table('ahead.readings')).append(
      new arrow.Table({
        id: arrow.vectorFromArray(ids.map(BigInt), new arrow.Int64()),
        ts: arrow.vectorFromArray(ids.map(() => DAY + d * 86_400_000), new arrow.TimestampMicrosecond('UTC')),
      }),
    );
  }
  const { storage, stats } = slow(files, 15);
  const reader = await openWarehouse({ storage, engine, author: 'test' });
  stats.most = 0;
  const rows = tableToRows(await reader.sql('SELECT id FROM ahead.readings ORDER BY id'));
  assert.deepEqual(rows.map((r) => Number(r.id)), [1, 2, 11, 12, 21, 22, 31, 32, 41, 42, 51, 52, 61, 62, 71, 72]);
  assert.ok(stats.most >= 3, `reads overlapped (at most ${stats.most} at once)`);
});
