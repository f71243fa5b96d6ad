/**
 * The run log (the ideas of Dagster's event log): every run is a list of events with
 * times, durations and row counts, stored in the warehouse as one JSON file per run under
 * pipeline/runs/, so the CLI, the UI and a later session can all read it back.
 */
import type { Storage } from '../../lakehouse/storage/storage.ts';
import type { CheckResult } from '../checks/types.ts';

export type EventType =
  | 'RUN_START' | 'RUN_SUCCESS' | 'RUN_FAILURE'
  | 'BRANCH_CREATED' | 'BRANCH_MERGED' | 'BRANCH_KEPT'
  | 'STEP_START' | 'STEP_SUCCESS' | 'STEP_FAILURE' | 'STEP_SKIPPED'
  | 'MATERIALIZATION' | 'ASSET_CHECK' | 'VALIDATION' | 'LOG' | 'PROGRESS';

export interface RunEvent {
  seq: number;
  /** Epoch ms on the run clock. */
  at: number;
  type: EventType;
  asset?: string;
  partition?: string;
  /** Duration of the step this event closes, in ms. */
  ms?: number;
  message: string;
  metadata?: Record<string, unknown>;
}

export type RunStatus = 'STARTED' | 'SUCCESS' | 'FAILURE';

export interface RunRecord {
  runId: string;
  kind: 'materialize' | 'backfill' | 'check' | 'publish';
  status: RunStatus;
  branch: string | null;
  selection: string[];
  partitions: string[];
  startedAt: number;
  endedAt: number | null;
  ms: number | null;
  /** Why the run failed, in one paragraph. */
  failure: string | null;
  /** main's commit before and after the run: equal when the run changed nothing on main. */
  mainBefore: string | null;
  mainAfter: string | null;
  events: RunEvent[];
  checks: CheckResult[];
  materializations: { asset: string; partition: string | null; table: string; snapshotId: string | null; rows: number; inserted: number; updated: number }[];
  /** Run tags, e.g. the schedule or condition that launched the run (absent for manual runs). */
  tags?: Record<string, string>;
}

export const RUNS_DIR = 'pipeline/runs';

export class RunLogger {
  readonly record: RunRecord;
  private clock: () => number;
  private listener?: (e: RunEvent, r: RunRecord) => void;

  constructor(record: RunRecord, clock: () => number, listener?: (e: RunEvent, r: RunRecord) => void) {
    this.record = record;
    this.clock = clock;
    this.listener = listener;
  }

  emit(type: EventType, message: string, extra: Omit<Partial<RunEvent>, 'seq' | 'type' | 'message'> = {}): RunEvent {
    const e: RunEvent = { seq: this.record.events.length + 1, at: this.clock(), type, message, ...extra };
    this.record.events.push(e);
    this.listener?.(e, this.record);
    return e;
  }
}

function fileName(r: RunRecord): string {
  const stamp = new Date(r.startedAt).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${RUNS_DIR}/${stamp}_${r.runId}.json`;
}

export async function saveRun(storage: Storage, r: RunRecord): Promise<string> {
  const path = fileName(r);
  await storage.write(path, new TextEncoder().encode(JSON.stringify(r, null, 1) + '\n'));
  return path;
}

export async function listRuns(storage: Storage): Promise<RunRecord[]> {
  const paths = (await storage.list(RUNS_DIR)).filter((p) => p.endsWith('.json'));
  const out: RunRecord[] = [];
  for (const p of paths) out.push(JSON.parse(new TextDecoder().decode(await storage.read(p))));
  return out;
}

export async function loadRun(storage: Storage, runId: string): Promise<RunRecord> {
  const paths = (await storage.list(RUNS_DIR)).filter((p) => p.endsWith(`_${runId}.json`) || p.includes(`_${runId}`));
  if (paths.length === 0) throw new Error(`No run with id "${runId}" in this warehouse. List runs with: npm run pipeline -- runs`);
  if (paths.length > 1) throw new Error(`"${runId}" matches ${paths.length} runs; give more of the id.`);
  return JSON.parse(new TextDecoder().decode(await storage.read(paths[0])));
}

export function formatEvent(e: RunEvent): string {
  const t = new Date(e.at).toISOString().slice(11, 19);
  const where = [e.asset, e.partition].filter(Boolean).join(' @ ');
  const ms = e.ms != null ? ` (${e.ms} ms)` : '';
  return `${t} ${e.type.padEnd(15)} ${where ? where + ': ' : ''}${e.message}${ms}`;
}
