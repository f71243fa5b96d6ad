/**
 * The pipeline runner the page talks to. Two kinds:
 *  - WebContainer: a real Node in the browser (needs cross-origin isolation, a supported
 *    browser, and StackBlitz reachable over the network to boot). See webcontainer.ts for
 *    the check and webcontainer-runner.ts for the runner (the prebundled CLI mounted with the
 *    learner's files, a real shell, the warehouse synced back after each command).
 *  - Web Worker: the same command line in a worker of this page, against the section's
 *    OPFS warehouse. It always works, offline included.
 * `detectRunner` decides and says why in one sentence.
 */
import type { CliIo } from '../../../sandboxes/pipeline/cli/commands.ts';
import type { RunEvent } from '../../../sandboxes/pipeline/orchestrate/runlog.ts';
import type { LineageGraph } from '../../../sandboxes/pipeline/orchestrate/graph.ts';
import type { SandboxSession } from '../runtime/session.ts';
import { engineAssets, warehouseBaseUrl, bootEngine } from '../runtime/session.ts';
import { OPFS_ROOT } from '../runtime/section-store.ts';
import type { CommandResult } from './host.ts';
import type { FromWorker, ToWorker } from './protocol.ts';
import { NOT_PUBLISHED_MESSAGE, type PgAnswer } from './postgres-query.ts';
import { isPluginFile } from './learner-plugins.ts';

/** A learner's command is stopped after this long (a runaway backfill, an endless model). */
export const COMMAND_TIME_LIMIT_MS = 180_000;

/** A worker silent this long during a command is stuck (an endless loop) or dead. */
export const SILENCE_LIMIT_MS = 12_000;

export interface Runner {
  readonly kind: 'worker' | 'in-page' | 'webcontainer';
  run(line: string, files: Record<string, string>, io: CliIo, onEvent: (e: RunEvent) => void): Promise<CommandResult>;
  cancel(): void;
  lineage(files: Record<string, string>): Promise<LineageGraph>;
  /** A Postgres query on the marts `publish` wrote (in the runner's own PGlite). */
  postgres(sql: string): Promise<PgAnswer>;
}

/** Files whose request runs the learner's JavaScript in the pipeline worker (plugin files). */
export const runsLearnerCode = (files: Record<string, string>): boolean => Object.keys(files).some(isPluginFile);

export class RunnerStopped extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunnerStopped';
  }
}

/** The pipeline in a dedicated worker; terminated and restarted on cancel, timeout or crash. */
export class WorkerRunner implements Runner {
  readonly kind = 'worker' as const;
  private readonly session: SandboxSession;
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private seq = 0;
  private pending = new Map<number, { resolve: (m: FromWorker) => void; reject: (e: Error) => void; onLine?: (m: FromWorker) => void; started?: boolean; resend?: () => void }>();
  /** Called when the worker died on its own (out of memory, a crash in WASM). */
  onCrash: (message: string) => void = () => {};
  restarts = 0;
  private lastAlive = Date.now();
  /** Until then silence is expected: the worker announced a long blocking step. */
  private graceUntil = 0;
  /** A command ran in the current worker: only then can its Postgres hold published marts. */
  private ranCommand = false;
  /**
   * The learner's plugin code ran in the current worker (a run or the asset graph with plugin
   * files): whatever it left behind (a timer, a growing array, a promise loop) must end with
   * the request, so the worker is terminated as soon as it is idle and a fresh one boots.
   */
  private tainted = false;

  constructor(session: SandboxSession) {
    this.session = session;
  }

  /** Checks, while any request is pending, that the worker still answers. */
  private watchdog = setInterval(() => {
    if (this.pending.size > 0 && this.worker && Date.now() - this.lastAlive > SILENCE_LIMIT_MS && Date.now() > this.graceUntil) {
      this.crashed(`the pipeline worker stopped answering for ${SILENCE_LIMIT_MS / 1000} s (an endless loop in your code, or it ran out of memory)`);
    }
  }, 1000);

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    this.lastAlive = Date.now();
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: `pipeline-${this.session.config.id}` });
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      worker.addEventListener('message', (ev: MessageEvent<FromWorker>) => {
        const m = ev.data;
        this.lastAlive = Date.now();
        if (m.type === 'alive') {
          if (m.graceMs) this.graceUntil = Date.now() + m.graceMs;
          return;
        }
        if (m.type === 'ready') return resolve();
        if (m.type === 'fatal') return reject(new Error(m.message));
        const p = this.pending.get(m.id);
        if (!p) return;
        if (m.type === 'started') p.started = true;
        else if (m.type === 'line' || m.type === 'event') p.onLine?.(m);
        else {
          this.pending.delete(m.id);
          p.resolve(m);
          this.retireIfTainted();
        }
      });
      worker.addEventListener('error', (ev) => {
        ev.preventDefault();
        this.crashed(`the pipeline worker crashed${ev.message ? ` (${ev.message})` : ''}`);
        reject(new Error('the pipeline worker crashed while starting'));
      });
    });
    engineAssets().then(
      (assets) => {
        const init: ToWorker = { type: 'init', warehouseUrl: warehouseBaseUrl(), opfsDir: [OPFS_ROOT, this.session.config.id, 'warehouse'], assets };
        worker.postMessage(init);
      },
      (err: Error) => this.crashed(`the engines could not be loaded: ${err.message}`),
    );
    this.ready.catch(() => this.stop());
    return this.ready;
  }

  private stop(): void {
    this.worker?.terminate();
    this.worker = null;
    this.ranCommand = false;
    this.tainted = false;
    this.ready = null;
  }

  /** Replace a worker that ran learner code once nothing is waiting on it. */
  private retireIfTainted(): void {
    if (!this.tainted || this.pending.size > 0) return;
    this.stop();
    this.retired++;
    this.warm();
  }

  /** Workers replaced after running learner code (tests read it). */
  retired = 0;

  private crashed(message: string): void {
    this.stop();
    this.restarts++;
    // Commands the stuck worker never began are handed to the new one; the rest fail.
    const waiting = [...this.pending.values()].filter((p) => p.resend && !p.started);
    for (const p of this.pending.values()) if (!waiting.includes(p)) p.reject(new RunnerStopped(`${message}. It has been restarted; your files are kept. Run the command again.`));
    this.pending.clear();
    this.onCrash(message);
    // A fresh worker (and its engine) boots now, so the next command does not wait for it.
    this.warm();
    for (const p of waiting) p.resend!();
  }

  /** Boot the worker (and its DuckDB) ahead of the first command. */
  warm(): void {
    void this.start().catch(() => {});
  }

  async run(line: string, files: Record<string, string>, io: CliIo, onEvent: (e: RunEvent) => void): Promise<CommandResult> {
    const id = ++this.seq;
    const done = new Promise<FromWorker>((resolve, reject) => {
      const entry = {
        resolve,
        reject,
        onLine: (m: FromWorker) => {
          if (m.type === 'line') (m.stream === 'out' ? io.out : io.err)(m.text);
          else if (m.type === 'event') onEvent(m.event);
        },
        resend: () => {
          this.pending.set(id, entry);
          void this.start().then(
            () => {
              this.ranCommand = true;
              if (runsLearnerCode(files)) this.tainted = true;
              this.worker!.postMessage({ type: 'run', id, line, files } satisfies ToWorker);
            },
            (err: Error) => (this.pending.delete(id), reject(err)),
          );
        },
      };
      entry.resend();
    });
    const timer = setTimeout(() => {
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      this.stop();
      this.restarts++;
      p.reject(new RunnerStopped(`Stopped after ${COMMAND_TIME_LIMIT_MS / 1000} s (the time limit). Main is unchanged: runs write on their own branch until their checks pass.`));
    }, COMMAND_TIME_LIMIT_MS);
    try {
      const m = await done;
      return m.type === 'done' ? { code: m.code, run: m.run } : { code: 1, run: null };
    } finally {
      clearTimeout(timer);
    }
  }

  cancel(): void {
    if (this.pending.size === 0) return;
    this.stop();
    this.restarts++;
    for (const p of this.pending.values()) p.reject(new RunnerStopped('Cancelled. Main is unchanged unless the run had already merged; your files are kept.'));
    this.pending.clear();
  }

  async lineage(files: Record<string, string>): Promise<LineageGraph> {
    await this.start();
    const id = ++this.seq;
    const m = await new Promise<FromWorker>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (runsLearnerCode(files)) this.tainted = true;
      this.worker!.postMessage({ type: 'lineage', id, files } satisfies ToWorker);
    });
    if (m.type !== 'lineage' || !m.graph) throw new Error(m.type === 'lineage' && m.error ? m.error : 'no asset graph');
    return m.graph;
  }

  async postgres(sql: string): Promise<PgAnswer> {
    // No worker, no Postgres: publishing happens in the worker, so nothing is published.
    // It answers at once instead of queueing behind the worker's start or a running command.
    if (!this.worker || !this.ranCommand) return { ok: false, notPublished: true, error: NOT_PUBLISHED_MESSAGE };
    await this.start();
    const id = ++this.seq;
    const m = await new Promise<FromWorker>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker!.postMessage({ type: 'postgres', id, sql } satisfies ToWorker);
    });
    return m.type === 'postgres' ? m.answer : { ok: false, notPublished: false, error: 'the pipeline worker gave no answer' };
  }
}

/** Why the in-page runner skips plugin files (shown in the terminal). */
export const IN_PAGE_PLUGINS_REFUSED =
  'Plugin files were not run: this browser has no private file storage (OPFS), so the pipeline runs in the page itself, where your code would share the page (an endless loop would freeze it). Open this part in a browser with OPFS (Chromium, Firefox, Safari 16.4+, not a private window) to run plugins.';

/**
 * Without OPFS the worker cannot see the page's memory: run in the page instead. The
 * learner's code never runs on the page's thread: pipeline.config.ts is evaluated in a
 * throwaway locked-down worker, and plugin files are skipped with a reason.
 */
export class InPageRunner implements Runner {
  readonly kind = 'in-page' as const;
  private host: Promise<import('./host.ts').PipelineHost> | null = null;
  private readonly session: SandboxSession;
  constructor(session: SandboxSession) {
    this.session = session;
  }
  private get(): Promise<import('./host.ts').PipelineHost> {
    this.host ??= (async () => {
      const [{ PipelineHost }, { isolatedSettingsImport, spawnSettingsWorker }] = await Promise.all([import('./host.ts'), import('./settings-import.ts')]);
      return new PipelineHost({ storage: this.session.storage, engine: await bootEngine(), importSettings: isolatedSettingsImport(spawnSettingsWorker(Worker)), pluginsRefused: IN_PAGE_PLUGINS_REFUSED });
    })();
    return this.host;
  }
  async run(line: string, files: Record<string, string>, io: CliIo, onEvent: (e: RunEvent) => void): Promise<CommandResult> {
    return (await this.get()).run(line, files, io, onEvent);
  }
  cancel(): void {
    /* in the page a run cannot be interrupted; the time limit of each query still applies */
  }
  async lineage(files: Record<string, string>): Promise<LineageGraph> {
    return (await this.get()).lineage(files);
  }
  async postgres(sql: string): Promise<PgAnswer> {
    if (!this.host) return { ok: false, notPublished: true, error: NOT_PUBLISHED_MESSAGE };
    return (await this.get()).postgres(sql);
  }
}
