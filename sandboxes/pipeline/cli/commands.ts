/**
 * The pipeline's command line, independent of the host: Node's main.ts, a WebContainer and
 * the Web Worker terminal all call runCommand with their own wiring. Output goes through
 * `out`/`err` line by line; the return value is the exit code.
 */
import type { Pipeline } from '../orchestrate/pipeline.ts';
import type { Lakehouse } from '../lakehouse/port.ts';
import { formatEvent, type RunRecord } from '../orchestrate/runlog.ts';
import { parseArgs, flag, flags, has, wholeNumberFlag, UsageError, type ParsedArgs } from './args.ts';
import * as arrow from 'apache-arrow';
import { arrowToRows } from '../util/arrow.ts';
import { dayRange } from '../util/dates.ts';
import { catalogCommand, contractCommand } from '../catalog/cli.ts';
import { alterCommand } from './alter.ts';
import { parseAlertRules, runAlerts, formatEvaluation, ALERTS_FILE } from '../observe/alerts.ts';
import { visibleRuns, logClock } from '../observe/run-log.ts';
import type { Warehouse } from '../../lakehouse/warehouse.ts';
import type { TableLayout } from '../lakehouse/port.ts';
import { SCALE_FROM, recordScaleRun, runScaleInProcess, splitDays } from '../orchestrate/scale.ts';
import { automationOf, parseCron, nextTick, tick } from '../orchestrate/automation.ts';

export interface CliIo { out(line: string): void; err(line: string): void }

export interface CliWiring {
  /**
   * Open the warehouse and build the pipeline (bad days and clock come from the flags).
   * `close` runs after the command: Node closes the engine, a browser session keeps it.
   */
  open(args: ParsedArgs): Promise<{ pipeline: Pipeline; lake: Lakehouse; close?: () => Promise<void> }>;
  /** Commands this CLI does not know, handed to the lakehouse CLI (returns null if it has none). */
  passThrough?(argv: string[], io: CliIo): Promise<number | null>;
}

export const USAGE = `Usage: npm run pipeline -- [--warehouse DIR] <command> [options]

Assets and runs
  assets                                 the asset graph: assets, kinds, groups, dependencies, checks
  materialize [ASSET...] [--partition DAY]... [--downstream] [--no-merge] [--full-refresh] [--dry-run]
                                         run assets for daily partitions on a branch; checks gate the merge
  backfill --from DAY --to DAY [ASSET...] [--dry-run]   every day of the range, with per-partition progress
  check [ASSET] [--ref REF] [--partition DAY]   run asset checks and record the results
  checks [ASSET] [--limit N]             stored check results per asset and run, newest first
  publish                                copy the marts from main into Postgres (PGlite)
  psql "QUERY"                           Postgres SQL against the published marts (schema marts)
  entries --partition DAY [--count N] [ASSET]   what an ingestion asset's source returns for a day (raw, as the API sends it)
  runs                                   list runs with status and timings
  logs RUN                               every event of a run
  lineage [--format json|mermaid]        the lineage graph as data
  alerts [--at TIME]                     evaluate the rules in alerts.yml at TIME (default: the newest run's time)
  schedules                              the schedule and the automation conditions, with their next ticks
  sensors                                the sensors and what they watch
  tick [--as-of TIME] [--dry-run]        one evaluation of the daemon at TIME: launch what is due
  compile MODEL [--partition DAY]        the SQL a dbt model runs
  plugins                                registered source, quality and transform plugins

Catalog and contracts (Part 10)
  catalog tables | search TERM | describe TABLE | lineage TABLE | impact TABLE.COLUMN   [--ref REF]
                                         tables, owners, tags, columns and lineage (what OpenMetadata shows)
  contract list | show NAME | check NAME [--ref REF]   a data contract checked against its table

Scaling and table maintenance (Part 12)
  scale [--days N] [--workers N]         backfill N days of 2025 cut into slices, one per worker; records the timing
  compact TABLE [--ref REF] [--min-input-files N]   rewrite small data files into one per partition (a replace snapshot)
  expire TABLE --older-than TIME [--retain-last N] [--ref REF]   drop old snapshots from the table's metadata

Lakehouse
  tables [--ref REF] | snapshots TABLE [--ref REF] | sql "QUERY" [--ref REF] [--json]
  alter TABLE add-column NAME TYPE [--ref REF] | alter TABLE rename-column FROM TO [--ref REF]   schema evolution
  branch list | branch create NAME [--from REF] | branch delete NAME | tag list | tag create NAME [--from REF] | merge FROM [INTO]
  log, diff, files, scan ... and any other command of npm run lakehouse are passed through to it

Source options: --seed TEXT, --bad-day DAY[:impossible|sensor-fault] (repeatable), --as-of ISO-TIME,
  --source-file PATH (your own Nightscout JSON export or CSV instead of the generated readings)
Plugins: --plugin FILE (repeatable) loads a module whose default export is (phlo) => ({ plugins, extend }), or which exports \`plugins\` and optionally \`extend(definitions)\``;

function table(rows: Record<string, unknown>[]): string[] {
  if (rows.length === 0) return ['(no rows)'];
  const cols = Object.keys(rows[0]);
  const cell = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const width = cols.map((c) => Math.min(40, Math.max(c.length, ...rows.map((r) => cell(r[c]).length))));
  const line = (vals: string[]) => vals.map((v, i) => v.slice(0, width[i]).padEnd(width[i])).join('  ').trimEnd();
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))];
}

function summary(r: RunRecord): string {
  return `${r.runId}  ${r.kind.padEnd(11)} ${r.status.padEnd(7)} ${new Date(r.startedAt).toISOString().slice(0, 19)}Z  ${String(r.ms ?? '').padStart(6)} ms  ${r.partitions.length > 1 ? `${r.partitions[0]}..${r.partitions.at(-1)}` : r.partitions[0] ?? '-'}  ${r.selection.join(',')}${r.tags?.trigger ? `  [${r.tags.trigger}]` : ''}`;
}

function dryRun(plan: { assets: string[]; partitions: string[]; checks: string[] }, io: CliIo): number {
  const p = plan.partitions;
  io.out(`Dry run: nothing is written. A run would create a branch pipeline/run-<id> from main and, for ${p.length === 1 ? p[0] : `${p.length} partitions (${p[0]} .. ${p.at(-1)})`}:`);
  plan.assets.forEach((a, i) => io.out(`  ${i + 1}. ${a}`));
  io.out(`then run the checks ${plan.checks.join(', ') || '(none)'} and merge into main only if no blocking check fails.`);
  return 0;
}

function printRun(r: RunRecord, io: CliIo): number {
  if (r.status === 'SUCCESS') {
    io.out(`Run ${r.runId} succeeded in ${r.ms} ms${r.branch ? ` (branch ${r.branch})` : ''}.`);
    // One line per asset: a backfill's partitions are summed.
    const byAsset = new Map<string, { table: string; parts: number; inserted: number; updated: number; snapshot: string | null }>();
    for (const m of r.materializations) {
      const a = byAsset.get(m.asset) ?? { table: m.table, parts: 0, inserted: 0, updated: 0, snapshot: null };
      a.parts += m.partition ? 1 : 0;
      a.inserted += m.inserted;
      a.updated += m.updated;
      a.snapshot = m.snapshotId ?? a.snapshot;
      byAsset.set(m.asset, a);
    }
    for (const [asset, a] of byAsset) io.out(`  ${asset}: ${a.table}${a.parts > 1 ? ` (${a.parts} partitions)` : ''}, ${a.inserted} inserted, ${a.updated} updated${a.snapshot ? `, snapshot ${a.snapshot}` : ''}`);
    const warn = r.checks.filter((c) => !c.passed);
    for (const c of warn) io.out(`  warning: ${c.checkGroup}.${c.check}: ${c.message}`);
    return 0;
  }
  io.err(`Run ${r.runId} failed. ${r.failure}`);
  return 1;
}

const layoutLine = (l: TableLayout) => `${l.dataFiles} data file(s), ${l.deleteFiles} delete file(s), ${l.manifests} manifest(s), ${l.snapshots} snapshot(s), ${l.records} rows`;

/** `scale`: the Part 12 backfill, cut into one slice per worker, timed and recorded. */
async function scaleCommand(args: ParsedArgs, lake: Lakehouse, io: CliIo): Promise<number> {
  const days = wholeNumberFlag(args, 'days', { min: 1, max: 366, fallback: 14, unit: 'days' })!;
  const workers = wholeNumberFlag(args, 'workers', { min: 1, max: 64, fallback: 1, unit: 'workers' })!;
  const slices = splitDays(SCALE_FROM, days, workers);
  io.out(`Backfilling ${days} day(s) from ${SCALE_FROM} in ${slices.length} slice(s): ${slices.map((s) => `worker ${s.worker} ${s.from}..${s.to}`).join(', ')}`);
  io.out('Here the slices share one thread and take turns on it, so the wall time does not drop; the Scale pane runs them in parallel Web Workers.');
  const rec = await runScaleInProcess(days, workers);
  for (const s of rec.slices) io.out(`  worker ${s.worker}: ${s.days} day(s), ${s.rows} rows, ${s.snapshots} commits, ${s.ms} ms`);
  const path = await recordScaleRun(lake.storage, rec);
  io.out(`Wall time ${rec.wallMs} ms, worker time ${rec.workerMs} ms, ${rec.rows} rows. Recorded in ${path}.`);
  return 0;
}

/** `compact TABLE` and `expire TABLE --older-than TIME`: table maintenance on one branch. */
async function maintenanceCommand(cmd: 'compact' | 'expire', table: string | undefined, ref: string, args: ParsedArgs, lake: Lakehouse, io: CliIo): Promise<number> {
  if (!table) { io.err(`${cmd} needs a table, e.g. ${cmd} raw.glucose_entries${cmd === 'expire' ? ' --older-than 2025-02-01T00:00:00Z' : ''}`); return 2; }
  if (!lake.compact || !lake.expire) { io.err('This warehouse has no Iceberg files to maintain.'); return 1; }
  if (!(await lake.tableExists(ref, table))) { io.err(`There is no table ${table} on ${ref}; list them with: tables --ref ${ref}`); return 1; }
  if (cmd === 'compact') {
    const min = wholeNumberFlag(args, 'min-input-files', { min: 1, max: 100_000, unit: 'files' });
    const r = await lake.compact(ref, table, { minInputFiles: min });
    io.out(`Before: ${layoutLine(r.before)}`);
    if (!r.snapshotId) { io.out('Nothing to compact: no partition has enough small files. No snapshot written.'); return 0; }
    io.out(`Rewrote ${r.rewrittenFiles} data file(s) into ${r.addedFiles}: replace snapshot ${r.snapshotId} on ${ref}.`);
    io.out(`After:  ${layoutLine(r.after)}`);
    io.out('The old files stay: earlier snapshots (and other branches and tags) still read them until those snapshots expire.');
    return 0;
  }
  const olderThan = flag(args, 'older-than');
  const ms = olderThan ? Date.parse(olderThan) : NaN;
  if (!olderThan || !Number.isFinite(ms)) { io.err(`expire needs --older-than TIME, written like 2025-02-01T00:00:00Z${olderThan ? ` (got "${olderThan}")` : ''}.`); return 2; }
  const retain = Number(flag(args, 'retain-last') ?? 1);
  if (!Number.isSafeInteger(retain) || retain < 1 || !/^\d+$/.test(flag(args, 'retain-last') ?? '1')) { io.err('--retain-last takes a whole number of at least 1 (the current snapshot always stays).'); return 2; }
  const r = await lake.expire(ref, table, { olderThanMs: ms, retainLast: retain });
  io.out(`Before: ${layoutLine(r.before)}`);
  io.out(`Expired ${r.expired} snapshot(s) of ${table} on ${ref} older than ${new Date(ms).toISOString()} (kept at least the newest ${retain}).`);
  io.out(`After:  ${layoutLine(r.after)}`);
  if (r.unreferencedFiles) io.out(`${r.unreferencedFiles} file(s) are no longer reachable from ${ref}'s table metadata. They stay on storage: tags, other branches and older catalog commits may still read them. With Nessie, its garbage collector deletes only files that no reference reaches.`);
  return 0;
}

/** Run one command; any error becomes one paragraph on `err` and exit code 1. */
export async function runCommand(argv: string[], wiring: CliWiring, io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, wiring, io);
  } catch (err) {
    const e = err as Error;
    if (e instanceof UsageError) {
      io.err(`${e.message} Run "npm run pipeline -- help" for the commands and their options.`);
      return 2;
    }
    io.err(`${e.name && !['Error', 'TypeError'].includes(e.name) ? `${e.name}: ` : ''}${e.message}`);
    return 1;
  }
}

async function dispatch(argv: string[], wiring: CliWiring, io: CliIo): Promise<number> {
  const args = parseArgs(argv);
  const [cmd, ...rest] = args.positional;
  if (!cmd || has(args, 'help') || cmd === 'help') { USAGE.split('\n').forEach((l) => io.out(l)); return cmd ? 0 : 2; }
  const known = new Set(['assets', 'materialize', 'backfill', 'check', 'checks', 'publish', 'psql', 'entries', 'runs', 'logs', 'lineage', 'compile', 'plugins', 'alerts', 'schedules', 'sensors', 'tick', 'tables', 'snapshots', 'alter', 'sql', 'branch', 'tag', 'merge', 'scale', 'compact', 'expire', 'catalog', 'contract']);
  if (!known.has(cmd)) {
    const code = await wiring.passThrough?.(argv, io);
    if (code != null) return code;
    io.err(`Unknown command "${cmd}". Run "npm run pipeline -- help" for the list of commands.`);
    return 2;
  }
  const { pipeline, lake, close } = await wiring.open(args);
  try {
    const ref = flag(args, 'ref') ?? 'main';
    switch (cmd) {
      case 'assets': {
        for (const k of pipeline.graph.order) {
          const n = pipeline.graph.nodes.get(k)!;
          io.out(`${k.padEnd(30)} ${n.kind.padEnd(9)} group ${n.group.padEnd(10)} -> ${n.target}${n.deps.length ? `   deps: ${n.deps.join(', ')}` : ''}${n.checks.length ? `   checks: ${n.checks.join(', ')}` : ''}`);
        }
        io.out(`Partitions: daily from ${pipeline.definitions.partitionStart}.`);
        return 0;
      }
      case 'materialize': {
        if (has(args, 'dry-run')) return dryRun(pipeline.plan({ select: rest, partitions: flags(args, 'partition'), downstream: has(args, 'downstream') }), io);
        const r = await pipeline.materialize({ select: rest, partitions: flags(args, 'partition'), downstream: has(args, 'downstream'), noMerge: has(args, 'no-merge'), keepBranch: has(args, 'keep-branch'), fullRefresh: has(args, 'full-refresh') });
        return printRun(r, io);
      }
      case 'backfill': {
        const from = flag(args, 'from');
        const to = flag(args, 'to');
        if (!from || !to) { io.err('backfill needs both --from DAY and --to DAY, for example: backfill --from 2025-01-01 --to 2025-01-30'); return 2; }
        if (has(args, 'dry-run')) return dryRun(pipeline.plan({ select: rest, partitions: dayRange(from, to) }), io);
        io.out(`Backfilling ${dayRange(from, to).length} partitions (${from} .. ${to}) ...`);
        const r = await pipeline.backfill(from, to, rest);
        return printRun(r, io);
      }
      case 'check': {
        const r = await pipeline.check({ asset: rest[0], ref, partitions: flags(args, 'partition') });
        for (const c of r.checks) io.out(`${c.passed ? 'PASS' : c.severity === 'ERROR' ? 'FAIL' : 'WARN'}  ${c.asset}  ${c.checkGroup}.${c.check}: ${c.message}`);
        if (r.status !== 'SUCCESS') { io.err(r.failure ?? 'checks failed'); return 1; }
        return 0;
      }
      case 'checks': {
        const rows = await pipeline.checkHistory(rest[0]);
        if (!rows.length) io.out('No check results yet: they are recorded by materialize, backfill and check runs.');
        for (const c of rows.slice(0, wholeNumberFlag(args, 'limit', { min: 1, fallback: 50, unit: 'results' }))) io.out(`${new Date(c.at).toISOString().slice(0, 16)}Z  ${c.runId.slice(0, 8)}  ${(c.passed ? 'PASS' : c.severity === 'ERROR' ? 'FAIL' : 'WARN').padEnd(4)}  ${c.asset}  ${c.checkGroup}.${c.check}: ${c.message}`);
        return 0;
      }
      case 'publish': return printRun(await pipeline.publish(), io);
      case 'entries': {
        // What an ingestion asset's source answers for one day, before anything is normalised:
        // for the glucose platform, Nightscout's entries.json (camelCase fields, newest first).
        const day = flag(args, 'partition');
        if (!day || !/^\d{4}-\d{2}-\d{2}$/.test(day)) { io.err('entries needs --partition DAY, for example: entries --partition 2025-01-21 --count 3'); return 2; }
        const assets = pipeline.definitions.ingestion;
        const asset = rest[0] ? assets.find((a) => a.name === rest[0]) : assets[0];
        if (!asset) { io.err(`"${rest[0]}" is not an ingestion asset. Ingestion assets: ${assets.map((a) => a.name).join(', ')}.`); return 2; }
        const fetched = await pipeline.registry.source(asset.source.plugin).fetchPartition(asset.source.config, day, { asOf: pipeline.now() });
        const count = wholeNumberFlag(args, 'count', { fallback: 3, unit: 'entries' })!;
        for (const line of JSON.stringify(fetched.records.slice(0, count), null, 2).split('\n')) io.out(line);
        const stats = Object.entries(fetched.stats ?? {}).map(([k, v]) => `${k} ${v}`).join(', ');
        io.out(`${fetched.records.length} entries for ${day} from the ${asset.source.plugin} source of ${asset.name} (showing ${Math.min(count, fetched.records.length)})${stats ? `; ${stats}` : ''}.`);
        return 0;
      }
      case 'psql': {
        if (!rest[0]) { io.err('psql needs a query in quotes, e.g. psql "select * from marts.mrt_glucose_overview order by reading_date"'); return 2; }
        const pg = await pipeline.postgres();
        const res = await pg.query(rest.join(' '));
        const rows = res.rows.map((r) => Object.fromEntries(Object.entries(r as Record<string, unknown>).map(([k, v]) => [k, v instanceof Date ? v.toISOString().replace('T00:00:00.000Z', '') : v])));
        if (has(args, 'json') || flag(args, 'format') === 'json') io.out(JSON.stringify(rows));
        else table(rows).forEach((l) => io.out(l));
        return 0;
      }
      case 'runs': {
        const runs = await pipeline.runs();
        if (!runs.length) io.out('No runs yet. Start one with: npm run pipeline -- materialize --partition 2025-01-15');
        for (const r of runs) io.out(summary(r));
        return 0;
      }
      case 'logs': {
        if (!rest[0]) { io.err('logs needs a run id; list them with: npm run pipeline -- runs'); return 2; }
        const r = await pipeline.run(rest[0]);
        if (has(args, 'json')) { io.out(JSON.stringify(r, null, 2)); return 0; }
        io.out(summary(r));
        for (const e of r.events) io.out(formatEvent(e));
        if (r.failure) io.out(`Failure: ${r.failure}`);
        return 0;
      }
      case 'lineage': {
        const g = pipeline.lineage();
        if (flag(args, 'format') === 'mermaid') {
          io.out('graph LR');
          const id = (s: string) => s.replace(/[^A-Za-z0-9_]/g, '_');
          for (const n of g.nodes) io.out(`  ${id(n.id)}${n.kind === 'check' ? `{{${n.label}}}` : `[${n.label}]`}`);
          for (const e of g.edges) io.out(`  ${id(e.from)} --> ${id(e.to)}`);
        } else io.out(JSON.stringify(g, null, 2));
        return 0;
      }
      case 'schedules': {
        const auto = automationOf(pipeline);
        const now = pipeline.now();
        const next = (cron: string) => new Date(nextTick(parseCron(cron), now)!).toISOString().replace('.000Z', 'Z');
        for (const s of auto.schedules) {
          io.out(`schedule  ${s.name.padEnd(28)} "${s.cron}"  next tick ${next(s.cron)}`);
          io.out(`          ${s.description}`);
        }
        for (const c of auto.conditions) {
          io.out(`condition ${c.asset.padEnd(28)} on_cron("${c.cron}")  next tick ${next(c.cron)}`);
          io.out(`          ${c.description}`);
        }
        io.out('Evaluate them at a moment with: tick --as-of 2025-01-16T06:00:00Z (add --dry-run to only see what would run).');
        return 0;
      }
      case 'sensors': {
        for (const s of automationOf(pipeline).sensors) {
          io.out(`sensor    ${s.name.padEnd(28)} every ${s.intervalSeconds} s`);
          io.out(`          ${s.description}`);
        }
        return 0;
      }
      case 'tick': {
        const at = pipeline.now();
        io.out(`Tick at ${new Date(at).toISOString().replace('.000Z', 'Z')}${has(args, 'dry-run') ? ' (dry run: nothing is launched)' : ''}`);
        const outcomes = await tick(pipeline, at, { dryRun: has(args, 'dry-run') });
        let code = 0;
        for (const o of outcomes) {
          io.out(`  ${o.fired ? 'FIRED  ' : 'skipped'} ${o.source}: ${o.reason}`);
          if (o.run) { if (printRun(o.run, io) !== 0) code = 1; }
        }
        return code;
      }
      case 'alerts': {
        // Alerting over the run log and the catalog (sandboxes/pipeline/observe/alerts.ts).
        const warehouse = (lake as { warehouse?: Warehouse }).warehouse;
        if (!warehouse) { io.err('alerts needs the Iceberg warehouse (this lakehouse has no catalog to read freshness from).'); return 2; }
        const rules = parseAlertRules(pipeline.definitions.project[ALERTS_FILE]);
        const runs = await visibleRuns(lake.storage);
        const given = flag(args, 'at');
        const at = given ? Date.parse(given) : logClock(runs);
        if (at === null || Number.isNaN(at)) { io.err(given ? `--at "${given}" is not a time; write it like 2025-01-25T06:00:00Z.` : 'No runs yet, so there is no time to evaluate at: pass --at TIME.'); return 2; }
        const evaluation = await runAlerts({ rules, runs, warehouse, at });
        formatEvaluation(evaluation).forEach((l) => io.out(l));
        if (!given) io.out('(Evaluated at the newest run\'s time; pass --at TIME to evaluate at another moment.)');
        return 0;
      }
      case 'compile': {
        if (!rest[0]) { io.err(`compile needs a model name: ${[...pipeline.project.models.keys()].join(', ')}`); return 2; }
        io.out(pipeline.compiled(rest[0], flags(args, 'partition').length ? flags(args, 'partition') : undefined));
        return 0;
      }
      case 'plugins': {
        for (const p of pipeline.registry.list()) io.out(`${p.type.padEnd(10)} ${p.metadata.name.padEnd(18)} ${p.metadata.version.padEnd(7)} ${p.metadata.description}`);
        return 0;
      }
      case 'scale': return await scaleCommand(args, lake, io);
      case 'compact':
      case 'expire': return await maintenanceCommand(cmd, rest[0], ref, args, lake, io);
      case 'catalog': return await catalogCommand(rest, ref, pipeline, lake, io);
      case 'contract': return await contractCommand(rest, ref, pipeline, lake, io);
      case 'tables': { for (const t of await lake.listTables(ref)) io.out(t); return 0; }
      case 'alter': return await alterCommand(rest, ref, lake, io);
      case 'snapshots': {
        if (!rest[0]) { io.err('snapshots needs a table, e.g. snapshots raw.glucose_entries'); return 2; }
        table((await lake.snapshots(ref, rest[0])).map((s) => ({ snapshot_id: s.snapshotId, committed_at: new Date(s.timestampMs).toISOString(), operation: s.operation, added: s.summary['added-records'] ?? '', deleted: s.summary['deleted-records'] ?? '', total: s.summary['total-records'] ?? '' }))).forEach((l) => io.out(l));
        return 0;
      }
      case 'sql': {
        if (!rest[0]) { io.err('sql needs a query in quotes, e.g. sql "select count(*) from raw.glucose_entries"'); return 2; }
        const result = await lake.query(rest.join(' '), ref);
        const rows = arrowToRows(result);
        if (has(args, 'json') || flag(args, 'format') === 'json') io.out(JSON.stringify(rows));
        else {
          // Dates and timestamps come back as epoch ms: show them the way SQL wrote them.
          const kinds = new Map(result.schema.fields.map((f) => [f.name, arrow.DataType.isDate(f.type) ? 'date' : arrow.DataType.isTimestamp(f.type) ? 'ts' : '']));
          const shown = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => {
            if (v == null || typeof v !== 'number') return [k, v];
            if (kinds.get(k) === 'date') return [k, new Date(v).toISOString().slice(0, 10)];
            if (kinds.get(k) === 'ts') return [k, new Date(v).toISOString().replace('T', ' ').replace('.000Z', '')];
            return [k, v];
          })));
          table(shown).forEach((l) => io.out(l));
        }
        return 0;
      }
      case 'branch': {
        const [sub, name] = rest;
        if (sub === 'list' || !sub) { for (const r of await lake.refs()) io.out(`${r.type.padEnd(6)} ${r.name.padEnd(32)} ${r.hash.slice(0, 12)}`); return 0; }
        if (sub === 'create' && name) { await lake.createBranch(name, flag(args, 'from') ?? 'main'); io.out(`Created branch ${name} from ${flag(args, 'from') ?? 'main'}.`); return 0; }
        if (sub === 'delete' && name) { await lake.deleteBranch(name); io.out(`Deleted branch ${name}.`); return 0; }
        io.err('branch takes: list | create NAME [--from REF] | delete NAME');
        return 2;
      }
      case 'tag': {
        // Same forms as the lakehouse CLI: tag list | tag create NAME [--from REF] | tag delete NAME.
        const [sub, name] = rest;
        if (sub === 'list' || !sub) { for (const r of (await lake.refs()).filter((x) => x.type === 'tag')) io.out(`${r.name.padEnd(32)} ${r.hash.slice(0, 12)}`); return 0; }
        if (sub === 'create' && name) { await lake.createTag(name, flag(args, 'from') ?? 'main'); io.out(`Tagged ${flag(args, 'from') ?? 'main'} as ${name}.`); return 0; }
        if (sub === 'delete' && name) { await lake.deleteBranch(name); io.out(`Deleted tag ${name}.`); return 0; }
        io.err('tag takes: list | create NAME [--from REF] | delete NAME');
        return 2;
      }
      case 'merge': {
        if (!rest[0]) { io.err('merge needs a source branch: merge FROM [INTO]'); return 2; }
        await lake.mergeBranch(rest[0], rest[1] ?? 'main', `Merge ${rest[0]} into ${rest[1] ?? 'main'}`);
        io.out(`Merged ${rest[0]} into ${rest[1] ?? 'main'}.`);
        return 0;
      }
    }
    return 2;
  } finally {
    await close?.();
  }
}
