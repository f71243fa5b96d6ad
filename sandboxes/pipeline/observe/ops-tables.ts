/**
 * The pipeline's own health as SQL tables in the `ops` namespace, built from the run log
 * (pipeline/runs/*.json) and the catalog. Dagster keeps its event log in Postgres next to the
 * lakehouse, not in it; these tables are the same idea: they have no branches or snapshots,
 * and they are rebuilt whenever the run log changes.
 *
 *   ops.runs                 one row per run: kind, status, partitions, times, duration, failure
 *   ops.run_events           every event of every run (Dagster's event log)
 *   ops.materializations     what each run wrote: table, partition, rows, snapshot
 *   ops.check_results        every asset check and dbt-test-like check a run evaluated
 *   ops.validation_failures  the rows a failed validation rejected (they never reach a table)
 *   ops.freshness            per table on the queried branch: when it last changed
 *   ops.alerts               every evaluation of the alert rules (see alerts.ts)
 */
import type * as arrow from 'apache-arrow';
import type { VirtualTables, Warehouse } from '../../lakehouse/warehouse.ts';
import type { Storage } from '../../lakehouse/storage/storage.ts';
import type { RunRecord } from '../orchestrate/runlog.ts';
import { rowsToArrow, type ColumnDef } from '../util/arrow.ts';
import { visibleRuns, runLogFingerprint, logClock } from './run-log.ts';
import { ALERTS_DIR, alertHistory } from './alerts.ts';
import { tableFreshness } from './freshness.ts';

type Row = Record<string, unknown>;
const c = (name: string, type: ColumnDef['type']): ColumnDef => ({ name, type });
const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
const HOUR = 3_600_000;

/** Column lists: the tables keep their columns even when the log is empty. */
export const OPS_COLUMNS: Record<string, ColumnDef[]> = {
  'ops.runs': [
    c('run_id', 'string'), c('kind', 'string'), c('status', 'string'), c('trigger', 'string'), c('branch', 'string'),
    c('selection', 'string'), c('first_partition', 'date'), c('last_partition', 'date'), c('partitions', 'int64'),
    c('started_at', 'timestamp'), c('ended_at', 'timestamp'), c('duration_ms', 'int64'), c('reached_main', 'bool'),
    c('rows_written', 'int64'), c('checks', 'int64'), c('checks_failed', 'int64'), c('failure', 'string'),
  ],
  'ops.run_events': [
    c('run_id', 'string'), c('seq', 'int64'), c('logged_at', 'timestamp'), c('type', 'string'), c('asset', 'string'),
    c('partition', 'date'), c('duration_ms', 'int64'), c('message', 'string'), c('metadata', 'string'),
  ],
  'ops.materializations': [
    c('run_id', 'string'), c('run_status', 'string'), c('reached_main', 'bool'), c('run_started_at', 'timestamp'), c('asset', 'string'),
    c('partition', 'date'), c('table_name', 'string'), c('snapshot_id', 'string'), c('rows', 'int64'), c('inserted', 'int64'), c('updated', 'int64'),
  ],
  'ops.check_results': [
    c('run_id', 'string'), c('run_started_at', 'timestamp'), c('run_status', 'string'), c('branch', 'string'), c('asset', 'string'),
    c('check_group', 'string'), c('check_name', 'string'), c('kind', 'string'), c('severity', 'string'), c('passed', 'bool'),
    c('blocking', 'bool'), c('rows_checked', 'int64'), c('failures', 'int64'), c('message', 'string'), c('observed', 'string'), c('sample', 'string'),
  ],
  'ops.validation_failures': [
    c('run_id', 'string'), c('logged_at', 'timestamp'), c('asset', 'string'), c('partition', 'date'), c('schema_name', 'string'),
    c('row_number', 'int64'), c('entry_key', 'string'), c('column_name', 'string'), c('value', 'string'), c('rule', 'string'), c('message', 'string'),
  ],
  'ops.freshness': [
    c('table_name', 'string'), c('snapshots', 'int64'), c('last_snapshot_at', 'timestamp'), c('last_operation', 'string'),
    c('total_records', 'int64'), c('as_of', 'timestamp'), c('hours_since_update', 'float64'),
  ],
  'ops.alerts': [
    c('evaluated_at', 'timestamp'), c('rule', 'string'), c('severity', 'string'), c('signal', 'string'), c('firing', 'bool'),
    c('notify', 'bool'), c('value', 'float64'), c('threshold', 'float64'), c('message', 'string'),
  ],
};

export const OPS_TABLES = Object.keys(OPS_COLUMNS);

const reachedMain = (r: RunRecord) => r.status === 'SUCCESS' && r.events.some((e) => e.type === 'BRANCH_MERGED');

export function runRows(runs: RunRecord[]): Row[] {
  return runs.map((r) => {
    const parts = [...r.partitions].sort();
    return {
      run_id: r.runId, kind: r.kind, status: r.status, trigger: (r as { tags?: Record<string, string> }).tags?.trigger ?? 'manual', branch: r.branch,
      selection: r.selection.join(','), first_partition: parts[0] ?? null, last_partition: parts.at(-1) ?? null, partitions: parts.length,
      started_at: r.startedAt, ended_at: r.endedAt, duration_ms: r.ms, reached_main: reachedMain(r),
      rows_written: r.materializations.reduce((s, m) => s + m.inserted + m.updated, 0),
      checks: r.checks.length, checks_failed: r.checks.filter((x) => !x.passed).length,
      failure: r.failure ? r.failure.split('\n')[0] : null,
    };
  });
}

export function eventRows(runs: RunRecord[]): Row[] {
  return runs.flatMap((r) => r.events.map((e) => ({
    run_id: r.runId, seq: e.seq, logged_at: e.at, type: e.type, asset: e.asset ?? null, partition: e.partition ?? null,
    duration_ms: e.ms ?? null, message: e.message, metadata: json(e.metadata),
  })));
}

export function materializationRows(runs: RunRecord[]): Row[] {
  return runs.flatMap((r) => r.materializations.map((m) => ({
    run_id: r.runId, run_status: r.status, reached_main: reachedMain(r), run_started_at: r.startedAt, asset: m.asset, partition: m.partition,
    table_name: m.table, snapshot_id: m.snapshotId, rows: m.rows, inserted: m.inserted, updated: m.updated,
  })));
}

export function checkRows(runs: RunRecord[]): Row[] {
  return runs.flatMap((r) => r.checks.map((k) => ({
    run_id: r.runId, run_started_at: r.startedAt, run_status: r.status, branch: r.branch, asset: k.asset, check_group: k.checkGroup,
    check_name: k.check, kind: k.kind, severity: k.severity, passed: k.passed, blocking: k.blocking, rows_checked: k.total,
    failures: k.failures, message: k.message, observed: json(k.observed), sample: json(k.sample),
  })));
}

interface LoggedFailure { row?: number; key?: unknown; column?: string; value?: unknown; rule?: string; message?: string }

export function validationFailureRows(runs: RunRecord[]): Row[] {
  return runs.flatMap((r) => r.events.filter((e) => e.type === 'VALIDATION').flatMap((e) => {
    const meta = (e.metadata ?? {}) as { schema?: string; failures?: LoggedFailure[] };
    return (meta.failures ?? []).map((f) => ({
      run_id: r.runId, logged_at: e.at, asset: e.asset ?? null, partition: e.partition ?? null, schema_name: meta.schema ?? null,
      row_number: f.row ?? null, entry_key: f.key == null ? null : String(f.key), column_name: f.column ?? null,
      value: f.value == null ? null : typeof f.value === 'object' ? JSON.stringify(f.value) : String(f.value),
      rule: f.rule ?? null, message: f.message ?? null,
    }));
  }));
}

async function freshnessRows(warehouse: Warehouse, ref: string, runs: RunRecord[]): Promise<Row[]> {
  const asOf = logClock(runs);
  return (await tableFreshness(warehouse, ref)).map((t) => ({
    table_name: t.table, snapshots: t.snapshots, last_snapshot_at: t.lastSnapshotAt, last_operation: t.lastOperation,
    total_records: t.totalRecords, as_of: asOf,
    hours_since_update: asOf === null || t.lastSnapshotAt === null ? null : Math.round(((asOf - t.lastSnapshotAt) / HOUR) * 10) / 10,
  }));
}

/** The rows of one ops table as seen from `ref` (only ops.freshness depends on it). */
export async function opsRows(name: string, warehouse: Warehouse, ref: string): Promise<Row[]> {
  const storage = warehouse.storage;
  if (name === 'ops.alerts') {
    return (await alertHistory(storage)).flatMap((ev) => ev.results.map((a) => ({
      evaluated_at: ev.at, rule: a.rule, severity: a.severity, signal: a.signal, firing: a.firing, notify: a.notify,
      value: a.value, threshold: a.threshold, message: a.message,
    })));
  }
  const runs = await visibleRuns(storage);
  switch (name) {
    case 'ops.runs': return runRows(runs);
    case 'ops.run_events': return eventRows(runs);
    case 'ops.materializations': return materializationRows(runs);
    case 'ops.check_results': return checkRows(runs);
    case 'ops.validation_failures': return validationFailureRows(runs);
    case 'ops.freshness': return freshnessRows(warehouse, ref, runs);
  }
  throw new Error(`${name} is not an ops table; they are ${OPS_TABLES.join(', ')}.`);
}

export function opsTable(name: string, rows: Row[]): arrow.Table {
  return rowsToArrow(OPS_COLUMNS[name]!, rows);
}

/** The ops tables as a virtual-table source for Warehouse.sql. */
export function opsTables(warehouse: Warehouse): VirtualTables {
  const storage: Storage = warehouse.storage;
  return {
    names: () => OPS_TABLES,
    async fingerprint(name, ref) {
      if (name === 'ops.alerts') return (await storage.list(ALERTS_DIR)).join(',');
      const log = await runLogFingerprint(storage);
      // Freshness also moves with the branch's head.
      return name === 'ops.freshness' ? `${log}|${(await warehouse.catalog.resolve(ref)).hash}` : log;
    },
    load: async (name, ref) => opsTable(name, await opsRows(name, warehouse, ref)),
  };
}

/** Make the ops tables queryable in this warehouse's SQL (Node CLI, tests, browser). */
export function attachOpsTables(warehouse: Warehouse): void {
  warehouse.attachVirtualTables(opsTables(warehouse));
}
