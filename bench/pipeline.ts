/**
 * `npm run bench:pipeline`: how long the TypeScript pipeline takes in Node on this machine,
 * over the real lakehouse (Iceberg files, catalog commits, DuckDB-WASM) — one day through
 * every layer, a 30-day backfill, publishing to PGlite, and the full prebuilt warehouse.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openNodeLakehouse } from '../sandboxes/pipeline/lakehouse/open-node.ts';
import { readProjectFiles, GLUCOSE_PROJECT_DIR } from '../sandboxes/pipeline/transform/load-dir.ts';
import { glucoseDefinitions } from '../sandboxes/pipeline/orchestrate/definitions.ts';
import { Pipeline } from '../sandboxes/pipeline/orchestrate/pipeline.ts';
import { openPostgres } from '../sandboxes/pipeline/publish/postgres.ts';
import { buildWarehouse } from '../sandboxes/pipeline/cli/build-warehouse.ts';

const results: { step: string; ms: number; note: string }[] = [];
const time = async <T>(step: string, note: string, fn: () => Promise<T>): Promise<T> => {
  const t0 = performance.now();
  const out = await fn();
  results.push({ step, ms: Math.round(performance.now() - t0), note });
  process.stdout.write(`  ${step}: ${Math.round(performance.now() - t0)} ms\n`);
  return out;
};

const project = readProjectFiles(GLUCOSE_PROJECT_DIR);
const now = Date.parse('2025-03-10T06:00:00Z');

// One day, and then one more (a warm engine and existing tables: the steady state).
{
  const dir = await mkdtemp(join(tmpdir(), 'phlo-bench-'));
  const lake = await time('boot: warehouse + DuckDB-WASM worker', 'node-fs storage', () => openNodeLakehouse({ dir, clock: () => now }));
  const opened: { pg: Awaited<ReturnType<typeof openPostgres>> | null } = { pg: null };
  const pipeline = new Pipeline({ lake, definitions: glucoseDefinitions({ project }), clock: () => now, postgres: async () => (opened.pg ??= await openPostgres()) });
  const noPublish = pipeline.graph.order.filter((k) => k !== 'publish_marts_to_postgres');
  const first = await time('one day, first run (creates 6 tables)', '2025-02-01, ingest + 6 models + tests + checks + merge', () => pipeline.materialize({ select: noPublish, partitions: ['2025-02-01'] }));
  if (first.status !== 'SUCCESS') throw new Error(first.failure ?? 'failed');
  await time('one day, next run', '2025-02-02, same steps on existing tables', () => pipeline.materialize({ select: noPublish, partitions: ['2025-02-02'] }));
  await time('one day, re-run (idempotent, nothing changes)', '2025-02-02 again', () => pipeline.materialize({ select: noPublish, partitions: ['2025-02-02'] }));
  await time('publish marts to PGlite (includes PGlite boot)', '2 tables', () => pipeline.publish());
  await time('publish marts to PGlite (warm)', '2 tables', () => pipeline.publish());
  await lake.close();
  await opened.pg?.close();
  await rm(dir, { recursive: true, force: true });
}

// A 30-day backfill in a fresh warehouse: one run, one branch, 30 partitions.
{
  const dir = await mkdtemp(join(tmpdir(), 'phlo-bench-'));
  const lake = await openNodeLakehouse({ dir, clock: () => now });
  const pipeline = new Pipeline({ lake, definitions: glucoseDefinitions({ project }), clock: () => now });
  const r = await time('30-day backfill (2025-01-01 .. 2025-01-30)', 'ingest 30 partitions, then models over all of them', () => pipeline.backfill('2025-01-01', '2025-01-30', ['dlt_glucose_entries', 'kind:dbt']));
  if (r.status !== 'SUCCESS') throw new Error(r.failure ?? 'failed');
  await lake.close();
  await rm(dir, { recursive: true, force: true });
}

// The prebuilt warehouse the site ships.
{
  const dir = await mkdtemp(join(tmpdir(), 'phlo-bench-'));
  const out = await time('full prebuilt warehouse (npm run warehouse)', '13 runs, 6 checkpoints, on disk', () => buildWarehouse(join(dir, 'warehouse')));
  results[results.length - 1].note += `, ${out.files} files`;
  await rm(dir, { recursive: true, force: true });
}

process.stdout.write('\nstep | ms | what\n--- | ---: | ---\n');
for (const r of results) process.stdout.write(`${r.step} | ${r.ms} | ${r.note}\n`);
process.exit(0);
