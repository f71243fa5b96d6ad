/** Messages between the page and the pipeline worker. */
import type { RunEvent, RunRecord } from '../../../sandboxes/pipeline/orchestrate/runlog.ts';
import type { LineageGraph } from '../../../sandboxes/pipeline/orchestrate/graph.ts';
import type { PgAnswer } from './postgres-query.ts';

export interface AssetUrls {
  duckdbWasmUrl: string;
  duckdbWorkerUrl: string;
  parquetWasmUrl: string;
}

export type ToWorker =
  | { type: 'init'; warehouseUrl: string; /** Path segments of the section's warehouse layer in OPFS. */
  opfsDir: string[]; assets: AssetUrls }
  | { type: 'run'; id: number; line: string; files: Record<string, string> }
  | { type: 'lineage'; id: number; files: Record<string, string> }
  /** A Postgres query on the published marts (the dashboard, postgres task checks). */
  | { type: 'postgres'; id: number; sql: string };

export type FromWorker =
  | { type: 'ready' }
  /** Sent every second while the worker's event loop turns: silence means it is stuck or gone. */
  | { type: 'alive'; /** A long blocking step begins (PGlite's start): allow this much silence. */ graceMs?: number }
  | { type: 'fatal'; message: string }
  /** The worker began a command (before this, a command can safely go to a new worker). */
  | { type: 'started'; id: number }
  | { type: 'line'; id: number; stream: 'out' | 'err'; text: string }
  | { type: 'event'; id: number; event: RunEvent }
  | { type: 'done'; id: number; code: number; run: RunRecord | null }
  | { type: 'lineage'; id: number; graph?: LineageGraph; error?: string }
  | { type: 'postgres'; id: number; answer: PgAnswer };
