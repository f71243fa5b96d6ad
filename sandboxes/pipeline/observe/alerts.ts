/**
 * A small alert evaluator, in the spirit of Prometheus alerting rules and Phlo's
 * alerting config: rules declared in the project's alerts.yml, each measuring one signal at
 * a moment and firing when it is above a threshold.
 *
 * Signals:
 *   freshness       hours since `table`'s newest snapshot on main (no snapshot: always fires)
 *   check_failures  failed checks (default: ERROR severity) in runs started within `window`
 *   failed_runs     runs that ended in FAILURE within `window`
 *   missing_partitions  days of `asset` missing on main between its first and newest day
 *                   (fresh is not complete: a failed day never re-run leaves a gap)
 *
 * An evaluation only uses what was known at its time `at`: runs started by then, snapshots
 * committed by then. Every evaluation is saved under pipeline/alerts/ (queryable as
 * ops.alerts). To keep people from being told the same thing every time, a firing rule is
 * marked `notify` only when it starts firing (it was not firing at the previous evaluation);
 * Alertmanager does the same and repeats after its repeat_interval.
 */
import { parse as parseYaml } from 'yaml';
import type { Storage } from '../../lakehouse/storage/storage.ts';
import type { Warehouse } from '../../lakehouse/warehouse.ts';
import type { RunRecord } from '../orchestrate/runlog.ts';
import { freshnessOf } from './freshness.ts';
import { dayRange } from '../util/dates.ts';

export const ALERTS_FILE = 'alerts.yml';
export const ALERTS_DIR = 'pipeline/alerts';
const HOUR = 3_600_000;

export type AlertSeverity = 'info' | 'warning' | 'critical';
export type AlertSignal = 'freshness' | 'check_failures' | 'failed_runs' | 'missing_partitions';

export interface AlertRule {
  name: string;
  description: string;
  signal: AlertSignal;
  severity: AlertSeverity;
  /** freshness: the table whose newest snapshot counts. */
  table?: string;
  /** missing_partitions: the asset whose daily partitions must have reached main. */
  asset?: string;
  /** check_failures / failed_runs: how far back to count, in ms. */
  windowMs?: number;
  /** check_failures: which check severities count (default ERROR only: warnings do not page). */
  checkSeverities?: ('ERROR' | 'WARN')[];
  /** Fires when the value is above this (hours for freshness, a count otherwise). */
  above: number;
}

export interface AlertResult {
  rule: string;
  severity: AlertSeverity;
  signal: AlertSignal;
  firing: boolean;
  /** Newly firing: the one moment someone is told. */
  notify: boolean;
  value: number | null;
  threshold: number;
  message: string;
}

export interface AlertEvaluation {
  at: number;
  seq: number;
  results: AlertResult[];
}

export class AlertRuleError extends Error {
  constructor(message: string) { super(message); this.name = 'AlertRuleError'; }
}

/** "36h", "90m", "2d" or a bare number of hours, in ms. */
export function parseDuration(v: unknown, where: string): number {
  if (typeof v === 'number' && v >= 0) return v * HOUR;
  const m = typeof v === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(m|h|d)\s*$/.exec(v) : null;
  if (!m) throw new AlertRuleError(`${where}: "${String(v)}" is not a duration; write it like 36h, 90m or 2d.`);
  return Number(m[1]) * { m: 60_000, h: HOUR, d: 24 * HOUR }[m[2] as 'm' | 'h' | 'd'];
}

/** Read alerts.yml; every mistake is reported with the rule it is in. */
export function parseAlertRules(text: string | undefined, file = ALERTS_FILE): AlertRule[] {
  if (text === undefined) throw new AlertRuleError(`The project has no ${file}: add one with a "rules:" list (see the course's Part 11).`);
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new AlertRuleError(`${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const list = (doc as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(list)) throw new AlertRuleError(`${file} needs a top-level "rules:" list.`);
  const names = new Set<string>();
  return list.map((raw, i) => {
    const r = (raw ?? {}) as Record<string, unknown>;
    const where = `${file}, rule ${i + 1}${typeof r.name === 'string' ? ` (${r.name})` : ''}`;
    if (typeof r.name !== 'string' || !/^[a-z][a-z0-9_]*$/.test(r.name)) throw new AlertRuleError(`${where}: "name" must be a snake_case name.`);
    if (names.has(r.name)) throw new AlertRuleError(`${where}: another rule already has this name.`);
    names.add(r.name);
    const signal = r.signal as AlertSignal;
    if (!['freshness', 'check_failures', 'failed_runs', 'missing_partitions'].includes(signal)) throw new AlertRuleError(`${where}: "signal" must be freshness, check_failures, failed_runs or missing_partitions.`);
    const severity = (r.severity ?? 'warning') as AlertSeverity;
    if (!['info', 'warning', 'critical'].includes(severity)) throw new AlertRuleError(`${where}: "severity" must be info, warning or critical.`);
    const rule: AlertRule = { name: r.name, description: typeof r.description === 'string' ? r.description : '', signal, severity, above: 0 };
    if (signal === 'freshness') {
      if (typeof r.table !== 'string' || !/^\w+\.\w+$/.test(r.table)) throw new AlertRuleError(`${where}: a freshness rule needs "table: namespace.table".`);
      rule.table = r.table;
      rule.above = parseDuration(r.above, `${where}, "above"`) / HOUR;
    } else if (signal === 'missing_partitions') {
      if (typeof r.asset !== 'string' || !r.asset) throw new AlertRuleError(`${where}: a missing_partitions rule needs "asset: <asset key>", e.g. dlt_glucose_entries.`);
      if (typeof r.above !== 'number' || r.above < 0) throw new AlertRuleError(`${where}: "above" must be a count of days (0 fires on the first gap).`);
      rule.asset = r.asset;
      rule.above = r.above;
    } else {
      rule.windowMs = parseDuration(r.window ?? '24h', `${where}, "window"`);
      if (typeof r.above !== 'number' || r.above < 0) throw new AlertRuleError(`${where}: "above" must be a count (0 fires on the first one).`);
      rule.above = r.above;
      if (signal === 'check_failures') {
        const sev = r.check_severity ?? 'ERROR';
        if (!['ERROR', 'WARN', 'any'].includes(String(sev))) throw new AlertRuleError(`${where}: "check_severity" must be ERROR, WARN or any.`);
        rule.checkSeverities = sev === 'any' ? ['ERROR', 'WARN'] : [sev as 'ERROR' | 'WARN'];
      }
    }
    return rule;
  });
}

const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');
const hours = (ms: number) => Math.round((ms / HOUR) * 10) / 10;

/** Evaluate every rule at `at` over the runs and the catalog; `previous` decides `notify`. */
export async function evaluateAlerts(o: { rules: AlertRule[]; runs: RunRecord[]; warehouse: Warehouse; at: number; previous?: AlertEvaluation | null }): Promise<AlertResult[]> {
  const known = o.runs.filter((r) => r.startedAt <= o.at);
  const out: AlertResult[] = [];
  for (const rule of o.rules) {
    let value: number | null;
    let message: string;
    if (rule.signal === 'freshness') {
      const f = await freshnessOf(o.warehouse, rule.table!, 'main', o.at);
      value = f.lastSnapshotAt === null ? null : hours(o.at - f.lastSnapshotAt);
      message = f.lastSnapshotAt === null
        ? `${rule.table} has no snapshot on main at ${iso(o.at)}`
        : `${rule.table} is ${value} h old (last change ${iso(f.lastSnapshotAt)}; threshold ${rule.above} h)`;
    } else if (rule.signal === 'missing_partitions') {
      // Days of the asset that reached main through a successful, merged run.
      const days = new Set(known.filter((r) => r.status === 'SUCCESS' && r.events.some((e) => e.type === 'BRANCH_MERGED'))
        .flatMap((r) => r.materializations.filter((m) => m.asset === rule.asset && m.partition).map((m) => m.partition!)));
      const sorted = [...days].sort();
      const missing = sorted.length ? dayRange(sorted[0]!, sorted.at(-1)!).filter((d) => !days.has(d)) : [];
      value = missing.length;
      message = sorted.length
        ? `${value} day(s) of ${rule.asset} missing on main between ${sorted[0]} and ${sorted.at(-1)}${missing.length ? `: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}` : ''}`
        : `${rule.asset} has no day on main yet`;
    } else {
      const inWindow = known.filter((r) => r.startedAt > o.at - rule.windowMs!);
      const span = `last ${hours(rule.windowMs!)} h`;
      if (rule.signal === 'check_failures') {
        const failed = inWindow.flatMap((r) => r.checks.filter((k) => !k.passed && rule.checkSeverities!.includes(k.severity)).map((k) => `${k.checkGroup}.${k.check} (run ${r.runId.slice(0, 8)})`));
        value = failed.length;
        message = `${value} failed ${rule.checkSeverities!.join('/')} check(s) in the ${span}${failed.length ? `: ${failed.slice(0, 3).join(', ')}${failed.length > 3 ? ', ...' : ''}` : ''}`;
      } else {
        const failed = inWindow.filter((r) => r.status === 'FAILURE');
        value = failed.length;
        message = `${value} failed run(s) in the ${span}${failed.length ? `: ${failed.map((r) => `${r.runId.slice(0, 8)} (${r.partitions[0] ?? '-'})`).join(', ')}` : ''}`;
      }
    }
    const firing = value === null || value > rule.above;
    const before = o.previous?.results.find((p) => p.rule === rule.name);
    out.push({ rule: rule.name, severity: rule.severity, signal: rule.signal, firing, notify: firing && !before?.firing, value, threshold: rule.above, message });
  }
  return out;
}

/** Every saved evaluation, in time order. */
export async function alertHistory(storage: Storage): Promise<AlertEvaluation[]> {
  const out: AlertEvaluation[] = [];
  for (const p of (await storage.list(ALERTS_DIR)).filter((x) => x.endsWith('.json'))) {
    out.push(JSON.parse(new TextDecoder().decode(await storage.read(p))) as AlertEvaluation);
  }
  return out.sort((a, b) => a.at - b.at || a.seq - b.seq);
}

/** Evaluate, compare with the newest earlier evaluation, save, and return the evaluation. */
export async function runAlerts(o: { rules: AlertRule[]; runs: RunRecord[]; warehouse: Warehouse; at: number }): Promise<AlertEvaluation> {
  const history = await alertHistory(o.warehouse.storage);
  const previous = history.filter((h) => h.at <= o.at).at(-1) ?? null;
  const results = await evaluateAlerts({ ...o, previous });
  const seq = history.reduce((m, h) => Math.max(m, h.seq), 0) + 1;
  const evaluation: AlertEvaluation = { at: o.at, seq, results };
  const stamp = iso(o.at).replace(/[-:]/g, '');
  await o.warehouse.storage.write(`${ALERTS_DIR}/${stamp}_${String(seq).padStart(4, '0')}.json`, new TextEncoder().encode(JSON.stringify(evaluation, null, 1) + '\n'));
  return evaluation;
}

/** Where a severity goes: only critical alerts page a person. */
export function routeOf(severity: AlertSeverity): string {
  return severity === 'critical' ? 'page the on-call' : severity === 'warning' ? 'team channel' : 'log only';
}

export function formatEvaluation(e: AlertEvaluation, rulesFile = ALERTS_FILE): string[] {
  const firing = e.results.filter((r) => r.firing).length;
  const lines = [`Alerts at ${iso(e.at)}: ${e.results.length} rule(s) from ${rulesFile}, ${firing} firing.`];
  for (const r of e.results) {
    const state = r.firing ? 'FIRING' : 'ok';
    const tell = r.firing ? (r.notify ? `  -> notify: ${routeOf(r.severity)}` : '  (already firing: not sent again)') : '';
    lines.push(`  ${state.padEnd(6)} ${r.severity.padEnd(8)} ${r.rule}: ${r.message}${tell}`);
  }
  return lines;
}
