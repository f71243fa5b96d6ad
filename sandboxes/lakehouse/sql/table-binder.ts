/**
 * Exposes Iceberg tables to SQL. For a table at a chosen snapshot, every data file (with
 * its deletes applied) is read once and registered in DuckDB, and a view over the
 * snapshot's files takes the table's SQL name.
 *
 * Data files never change, so a file loaded for one snapshot is reused by every other
 * snapshot, branch or query that contains it: time travel between neighbouring snapshots
 * costs only the files that differ. The cache key also carries the schema the file was
 * projected to and the delete files applied to it, because those change the rows.
 *
 * Files are registered in groups: the files first loaded together (up to ~256k rows) go
 * into one DuckDB table with a hidden file-number column. A view takes whole groups, or the
 * rows of the files it needs (`WHERE file IN (...)`). One registration per group instead of
 * one per file keeps loading a snapshot of a hundred small files fast, and DuckDB scans a
 * few tables instead of a hundred-way UNION.
 */
import * as arrow from 'apache-arrow';
import type { Table } from '../iceberg/table.ts';
import type { ScanPlan, SnapshotSelector } from '../iceberg/scan.ts';
import { arrowSchemaFor } from '../iceberg/arrow.ts';
import { sha256Hex } from '../catalog/hash.ts';
import { quoteIdent, type SqlEngine } from './engine.ts';
import { metadataTable, type MetadataTableName } from '../iceberg/metadata-tables.ts';
import { recordsToArrow } from './records.ts';
import { compactJson } from '../iceberg/json.ts';
import { inOrder } from '../iceberg/scan.ts';

/** DuckDB schema that holds the registered data files. */
export const FILE_SCHEMA = '__lakehouse_files';
/** Hidden column numbering the files inside a group table. */
export const FILE_COLUMN = '__lakehouse_file';
/** Rows gathered before a group is sent to DuckDB (so decoding and ingesting overlap). */
const GROUP_ROWS = 1 << 18;
/** Data files read ahead at once (over HTTP each is a round trip). */
const FILES_IN_FLIGHT = 4;

export interface BindResult {
  /** `schema.name` of the view, as DuckDB sees it. */
  view: string;
  snapshotId: string | null;
  files: number;
  /** Files read and registered for this binding. */
  loaded: number;
  /** Files already registered by an earlier binding. */
  reused: number;
}

interface RegisteredFile {
  /** Qualified, quoted DuckDB table of the file's group. */
  group: string;
  fileNumber: number;
}

export class TableBinder {
  private readonly engine: SqlEngine;
  /** File key -> where its rows are. */
  private readonly files = new Map<string, RegisteredFile>();
  /** Group table -> every file number it holds. */
  private readonly groups = new Map<string, Set<number>>();
  /** View -> what it currently shows, to skip recreating an identical view. */
  private readonly views = new Map<string, string>();
  /** View -> the registered tables it reads. */
  private readonly viewSources = new Map<string, Set<string>>();
  private nextFileNumber = 1;
  /** The engine's generation the views above were made in (see SqlEngine.generation). */
  private generation: number | undefined;

  constructor(engine: SqlEngine) {
    this.engine = engine;
    this.generation = engine.generation;
  }

  /**
   * A restarted engine (a cancelled or timed-out query whose worker had to be replaced) got
   * the registered files back but none of the views: forget the views, so the next binding
   * of each table makes its view again instead of trusting one that is gone.
   */
  private followEngine(): void {
    if (this.engine.generation === this.generation) return;
    this.generation = this.engine.generation;
    this.views.clear();
  }

  /** Scan plans by metadata file and selector: a metadata file never changes, so neither does its plan. */
  private readonly plans = new Map<string, Promise<ScanPlan>>();

  private planOf(table: Table, selector: SnapshotSelector): Promise<ScanPlan> {
    // Tables opened by path may share a relative metadata location (metadata/v4.metadata.json): the uuid tells them apart.
    const key = `${table.metadata['table-uuid']}|${table.metadataLocation}|${JSON.stringify(selector, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`;
    let plan = this.plans.get(key);
    if (!plan) {
      plan = table.plan(selector);
      this.plans.set(key, plan);
      plan.catch(() => this.plans.delete(key));
    }
    return plan;
  }

  /** Number of data files registered so far. */
  get registeredFiles(): number {
    return this.files.size;
  }

  /** Make `schema.name` show `table` at the snapshot `selector` picks. */
  async bind(schema: string, name: string, table: Table, selector: SnapshotSelector = {}): Promise<BindResult> {
    const plan = await this.planOf(table, selector);
    const tableSchema = plan.schema;
    const owner = table.metadata['table-uuid'] ?? table.metadataLocation;
    const schemaKey = (await sha256Hex(compactJson(tableSchema.fields))).slice(0, 16);
    const fileKeys = plan.tasks.map(
      (task) => `${owner}|${schemaKey}|${task.path}|${task.deletes.map((d) => d.file.filePath).sort().join(',')}`,
    );
    const view = `${quoteIdent(schema)}.${quoteIdent(name)}`;
    const snapshotId = plan.snapshot ? String(plan.snapshot['snapshot-id']) : null;
    const signature = `${owner}|${schemaKey}|${fileKeys.join(';')}|${snapshotId}`;

    let loaded = 0;
    const pending: Promise<void>[] = [];
    let batch: { key: string; fileNumber: number; data: arrow.Table }[] = [];
    let batchRows = 0;
    const flush = () => {
      if (!batch.length) return;
      const members = batch;
      batch = [];
      batchRows = 0;
      pending.push(this.registerGroup(members));
    };
    // The files this binding must read, first occurrence of each, read a few ahead in order.
    const toRead: number[] = [];
    const seen = new Set<string>();
    fileKeys.forEach((key, i) => {
      if (this.files.has(key) || seen.has(key)) return;
      seen.add(key);
      toRead.push(i);
    });
    const read = inOrder(toRead, FILES_IN_FLIGHT, (i) => table.readFile(plan.tasks[i]!, tableSchema));
    try {
      for (let n = 0; n < toRead.length; n++) {
        const key = fileKeys[toRead[n]!]!;
        const data = await read(n);
        // Files whose Arrow shapes differ (e.g. one column dictionary-encoded) cannot share a table.
        if (batch.length && !sameShape(batch[0]!.data.schema, data.schema)) flush();
        batch.push({ key, fileNumber: this.nextFileNumber++, data });
        batchRows += data.numRows;
        loaded++;
        // Sent without waiting: DuckDB ingests this group while we decode the next files.
        if (batchRows >= GROUP_ROWS) flush();
      }
      flush();
    } finally {
      // Never leave registrations running behind an error.
      const results = await Promise.allSettled(pending);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }

    this.followEngine();
    if (this.views.get(view) !== signature) {
      // uuid travels as 16 raw bytes (Arrow FixedSizeBinary); the view gives SQL a UUID, which
      // compares with uuid literals and prints as the 36-character text.
      const columns = tableSchema.fields
        .map((f) => (f.type === 'uuid' ? `CAST(hex(${quoteIdent(f.name)}) AS UUID) AS ${quoteIdent(f.name)}` : quoteIdent(f.name)))
        .join(', ');
      const wanted = new Map<string, number[]>();
      for (const key of fileKeys) {
        const file = this.files.get(key)!;
        wanted.set(file.group, [...(wanted.get(file.group) ?? []), file.fileNumber]);
      }
      const parts = [...wanted].map(([group, numbers]) => {
        const all = this.groups.get(group)!;
        const whole = numbers.length === all.size;
        return `SELECT ${columns} FROM ${group}${whole ? '' : ` WHERE ${quoteIdent(FILE_COLUMN)} IN (${numbers.join(', ')})`}`;
      });
      const sources = new Set(wanted.keys());
      if (parts.length === 0) {
        const empty = await this.emptyTable(owner, schemaKey, tableSchema);
        parts.push(`SELECT ${columns} FROM ${empty}`);
        sources.add(empty);
      }
      await this.engine.query(
        `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}; ` +
          `CREATE OR REPLACE VIEW ${view} AS ${parts.join(' UNION ALL BY NAME ')}`,
      );
      this.views.set(view, signature);
      this.viewSources.set(view, sources);
    }
    return { view: `${schema}.${name}`, snapshotId, files: plan.tasks.length, loaded, reused: plan.tasks.length - loaded };
  }

  /**
   * Make `schema.name` show one of the table's metadata tables (snapshots, history,
   * manifests, files, entries, refs, partitions); file-level ones at the chosen snapshot.
   */
  async bindMetadata(schema: string, name: string, table: Table, which: MetadataTableName, selector: SnapshotSelector = {}): Promise<BindResult> {
    const snapshot = table.snapshot(selector);
    const snapshotId = snapshot ? snapshot['snapshot-id'] : undefined;
    const key = `meta|${table.metadataLocation}|${which}|${snapshotId ?? ''}`;
    const raw = `m_${(await sha256Hex(key)).slice(0, 24)}`;
    const source = `${quoteIdent(FILE_SCHEMA)}.${quoteIdent(raw)}`;
    if (!this.groups.has(source)) {
      const rows = await metadataTable(table, which, snapshotId !== undefined ? { snapshotId } : {});
      await this.engine.registerArrow(`${FILE_SCHEMA}.${raw}`, recordsToArrow(rows));
      this.groups.set(source, new Set());
    }
    const view = `${quoteIdent(schema)}.${quoteIdent(name)}`;
    this.followEngine();
    if (this.views.get(view) !== key) {
      await this.engine.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}; CREATE OR REPLACE VIEW ${view} AS SELECT * FROM ${source}`);
      this.views.set(view, key);
      this.viewSources.set(view, new Set([source]));
    }
    return { view: `${schema}.${name}`, snapshotId: snapshotId === undefined ? null : String(snapshotId), files: 0, loaded: 0, reused: 0 };
  }

  /** Forget a view (e.g. its table was dropped from the catalog). Registered files stay. */
  async unbind(schema: string, name: string): Promise<void> {
    const view = `${quoteIdent(schema)}.${quoteIdent(name)}`;
    if (!this.views.has(view)) return;
    await this.engine.query(`DROP VIEW IF EXISTS ${view}`);
    this.views.delete(view);
    this.viewSources.delete(view);
  }

  /**
   * Free the memory of registered files that no current view reads (a long session that
   * visited many snapshots). They are read again if a later binding needs them.
   * Returns how many registered tables were dropped.
   */
  async releaseUnused(): Promise<number> {
    const used = new Set<string>();
    for (const sources of this.viewSources.values()) for (const s of sources) used.add(s);
    let dropped = 0;
    for (const group of [...this.groups.keys()]) {
      if (used.has(group)) continue;
      // `group` is `"schema"."table"`: take the unquoted table name back out.
      const table = group.slice(group.indexOf('"."') + 3, -1).replace(/""/g, '"');
      await this.engine.dropTable(`${FILE_SCHEMA}.${table}`);
      this.groups.delete(group);
      for (const [key, file] of this.files) if (file.group === group) this.files.delete(key);
      dropped++;
    }
    return dropped;
  }

  /** One DuckDB table for several files, each row tagged with its file number. */
  private async registerGroup(members: { key: string; fileNumber: number; data: arrow.Table }[]): Promise<void> {
    const raw = `g_${(await sha256Hex(members.map((m) => m.key).join('\n'))).slice(0, 24)}`;
    const base = members[0]!.data.schema;
    const fileField = new arrow.Field(FILE_COLUMN, new arrow.Int32(), false);
    const schema = new arrow.Schema([...base.fields, fileField], base.metadata);
    const batches: arrow.RecordBatch[] = [];
    for (const m of members) {
      for (const b of m.data.batches) {
        const numbers = arrow.makeData({ type: new arrow.Int32(), length: b.numRows, nullCount: 0, data: new Int32Array(b.numRows).fill(m.fileNumber) });
        const data = arrow.makeData({ type: new arrow.Struct(schema.fields), length: b.numRows, nullCount: 0, children: [...b.data.children, numbers] });
        batches.push(new arrow.RecordBatch(schema, data));
      }
    }
    const combined = batches.length ? new arrow.Table(schema, batches) : new arrow.Table(Object.fromEntries(schema.fields.map((f) => [f.name, arrow.vectorFromArray([], f.type)])));
    await this.engine.registerArrow(`${FILE_SCHEMA}.${raw}`, combined);
    const group = `${quoteIdent(FILE_SCHEMA)}.${quoteIdent(raw)}`;
    this.groups.set(group, new Set(members.map((m) => m.fileNumber)));
    for (const m of members) this.files.set(m.key, { group, fileNumber: m.fileNumber });
  }

  /** A zero-row table with the snapshot's columns, for a snapshot without files. */
  private async emptyTable(owner: string, schemaKey: string, schema: Parameters<typeof arrowSchemaFor>[0]): Promise<string> {
    const raw = `e_${(await sha256Hex(`${owner}|${schemaKey}`)).slice(0, 24)}`;
    const group = `${quoteIdent(FILE_SCHEMA)}.${quoteIdent(raw)}`;
    if (!this.groups.has(group)) {
      const arrowSchema = arrowSchemaFor(schema);
      await this.engine.registerArrow(`${FILE_SCHEMA}.${raw}`, new arrow.Table(Object.fromEntries(arrowSchema.fields.map((f) => [f.name, arrow.vectorFromArray([], f.type)]))));
      this.groups.set(group, new Set());
    }
    return group;
  }
}

function sameShape(a: arrow.Schema, b: arrow.Schema): boolean {
  return a.fields.length === b.fields.length && a.fields.every((f, i) => f.name === b.fields[i]!.name && String(f.type) === String(b.fields[i]!.type));
}
