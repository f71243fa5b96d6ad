/**
 * The orchestrator. A run writes on its own branch (`pipeline/run-<id>`, Phlo's naming for
 * Write-Audit-Publish), materialises the selected assets for the selected daily partitions,
 * runs each asset's checks right after it, and only if no blocking ERROR check failed does it
 * merge the branch into main. A failed run leaves main exactly as it was and keeps its
 * branch for inspection; the run log says why.
 */
import type { Lakehouse } from '../lakehouse/port.ts';
import type { PluginRegistry } from '../plugins/registry.ts';
import { createDefaultRegistry } from '../plugins/builtin.ts';
import { resolveChecks, type Definitions } from './definitions.ts';
import { AssetGraph, type LineageGraph } from './graph.ts';
import { loadProject, type Project } from '../transform/project.ts';
import { build } from '../transform/run.ts';
import { compileModel } from '../transform/compile.ts';
import { ingestPartition, ValidationFailedError } from './ingest.ts';
import { visibleRuns } from '../observe/run-log.ts';
import { RunLogger, saveRun, loadRun, type RunRecord, type RunEvent } from './runlog.ts';
import type { AssetCheckDef, CheckResult } from '../checks/types.ts';
import { publishTables, type PostgresLike, type PublishedTable } from '../publish/postgres.ts';
import { dayRange, dayOf, isDay, DAY_MS } from '../util/dates.ts';
import { hashString } from '../util/prng.ts';

export interface PipelineOptions {
  lake: Lakehouse;
  definitions: Definitions;
  registry?: PluginRegistry;
  /** The run clock: event times and what the source has "received" so far. */
  clock?: () => number;
  /** Milliseconds for step durations (performance.now by default). */
  timer?: () => number;
  /** Run ids; by default derived from the clock and a counter. */
  ids?: () => string;
  postgres?: () => Promise<PostgresLike>;
  onEvent?: (e: RunEvent, run: RunRecord) => void;
}

export interface MaterializeRequest {
  select?: string[];
  partitions?: string[];
  downstream?: boolean;
  kind?: 'materialize' | 'backfill';
  /** Merge into main even if checks fail (never by default). */
  force?: boolean;
  /** Keep the run branch after a successful merge. */
  keepBranch?: boolean;
  /** Do not merge: leave the audited branch for a person to look at (a paused audit). */
  noMerge?: boolean;
  /** Rebuild incremental models from scratch (dbt's --full-refresh), e.g. after editing one. */
  fullRefresh?: boolean;
  /** Run tags, e.g. what launched the run ({ trigger: 'schedule daily_glucose_pipeline' }). */
  tags?: Record<string, string>;
}

export class PipelineError extends Error {
  constructor(message: string) { super(message); this.name = 'PipelineError'; }
}

const dateList = (days: string[]) => days.map((d) => `DATE '${d}'`).join(', ');

export class Pipeline {
  readonly lake: Lakehouse;
  readonly definitions: Definitions;
  readonly registry: PluginRegistry;
  readonly project: Project;
  readonly graph: AssetGraph;
  readonly checks: AssetCheckDef[];
  private clock: () => number;
  private timer: () => number;
  private ids: () => string;
  private postgresFactory?: () => Promise<PostgresLike>;
  private pg: PostgresLike | null = null;
  private onEvent?: (e: RunEvent, run: RunRecord) => void;
  private runCounter = 0;

  constructor(o: PipelineOptions) {
    this.lake = o.lake;
    this.definitions = o.definitions;
    this.registry = o.registry ?? createDefaultRegistry();
    this.project = loadProject(o.definitions.project);
    this.graph = new AssetGraph(o.definitions, this.project);
    this.checks = resolveChecks(o.definitions, this.registry);
    this.clock = o.clock ?? (() => Date.now());
    this.timer = o.timer ?? (() => Math.round(globalThis.performance.now()));
    this.ids = o.ids ?? (() => {
      const seed = `${this.clock()}|${++this.runCounter}|${Math.random()}`;
      return hashString(seed).toString(16).padStart(8, '0') + hashString(`run:${seed}`).toString(16).padStart(8, '0');
    });
    this.postgresFactory = o.postgres;
    this.onEvent = o.onEvent;
  }

  /** The run clock's time now (what `tick` evaluates the automation at). */
  now(): number {
    return this.clock();
  }

  /** The newest complete day on the run clock (yesterday). */
  defaultPartition(): string {
    return dayOf(this.clock() - DAY_MS);
  }

  private checkPartitions(partitions: string[]): void {
    for (const p of partitions) {
      if (!isDay(p)) throw new PipelineError(`"${p}" is not a partition: partitions are days written YYYY-MM-DD.`);
      if (p < this.definitions.partitionStart) {
        throw new PipelineError(`${p} is before the first partition, ${this.definitions.partitionStart} (Phlo's daily partitions start there). Pick a day on or after it.`);
      }
    }
  }

  async postgres(): Promise<PostgresLike> {
    if (!this.pg) {
      if (!this.postgresFactory) throw new PipelineError('No Postgres is configured for publishing: pass a postgres factory (PGlite) to the pipeline.');
      this.pg = await this.postgresFactory();
    }
    return this.pg;
  }

  private newRun(kind: RunRecord['kind'], selection: string[], partitions: string[]): RunLogger {
    const record: RunRecord = {
      runId: this.ids(), kind, status: 'STARTED', branch: null, selection, partitions,
      startedAt: this.clock(), endedAt: null, ms: null, failure: null, mainBefore: null, mainAfter: null,
      events: [], checks: [], materializations: [],
    };
    return new RunLogger(record, this.clock, this.onEvent);
  }

  private async finish(log: RunLogger, started: number): Promise<RunRecord> {
    const r = log.record;
    r.endedAt = this.clock();
    r.ms = this.timer() - started;
    r.mainAfter = await this.lake.refHash('main');
    await saveRun(this.lake.storage, r);
    return r;
  }

  /** Run one asset's check groups on `ref` for `partitions`; returns the results. */
  async evaluateChecks(asset: string, ref: string, partitions: string[], log?: RunLogger): Promise<CheckResult[]> {
    const out: CheckResult[] = [];
    for (const group of this.checks.filter((c) => c.asset === asset)) {
      if (!(await this.lake.tableExists(ref, group.table))) continue;
      const where = group.partitionColumn && partitions.length ? `cast("${group.partitionColumn}" as date) in (${dateList(partitions)})` : null;
      for (const check of group.checks) {
        const t0 = this.timer();
        let res: CheckResult;
        try {
          const o = await check.run({ lake: this.lake, ref, table: group.table, where, partitions, now: this.clock() });
          res = { checkGroup: group.name, check: check.name, kind: check.kind, asset, severity: check.severity, passed: o.passed, blocking: group.blocking, total: o.total, failures: o.failures, observed: o.observed, message: o.message, sample: o.sample };
        } catch (err) {
          res = { checkGroup: group.name, check: check.name, kind: check.kind, asset, severity: check.severity, passed: false, blocking: group.blocking, total: 0, failures: 0, observed: {}, message: `the check could not run: ${(err as Error).message}`, sample: [] };
        }
        out.push(res);
        log?.record.checks.push(res);
        log?.emit('ASSET_CHECK', `${res.passed ? 'PASS' : res.severity === 'ERROR' ? 'FAIL' : 'WARN'} ${group.name}.${check.name}: ${res.message}`, {
          asset, ms: this.timer() - t0, metadata: { check: check.name, group: group.name, severity: res.severity, passed: res.passed, failures: res.failures, total: res.total, observed: res.observed },
        });
      }
    }
    return out;
  }

  /** What a materialize request would run, without running it (Phlo's --dry-run). */
  plan(req: MaterializeRequest = {}): { assets: string[]; partitions: string[]; checks: string[] } {
    const assets = this.graph.select(req.select ?? [], { downstream: req.downstream });
    const partitions = [...new Set(req.partitions?.length ? req.partitions : [this.defaultPartition()])].sort();
    this.checkPartitions(partitions);
    return { assets, partitions, checks: this.definitions.checks.filter((c) => assets.includes(c.asset)).map((c) => c.name) };
  }

  async materialize(req: MaterializeRequest = {}): Promise<RunRecord> {
    const { assets: selected, partitions } = this.plan(req);
    const started = this.timer();
    const log = this.newRun(req.kind ?? 'materialize', selected, partitions);
    const r = log.record;
    if (req.tags) r.tags = { ...req.tags };
    r.mainBefore = await this.lake.refHash('main');
    log.emit('RUN_START', `${r.kind} of ${selected.join(', ')} for ${partitions.length === 1 ? partitions[0] : `${partitions[0]} .. ${partitions[partitions.length - 1]} (${partitions.length} partitions)`}`);

    const writing = selected.filter((k) => this.graph.nodes.get(k)!.kind !== 'publish');
    const publishing = selected.filter((k) => this.graph.nodes.get(k)!.kind === 'publish');
    const failed = new Map<string, string>();
    const touched = new Set(partitions);
    // Assets this run materialised, and whether their table changed: a model whose inputs were
    // all re-run without change is already up to date, so re-running a day changes nothing.
    const ran = new Map<string, boolean>();

    let current = '(setup)';
    try {
      if (writing.length) {
        let branch = `pipeline/run-${r.runId.slice(0, 8)}`;
        try {
          await this.lake.createBranch(branch, 'main');
        } catch (err) {
          // Phlo names run branches pipeline/run-<id>; a catalog that refuses "/" in names gets "-".
          if (!/name/i.test((err as Error).message)) throw err;
          branch = branch.replace('/', '-');
          await this.lake.createBranch(branch, 'main');
        }
        r.branch = branch;
        log.emit('BRANCH_CREATED', `writing on branch ${branch} (from main ${r.mainBefore.slice(0, 12)})`);

        for (const key of writing) {
          const node = this.graph.nodes.get(key)!;
          const blocker = node.deps.find((d) => failed.has(d));
          if (blocker) {
            failed.set(key, `upstream ${blocker} failed`);
            log.emit('STEP_SKIPPED', `skipped because ${blocker} did not succeed`, { asset: key });
            continue;
          }
          current = key;
          const t0 = this.timer();
          if (node.kind === 'dbt' && node.deps.length && node.deps.every((d) => ran.has(d) && ran.get(d) === false) && (node.materialized === 'view' || (await this.lake.tableExists(branch, node.target)))) {
            ran.set(key, false);
            log.emit('STEP_SKIPPED', `up to date: nothing upstream changed in this run`, { asset: key, metadata: { up_to_date: true } });
            continue;
          }
          log.emit('STEP_START', `materializing ${node.target}`, { asset: key });
          if (node.kind === 'ingestion') {
            const def = this.definitions.ingestion.find((a) => a.name === key)!;
            let i = 0;
            // A bad partition does not stop the others: the run reports every bad day at once.
            const bad: { partition: string; message: string }[] = [];
            for (const p of partitions) {
              i++;
              const tp = this.timer();
              try {
                const out = await ingestPartition({
                  lake: this.lake, registry: this.registry, asset: def, partition: p, ref: branch, runId: r.runId, asOf: this.clock(),
                  log: (message, metadata, ms) => log.emit('LOG', message, { asset: key, partition: p, metadata, ms }),
                  timer: this.timer,
                });
                out.partitionsTouched.forEach((d) => touched.add(d));
                if (out.snapshotId) ran.set(key, true);
                else if (!ran.has(key)) ran.set(key, false);
                r.materializations.push({ asset: key, partition: p, table: def.table, snapshotId: out.snapshotId, rows: out.rowsFetched, inserted: out.rowsInserted, updated: out.rowsUpdated });
                log.emit('MATERIALIZATION', `${out.rowsFetched} fetched, ${out.rowsInserted} inserted, ${out.rowsUpdated} updated, ${out.rowsUnchanged} unchanged, ${out.duplicatesSkipped} duplicates skipped${out.snapshotId ? `, snapshot ${out.snapshotId}` : ''}`, {
                  asset: key, partition: p, ms: this.timer() - tp,
                  metadata: { table: def.table, rows_fetched: out.rowsFetched, rows_inserted: out.rowsInserted, rows_updated: out.rowsUpdated, rows_unchanged: out.rowsUnchanged, duplicates_skipped: out.duplicatesSkipped, snapshot_id: out.snapshotId, partitions_touched: out.partitionsTouched, staging_bytes: out.stagingBytes, ...out.sourceStats },
                });
                if (partitions.length > 1) log.emit('PROGRESS', `${i}/${partitions.length} partitions ingested`, { asset: key, partition: p, metadata: { done: i, total: partitions.length } });
              } catch (err) {
                const msg = (err as Error).message;
                if (err instanceof ValidationFailedError) {
                  log.emit('VALIDATION', `validation failed: ${err.report.failures.length} problem(s)`, { asset: key, partition: p, metadata: { schema: err.report.schema, summary: err.report.summary, failures: err.report.failures.slice(0, 50).map((f) => ({ row: f.row, key: f.key, column: f.column, value: f.value, rule: f.rule, message: f.message })) } });
                }
                bad.push({ partition: p, message: msg });
                log.emit('STEP_FAILURE', msg, { asset: key, partition: p, ms: this.timer() - tp });
                if (partitions.length > 1) log.emit('PROGRESS', `${i}/${partitions.length} partitions (${p} failed)`, { asset: key, partition: p, metadata: { done: i, total: partitions.length, failed: true } });
              }
            }
            if (bad.length === 1) failed.set(key, bad[0].message);
            else if (bad.length > 1) failed.set(key, `${bad.length} of ${partitions.length} partitions failed (${bad.map((b) => b.partition).join(', ')}). The first:\n${bad[0].message}`);
          } else {
            const days = [...touched].sort();
            const vars = { partition_dates: dateList(days), partition_start: `DATE '${days[0]}'`, run_date: `DATE '${days[days.length - 1]}'` };
            const [res] = await build(this.lake, this.project, { ref: branch, select: [key], vars, now: this.timer, fullRefresh: req.fullRefresh });
            for (const t of res.tests) {
              log.emit('ASSET_CHECK', `${t.status === 'pass' ? 'PASS' : t.severity === 'warn' ? 'WARN' : 'FAIL'} dbt test ${t.message}`, { asset: key, metadata: { test: t.id, kind: t.kind, failures: t.failures, severity: t.severity } });
            }
            if (res.status !== 'success') {
              failed.set(key, res.message);
              log.emit('STEP_FAILURE', res.message, { asset: key, ms: this.timer() - t0 });
            } else {
              ran.set(key, res.materialized === 'view' ? [...node.deps].some((d) => ran.get(d) !== false) : true);
              r.materializations.push({ asset: key, partition: null, table: res.relation, snapshotId: res.snapshotId, rows: res.rows, inserted: res.inserted, updated: res.updated });
              log.emit('MATERIALIZATION', `${res.materialized}: ${res.message}${res.snapshotId ? `, snapshot ${res.snapshotId}` : ''}`, { asset: key, ms: res.ms, metadata: { table: res.relation, rows: res.rows, inserted: res.inserted, updated: res.updated, snapshot_id: res.snapshotId, partitions: days } });
            }
          }
          if (failed.has(key)) continue;
          const results = await this.evaluateChecks(key, branch, [...touched].sort(), log);
          const blocking = results.filter((c) => !c.passed && c.blocking && c.severity === 'ERROR');
          if (blocking.length) {
            failed.set(key, `blocking check(s) failed: ${blocking.map((c) => `${c.checkGroup}.${c.check} (${c.message})`).join('; ')}`);
            log.emit('STEP_FAILURE', failed.get(key)!, { asset: key, ms: this.timer() - t0 });
          } else {
            log.emit('STEP_SUCCESS', `done`, { asset: key, ms: this.timer() - t0 });
          }
        }

        if (failed.size && !req.force) {
          const first = [...failed].find(([, why]) => !why.startsWith('upstream '))!;
          r.failure = `The run stopped at ${first[0]}: ${first[1]}\nmain was not changed (still at ${r.mainBefore.slice(0, 12)}). The run's writes stay on branch ${branch} for inspection, e.g. npm run pipeline -- sql "select count(*) from ${this.graph.nodes.get(first[0])!.target}" --ref ${branch}`;
          log.emit('BRANCH_KEPT', `main left untouched; branch ${branch} kept for inspection`);
        } else if (req.noMerge) {
          log.emit('BRANCH_KEPT', `audit passed; branch ${branch} left unmerged for review (merge it with: npm run pipeline -- merge ${branch} main)`);
        } else {
          try {
            await this.mergeIntoMain(branch, `Merge ${branch}: ${r.kind} of ${writing.join(', ')} for ${partitions.join(', ')}`, log);
          } catch (err) {
            r.failure = `The checks passed, but merging ${branch} into main failed: ${(err as Error).message}\n${await this.afterFailedMerge(err, branch, r.mainBefore)}`;
            log.emit('BRANCH_KEPT', `merge into main failed; branch ${branch} kept`);
          }
          if (!r.failure) {
            log.emit('BRANCH_MERGED', `checks passed; merged ${branch} into main`);
            if (!req.keepBranch) await this.lake.deleteBranch(branch);
          }
        }
      }
    } catch (err) {
      // Anything unexpected (an engine crash, a storage error) still ends as a recorded, failed run.
      r.failure = `The run failed unexpectedly at ${current}: ${(err as Error).message}\nmain was ${(await this.lake.refHash('main').catch(() => r.mainBefore)) === r.mainBefore ? 'not changed' : 'changed before the error'}${r.branch ? `; the run's writes stay on branch ${r.branch}` : ''}.`;
      log.emit('STEP_FAILURE', r.failure, { asset: current });
    }

    if (!r.failure && publishing.length) {
      for (const key of publishing) {
        const t0 = this.timer();
        try {
          const out = await this.publishAsset(key);
          log.emit('MATERIALIZATION', `published ${out.map((t) => `${t.table} (${t.rows} rows)`).join(', ')}`, { asset: key, ms: this.timer() - t0, metadata: { tables_published: out.length, total_rows: out.reduce((s, t) => s + t.rows, 0), tables: out } });
        } catch (err) {
          r.failure = (err as Error).message;
          log.emit('STEP_FAILURE', r.failure, { asset: key, ms: this.timer() - t0 });
        }
      }
    }

    r.status = r.failure ? 'FAILURE' : 'SUCCESS';
    log.emit(r.failure ? 'RUN_FAILURE' : 'RUN_SUCCESS', r.failure ? r.failure.split('\n')[0] : `run succeeded`, { ms: this.timer() - started });
    return this.finish(log, started);
  }

  /**
   * Merge a run's branch into main. Only a merge conflict (another run changed the same
   * tables on main) is final; anything else, such as a lock a killed writer left behind, is
   * retried, so a passing run is not thrown away for a passing problem.
   */
  private async mergeIntoMain(branch: string, message: string, log: RunLogger): Promise<void> {
    const attempts = 3;
    for (let i = 1; ; i++) {
      try {
        await this.lake.mergeBranch(branch, 'main', message);
        return;
      } catch (err) {
        if (isMergeConflict(err) || i >= attempts) throw err;
        log.emit('LOG', `merging ${branch} into main failed (${(err as Error).message.split('\n')[0]}); retrying (${i + 1} of ${attempts})`);
        await new Promise((res) => setTimeout(res, 250 * i));
      }
    }
  }

  /** What a failed merge left behind, said as it is: only a conflict means another run won. */
  private async afterFailedMerge(err: unknown, branch: string, mainBefore: string): Promise<string> {
    const now = await this.lake.refHash('main').catch(() => null);
    const main = now === null ? 'main could not be read' : now === mainBefore ? `main was not changed (still at ${mainBefore.slice(0, 12)})` : `main moved on to ${now.slice(0, 12)} meanwhile (another run merged)`;
    if (isMergeConflict(err)) return `Another run changed the same tables on main; ${main} and keeps that run's changes. The branch is kept. Re-run the partitions to build on the new main.`;
    return `${main}. Nothing was lost: the run's checked writes stay on branch ${branch}; once the problem above is fixed, merge them with: npm run pipeline -- merge ${branch} main`;
  }

  /** Materialise a range of daily partitions with per-partition progress events. */
  async backfill(from: string, to: string, select: string[] = [], options: Omit<MaterializeRequest, 'select' | 'partitions' | 'kind'> = {}): Promise<RunRecord> {
    this.checkPartitions([from, to]);
    return this.materialize({ ...options, select, partitions: dayRange(from, to), kind: 'backfill' });
  }

  private async publishAsset(key: string): Promise<PublishedTable[]> {
    const def = this.definitions.publish.find((p) => p.name === key)!;
    const tables = def.deps.map((d) => this.graph.nodes.get(d)!.target);
    for (const t of tables) {
      if (!(await this.lake.tableExists('main', t))) throw new PipelineError(`Cannot publish ${t}: it does not exist on main yet. Materialize it first (npm run pipeline -- materialize ${t.split('.')[1]} --partition DAY).`);
    }
    return publishTables(this.lake, 'main', await this.postgres(), def.schema, tables);
  }

  /** Publish the marts from main to Postgres, recorded as its own run. */
  async publish(): Promise<RunRecord> {
    const keys = this.definitions.publish.map((p) => p.name);
    return this.materialize({ select: keys, partitions: [this.defaultPartition()] });
  }

  /** Run checks (all, or one asset's) on a ref, recorded as a run of kind "check". */
  async check(options: { asset?: string; ref?: string; partitions?: string[] } = {}): Promise<RunRecord> {
    const ref = options.ref ?? 'main';
    const assets = options.asset ? [options.asset] : [...new Set(this.checks.map((c) => c.asset))];
    for (const a of assets) if (!this.graph.nodes.has(a)) throw new PipelineError(`"${a}" is not an asset. Assets with checks: ${[...new Set(this.checks.map((c) => c.asset))].join(', ')}.`);
    const partitions = options.partitions ?? [];
    if (partitions.length) this.checkPartitions(partitions);
    const started = this.timer();
    const log = this.newRun('check', assets, partitions);
    log.record.mainBefore = await this.lake.refHash('main');
    log.emit('RUN_START', `checks on ${ref} for ${assets.join(', ')}`);
    for (const a of assets) await this.evaluateChecks(a, ref, partitions, log);
    const failing = log.record.checks.filter((c) => !c.passed && c.severity === 'ERROR');
    log.record.status = failing.length ? 'FAILURE' : 'SUCCESS';
    log.record.failure = failing.length ? `${failing.length} ERROR check(s) failed: ${failing.map((c) => `${c.checkGroup}.${c.check}: ${c.message}`).join('; ')}` : null;
    log.emit(failing.length ? 'RUN_FAILURE' : 'RUN_SUCCESS', failing.length ? log.record.failure! : 'all ERROR checks passed');
    return this.finish(log, started);
  }

  /** The run log, without the shipped runs that come after the section's checkpoint (observe/run-log.ts). */
  runs(): Promise<RunRecord[]> { return visibleRuns(this.lake.storage); }

  /** Every stored check result, newest run first: per asset and run, as the UI lists them. */
  async checkHistory(asset?: string): Promise<(CheckResult & { runId: string; at: number; ref: string | null })[]> {
    const out: (CheckResult & { runId: string; at: number; ref: string | null })[] = [];
    for (const r of (await this.runs()).reverse()) {
      for (const c of r.checks) if (!asset || c.asset === asset) out.push({ ...c, runId: r.runId, at: r.startedAt, ref: r.branch });
    }
    return out;
  }
  run(runId: string): Promise<RunRecord> { return loadRun(this.lake.storage, runId); }
  lineage(): LineageGraph { return this.graph.lineage(this.definitions); }
  compiled(model: string, partitions: string[] = [this.defaultPartition()]): string {
    const days = [...partitions].sort();
    return compileModel(this.project, model, { vars: { partition_dates: dateList(days), partition_start: `DATE '${days[0]}'`, run_date: `DATE '${days[days.length - 1]}'` }, existing: new Set(this.project.models.keys()) });
  }
}



/** A merge conflict from the catalog (MERGE_CONFLICT), or one described as such by another Lakehouse. */
function isMergeConflict(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'MERGE_CONFLICT' || /\bconflict\b/i.test((err as Error | null)?.message ?? '');
}
