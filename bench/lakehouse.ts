/**
 * `npm run bench:lakehouse`: what the lakehouse miniature costs, next to native DuckDB.
 *
 * For one year of 5-minute glucose readings (105,120 rows) and for 1,000,000 rows:
 *   - commit an append (the whole set, then one more day) and a merge (upsert of one day:
 *     half updates, half new rows; copy-on-write rewrites only the files holding those keys)
 *   - load the current snapshot into DuckDB-WASM (Parquet -> Arrow -> DuckDB)
 *   - three queries: daily averages, time in range (70-180 mg/dL), and a time-travel diff
 *     between the snapshots before and after the merge
 * Each query is also run by native DuckDB (@duckdb/node-api, the baseline only) over the
 * same Parquet files of the same snapshot, in the same run; the ratio is ours / native.
 * The goal: snapshot load + query within 3x of native at 1M rows.
 *
 * Loads and queries are each measured --runs times (median shown): the machine is shared.
 * Options: --sizes 105120,1000000   --runs 3   --keep (leave the warehouse on disk)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { DuckDBInstance } from '@duckdb/node-api';
import { NodeFsStorage } from '../sandboxes/lakehouse/storage/node-fs.ts';
import { openWarehouse } from '../sandboxes/lakehouse/warehouse.ts';
import { createNodeEngine } from '../sandboxes/lakehouse/sql/duckdb-node.ts';
import { tableToRows } from '../sandboxes/lakehouse/sql/rows.ts';
import { deterministicIds } from '../sandboxes/lakehouse/iceberg/write.ts';
import { TableBinder } from '../sandboxes/lakehouse/sql/table-binder.ts';

const FIVE_MINUTES_US = 300_000_000n;
const START_US = BigInt(Date.UTC(2025, 0, 1)) * 1000n;
const TABLE = 'glucose.readings';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const sizes = option('sizes', '105120,1000000').split(',').map(Number);
const runs = Number(option('runs', '3'));
const keep = process.argv.includes('--keep');

/** Deterministic glucose-like readings: a daily wave, meals, noise (mulberry32). */
function readings(first: number, count: number, shift = 0): arrow.Table {
  let seed = 0x9e3779b9 ^ (first + shift * 7919);
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const ids = new BigInt64Array(count);
  const ts = new BigInt64Array(count);
  const mgdl = new Int32Array(count);
  const trends = ['Flat', 'FortyFiveUp', 'FortyFiveDown', 'SingleUp', 'SingleDown'];
  const trend: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const n = first + i;
    ids[i] = BigInt(n);
    ts[i] = START_US + BigInt(n) * FIVE_MINUTES_US;
    const hour = (n % 288) / 12;
    const wave = 120 + 35 * Math.sin(((hour - 6) / 24) * 2 * Math.PI) + (hour > 12 && hour < 15 ? 40 : 0);
    mgdl[i] = Math.max(40, Math.min(400, Math.round(wave + (random() - 0.5) * 50 + shift)));
    trend[i] = trends[Math.floor(random() * trends.length)]!;
  }
  return new arrow.Table({
    id: arrow.makeVector(ids),
    ts: arrow.makeVector(arrow.makeData({ type: new arrow.TimestampMicrosecond('UTC'), length: count, nullCount: 0, data: ts })),
    mg_dl: arrow.makeVector(mgdl),
    trend: arrow.vectorFromArray(trend, new arrow.Utf8()),
  });
}

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

async function median(fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await time(fn)).ms);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

interface Row {
  step: string;
  ours: number;
  native?: number;
  note?: string;
}

const QUERIES = {
  daily: (t: string) => `SELECT CAST(ts AS DATE) AS day, round(avg(mg_dl), 1) AS avg_mg_dl, count(*) AS readings FROM ${t} GROUP BY 1 ORDER BY 1`,
  tir: (t: string) =>
    `SELECT round(100.0 * count(*) FILTER (WHERE mg_dl BETWEEN 70 AND 180) / count(*), 2) AS in_range_pct, ` +
    `round(100.0 * count(*) FILTER (WHERE mg_dl < 70) / count(*), 2) AS below_pct, round(100.0 * count(*) FILTER (WHERE mg_dl > 180) / count(*), 2) AS above_pct FROM ${t}`,
  diff: (after: string, before: string) =>
    `SELECT count(*) AS changed_rows FROM (SELECT id, ts, mg_dl, trend FROM ${after} EXCEPT SELECT id, ts, mg_dl, trend FROM ${before})`,
};

async function benchSize(n: number): Promise<Row[]> {
  const dir = await mkdtemp(join(tmpdir(), `lakehouse-bench-${n}-`));
  const out: Row[] = [];
  try {
    let clock = Date.UTC(2026, 0, 1);
    const warehouse = await openWarehouse({
      storage: new NodeFsStorage(dir),
      clock: () => new Date((clock += 1000)),
      ids: deterministicIds(`bench-${n}`),
      author: 'bench',
    });
    const table = await warehouse.createTable(TABLE, {
      schema: [
        { name: 'id', type: 'long', required: true },
        { name: 'ts', type: 'timestamptz', required: true },
        { name: 'mg_dl', type: 'int' },
        { name: 'trend', type: 'string' },
      ],
      partitionSpec: [{ source: 'ts', transform: 'month' }],
    });
    const data = readings(0, n);
    const bulk = await time(() => table.append(data));
    out.push({ step: `append ${n.toLocaleString('en')} rows (commit)`, ours: bulk.ms, note: `${table.snapshots().length} snapshot, ${(await warehouse.files(TABLE)).length} files` });
    const oneDay = await time(() => table.append(readings(n, 288)));
    out.push({ step: 'append one day, 288 rows (commit)', ours: oneDay.ms });
    const before = String(table.currentSnapshot()!['snapshot-id']);
    // Upsert one day: the last 144 readings get new values, 144 new readings follow them.
    const merge = await time(() => table.merge(readings(n + 288 - 144, 288, 9), { key: 'id' }));
    const m = merge.value;
    out.push({ step: 'merge one day on id (commit)', ours: merge.ms, note: `${m.updated} updated, ${m.inserted} inserted, copy-on-write` });
    const after = String(table.currentSnapshot()!['snapshot-id']);

    // ---- ours: DuckDB-WASM
    const boot = await time(() => createNodeEngine({ timeLimitMs: 600_000 }));
    const engine = boot.value;
    const ours = await openWarehouse({ storage: new NodeFsStorage(dir, { readOnly: true }), engine });
    out.push({ step: 'DuckDB-WASM boot (once per page/process)', ours: boot.ms });
    // The first load in a process pays for warming up (JIT, Parquet decoder); later loads of
    // other snapshots do not. Both are shown: cold once, warm as the median of `runs` loads,
    // each into a fresh binder so nothing is reused.
    const cold = await time(() => ours.load(TABLE, { snapshotId: after, as: 'bench.after' }));
    const readable = await ours.table(TABLE);
    const loadTimes: number[] = [];
    for (let i = 0; i < runs; i++) {
      loadTimes.push((await time(() => new TableBinder(engine).bind('bench_load', `run${i}`, readable, { snapshotId: after }))).ms);
    }
    const load = { ms: loadTimes.sort((a, b) => a - b)[Math.floor(loadTimes.length / 2)]!, value: cold.value };
    const loadBefore = await time(() => ours.load(TABLE, { snapshotId: before, as: 'bench.before' }));
    const results: Record<string, unknown> = {};
    const q = async (name: string, sql: string) => {
      results[name] = tableToRows(await engine.query(sql));
      return median(() => engine.query(sql));
    };
    const oursDaily = await q('daily', QUERIES.daily('bench.after'));
    const oursTir = await q('tir', QUERIES.tir('bench.after'));
    const oursDiff = await q('diff', QUERIES.diff('bench.after', 'bench.before'));

    // ---- native DuckDB over the same Parquet files of the same snapshots
    const filesOf = async (snapshotId: string) =>
      (await ours.files(TABLE, { snapshotId })).map((f) => `'${join(dir, f.path).replace(/'/g, "''")}'`).join(', ');
    const afterFiles = `read_parquet([${await filesOf(after)}])`;
    const beforeFiles = `read_parquet([${await filesOf(before)}])`;
    const instance = await DuckDBInstance.create(':memory:');
    const native = await instance.connect();
    await native.run("SET TimeZone = 'UTC'");
    const nativeResults: Record<string, unknown> = {};
    const nq = async (name: string, sql: string) => {
      nativeResults[name] = (await native.runAndReadAll(sql)).getRowObjectsJson();
      return median(() => native.runAndReadAll(sql));
    };
    const nativeDaily = await nq('daily', QUERIES.daily(afterFiles));
    const nativeTir = await nq('tir', QUERIES.tir(afterFiles));
    const nativeDiff = await nq('diff', QUERIES.diff(afterFiles, beforeFiles));
    const nativeLoad = { ms: await median(() => native.run(`CREATE OR REPLACE TABLE loaded AS SELECT * FROM ${afterFiles}`)) };

    out.push({ step: `load snapshot into DuckDB, cold (${load.value.files} files)`, ours: cold.ms, native: nativeLoad.ms, note: 'first load in the process; native: CREATE TABLE AS read_parquet' });
    out.push({ step: `load snapshot into DuckDB, warm (${load.value.files} files)`, ours: load.ms, native: nativeLoad.ms, note: 'nothing reused, decoder warmed up' });
    out.push({ step: 'load the earlier snapshot (files reused)', ours: loadBefore.ms, note: `${loadBefore.value.reused} of ${loadBefore.value.files} files reused` });
    out.push({ step: 'query: daily averages', ours: oursDaily, native: nativeDaily, note: `${(results.daily as unknown[]).length} days` });
    out.push({ step: 'query: time in range 70-180', ours: oursTir, native: nativeTir, note: JSON.stringify(results.tir) });
    out.push({ step: 'query: time-travel diff of two snapshots', ours: oursDiff, native: nativeDiff, note: JSON.stringify(results.diff) });
    const queries = oursDaily + oursTir + oursDiff;
    const nativeTotal = nativeDaily + nativeTir + nativeDiff;
    out.push({ step: 'cold load + 3 queries (native: 3 queries on Parquet)', ours: cold.ms + queries, native: nativeTotal });
    out.push({ step: 'warm load + 3 queries (native: 3 queries on Parquet)', ours: load.ms + queries, native: nativeTotal });

    // The two engines must agree, or the timing means nothing.
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    const tirNative = (nativeResults.tir as Record<string, string>[])[0]!;
    const tirOurs = (results.tir as Record<string, number>[])[0]!;
    if (Number(tirNative.in_range_pct) !== tirOurs.in_range_pct) throw new Error(`time in range differs: ours ${JSON.stringify(tirOurs)} native ${JSON.stringify(tirNative)}`);
    const diffNative = Number((nativeResults.diff as Record<string, string>[])[0]!.changed_rows);
    if (diffNative !== (results.diff as Record<string, number>[])[0]!.changed_rows) throw new Error(`diff differs: native ${diffNative}`);
    if ((nativeResults.daily as unknown[]).length !== (results.daily as unknown[]).length) throw new Error('daily averages differ in length');
    void same;
    native.closeSync();
    await ours.close();
    return out;
  } finally {
    if (!keep) await rm(dir, { recursive: true, force: true });
    else console.log(`warehouse kept at ${dir}`);
  }
}

function fmt(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

function printTable(n: number, rows: Row[]): void {
  const header = ['step', 'ours (DuckDB-WASM)', 'native DuckDB', 'ratio', 'note'];
  const cells = rows.map((r) => [r.step, fmt(r.ours), fmt(r.native), r.native ? `${(r.ours / r.native).toFixed(1)}x` : '', r.note ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => (i === 0 || i === 4 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ');
  console.log(`\n${n.toLocaleString('en')} rows`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
}

console.log(`lakehouse benchmark: Node ${process.version}, ${cpus().length} CPU(s), median of ${runs} runs per load and query`);
for (const n of sizes) printTable(n, await benchSize(n));
const goal = sizes.includes(1_000_000) ? ' (goal: at 1,000,000 rows, snapshot load + queries within 3x of native)' : '';
console.log(`\nratio = ours / native${goal}`);
process.exit(0);
