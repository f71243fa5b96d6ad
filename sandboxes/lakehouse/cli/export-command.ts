/**
 * `npm run lakehouse -- export --ref REF --to DIR|s3://… [--zip FILE]`: the lakehouse's tables
 * on a ref, written as standard Iceberg for real engines (sandboxes/lakehouse/export).
 *
 *  - `--to DIR` alone writes the export into DIR (created if absent), every location pointing
 *    into DIR. DIR must be empty or hold a previous export (its phlo-export.json lists every
 *    file it wrote): then exactly those files are replaced, and a file the export did not
 *    write makes the command stop before it deletes anything.
 *  - `--zip FILE` writes the export as one zip instead, for unpacking at --to later; that is
 *    the only way to an `s3://bucket/prefix` destination (upload the unpacked folder with
 *    `mc cp --recursive`; this machine has no S3 client).
 * Nothing is written outside DIR (or FILE), and nothing at all when an argument is wrong.
 */
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import { NodeFsStorage } from '../storage/node-fs.ts';
import type { Warehouse } from '../warehouse.ts';
import { planExport, writeExport, parseDestination, zipExport, ExportError, EXPORT_MANIFEST, EXPORT_FORMAT, type Destination } from '../export/index.ts';
import { UsageError } from './args.ts';

export interface ExportCommandInput {
  flags: Map<string, string>;
  positionals: string[];
  warehouseDir: string;
  openWarehouse: () => Promise<Warehouse>;
}

export interface ExportSummary {
  ref: string;
  destination: string;
  written: string;
  files: number;
  bytes: number;
  tables: { table: string; snapshots: number; data_files: number; delete_files: number; metadata: string }[];
}

async function exists(path: string): Promise<boolean> {
  return fs.stat(path).then(() => true, () => false);
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isDirectory()) out.push(nodePath.relative(dir, nodePath.join(e.parentPath, e.name)).split(nodePath.sep).join('/'));
  }
  return out.sort();
}

/** A folder the export may write into: absent, empty, or holding only a previous export's files. Returns those files. */
async function previousExport(dir: string): Promise<string[]> {
  if (!(await exists(dir))) return [];
  if (!(await fs.stat(dir)).isDirectory()) throw new ExportError(`--to ${dir} is a file, not a folder; give a folder for the export.`);
  const present = await filesUnder(dir);
  if (present.length === 0) return [];
  let listed: string[] | null = null;
  try {
    const manifest = JSON.parse(await fs.readFile(nodePath.join(dir, EXPORT_MANIFEST), 'utf8')) as { format?: string; files?: unknown };
    if (manifest.format === EXPORT_FORMAT && Array.isArray(manifest.files)) listed = manifest.files.map(String);
  } catch {
    listed = null;
  }
  if (!listed) {
    throw new ExportError(`--to ${dir} is not empty and holds no previous export (no ${EXPORT_MANIFEST}); pick an empty or new folder, so nothing of yours is overwritten.`);
  }
  const foreign = present.filter((f) => !listed.includes(f));
  if (foreign.length) {
    throw new ExportError(`--to ${dir} holds a previous export plus ${foreign.length} file(s) it did not write (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}); move them away or pick another folder. Nothing was changed.`);
  }
  return present;
}

async function removeExport(dir: string, files: string[]): Promise<void> {
  for (const f of files) await fs.rm(nodePath.join(dir, f), { force: true });
  // Empty folders the old export left, deepest first; the export folder itself stays.
  const dirs = new Set<string>();
  for (const f of files) for (let d = nodePath.dirname(f); d !== '.' && d !== ''; d = nodePath.dirname(d)) dirs.add(d);
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) await fs.rmdir(nodePath.join(dir, d)).catch(() => undefined);
}

function isInside(child: string, parent: string): boolean {
  const rel = nodePath.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !nodePath.isAbsolute(rel));
}

export async function exportCommand(input: ExportCommandInput): Promise<ExportSummary> {
  const { flags } = input;
  if (input.positionals.length) throw new UsageError(`export takes no positional arguments (got '${input.positionals[0]}'); use --ref REF --to DIR|s3://bucket/prefix [--zip FILE]`);
  const to = flags.get('to');
  if (!to) throw new UsageError('export needs --to: the folder (or s3://bucket/prefix) the exported tables will live in');
  const ref = flags.get('ref') ?? 'main';
  const zipPath = flags.get('zip') ? nodePath.resolve(flags.get('zip')!) : null;
  const isS3 = /^s3:\/\//i.test(to);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(to) && !/^(s3|file):\/\//i.test(to)) throw new UsageError(`--to takes a folder or s3://bucket/prefix, not '${to}'`);
  if (isS3 && !zipPath) throw new UsageError(`--to ${to} is on S3, which this command cannot upload to: add --zip FILE, unpack it and upload the folder with mc cp --recursive`);
  let destination: Destination;
  let localDir: string | null = null;
  try {
    if (isS3) destination = parseDestination(to);
    else {
      localDir = nodePath.resolve(/^file:\/\//i.test(to) ? to.slice('file://'.length) : to);
      destination = parseDestination(localDir);
    }
  } catch (err) {
    if (err instanceof ExportError) throw new UsageError(err.message);
    throw err;
  }
  const warehouseDir = nodePath.resolve(input.warehouseDir);
  if (localDir && !zipPath && (isInside(localDir, warehouseDir) || isInside(warehouseDir, localDir))) {
    throw new UsageError(`--to ${localDir} and the warehouse ${warehouseDir} overlap; export into a folder outside the warehouse`);
  }
  if (zipPath && (await exists(zipPath))) throw new ExportError(`--zip ${zipPath} already exists; remove it or pick another file name. Nothing was written.`);
  if (zipPath && isInside(zipPath, warehouseDir)) throw new UsageError(`--zip ${zipPath} is inside the warehouse ${warehouseDir}; write it elsewhere`);
  const previous = localDir && !zipPath ? await previousExport(localDir) : [];

  const w = await input.openWarehouse();
  const plan = await planExport(w, { ref, destination });
  let bytes = 0;
  let written: string;
  if (zipPath) {
    await fs.mkdir(nodePath.dirname(zipPath), { recursive: true });
    const temp = `${zipPath}.tmp-${process.pid}`;
    const handle = await fs.open(temp, 'wx');
    try {
      bytes = await zipExport(plan, async (chunk) => { await handle.write(chunk); });
    } catch (err) {
      await handle.close();
      await fs.rm(temp, { force: true });
      throw err;
    }
    await handle.close();
    await fs.rename(temp, zipPath);
    written = zipPath;
  } else {
    await fs.mkdir(localDir!, { recursive: true });
    await removeExport(localDir!, previous);
    bytes = (await writeExport(plan, new NodeFsStorage(localDir!))).bytes;
    written = localDir!;
  }
  return {
    ref,
    destination: destination.root,
    written,
    files: plan.files.length,
    bytes,
    tables: plan.tables.map((t) => ({ table: t.name, snapshots: t.snapshots, data_files: t.dataFiles, delete_files: t.deleteFiles, metadata: t.metadataLocation })),
  };
}
