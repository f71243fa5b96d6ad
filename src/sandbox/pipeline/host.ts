/**
 * Runs pipeline command lines in the browser: the same `runCommand` as the Node CLI, wired
 * to the section's layered warehouse (shipped warehouse + the learner's OPFS layer), a
 * DuckDB-WASM engine, the learner's edited project files and settings, and PGlite for
 * publishing. Used inside the pipeline Web Worker (and in the page when OPFS is missing).
 */
import { config as zodConfig } from 'zod';
import { runCommand, type CliIo, type CliWiring } from '../../../sandboxes/pipeline/cli/commands.ts';
import { clockFromArgs } from '../../../sandboxes/pipeline/cli/args.ts';
import { openLakehouse } from '../../../sandboxes/pipeline/lakehouse/open.ts';
import { glucoseDefinitions } from '../../../sandboxes/pipeline/orchestrate/definitions.ts';
import { Pipeline } from '../../../sandboxes/pipeline/orchestrate/pipeline.ts';
import { openPostgres, type PostgresLike } from '../../../sandboxes/pipeline/publish/postgres.ts';
import type { RunEvent, RunRecord } from '../../../sandboxes/pipeline/orchestrate/runlog.ts';
import type { LineageGraph } from '../../../sandboxes/pipeline/orchestrate/graph.ts';
import type { SqlEngine } from '../../../sandboxes/lakehouse/sql/engine.ts';
import type { Storage } from '../../../sandboxes/lakehouse/storage/storage.ts';
import { progressLine } from './progress.ts';
import { splitCommand } from './command-line.ts';
import { allowArrowNullTests } from './arrow-csp.ts';
import { learnerProject, learnerSettings, learnerPlugins } from './learner-files.ts';
import { isPluginFile } from './learner-plugins.ts';
import type { ModuleImporter } from './learner-config.ts';
import { createPluginApi } from '../../../sandboxes/pipeline/plugins/api.ts';
import githubEvents from '../../../sandboxes/pipeline/plugins/examples/github-events.sample.json';
import { projectFiles } from './project-files.ts';
import { queryPublished, type PgAnswer } from './postgres-query.ts';

// zod compiles fast validators with `new Function`, which our Content-Security-Policy
// (no 'unsafe-eval') forbids in the page and its workers: use its interpreter instead.
zodConfig({ jitless: true });
allowArrowNullTests();

export interface HostWiring {
  storage: Storage;
  engine: SqlEngine;
  /**
   * Called before a step that holds the worker's event loop for a while (PGlite's start runs
   * initdb in WebAssembly: seconds, tens of seconds on a loaded machine), with how long it
   * may take, so the page's watchdog does not mistake it for a stuck worker.
   */
  blocking?: (ms: number) => void;
  /** Evaluates pipeline.config.ts (a throwaway locked-down worker in the browser; see settings-import.ts). */
  importSettings?: ModuleImporter;
  /**
   * Set where plugin files must not run (the in-page runner: plugin code would share the
   * page's main thread and DOM): why they are skipped.
   */
  pluginsRefused?: string;
}

/** How long PGlite's first start may keep the worker silent. */
export const PGLITE_START_GRACE_MS = 90_000;

export interface CommandResult {
  code: number;
  /** The run a materialize/backfill/check/publish produced (for tasks and the asset graph). */
  run: RunRecord | null;
}

export class PipelineHost {
  private readonly wiring: HostWiring;
  private pg: Promise<PostgresLike> | null = null;

  constructor(wiring: HostWiring) {
    this.wiring = wiring;
  }

  private async pipeline(edits: Record<string, string>, onEvent?: (e: RunEvent, run: RunRecord) => void, io?: CliIo, clock?: () => number): Promise<{ pipeline: Pipeline; lake: Awaited<ReturnType<typeof openLakehouse>> }> {
    const project = learnerProject(projectFiles(), edits);
    const settings = await learnerSettings(edits, this.wiring.importSettings);
    // The learner's plugin files (plugins/*.ts among the files sent) are registered on every run.
    let files = edits;
    if (this.wiring.pluginsRefused && Object.keys(edits).some(isPluginFile)) {
      files = Object.fromEntries(Object.entries(edits).filter(([path]) => !isPluginFile(path)));
      io?.err(this.wiring.pluginsRefused);
    }
    const { registry, definitions } = await learnerPlugins(glucoseDefinitions({ project, seed: settings.seed ?? 'phlo', badDays: settings.badDays ?? {} }), files, {
      api: createPluginApi({ githubEvents }),
      warn: (m) => io?.err(m),
    });
    const lake = await openLakehouse({ storage: this.wiring.storage, engine: this.wiring.engine, author: 'learner', clock });
    const pipeline = new Pipeline({
      lake,
      clock,
      registry,
      definitions,
      postgres: () => (this.pg ??= (this.wiring.blocking?.(PGLITE_START_GRACE_MS), openPostgres())),
      onEvent: (e, run) => {
        onEvent?.(e, run);
        const line = io && progressLine(e);
        if (line) io!.out(line);
      },
    });
    return { pipeline, lake };
  }

  /**
   * A query on the marts `publish` wrote to this host's Postgres (the dashboard, postgres
   * task checks). It never boots Postgres: without a publish there is nothing to read.
   */
  async postgres(sql: string): Promise<PgAnswer> {
    const pg = this.pg ? await this.pg.catch(() => null) : null;
    return queryPublished(pg, sql);
  }

  /** The asset graph for the learner's current files (drawn by the pane). */
  async lineage(edits: Record<string, string>): Promise<LineageGraph> {
    const { pipeline } = await this.pipeline(edits);
    return pipeline.lineage();
  }

  async run(line: string, edits: Record<string, string>, io: CliIo, onEvent: (e: RunEvent) => void): Promise<CommandResult> {
    const argv = splitCommand(line);
    let run: RunRecord | null = null;
    // Plugin files that did not load are reported when the pipeline opens; remember them for a last line.
    const skipped: string[] = [];
    const openIo: CliIo = {
      out: (l) => io.out(l),
      err: (l) => {
        const m = /^(plugins\/[^\s:]+)[\s\S]*This plugin file was skipped/.exec(l);
        if (m) skipped.push(m[1]!);
        io.err(l);
      },
    };
    const wiring: CliWiring = {
      // --as-of fixes the run clock here too (late-arriving readings depend on it).
      open: (args) =>
        this.pipeline(edits, (e, r) => {
          run = r;
          onEvent(e);
        }, openIo, clockFromArgs(args)),
      passThrough: async (args, cliIo) => {
        cliIo.err(`"${args[0]}" is not a pipeline command here. Try: help, assets, materialize, backfill, check, runs, logs, lineage, compile, tables, snapshots, sql, branch, merge, scale, compact, expire.`);
        return 2;
      },
    };
    const code = await runCommand(argv, wiring, io);
    if (skipped.length) io.err(`Skipped plugin file(s) in this run: ${[...new Set(skipped)].join(', ')}; the message above says why.`);
    // A structured copy: the record crosses the worker boundary.
    return { code, run: run ? (JSON.parse(JSON.stringify(run)) as RunRecord) : null };
  }
}
