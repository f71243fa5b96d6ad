/**
 * The built-in check kinds, mirroring Phlo's phlo.quality checks (NullCheck, RangeCheck,
 * UniqueCheck, FreshnessCheck, CountCheck, CustomSQLCheck) with their parameter names.
 * Each runs as SQL against the table on the run's branch, restricted to the run's partitions.
 */
import type { Check, CheckContext, CheckOutcome, Severity } from './types.ts';
import { arrowToRows } from '../util/arrow.ts';

async function rows(ctx: CheckContext, sql: string): Promise<Record<string, unknown>[]> {
  return arrowToRows(await ctx.lake.query(sql, ctx.ref));
}

const q = (c: string) => `"${c.replace(/"/g, '""')}"`;
const scope = (ctx: CheckContext) => (ctx.where ? `where ${ctx.where}` : '');
const and = (ctx: CheckContext) => (ctx.where ? `and (${ctx.where})` : '');

/** allow_threshold: the share of bad rows tolerated (0 = none), as in Phlo. */
function verdict(failures: number, total: number, allow: number): boolean {
  if (failures === 0) return true;
  return total > 0 && failures / total <= allow;
}

export interface NullCheckParams { columns: string[]; allow_threshold?: number; severity?: Severity }
export function nullCheck(p: NullCheckParams): Check {
  return {
    name: `null_check(${p.columns.join(', ')})`, kind: 'null_check', severity: p.severity ?? 'ERROR',
    async run(ctx) {
      const counts = p.columns.map((c) => `count(*) filter (where ${q(c)} is null) as ${q(c)}`).join(', ');
      const [r] = await rows(ctx, `select count(*) as __total, ${counts} from ${ctx.table} ${scope(ctx)}`);
      const total = Number(r.__total);
      const observed: Record<string, number> = {};
      let failures = 0;
      for (const c of p.columns) { observed[`${c}_nulls`] = Number(r[c]); failures += Number(r[c]); }
      const bad = p.columns.filter((c) => Number(r[c]) > 0);
      const passed = p.columns.every((c) => verdict(Number(r[c]), total, p.allow_threshold ?? 0));
      return { passed, total, failures, observed, sample: [],
        message: bad.length === 0 ? `no nulls in ${p.columns.join(', ')} (${total} rows)` : `${bad.map((c) => `${c} is null in ${r[c]} of ${total} rows`).join('; ')}` };
    },
  };
}

export interface RangeCheckParams { column: string; min_value?: number; max_value?: number; allow_threshold?: number; severity?: Severity }
export function rangeCheck(p: RangeCheckParams): Check {
  const bounds = [p.min_value != null ? `${q(p.column)} < ${p.min_value}` : null, p.max_value != null ? `${q(p.column)} > ${p.max_value}` : null].filter(Boolean).join(' or ') || 'false';
  return {
    name: `range_check(${p.column}, ${p.min_value ?? '-inf'}..${p.max_value ?? 'inf'})`, kind: 'range_check', severity: p.severity ?? 'ERROR',
    async run(ctx) {
      // Nulls are dropped first, as Phlo's RangeCheck does: the null check owns them.
      const [r] = await rows(ctx, `select count(*) as total, count(*) filter (where ${bounds}) as bad, min(${q(p.column)}) as lo, max(${q(p.column)}) as hi from ${ctx.table} where ${q(p.column)} is not null ${and(ctx)}`);
      const total = Number(r.total); const bad = Number(r.bad);
      const sample = bad ? await rows(ctx, `select * from ${ctx.table} where (${bounds}) ${and(ctx)} limit 5`) : [];
      const passed = verdict(bad, total, p.allow_threshold ?? 0);
      return { passed, total, failures: bad, observed: { min: r.lo as number, max: r.hi as number, out_of_range: bad }, sample,
        message: bad === 0 ? `${p.column} within ${p.min_value}..${p.max_value} for all ${total} rows`
          : `${bad} of ${total} rows have ${p.column} outside ${p.min_value}..${p.max_value} (seen ${r.lo}..${r.hi})${passed ? ', within the allowed threshold' : ''}` };
    },
  };
}

export interface UniqueCheckParams { columns: string[]; allow_threshold?: number; severity?: Severity }
export function uniqueCheck(p: UniqueCheckParams): Check {
  const cols = p.columns.map(q).join(', ');
  return {
    name: `unique_check(${p.columns.join(', ')})`, kind: 'unique_check', severity: p.severity ?? 'ERROR',
    async run(ctx) {
      const [r] = await rows(ctx, `select count(*) as total, count(*) - count(distinct (${cols})) as dup from ${ctx.table} ${scope(ctx)}`);
      const total = Number(r.total); const dup = Number(r.dup);
      const sample = dup ? await rows(ctx, `select ${cols}, count(*) as copies from ${ctx.table} ${scope(ctx)} group by ${cols} having count(*) > 1 limit 5`) : [];
      return { passed: verdict(dup, total, p.allow_threshold ?? 0), total, failures: dup, observed: { duplicates: dup }, sample,
        message: dup === 0 ? `${p.columns.join(', ')} unique across ${total} rows` : `${dup} duplicate row(s) on ${p.columns.join(', ')}` };
    },
  };
}

export interface FreshnessCheckParams { timestamp_column: string; max_age_hours: number; severity?: Severity }
/**
 * Newest row no older than max_age_hours. On a partitioned run "now" is the end of the
 * newest partition (a backfill of last year is fresh for its own day); else the run clock.
 */
export function freshnessCheck(p: FreshnessCheckParams): Check {
  return {
    name: `freshness_check(${p.timestamp_column}, ${p.max_age_hours}h)`, kind: 'freshness_check', severity: p.severity ?? 'WARN',
    async run(ctx) {
      const [r] = await rows(ctx, `select count(*) as total, epoch_ms(max(cast(${q(p.timestamp_column)} as timestamp))) as newest from ${ctx.table} ${scope(ctx)}`);
      const last = ctx.partitions[ctx.partitions.length - 1];
      const now = last ? Date.parse(`${last}T00:00:00Z`) + 86_400_000 : ctx.now;
      const newest = r.newest == null ? null : Number(r.newest);
      const ageH = newest == null ? null : Math.round(((now - newest) / 3_600_000) * 100) / 100;
      const passed = ageH != null && ageH <= p.max_age_hours;
      return { passed, total: Number(r.total), failures: passed ? 0 : 1, observed: { age_hours: ageH, newest: newest == null ? null : new Date(newest).toISOString() }, sample: [],
        message: ageH == null ? `no rows, so nothing is fresh` : `newest ${p.timestamp_column} is ${ageH} h old (limit ${p.max_age_hours} h)` };
    },
  };
}

export interface CountCheckParams { min_rows?: number; max_rows?: number; per_partition?: boolean; severity?: Severity }
/** Row count bounds; per_partition checks each day of the run separately (a day with a dead sensor). */
export function countCheck(p: CountCheckParams, partitionColumn: string | null = null): Check {
  return {
    name: `count_check(${p.min_rows ?? 0}..${p.max_rows ?? 'inf'}${p.per_partition ? ' per day' : ''})`, kind: 'count_check', severity: p.severity ?? 'ERROR',
    async run(ctx) {
      const groups = p.per_partition && partitionColumn && ctx.partitions.length
        ? await rows(ctx, `select cast(${q(partitionColumn)} as date)::varchar as day, count(*) as n from ${ctx.table} ${scope(ctx)} group by 1`)
        : [{ day: 'all', n: (await rows(ctx, `select count(*) as n from ${ctx.table} ${scope(ctx)}`))[0].n }];
      if (p.per_partition && ctx.partitions.length) {
        const seen = new Set(groups.map((g) => g.day));
        for (const d of ctx.partitions) if (!seen.has(d)) groups.push({ day: d, n: 0 });
      }
      const bad = groups.filter((g) => (p.min_rows != null && Number(g.n) < p.min_rows) || (p.max_rows != null && Number(g.n) > p.max_rows));
      const total = groups.reduce((s, g) => s + Number(g.n), 0);
      return { passed: bad.length === 0, total, failures: bad.length, observed: { rows: total, groups: groups.length }, sample: bad.slice(0, 5),
        message: bad.length === 0 ? `row count ${total} within bounds` : bad.map((g) => `${g.day}: ${g.n} rows, expected ${p.min_rows ?? 0}..${p.max_rows ?? '∞'}`).join('; ') };
    },
  };
}

export interface CustomSqlCheckParams { name_: string; sql: string; severity?: Severity; allow_threshold?: number }
/**
 * A SQL query over the table, which is available as `data` (as Phlo registers the frame).
 * Every row it returns is a failure: write the query to find the bad rows.
 */
export function customSqlCheck(p: CustomSqlCheckParams): Check {
  return {
    name: p.name_, kind: 'custom_sql_check', severity: p.severity ?? 'ERROR',
    async run(ctx) {
      const sql = `with data as (select * from ${ctx.table} ${scope(ctx)}) select * from (${p.sql}) as failing`;
      const [{ n }] = await rows(ctx, `select count(*) as n from (${sql}) as c`);
      const [{ total }] = await rows(ctx, `select count(*) as total from ${ctx.table} ${scope(ctx)}`);
      const failures = Number(n);
      const sample = failures ? await rows(ctx, `${sql} limit 5`) : [];
      return { passed: verdict(failures, Number(total), p.allow_threshold ?? 0), total: Number(total), failures, observed: { failing_rows: failures }, sample,
        message: failures === 0 ? `${p.name_}: no failing rows` : `${p.name_}: ${failures} failing row(s)` };
    },
  };
}
