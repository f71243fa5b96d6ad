/**
 * An independent reader, `icebird` (hyparquet-based, from npm; test-only), reads the tables
 * we write, snapshot by snapshot, and every table state the warehouse builder writes (the
 * prebuilt warehouse the site ships, at every branch and tag), and sees the same rows we do.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerBytes } from './helpers.ts';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { icebergRead } from 'icebird';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStorage } from '../../../sandboxes/lakehouse/storage/index.ts';
import type { Storage } from '../../../sandboxes/lakehouse/storage/storage.ts';
import type { IcebergType } from '../../../sandboxes/lakehouse/iceberg/types.ts';
import { bigintToJson, hexOf } from '../../../sandboxes/lakehouse/sql/value-forms.ts';
import { warehouseTables } from './warehouse-tables.ts';
import { createTable, loadTable, rowsToArrow, arrowToRows, deterministicIds, lt, eq, type Table } from '../../../sandboxes/lakehouse/iceberg/index.ts';

function serve(storage: Storage): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    const p = decodeURIComponent(new URL(req.url!, 'http://x').pathname.slice(1));
    if (!(await storage.exists(p))) { res.writeHead(404).end(); return; }
    const bytes = await storage.read(p);
    answerBytes(req, res, bytes);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) });
  }));
}

const norm = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.getTime() : v);

function ours(rows: Record<string, unknown>[]) {
  return rows.map((r) => ({ id: norm(r.id), name: r.name, score: r.score, day: r.day, ts: r.ts === null ? null : Number(r.ts as bigint) / 1000 }))
    .sort((a, b) => (a.id as number) - (b.id as number));
}

function theirs(rows: Record<string, unknown>[]) {
  return rows.map((r) => {
    const day = r.day instanceof Date ? r.day.getTime() / 86_400_000 : r.day;
    const ts = r.ts instanceof Date ? r.ts.getTime() : typeof r.ts === 'bigint' ? Number(r.ts) / 1000 : r.ts;
    return { id: norm(r.id), name: r.name, score: r.score, day, ts };
  }).sort((a, b) => (a.id as number) - (b.id as number));
}

test('icebird reads every snapshot of a table we wrote with the same rows', async () => {
  const storage = new MemoryStorage();
  const server = await serve(storage);
  try {
    let clock = Date.UTC(2024, 5, 1);
    const t: Table = await createTable(null, storage, 'wh/birds', {
      now: () => (clock += 1000),
      ids: deterministicIds('icebird'),
      location: `${server.url}/wh/birds`,
      schema: [{ name: 'id', type: 'long', required: true }, { name: 'name', type: 'string' }, { name: 'score', type: 'double' }, { name: 'day', type: 'date' }, { name: 'ts', type: 'timestamp' }],
    });
    const rows = (from: number, to: number, bump = 0) => rowsToArrow(Array.from({ length: to - from }, (_, k) => {
      const i = from + k;
      return { id: i, name: i % 4 ? `bird ${i}` : null, score: i * 1.5 + bump, day: 19800 + (i % 3), ts: `2024-06-0${1 + (i % 5)}T10:00:00` };
    }), t.schema());
    await t.append(rows(0, 10));
    await t.append(rows(10, 15));
    await t.merge(rows(5, 12, 100), { key: 'id' });
    await t.delete(lt('id', 3));
    await t.overwrite(eq('id', 14), rows(14, 15, 7));
    const versions = t.metadata['metadata-log'].map((e) => e['metadata-file']).concat(t.metadataLocation);
    let checked = 0;
    for (const loc of versions) {
      const name = loc.split('/').pop()!;
      const at = await loadTable(storage, 'wh/birds', { metadataFile: name });
      if (!at.currentSnapshot()) continue;
      const expected = ours(arrowToRows((await at.scan()).table, at.schema()));
      const got = theirs(await icebergRead({ tableUrl: `${server.url}/wh/birds`, metadataFileName: name }));
      assert.deepEqual(got, expected, `icebird disagrees at ${name}`);
      checked++;
    }
    assert.equal(checked, 5);
  } finally {
    await server.close();
  }
});

test('icebird applies our merge-on-read position deletes (delete and merge) the same way we do', async () => {
  const storage = new MemoryStorage();
  const server = await serve(storage);
  try {
    let clock = Date.UTC(2024, 6, 1);
    const t: Table = await createTable(null, storage, 'wh/mor', {
      now: () => (clock += 1000),
      ids: deterministicIds('mor'),
      location: `${server.url}/wh/mor`,
      properties: { 'write.delete.mode': 'merge-on-read', 'write.merge.mode': 'merge-on-read' },
      schema: [{ name: 'id', type: 'long', required: true }, { name: 'name', type: 'string' }, { name: 'score', type: 'double' }, { name: 'day', type: 'date' }, { name: 'ts', type: 'timestamp' }],
    });
    const rows = (from: number, to: number) => rowsToArrow(Array.from({ length: to - from }, (_, k) => ({ id: from + k, name: `n${from + k}`, score: k / 2, day: 19900, ts: '2024-07-01T00:00:00' })), t.schema());
    await t.append(rows(0, 20));
    const filesBefore = (await t.plan()).tasks.map((x) => x.path);
    const snap = (await t.delete(lt('id', 5)))!;
    assert.equal(snap.summary['added-position-deletes'], '5');
    assert.deepEqual((await t.plan()).tasks.map((x) => x.path), filesBefore, 'merge-on-read keeps the data files');
    assert.ok([...storage.files.keys()].some((k) => k.endsWith('-deletes.parquet')));
    await t.delete(eq('id', 12));
    const merged = await t.merge(rowsToArrow([{ id: 6, name: 'six', score: 6, day: 19901, ts: '2024-07-02T00:00:00' }, { id: 40, name: 'forty', score: 1, day: 19901, ts: '2024-07-02T00:00:00' }], t.schema()), { key: 'id' });
    assert.deepEqual([merged.inserted, merged.updated], [1, 1]);
    assert.deepEqual((await t.plan()).tasks.map((x) => x.path).filter((p) => filesBefore.includes(p)), filesBefore, 'the merge deleted by position, not by rewriting');
    const expected = ours(arrowToRows((await t.scan()).table, t.schema()));
    assert.deepEqual(expected.map((r) => r.id), [5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 40]);
    assert.equal(expected.find((r) => r.id === 6)!.name, 'six');
    const got = theirs(await icebergRead({ tableUrl: `${server.url}/wh/mor`, metadataFileName: t.metadataLocation.split('/').pop()! }));
    assert.deepEqual(got, expected);
  } finally {
    await server.close();
  }
});

/**
 * One value as both readers can agree on it: icebird (hyparquet) gives dates and timestamps as
 * JS Dates at millisecond precision and longs as bigints; we give days, microseconds, bigints.
 */
function comparable(type: IcebergType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  const k = typeof type === 'string' ? type.replace(/[([].*$/, '') : type.type;
  if (v instanceof Date) return v.getTime();
  if (k === 'date') return Number(v) * 86_400_000;
  if (k === 'timestamp' || k === 'timestamptz') { const us = BigInt(v as bigint); return Number(us / 1000n - (us % 1000n < 0n ? 1n : 0n)); }
  if (typeof v === 'bigint') return bigintToJson(v);
  if (v instanceof Uint8Array) return hexOf(v);
  return v;
}

test('icebird reads every table state the warehouse builder writes with the same rows', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'phlo-icebird-wh-'));
  const states = await warehouseTables(dir);
  const { NodeFsStorage } = await import('../../../sandboxes/lakehouse/storage/node-fs.ts');
  const server = await serve(new NodeFsStorage(dir, { readOnly: true }));
  // The warehouse's locations are relative to its root (it is relocatable); icebird fetches them
  // as URLs, so relative ones resolve against the server, as a browser page would.
  const realFetch = globalThis.fetch;
  globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => realFetch(typeof input === 'string' ? new URL(input, `${server.url}/`) : input, init)) as typeof fetch;
  try {
    assert.ok(new Set(states.map((s) => s.name)).size >= 8, 'every table of the prebuilt warehouse');
    let compared = 0;
    for (const { name, refs, table } of states) {
      const { table: rows, plan } = await table.scan();
      if (plan.tasks.length === 0) continue; // icebird needs a data manifest; an empty table has none
      const fields = plan.schema.fields;
      const key = (r: Record<string, unknown>) => JSON.stringify(fields.map((f) => comparable(f.type, r[f.name])));
      const ours = arrowToRows(rows, plan.schema).map(key).sort();
      const theirs = (await icebergRead({ tableUrl: `${server.url}/${table.tableDir}`, metadataFileName: table.metadataLocation.split('/').pop()! })).map(key).sort();
      assert.deepEqual(theirs, ours, `icebird disagrees on ${name} at ${refs.join(', ')}`);
      compared++;
    }
    assert.ok(compared >= 8, `compared ${compared} table states`);
  } finally {
    globalThis.fetch = realFetch;
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
