/**
 * SqlEngine over an AsyncDuckDB (DuckDB-WASM in a worker). Shared by the Node and browser
 * factories, which differ only in how they start the worker.
 *
 * Only bytes cross the worker boundary: we hand DuckDB Arrow IPC streams and read query
 * results back as IPC chunks, decoding them with our own apache-arrow. That keeps one Arrow
 * module instance on our side even where DuckDB-WASM's bundle loads its own copy (Node
 * loads it as CommonJS, we load it as an ES module) and `instanceof` would fail.
 *
 * Queries run one at a time on one connection, in a queue. Cancellation first asks DuckDB
 * to interrupt the pending query; if the worker does not answer within a grace period (a
 * query stuck inside WASM), the worker is terminated and a new one is booted with the same
 * tables registered again, so the engine stays usable. Views made with plain SQL are lost
 * with the old worker: `generation` changes so their makers (TableBinder) make them again.
 */
import * as arrow from 'apache-arrow';
import type { AsyncDuckDB } from '@duckdb/duckdb-wasm';
import { extensionStatement } from './extensions.ts';
import { SqlError, parseDuckDbError, qualifiedName, quoteIdent, type QueryOptions, type SqlEngine } from './engine.ts';
import { combineBatches, stripTimeZones, toArrowTable } from './arrow-data.ts';

/** Starts a fresh, opened AsyncDuckDB (a new worker each call). */
export type DuckDbBoot = () => Promise<AsyncDuckDB>;

export interface DuckDbEngineOptions {
  /** Default time limit per query in milliseconds. */
  timeLimitMs?: number;
  /** How long to wait for DuckDB to honour an interrupt before restarting the worker. */
  cancelGraceMs?: number;
}

/**
 * Settings applied to every new database (at start and after a worker restart), before any
 * table is registered. SQL here reaches the warehouse's tables and nothing else:
 * - no extension may be installed or loaded;
 * - no external access: no file of the host (Node: the learner's disk; browser: the site's
 *   URLs) can be read, globbed, written (COPY, EXPORT DATABASE) or attached. Tables still
 *   arrive, because they are inserted as Arrow IPC buffers, which is not external access
 *   (tests/unit/sql/engine-sandbox.test.ts registers tables after the lock to prove it);
 * - the configuration is locked, so no statement can turn any of this back on.
 */
export const CONNECTION_SETUP = [
  'SET autoinstall_known_extensions = false',
  'SET autoload_known_extensions = false',
  'SET enable_external_access = false',
  'SET lock_configuration = true',
];

interface Session {
  db: AsyncDuckDB;
  conn: number;
}

/** Between runQuery and collect: whether a stop was asked for, and whether it cut the result short. */
interface Collecting {
  stopped(): boolean;
  partial?: boolean;
}

export class DuckDbWasmEngine implements SqlEngine {
  private readonly boot: DuckDbBoot;
  private readonly timeLimitMs: number;
  private readonly cancelGraceMs: number;
  private session: Promise<Session>;
  private queue: Promise<unknown> = Promise.resolve();
  /** Registered tables by qualified name, kept to re-register after a worker restart. */
  private readonly registered = new Map<string, arrow.Table>();
  private closed = false;
  /** How many times a stuck query forced a worker restart (for tests and diagnostics). */
  restarts = 0;

  /** See SqlEngine.generation: a restart keeps registered tables but loses views. */
  get generation(): number {
    return this.restarts;
  }

  private constructor(boot: DuckDbBoot, options: DuckDbEngineOptions) {
    this.boot = boot;
    this.timeLimitMs = options.timeLimitMs ?? 120_000;
    this.cancelGraceMs = options.cancelGraceMs ?? 2_000;
    this.session = this.openSession();
  }

  static async start(boot: DuckDbBoot, options: DuckDbEngineOptions = {}): Promise<DuckDbWasmEngine> {
    const engine = new DuckDbWasmEngine(boot, options);
    await engine.session;
    return engine;
  }

  query(sql: string, options: QueryOptions = {}): Promise<arrow.Table> {
    return this.enqueue(() => this.runQuery(sql, options));
  }

  registerArrow(name: string, data: arrow.Table | Uint8Array): Promise<void> {
    const table = combineBatches(stripTimeZones(toArrowTable(data)));
    return this.enqueue(async () => {
      const session = await this.session;
      await this.insert(session, name, table);
      this.registered.set(name, table);
    });
  }

  dropTable(name: string): Promise<void> {
    return this.enqueue(async () => {
      const session = await this.session;
      await this.run(session, `DROP TABLE IF EXISTS ${qualifiedName(name).sql}`);
      this.registered.delete(name);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    const session = await this.session.catch(() => null);
    if (session) await session.db.terminate();
  }

  // ---------------------------------------------------------------- internals

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new SqlError('the SQL engine is closed; open a new one.', { kind: 'engine' }));
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async openSession(): Promise<Session> {
    const db = await this.boot();
    const conn = await db.connectInternal();
    for (const statement of CONNECTION_SETUP) await db.runQuery(conn, statement);
    return { db, conn };
  }

  private async insert(session: Session, name: string, data: arrow.Table): Promise<void> {
    const { schema, table, sql } = qualifiedName(name);
    await this.run(session, `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}; DROP TABLE IF EXISTS ${sql}`);
    // A fresh IPC buffer each time: the worker takes ownership of what it is sent. We keep
    // the Arrow table itself (no extra copy) to re-register after a worker restart.
    await session.db.insertArrowFromIPCStream(session.conn, arrow.tableToIPC(data, 'stream'), { schema, name: table, create: true });
  }

  private async run(session: Session, sql: string): Promise<void> {
    try {
      await session.db.runQuery(session.conn, sql);
    } catch (error) {
      throw parseDuckDbError(String((error as Error)?.message ?? error), sql);
    }
  }

  private async runQuery(sql: string, options: QueryOptions): Promise<arrow.Table> {
    const signal = options.signal;
    if (signal?.aborted) throw new SqlError('query cancelled before it started.', { kind: 'cancelled', sql });
    // INSTALL iceberg (DuckDB's own hint) cannot work offline: the answer in words, not an XHR error.
    const extension = extensionStatement(sql);
    if (extension) throw new SqlError(extension, { sql });
    const session = await this.session;
    const limit = options.timeLimitMs ?? this.timeLimitMs;

    return new Promise<arrow.Table>((resolve, reject) => {
      let settled = false;
      let stopping: 'cancelled' | 'timeout' | null = null;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(grace);
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const stoppedError = () =>
        stopping === 'timeout'
          ? new SqlError(`query stopped: it ran longer than the ${limit} ms time limit.`, { kind: 'timeout', sql })
          : new SqlError('query cancelled.', { kind: 'cancelled', sql });
      let grace: ReturnType<typeof setTimeout> | undefined;
      const stop = (why: 'cancelled' | 'timeout') => {
        if (settled || stopping) return;
        stopping = why;
        session.db.cancelPendingQuery(session.conn).catch(() => undefined);
        grace = setTimeout(() => {
          // DuckDB did not come back: the worker is stuck. Replace it.
          finish(() => reject(stoppedError()));
          this.restart(session);
        }, this.cancelGraceMs);
      };
      const onAbort = () => stop('cancelled');
      const timer = setTimeout(() => stop('timeout'), limit);
      signal?.addEventListener('abort', onAbort);

      const collecting: Collecting = { stopped: () => stopping !== null };
      this.collect(session, sql, options, collecting).then(
        (table) => finish(() => (collecting.partial ? resolve(table) : stopping ? reject(stoppedError()) : resolve(table))),
        (error) =>
          finish(() => reject(stopping ? stoppedError() : parseDuckDbError(String((error as Error)?.message ?? error), sql))),
      );
    });
  }

  /**
   * Start a pending query and gather its IPC stream: header first, then result chunks, each
   * decoded as it arrives (a short task per chunk, never one long decode at the end). Rows
   * past `options.keep` are counted and dropped. Once the cap is full, a stop request ends
   * the fetching with the rows kept (`collecting.partial`).
   */
  private async collect(session: Session, sql: string, options: QueryOptions, collecting: Collecting): Promise<arrow.Table> {
    const { db, conn } = session;
    let header = await db.startPendingQuery(conn, sql, true);
    while (header == null) header = await db.pollPendingQuery(conn);
    const schema = arrow.tableFromIPC([header]).schema;
    const progress = options.progress ?? { rows: 0, kept: 0, complete: false };
    Object.assign(progress, { rows: 0, kept: 0, complete: false });
    const keepRows = options.keep?.rows ?? Infinity;
    const keepBytes = options.keep?.bytes ?? Infinity;
    const kept: arrow.RecordBatch[] = [];
    let bytes = 0;
    let full = false;
    for (;;) {
      if (full && collecting.stopped()) {
        collecting.partial = true;
        break;
      }
      const chunk = await db.fetchQueryResults(conn);
      if (chunk == null) continue;
      if (chunk.length === 0) {
        progress.complete = true;
        break;
      }
      for (const batch of arrow.tableFromIPC([header, chunk]).batches) {
        progress.rows += batch.numRows;
        if (!full) {
          const room = Math.min(batch.numRows, keepRows - progress.kept);
          if (room > 0) kept.push(room === batch.numRows ? batch : batch.slice(0, room));
          progress.kept += Math.max(0, room);
          bytes += chunk.byteLength;
          full = progress.kept >= keepRows || bytes >= keepBytes;
        }
        if (options.onBatch) await options.onBatch(batch);
      }
    }
    return new arrow.Table(schema, kept);
  }

  /** Replace a stuck worker with a new one holding the same registered tables. */
  private restart(stuck: Session): void {
    this.restarts++;
    stuck.db.terminate().catch(() => undefined);
    this.session = (async () => {
      const session = await this.openSession();
      for (const [name, ipc] of this.registered) await this.insert(session, name, ipc);
      return session;
    })();
    // Later queries wait for the new worker.
    this.queue = this.queue.then(() => this.session).catch(() => undefined);
  }
}
