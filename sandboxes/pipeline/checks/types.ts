/**
 * Asset checks (the ideas of @phlo.quality and Dagster asset checks): declarative checks on
 * a table, each with a severity. ERROR results of a blocking check stop the run's branch
 * from being merged into main; WARN results are recorded and shown.
 */
import type { Lakehouse } from '../lakehouse/port.ts';

export type Severity = 'WARN' | 'ERROR';

export interface CheckContext {
  lake: Lakehouse;
  ref: string;
  /** "silver.fct_glucose_readings" */
  table: string;
  /** SQL predicate restricting the check to the run's partitions, or null for the whole table. */
  where: string | null;
  /** The partitions the run covers (YYYY-MM-DD), newest last. */
  partitions: string[];
  /** Epoch ms "now" for the run (fixed in the prebuilt warehouse). */
  now: number;
}

export interface CheckOutcome {
  passed: boolean;
  /** Rows examined. */
  total: number;
  /** Rows (or groups) that broke the rule. */
  failures: number;
  /** What was measured, for the UI: { null_count: 0 } etc. */
  observed: Record<string, number | string | null>;
  message: string;
  sample: Record<string, unknown>[];
}

/** One check instance, created by a quality-check plugin from its parameters. */
export interface Check {
  /** "range_check(glucose_mg_dl, 20..600)" */
  name: string;
  kind: string;
  severity: Severity;
  run(ctx: CheckContext): Promise<CheckOutcome>;
}

/** A group of checks on one asset, like one @phlo.quality decorator. */
export interface AssetCheckDef {
  name: string;
  asset: string;
  table: string;
  /** Timestamp/date column that places a row in a daily partition. */
  partitionColumn: string | null;
  checks: Check[];
  /** When false, even ERROR failures do not block the merge. */
  blocking: boolean;
  description: string;
}

export interface CheckResult {
  checkGroup: string;
  check: string;
  kind: string;
  asset: string;
  severity: Severity;
  passed: boolean;
  blocking: boolean;
  total: number;
  failures: number;
  observed: Record<string, number | string | null>;
  message: string;
  sample: Record<string, unknown>[];
}
