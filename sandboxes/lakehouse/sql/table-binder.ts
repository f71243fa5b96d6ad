/**
 * Exposes Iceberg tables to SQL. For a table at a chosen snapshot, every data file (with
 * its deletes applied) is registered in DuckDB once, under a name derived from the file's
 * path, and a view over the snapshot's files (UNION ALL) takes the table's SQL name.
 *
 * Data files never change, so a file loaded for one snapshot is reused by every other
 * snapshot, branch or query that contains it: time travel between neighbouring snapshots
 * costs only the files that differ. The cache key also carries the schema the file was
 * projected to and the delete files applied to it, because those change the rows.
 */
import * as arrow from 'apache-arrow';
import type { Table } from '../iceberg/table.ts';
import type { SnapshotSelector } from '../iceberg/scan.ts';
import { arrowSchemaFor } from '../iceberg/arrow.ts';
import { sha256Hex } from '../catalog/hash.ts';
import { quoteIdent, type SqlEngine } from './engine.ts';

/** DuckDB schema that holds the registered data files. */
export const FILE_SCHEMA = '__lakehouse_files';

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

export class TableBinder {
  private readonly engine: SqlEngine;
  /** File key -> registered DuckDB table (qualified). */
  private readonly files = new Map<string, string>();
  /** View -> what it currently shows, to skip recreating an identical view. */
  private readonly views = new Map<string, string>();

  constructor(engine: SqlEngine) {
    this.engine = engine;
  }

  /** Number of data files registered so far. */
  get registeredFiles(): number {
    return this.files.size;
  }

  /** Make `schema.name` show `table` at the snapshot `selector` picks. */
  async bind(schema: string, name: string, table: Table, selector: SnapshotSelector = {}): Promise<BindResult> {
    const plan = await table.plan(selector);
    const tableSchema = plan.schema;
    const owner = table.metadata['table-uuid'] ?? table.metadataLocation;
    const schemaKey = (await sha256Hex(JSON.stringify(tableSchema.fields))).slice(0, 16);
    const fileKeys = plan.tasks.map(
      (task) => `${owner}|${schemaKey}|${task.path}|${task.deletes.map((d) => d.file.filePath).sort().join(',')}`,
    );
    const view = `${quoteIdent(schema)}.${quoteIdent(name)}`;
    const snapshotId = plan.snapshot ? String(plan.snapshot['snapshot-id']) : null;
    const signature = `${owner}|${schemaKey}|${fileKeys.join(';')}|${snapshotId}`;
    let loaded = 0;
    const sources: string[] = [];
    for (let i = 0; i < plan.tasks.length; i++) {
      const key = fileKeys[i]!;
      let registered = this.files.get(key);
      if (!registered) {
        const raw = `f_${(await sha256Hex(key)).slice(0, 24)}`;
        const data = await table.readFile(plan.tasks[i]!, tableSchema);
        await this.engine.registerArrow(`${FILE_SCHEMA}.${raw}`, data);
        registered = `${quoteIdent(FILE_SCHEMA)}.${quoteIdent(raw)}`;
        this.files.set(key, registered);
        loaded++;
      }
      sources.push(registered);
    }
    if (this.views.get(view) !== signature) {
      if (sources.length === 0) {
        // An empty snapshot still has columns: register a zero-row table of the schema.
        const emptyName = `e_${(await sha256Hex(`${owner}|${schemaKey}`)).slice(0, 24)}`;
        const emptyKey = `empty|${owner}|${schemaKey}`;
        if (!this.files.has(emptyKey)) {
          await this.engine.registerArrow(`${FILE_SCHEMA}.${emptyName}`, emptyTable(arrowSchemaFor(tableSchema)));
          this.files.set(emptyKey, `${quoteIdent(FILE_SCHEMA)}.${quoteIdent(emptyName)}`);
        }
        sources.push(this.files.get(emptyKey)!);
      }
      const columns = tableSchema.fields.map((f) => quoteIdent(f.name)).join(', ');
      const body = sources.map((s) => `SELECT * FROM ${s}`).join(' UNION ALL BY NAME ');
      await this.engine.query(
        `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}; ` +
          `CREATE OR REPLACE VIEW ${view} AS SELECT ${columns} FROM (${body})`,
      );
      this.views.set(view, signature);
    }
    return { view: `${schema}.${name}`, snapshotId, files: plan.tasks.length, loaded, reused: plan.tasks.length - loaded };
  }

  /** Forget a view (e.g. its table was dropped from the catalog). Registered files stay. */
  async unbind(schema: string, name: string): Promise<void> {
    const view = `${quoteIdent(schema)}.${quoteIdent(name)}`;
    if (!this.views.has(view)) return;
    await this.engine.query(`DROP VIEW IF EXISTS ${view}`);
    this.views.delete(view);
  }
}

function emptyTable(schema: arrow.Schema): arrow.Table {
  return new arrow.Table(Object.fromEntries(schema.fields.map((f) => [f.name, arrow.vectorFromArray([], f.type)])));
}
