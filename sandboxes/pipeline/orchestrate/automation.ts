/**
 * Automation (the ideas of Dagster's schedules, automation conditions and sensors), small and
 * evaluated on demand: there is no daemon in a browser tab, so `tick` plays one evaluation of
 * the daemon at a given time and launches what it would launch.
 *
 * What is Phlo's and what is ours:
 * - The automation condition on `dlt_glucose_entries` is Phlo's: the decorator's
 *   `cron="0 *\/1 * * *"` (hourly) becomes `AutomationCondition.on_cron(...)` on the asset.
 *   Once per cron tick it requests the asset's newest daily partition, unless a run has
 *   already materialised that partition since the tick. Only the ingestion asset has it: at
 *   the pinned commit the dbt assets have no condition, so they do not follow on their own.
 * - `daily_glucose_pipeline` is the miniature's own schedule (Phlo defines no schedules or
 *   jobs at the pin): at 06:00 UTC it runs every asset except publishing for the day before,
 *   which is exactly what the prebuilt warehouse's story did each morning.
 * - The two sensors mirror Phlo's branch sensors: `auto_promotion_sensor` promotes an audited
 *   run branch whose checks passed (Phlo fast-forwards main and tags it), and
 *   `branch_cleanup_sensor` lists run branches it would delete (a dry run, as in Phlo, where
 *   deleting needs BRANCH_CLEANUP_ENABLED=true).
 *
 * Times are UTC. Phlo's partitions are Europe/London days, the same as UTC in winter.
 */
import type { Pipeline } from './pipeline.ts';
import type { RunRecord } from './runlog.ts';
import { dayOf, DAY_MS } from '../util/dates.ts';

// ------------------------------------------------------------------ cron

/** A parsed five-field cron expression: minute hour day-of-month month day-of-week. */
export interface Cron {
  text: string;
  minute: Set<number>;
  hour: Set<number>;
  dayOfMonth: Set<number>;
  month: Set<number>;
  dayOfWeek: Set<number>;
  /** Whether day-of-month / day-of-week were restricted (cron ORs them when both are). */
  domRestricted: boolean;
  dowRestricted: boolean;
}

const DOW_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

export class CronError extends Error {
  constructor(message: string) { super(message); this.name = 'CronError'; }
}

/** Parse "0 6 * * *" and friends: `*`, `*\/n`, `a-b`, `a-b/n`, lists, day names MON..SUN. */
export function parseCron(text: string): Cron {
  const parts = text.trim().split(/\s+/);
  // Phlo checks the same at definition time (CascadeCronError).
  if (parts.length !== 5) throw new CronError(`"${text}" is not a cron expression: it needs five fields (minute hour day-of-month month day-of-week), it has ${parts.length}.`);
  const sets = parts.map((p, i) => {
    const f = FIELDS[i]!;
    const out = new Set<number>();
    for (const item of p.split(',')) {
      const [range, stepText] = item.split('/');
      const step = stepText === undefined ? 1 : Number(stepText);
      if (!Number.isInteger(step) || step < 1) throw new CronError(`"${text}": the step "${stepText}" in the ${f.name} field is not a positive whole number.`);
      const value = (v: string) => {
        const named = i === 4 ? DOW_NAMES.indexOf(v.toUpperCase()) : -1;
        const n = named >= 0 ? named : Number(v);
        if (!Number.isInteger(n) || n < f.min || n > f.max) throw new CronError(`"${text}": "${v}" is not a valid ${f.name} (${f.min}-${f.max}${i === 4 ? ' or MON..SUN' : ''}).`);
        return n;
      };
      let lo: number, hi: number;
      if (range === '*') { lo = f.min; hi = i === 4 ? 6 : f.max; }
      else if (range!.includes('-')) { const [a, b] = range!.split('-'); lo = value(a!); hi = value(b!); }
      else { lo = value(range!); hi = stepText === undefined ? lo : f.max; }
      if (hi < lo) throw new CronError(`"${text}": the range ${range} in the ${f.name} field ends before it starts.`);
      for (let v = lo; v <= hi; v += step) out.add(i === 4 && v === 7 ? 0 : v);
    }
    return out;
  });
  return { text, minute: sets[0]!, hour: sets[1]!, dayOfMonth: sets[2]!, month: sets[3]!, dayOfWeek: sets[4]!, domRestricted: parts[2] !== '*', dowRestricted: parts[4] !== '*' };
}

/** Does the cron fire in the minute that contains `t` (epoch ms, UTC)? */
export function cronMatches(c: Cron, t: number): boolean {
  const d = new Date(t);
  if (!c.minute.has(d.getUTCMinutes()) || !c.hour.has(d.getUTCHours()) || !c.month.has(d.getUTCMonth() + 1)) return false;
  const dom = c.dayOfMonth.has(d.getUTCDate());
  const dow = c.dayOfWeek.has(d.getUTCDay());
  if (c.domRestricted && c.dowRestricted) return dom || dow;
  return dom && dow;
}

const MINUTE = 60_000;
const floorMinute = (t: number) => Math.floor(t / MINUTE) * MINUTE;

/** The latest tick at or before `t` (searched up to `withinDays` back), or null. */
export function previousTick(c: Cron, t: number, withinDays = 366): number | null {
  for (let m = floorMinute(t); m > t - withinDays * DAY_MS; m -= MINUTE) if (cronMatches(c, m)) return m;
  return null;
}

/** The first tick strictly after `t`, or null. */
export function nextTick(c: Cron, t: number, withinDays = 366): number | null {
  for (let m = floorMinute(t) + MINUTE; m < t + withinDays * DAY_MS; m += MINUTE) if (cronMatches(c, m)) return m;
  return null;
}

// ------------------------------------------------------------------ definitions

export interface ScheduleDef {
  name: string;
  cron: string;
  /** Asset selection, as `materialize` takes it. */
  select: string[];
  description: string;
}

export interface CronConditionDef {
  /** The asset the condition sits on. */
  asset: string;
  cron: string;
  description: string;
}

export interface SensorDef {
  name: string;
  intervalSeconds: number;
  description: string;
}

export interface Automation {
  schedules: ScheduleDef[];
  conditions: CronConditionDef[];
  sensors: SensorDef[];
}

/** The automation of a pipeline: its ingestion assets' cron conditions, the daily schedule, the branch sensors. */
export function automationOf(pipeline: Pipeline): Automation {
  const everyAssetButPublishing = pipeline.graph.order.filter((k) => pipeline.graph.nodes.get(k)!.kind !== 'publish');
  return {
    schedules: [{
      name: 'daily_glucose_pipeline',
      cron: '0 6 * * *',
      select: everyAssetButPublishing,
      description: "The miniature's own schedule (Phlo defines none at the pinned commit): every asset except publishing, for the day before.",
    }],
    conditions: pipeline.definitions.ingestion.filter((a) => a.cron).map((a) => ({
      asset: a.name,
      cron: a.cron!,
      description: `Phlo's AutomationCondition.on_cron("${a.cron}") from @phlo.ingestion(cron=...): once per tick, the newest daily partition of ${a.name}, unless a run already materialised it since the tick.`,
    })),
    sensors: [
      { name: 'auto_promotion_sensor', intervalSeconds: 30, description: 'Promotes an audited run branch whose checks all passed: merges it into main and tags main v<YYYYMMDD_HHMMSS>.' },
      { name: 'branch_cleanup_sensor', intervalSeconds: 3600, description: 'Lists pipeline run branches it would delete; a dry run, as in Phlo unless BRANCH_CLEANUP_ENABLED=true.' },
    ],
  };
}

// ------------------------------------------------------------------ one tick

export interface TickOutcome {
  /** "schedule daily_glucose_pipeline", "condition dlt_glucose_entries", "sensor branch_cleanup_sensor". */
  source: string;
  fired: boolean;
  /** Why it fired or not, in one sentence. */
  reason: string;
  /** The run it launched, if any. */
  run?: RunRecord;
  /** What a sensor did or would do (branch names). */
  branches?: string[];
}

/** The newest complete daily partition at `t`: the day before. */
export const latestPartition = (t: number): string => dayOf(t - DAY_MS);

/** Where sensors keep their cursors in the warehouse. */
export const SENSOR_DIR = 'pipeline/sensors';

const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');

/** Runs the run log knows of, up to `t` only: later runs (a shipped warehouse's own story) are not visible yet at `t`. */
async function runsUpTo(pipeline: Pipeline, t: number): Promise<RunRecord[]> {
  return (await pipeline.runs()).filter((r) => r.startedAt <= t).sort((a, b) => a.startedAt - b.startedAt);
}

/**
 * One evaluation of the daemon at `at`: schedules first, then the cron conditions (which see
 * the schedules' runs), then the sensors. With `dryRun` nothing is launched or changed.
 */
export async function tick(pipeline: Pipeline, at: number, options: { dryRun?: boolean } = {}): Promise<TickOutcome[]> {
  const auto = automationOf(pipeline);
  const out: TickOutcome[] = [];
  const tag = (source: string) => ({ trigger: source, tick: iso(at) });

  for (const s of auto.schedules) {
    const cron = parseCron(s.cron);
    const source = `schedule ${s.name}`;
    if (!cronMatches(cron, at)) {
      out.push({ source, fired: false, reason: `"${s.cron}" does not fire at ${iso(at)}; next tick ${iso(nextTick(cron, at)!)}.` });
      continue;
    }
    const partition = latestPartition(at);
    if (options.dryRun) { out.push({ source, fired: true, reason: `would run ${s.select.length} assets for ${partition}.` }); continue; }
    const run = await pipeline.materialize({ select: s.select, partitions: [partition], tags: tag(source) });
    out.push({ source, fired: true, reason: `ran ${s.select.length} assets for ${partition}: ${run.status}.`, run });
  }

  for (const c of auto.conditions) {
    const cron = parseCron(c.cron);
    const source = `condition ${c.asset} on_cron("${c.cron}")`;
    const last = previousTick(cron, at);
    if (last === null) { out.push({ source, fired: false, reason: 'no cron tick yet.' }); continue; }
    const partition = latestPartition(at);
    const sinceTick = (await runsUpTo(pipeline, at)).filter((r) => r.startedAt >= last);
    const done = sinceTick.filter((r) => r.status === 'SUCCESS' && r.materializations.some((m) => m.asset === c.asset && m.partition === partition));
    if (done.length) {
      out.push({ source, fired: false, reason: `${partition} was already materialised since the ${iso(last)} tick (run ${done.at(-1)!.runId.slice(0, 8)}).` });
      continue;
    }
    // Once per tick: a run this condition launched for the tick is not launched again, even if it failed.
    const requested = sinceTick.filter((r) => r.tags?.trigger === source && r.tags?.tick === iso(last));
    if (requested.length) {
      out.push({ source, fired: false, reason: `already requested for the ${iso(last)} tick (run ${requested.at(-1)!.runId.slice(0, 8)}, ${requested.at(-1)!.status}); next tick ${iso(nextTick(cron, at)!)}.` });
      continue;
    }
    if (options.dryRun) { out.push({ source, fired: true, reason: `would run ${c.asset} for ${partition} (tick ${iso(last)}).` }); continue; }
    const run = await pipeline.materialize({ select: [c.asset], partitions: [partition], tags: { trigger: source, tick: iso(last) } });
    out.push({ source, fired: true, reason: `ran ${c.asset} for ${partition} (tick ${iso(last)}): ${run.status}.`, run });
  }

  // Sensors look at branches the runs up to `at` left behind.
  const runs = await runsUpTo(pipeline, at);
  const branches = new Set((await pipeline.lake.refs()).filter((r) => r.type === 'branch').map((r) => r.name));
  const kept = runs.filter((r) => r.branch && branches.has(r.branch));
  // The sensor's cursor: one write-once file per promoted branch (Phlo keeps promoted branches in its cursor too).
  const cursor = (b: string) => `${SENSOR_DIR}/auto_promotion_sensor/${b}.json`;
  const promotable: RunRecord[] = [];
  for (const r of kept) {
    if (r.status !== 'SUCCESS' || r.events.some((e) => e.type === 'BRANCH_MERGED') || r.checks.some((c) => !c.passed && c.severity === 'ERROR')) continue;
    if (!(await pipeline.lake.storage.exists(cursor(r.branch!)))) promotable.push(r);
  }
  const promoted: string[] = [];
  for (const r of promotable) {
    if (options.dryRun) { promoted.push(r.branch!); continue; }
    await pipeline.lake.mergeBranch(r.branch!, 'main', `auto_promotion_sensor: promote ${r.branch} (run ${r.runId}, every check passed)`);
    await pipeline.lake.storage.write(cursor(r.branch!), new TextEncoder().encode(JSON.stringify({ branch: r.branch, runId: r.runId, promotedAt: iso(at) }) + '\n'));
    const stamp = iso(at).replace(/[-:]/g, '').replace('T', '_').replace('Z', '');
    if (!(await pipeline.lake.refs()).some((x) => x.name === `v${stamp}`)) await pipeline.lake.createTag(`v${stamp}`, 'main');
    promoted.push(r.branch!);
  }
  out.push({
    source: 'sensor auto_promotion_sensor',
    fired: promoted.length > 0,
    reason: promoted.length ? `${options.dryRun ? 'would promote' : 'promoted'} ${promoted.join(', ')} into main.` : 'no audited branch waiting: every run up to now merged itself or failed its checks.',
    branches: promoted,
  });
  const stale = kept.filter((r) => r.status === 'FAILURE').map((r) => r.branch!);
  out.push({
    source: 'sensor branch_cleanup_sensor',
    fired: false,
    reason: stale.length ? `dry run: would delete ${stale.join(', ')} (branches failed runs kept for inspection).` : 'dry run: no failed run branches to clean up.',
    branches: stale,
  });
  return out;
}
