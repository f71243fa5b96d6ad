/**
 * `npm run lakehouse -- <command>`: the lakehouse library from a terminal. Every command is
 * one call on the Warehouse facade (or, for a table given by path, on the Iceberg core), so
 * what a learner types here is what the browser sandbox does.
 *
 * Reading rows always goes through DuckDB-WASM, the same path as the browser.
 * Errors: one line on stderr, exit code 1 (2 for a usage mistake).
 */
import { stat } from 'node:fs/promises';
import * as nodePath from 'node:path';
import type * as arrow from 'apache-arrow';
import { NodeFsStorage } from '../storage/node-fs.ts';
import { openWarehouse, filesOf, scanThrough, selectorOf, snapshotsOf, type Warehouse, type SnapshotInfo, type ReadOptions } from '../warehouse.ts';
import { loadTable, type Table } from '../iceberg/table.ts';
import { createNodeEngine } from '../sql/duckdb-node.ts';
import { SqlError, type SqlEngine } from '../sql/engine.ts';
import { TableBinder } from '../sql/table-binder.ts';
import { tableToRows, formatTextTable, type JsonValue } from '../sql/rows.ts';
import { parseArgs, UsageError, wholeNumberFlag, type ParsedArgs } from './args.ts';
import { valueFormsHelp } from '../sql/value-forms.ts';
import { exportCommand } from './export-command.ts';

const USAGE = `usage: npm run lakehouse -- <command> [options]

commands
  tables [--ref NAME]                         tables on a branch, tag or commit
  snapshots <table>                           Iceberg snapshots of a table
  files <table> [--snapshot ID | --as-of TIME] data files of a snapshot (with delete files)
  scan <table> [--snapshot ID | --as-of TIME | --ref NAME] [--limit N]
  sql "<query>" [--ref NAME] [--snapshot ID | --as-of TIME]
  branch list | branch create NAME [REF] | branch delete NAME
  tag list | tag create NAME [REF] | tag delete NAME     (tag NAME [REF] = tag create)
  log [REF] [--limit N]                       catalog commits, newest first
  diff FROM TO                                tables that differ between two refs
  merge FROM [INTO] [--message TEXT]          merge a branch (default into main)
  export --ref REF --to DIR|s3://BUCKET/PREFIX [--zip FILE]
                                              every table on REF as standard Iceberg for DuckDB,
                                              PyIceberg, Spark, Trino, Nessie (locations point
                                              into --to; --zip writes one zip to unpack there,
                                              and is needed for s3://); see its README.txt

<table> is a catalog name (glucose.raw_entries) or the path of an Iceberg table directory;
with a path, --metadata FILE picks one metadata version and --ref names a table ref.

a ref is a branch, a tag, a commit hash, name~N (N commits back) or name*TIME (head at TIME);
in SQL a table part may carry its own: glucose."raw_entries@dev", glucose."raw_entries@<snapshot id>",
glucose."raw_entries#2025-01-02T00:00:00Z", and metadata tables glucose."raw_entries$snapshots"
($history, $manifests, $files, $entries, $refs, $partitions).

global options
  --warehouse DIR       the warehouse directory (default ./warehouse)
  --format table|json   output as a text table (default) or one JSON array of row objects
  --time-limit MS       stop a query after MS milliseconds (default 300000)
  --expected-hash HASH  merge / branch delete: fail if the target moved from HASH`;

const FLAGS = new Set(['warehouse', 'format', 'ref', 'snapshot', 'as-of', 'limit', 'metadata', 'from', 'message', 'expected-hash', 'time-limit', 'to', 'zip']);

interface Context {
  args: ParsedArgs;
  format: 'table' | 'json';
  warehouseDir: string;
  out: string[];
}

type Rows = Record<string, JsonValue>[];

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  const [command, ...rest] = args.positionals;
  if (!command || args.flags.has('help') || command === 'help') {
    process.stdout.write(`${USAGE}\n\nvalues (--format json; the text table prints the same text)\n${valueFormsHelp()}\n`);
    return command ? 0 : 2;
  }
  const format = (args.flags.get('format') ?? 'table') as Context['format'];
  if (format !== 'table' && format !== 'json') throw new UsageError(`--format must be table or json, not '${format}'`);
  const ctx: Context = { args: { ...args, positionals: rest }, format, warehouseDir: args.flags.get('warehouse') ?? './warehouse', out: [] };
  // Checked before any work, not when the engine first starts.
  const timeLimitMs = wholeNumberFlag(args.flags, 'time-limit', { min: 1, max: 86_400_000, unit: 'milliseconds' }) ?? 300_000;
  const engines: SqlEngine[] = [];
  const engine = async () => {
    const e = await createNodeEngine({ timeLimitMs });
    engines.push(e);
    return e;
  };
  try {
    switch (command) {
      case 'tables':
        return await tablesCommand(ctx);
      case 'snapshots':
        return await snapshotsCommand(ctx);
      case 'files':
        return await filesCommand(ctx);
      case 'scan':
        return await scanCommand(ctx, engine);
      case 'sql':
        return await sqlCommand(ctx, engine);
      case 'branch':
      case 'tag':
        return await refCommand(ctx, command === 'branch' ? 'BRANCH' : 'TAG');
      case 'log':
        return await logCommand(ctx);
      case 'diff':
        return await diffCommand(ctx);
      case 'merge':
        return await mergeCommand(ctx);
      case 'export':
        return await exportCliCommand(ctx);
      default:
        throw new UsageError(`unknown command '${command}' (try: tables, snapshots, files, scan, sql, branch, tag, log, diff, merge, export)`);
    }
  } finally {
    for (const e of engines) await e.close();
  }
}

// ---------------------------------------------------------------- warehouse and tables

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function warehouse(ctx: Context, options: { write?: boolean; engine?: SqlEngine } = {}): Promise<Warehouse> {
  const dir = ctx.warehouseDir;
  if (!options.write && !(await isDirectory(nodePath.join(dir, 'catalog')))) {
    throw new Error(`no warehouse at ${nodePath.resolve(dir)} (no catalog/ folder there); pass --warehouse DIR`);
  }
  return openWarehouse({ storage: new NodeFsStorage(dir, { readOnly: !options.write }), engine: options.engine, author: process.env.USER ?? 'cli' });
}

/** A table argument: a path to an Iceberg table directory on disk, or a catalog name. */
function looksLikePath(arg: string): boolean {
  return arg.includes('/') || arg.includes('\\') || arg.startsWith('.');
}

interface ResolvedTable {
  table: Table;
  /** Snapshot selection inside the table. */
  selector: ReturnType<typeof selectorOf> & { ref?: string };
  /** Catalog warehouse, when the table came from one. */
  warehouse?: Warehouse;
}

async function resolveTable(ctx: Context, arg: string | undefined): Promise<ResolvedTable> {
  if (!arg) throw new UsageError('name a table: a catalog name like glucose.raw_entries, or a table directory');
  const flags = ctx.args.flags;
  const read: ReadOptions = {};
  if (flags.has('snapshot')) read.snapshotId = flags.get('snapshot')!;
  if (flags.has('as-of')) read.asOf = parseTime(flags.get('as-of')!);
  if (read.snapshotId !== undefined && read.asOf !== undefined) throw new UsageError('give either --snapshot or --as-of, not both');
  if (looksLikePath(arg) || (await isDirectory(arg))) {
    if (!(await isDirectory(arg))) throw new UsageError(`no table directory at ${nodePath.resolve(arg)}`);
    const dir = nodePath.resolve(arg);
    if (!flags.has('metadata') && !(await isDirectory(nodePath.join(dir, 'metadata')))) {
      throw new UsageError(`no Iceberg table at ${dir}: a table directory holds a metadata/ folder, and this one has none. Name the table's own directory, or a catalog table like glucose.raw_entries`);
    }
    const storage = new NodeFsStorage(dir, { readOnly: true });
    let metadataFile = flags.get('metadata');
    if (metadataFile && nodePath.isAbsolute(metadataFile)) metadataFile = nodePath.relative(dir, metadataFile);
    const table = await loadTable(storage, '', { metadataFile, name: nodePath.basename(dir) });
    const selector: ResolvedTable['selector'] = selectorOf(read);
    if (flags.has('ref')) selector.ref = flags.get('ref')!;
    return { table, selector };
  }
  if (flags.has('metadata')) throw new UsageError('--metadata applies to a table given by path; for a catalog table use --ref or --snapshot');
  const w = await warehouse(ctx);
  const table = await w.table(arg, flags.get('ref') ?? 'main');
  return { table, selector: selectorOf(read), warehouse: w };
}

function parseTime(text: string): string | number {
  return /^\d+$/.test(text) ? Number(text) : text;
}

// ---------------------------------------------------------------- output

function print(ctx: Context, rows: Rows, textTable?: () => string): void {
  if (ctx.format === 'json') {
    process.stdout.write(JSON.stringify(rows) + '\n');
    return;
  }
  if (textTable) {
    process.stdout.write(textTable() + '\n');
    return;
  }
  process.stdout.write(formatRows(rows) + '\n');
}

function printArrow(ctx: Context, table: arrow.Table): void {
  print(ctx, ctx.format === 'json' ? tableToRows(table) : [], () => formatTextTable(table));
}

function formatRows(rows: Rows): string {
  if (rows.length === 0) return '(none)';
  const names = Object.keys(rows[0]!);
  const cell = (v: JsonValue | undefined) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const widths = names.map((n) => Math.max(n.length, ...rows.map((r) => cell(r[n]).length)));
  const line = (parts: string[]) => parts.map((p, i) => p.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(names), ...rows.map((r) => line(names.map((n) => cell(r[n]))))].join('\n');
}

// ---------------------------------------------------------------- commands

async function tablesCommand(ctx: Context): Promise<number> {
  const w = await warehouse(ctx);
  const ref = ctx.args.flags.get('ref') ?? 'main';
  const tree = await w.catalog.entries(ref);
  const rows: Rows = Object.keys(tree).sort().map((name) => ({ table: name, metadata: tree[name]!.metadataLocation }));
  print(ctx, rows);
  return 0;
}

function snapshotRows(snaps: SnapshotInfo[]): Rows {
  return snaps.map((s) => ({
    snapshot_id: s.snapshotId,
    parent_id: s.parentId,
    committed_at: s.committedAt,
    operation: s.operation,
    added_records: numberOrNull(s.summary['added-records']),
    deleted_records: numberOrNull(s.summary['deleted-records']),
    total_records: numberOrNull(s.summary['total-records']),
    current: s.current,
  }));
}

function numberOrNull(v: string | undefined): number | null {
  return v === undefined ? null : Number(v);
}

async function snapshotsCommand(ctx: Context): Promise<number> {
  const { table } = await resolveTable(ctx, ctx.args.positionals[0]);
  const infos = snapshotsOf(table);
  print(ctx, snapshotRows(infos));
  return 0;
}

async function filesCommand(ctx: Context): Promise<number> {
  const { table, selector } = await resolveTable(ctx, ctx.args.positionals[0]);
  const files = await filesOf(table, selector);
  print(
    ctx,
    files.map((f) => ({
      path: f.path,
      format: f.format,
      records: f.records,
      size_bytes: f.sizeBytes,
      partition: jsonSafe(f.partition),
      delete_files: f.deletes.length ? f.deletes : null,
    }) as Record<string, JsonValue>),
  );
  return 0;
}

function jsonSafe(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : String(v)) : v instanceof Uint8Array ? [...v] : v)));
}

async function scanCommand(ctx: Context, engine: () => Promise<SqlEngine>): Promise<number> {
  const limit = wholeNumberFlag(ctx.args.flags, 'limit', { unit: 'rows' });
  const { table, selector } = await resolveTable(ctx, ctx.args.positionals[0]);
  // Fail on a bad snapshot before paying for the engine's start-up.
  table.snapshot(selector);
  const e = await engine();
  const result = await scanThrough({ binder: new TableBinder(e), engine: e }, table, selector, { limit });
  printArrow(ctx, result);
  return 0;
}

async function sqlCommand(ctx: Context, engine: () => Promise<SqlEngine>): Promise<number> {
  const query = ctx.args.positionals[0];
  if (!query) throw new UsageError('give the query in quotes: sql "SELECT ..."');
  await warehouse(ctx); // fails fast when there is no warehouse
  const w = await warehouse(ctx, { engine: await engine() });
  const flags = ctx.args.flags;
  const result = await w.sql(query, {
    ref: flags.get('ref'),
    snapshotId: flags.get('snapshot'),
    asOf: flags.has('as-of') ? parseTime(flags.get('as-of')!) : undefined,
  });
  printArrow(ctx, result);
  return 0;
}

async function refCommand(ctx: Context, type: 'BRANCH' | 'TAG'): Promise<number> {
  let [action = 'list', name, from] = ctx.args.positionals;
  const flags = ctx.args.flags;
  const word = type === 'BRANCH' ? 'branch' : 'tag';
  // `tag v1 [REF]` and `branch dev [REF]` are short for `create`.
  if (!['list', 'create', 'delete'].includes(action)) {
    from = name;
    name = action;
    action = 'create';
  }
  if (action === 'list') {
    const w = await warehouse(ctx);
    const refs = (await w.references()).filter((r) => r.type === type);
    print(ctx, refs.map((r) => ({ name: r.name, hash: r.hash })));
    return 0;
  }
  if (!name) throw new UsageError(`${word} ${action} needs a name`);
  const w = await warehouse(ctx, { write: true });
  if (action === 'create') {
    const source = flags.get('from') ?? from;
    const ref = type === 'BRANCH' ? await w.createBranch(name, source) : await w.tag(name, source);
    print(ctx, [{ created: word, name: ref.name, hash: ref.hash }]);
    return 0;
  }
  if (action === 'delete') {
    const ref = await w.catalog.reference(name);
    if (ref.type !== type) throw new UsageError(`'${name}' is a ${ref.type.toLowerCase()}, not a ${word}`);
    await w.deleteRef(name, flags.get('expected-hash'));
    print(ctx, [{ deleted: word, name, hash: ref.hash }]);
    return 0;
  }
  throw new UsageError(`${word} takes list, create or delete, not '${action}'`);
}

async function logCommand(ctx: Context): Promise<number> {
  const w = await warehouse(ctx);
  const ref = ctx.args.positionals[0] ?? ctx.args.flags.get('ref') ?? 'main';
  const limit = wholeNumberFlag(ctx.args.flags, 'limit', { min: 1, unit: 'commits' });
  const commits = await w.log(ref, limit);
  print(
    ctx,
    commits.map((c) => ({
      hash: c.hash,
      time: c.time,
      author: c.author,
      message: c.message,
      parents: c.parents,
      operations: c.operations.map((o) => (o.type === 'PUT' ? `PUT ${o.key} -> ${o.content.metadataLocation}` : `DELETE ${o.key}`)),
    })),
    () =>
      commits
        .map((c) => `${c.hash.slice(0, 12)}  ${c.time}  ${c.author}  ${c.message}${c.parents.length > 1 ? '  (merge)' : ''}`)
        .join('\n'),
  );
  return 0;
}

async function diffCommand(ctx: Context): Promise<number> {
  const [from, to] = ctx.args.positionals;
  if (!from || !to) throw new UsageError('diff needs two refs: diff FROM TO');
  const w = await warehouse(ctx);
  const diffs = await w.diff(from, to);
  print(
    ctx,
    diffs.map((d) => ({
      table: d.key,
      change: !d.from ? 'added' : !d.to ? 'removed' : 'changed',
      from: d.from?.metadataLocation ?? null,
      to: d.to?.metadataLocation ?? null,
    })),
  );
  return 0;
}

async function mergeCommand(ctx: Context): Promise<number> {
  const [from, into = 'main'] = ctx.args.positionals;
  if (!from) throw new UsageError('merge needs the branch to merge: merge FROM [INTO]');
  const w = await warehouse(ctx, { write: true });
  const result = await w.merge(from, into, { message: ctx.args.flags.get('message'), expectedHash: ctx.args.flags.get('expected-hash') });
  print(ctx, [{ merged: from, into, kind: result.kind, hash: result.hash, tables: result.keys }]);
  return 0;
}

async function exportCliCommand(ctx: Context): Promise<number> {
  const summary = await exportCommand({ flags: ctx.args.flags, positionals: ctx.args.positionals, warehouseDir: ctx.warehouseDir, openWarehouse: () => warehouse(ctx) });
  print(ctx, summary.tables, () =>
    `${formatRows(summary.tables)}\n\nexported ${summary.tables.length} table(s) on '${summary.ref}' for ${summary.destination}: ` +
    `${summary.files} files, ${summary.bytes} bytes, written to ${summary.written} (its README.txt says how to open them)`);
  return 0;
}

// ---------------------------------------------------------------- entry

function oneLine(text: string): string {
  return text.replace(/\s*\n+\s*/g, ' ').trim();
}

/** Exit once stdout is flushed: a pipe is written asynchronously, and exiting at once cut long --format json output short. */
function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

main(process.argv.slice(2)).then(
  (code) => exitAfterFlush(code),
  (error: unknown) => {
    const e = error as Error;
    let message = oneLine(e?.message ?? String(error));
    if (error instanceof SqlError && error.line !== undefined && error.column !== undefined) {
      message += ` (at line ${error.line}, column ${error.column})`;
    }
    if (error instanceof UsageError) message += " (run 'npm run lakehouse -- help' for the commands)";
    process.stderr.write(`lakehouse: ${message}\n`);
    exitAfterFlush(error instanceof UsageError ? 2 : 1);
  },
);
