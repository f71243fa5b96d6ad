/**
 * Export: every table on one catalog ref as standard Iceberg that real engines open, with
 * every location moved to a destination the learner chose (see destination.ts).
 *
 * The warehouse keeps locations relative to its own root (it is relocatable, and the browser
 * reads it over HTTP); DuckDB, PyIceberg, Spark and Trino need them absolute. So the export
 * writes, per table, under `<namespace>/<table>/`:
 *  - the metadata JSON the ref points at, and every earlier one its `metadata-log` names, with
 *    `location`, `metadata-log`, each snapshot's `manifest-list` (and statistics) relocated;
 *  - every manifest list of those snapshots, with `manifest_path` relocated and
 *    `manifest_length` set to the rewritten manifest's length;
 *  - every manifest, with `data_file.file_path` relocated;
 *  - position delete files rewritten (their rows name data files), with the manifest entry's
 *    file size and `file_path` bounds updated; data and equality delete files copied as they are;
 *  - `metadata/version-hint.text` naming the current metadata file.
 * Nothing else: files of other refs, or no longer reachable, stay behind. At the root go
 * README.txt (how to open the tables in each engine) and phlo-export.json (what was written,
 * so a later export into the same folder knows which files it may replace).
 *
 * The plan is computed first (metadata is small and is rewritten in memory); data files are
 * read from storage only when a sink asks for them, so a large export streams.
 * Same warehouse state, ref and destination → the same files, byte for byte.
 */
import type { Storage } from '../storage/storage.ts';
import { StorageError } from '../storage/storage.ts';
import type { Catalog } from '../catalog/catalog.ts';
import { tableDirFor } from '../catalog/table-operations.ts';
import { makeResolver } from '../storage/rebase.ts';
import { decodeMetadataBytes } from '../iceberg/metadata.ts';
import { stringifyJson } from '../iceberg/json.ts';
import { ExportError, locate, parseDestination, type Destination } from './destination.ts';
import { parseMetadataJson, rewriteManifest, rewriteManifestList, rewriteMetadata, rewritePositionDeletes } from './rewrite.ts';
import { readManifestList } from '../iceberg/manifest.ts';
import { exportReadme } from './readme.ts';

/** What an export reads: a Warehouse has both. */
export interface ExportSource {
  storage: Storage;
  catalog: Catalog;
}

export interface ExportFile {
  /** Relative to the export root, `/`-separated: `glucose/raw_entries/metadata/…`. */
  path: string;
  /** The bytes (read from the source warehouse on demand for copied files). */
  read(): Promise<Uint8Array>;
}

export interface ExportedTable {
  /** Catalog name, `glucose.raw_entries`. */
  name: string;
  namespace: string;
  table: string;
  /** The table folder, relative to the export root. */
  dir: string;
  /** Where engines find it: the table location and its current metadata file. */
  location: string;
  metadataLocation: string;
  metadataFileName: string;
  currentSnapshotId: string | null;
  snapshots: number;
  dataFiles: number;
  deleteFiles: number;
}

export interface ExportPlan {
  ref: string;
  /** The catalog commit the ref pointed at when the plan was made. */
  commit: string;
  destination: Destination;
  tables: ExportedTable[];
  /** Every file of the export, sorted by path (README.txt and phlo-export.json included). */
  files: ExportFile[];
}

export const EXPORT_MANIFEST = 'phlo-export.json';
export const EXPORT_FORMAT = 'phlo-lakehouse-export';

const enc = new TextEncoder();
const bytesFile = (path: string, bytes: Uint8Array): ExportFile => ({ path, read: async () => bytes });

/** A file the metadata names is not in the warehouse. */
class MissingFileError extends ExportError {}

async function readSource(storage: Storage, path: string, what: string, table: string): Promise<Uint8Array> {
  try {
    return await storage.read(path);
  } catch (err) {
    if (err instanceof StorageError && err.code === 'not-found') {
      throw new MissingFileError(`${what} ${path} of table ${table} is missing from the warehouse, so the table cannot be exported whole; nothing was written.`, { cause: err });
    }
    throw err;
  }
}

/** Plan the export of every table on `ref` to `destination` (a Destination or the text a learner typed). */
export async function planExport(source: ExportSource, options: { ref: string; destination: Destination | string }): Promise<ExportPlan> {
  const destination = typeof options.destination === 'string' ? parseDestination(options.destination) : options.destination;
  const { hash } = await source.catalog.resolve(options.ref);
  // The tree at the resolved commit, not the ref again: a writer moving the ref meanwhile
  // cannot mix two states into one export.
  const tree = await source.catalog.entries(hash);
  const files: ExportFile[] = [];
  const tables: ExportedTable[] = [];
  for (const name of Object.keys(tree).sort()) {
    const planned = await planTable(source.storage, name, tree[name]!.metadataLocation, destination);
    tables.push(planned.table);
    files.push(...planned.files);
  }
  const manifest = {
    format: EXPORT_FORMAT,
    version: 1,
    ref: options.ref,
    commit: hash,
    destination: destination.root,
    tables: tables.map((t) => ({ name: t.name, metadata: t.metadataLocation, snapshot: t.currentSnapshotId })),
    files: [...files.map((f) => f.path), 'README.txt', EXPORT_MANIFEST].sort(),
  };
  files.push(bytesFile('README.txt', enc.encode(exportReadme({ ref: options.ref, commit: hash, destination, tables }))));
  files.push(bytesFile(EXPORT_MANIFEST, enc.encode(stringifyJson(manifest) + '\n')));
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { ref: options.ref, commit: hash, destination, tables, files };
}

async function planTable(storage: Storage, name: string, metadataLocation: string, destination: Destination): Promise<{ table: ExportedTable; files: ExportFile[] }> {
  const dir = tableDirFor(name);
  const tableLocation = locate(destination, dir);
  const files = new Map<string, ExportFile>();
  const add = (f: ExportFile) => { if (!files.has(f.path)) files.set(f.path, f); };
  /** Source storage path of a location in this table's metadata, checked to be inside the table. */
  let resolve = (location: string): string => location;
  const inside = (location: string): string => {
    let path: string;
    try {
      path = resolve(location);
    } catch (err) {
      throw new ExportError(`table ${name} names ${location}, which is not inside the table's folder; an export carries each table's own files only.`, { cause: err });
    }
    if (!path.startsWith(`${dir}/`) || path.split('/').includes('..')) {
      throw new ExportError(`table ${name} names ${location}, which is not inside the table's folder (${dir}/); an export carries each table's own files only.`);
    }
    return path;
  };
  const relocate = (location: string) => locate(destination, inside(location));

  // Metadata files: the current one and, transitively, the ones its metadata-log names.
  const metadataQueue = [metadataLocation];
  const seenMetadata = new Set<string>();
  const manifestLists = new Set<string>();
  const inlineManifests = new Set<string>();
  let current: { raw: Record<string, unknown>; fileName: string } | null = null;
  let currentResolve: ((location: string) => string) | null = null;
  const requiredLists = new Set<string>();
  let snapshots = 0;
  while (metadataQueue.length) {
    const location = metadataQueue.shift()!;
    const path: string = current ? inside(location) : location;
    if (!path.startsWith(`${dir}/metadata/`)) throw new ExportError(`the catalog points table ${name} at ${path}, outside its folder ${dir}/metadata/; the export carries each table's own files only.`);
    if (seenMetadata.has(path)) continue;
    seenMetadata.add(path);
    const bytes = await readSource(storage, path, 'metadata file', name);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) throw new ExportError(`metadata file ${path} of table ${name} is gzip-compressed; the export writes plain JSON only.`);
    const text = await decodeMetadataBytes(bytes, path);
    const raw = parseMetadataJson(text, path);
    // Resolve this file's locations against its own `location` (where its writer put the table).
    resolve = makeResolver(raw.location as string, dir);
    const rewritten = rewriteMetadata(raw, tableLocation, relocate);
    if (!current) {
      current = { raw: rewritten.raw, fileName: path.slice(path.lastIndexOf('/') + 1) };
      currentResolve = resolve;
      for (const l of rewritten.locations.manifestLists) requiredLists.add(inside(l));
      snapshots = Array.isArray(rewritten.raw.snapshots) ? rewritten.raw.snapshots.length : 0;
    }
    add(bytesFile(path, enc.encode(rewritten.text)));
    for (const l of rewritten.locations.manifestLists) manifestLists.add(inside(l));
    for (const m of rewritten.locations.manifests) inlineManifests.add(inside(m));
    for (const s of rewritten.locations.statistics) { const p = inside(s); add({ path: p, read: () => readSource(storage, p, 'statistics file', name) }); }
    metadataQueue.push(...rewritten.locations.previous);
  }

  // Manifests (each once, whatever lists share it), with their data and delete files.
  const manifests = new Map<string, Promise<bigint>>();
  const deleteFiles = new Map<string, Promise<bigint>>();
  const dataFiles = new Set<string>();
  const equalityDeletes = new Set<string>();
  // A DELETED entry's file belongs to no snapshot of the manifest's own: readers never open
  // it, and expiring snapshots may have removed it. Its location is relocated like the rest,
  // and the file is exported only if a live entry (or, for a delete file, the file itself) is there.
  const rewriteDelete = async (filePath: string, live: boolean): Promise<{ size: bigint | null }> => {
    const p = inside(filePath);
    if (!live && !deleteFiles.has(p) && !(await storage.exists(p))) return { size: null };
    let pending = deleteFiles.get(p);
    if (!pending) {
      pending = (async () => {
        const bytes = await rewritePositionDeletes(await readSource(storage, p, 'position delete file', name), p, relocate);
        add(bytesFile(p, bytes));
        return BigInt(bytes.length);
      })();
      deleteFiles.set(p, pending);
    }
    return { size: await pending };
  };
  const manifest = (location: string): Promise<bigint> => {
    const p = inside(location);
    let pending = manifests.get(p);
    if (!pending) {
      pending = (async () => {
        const source = await readSource(storage, p, 'manifest', name);
        const { bytes, files: listed } = await rewriteManifest(source, p, locate(destination, p), relocate, rewriteDelete);
        for (const f of listed) {
          if (f.content === 1 || f.status === 2) continue;
          const fp = inside(f.filePath);
          if (f.content === 2) equalityDeletes.add(fp);
          else dataFiles.add(fp);
          add({ path: fp, read: () => readSource(storage, fp, f.content === 2 ? 'equality delete file' : 'data file', name) });
        }
        add(bytesFile(p, bytes));
        return BigInt(bytes.length);
      })();
      manifests.set(p, pending);
    }
    return pending;
  };
  const exportList = async (list: string) => {
    const source = await readSource(storage, list, 'manifest list', name);
    // Manifests first: the list records each one's rewritten length.
    const entries = await readManifestList(source, list);
    const lengths = new Map<string, bigint>();
    for (const e of entries) lengths.set(e.manifestPath, await manifest(e.manifestPath));
    add(bytesFile(list, await rewriteManifestList(source, list, locate(destination, list), relocate, (m) => lengths.get(m)!)));
  };
  resolve = currentResolve!;
  for (const m of inlineManifests) await manifest(m);
  for (const list of [...requiredLists].sort()) await exportList(list);
  // Snapshots only earlier metadata files name (expired since): exported when still whole,
  // left out (as dangling as in the source) when expiry removed their files.
  for (const list of [...manifestLists].filter((l) => !requiredLists.has(l)).sort()) {
    try {
      await exportList(list);
    } catch (err) {
      if (!(err instanceof MissingFileError)) throw err;
    }
  }

  const fileName = current!.fileName;
  add(bytesFile(`${dir}/metadata/version-hint.text`, enc.encode(fileName.replace(/\.metadata\.json$/, '') + '\n')));
  const dot = name.lastIndexOf('.');
  const currentId = current!.raw['current-snapshot-id'];
  return {
    table: {
      name,
      namespace: name.slice(0, dot),
      table: name.slice(dot + 1),
      dir,
      location: tableLocation,
      metadataLocation: locate(destination, `${dir}/metadata/${fileName}`),
      metadataFileName: fileName,
      currentSnapshotId: currentId === null || currentId === undefined || String(currentId) === '-1' ? null : String(currentId),
      snapshots,
      dataFiles: dataFiles.size,
      deleteFiles: deleteFiles.size + equalityDeletes.size,
    },
    files: [...files.values()],
  };
}

/** A plan's file path is relative, `/`-separated and never climbs out of the export root. */
export function checkExportPath(path: string): void {
  if (!path || path.startsWith('/') || path.includes('\\') || /^[a-zA-Z]:/.test(path) || path.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw new ExportError(`refusing to write '${path}': an export writes only inside its destination folder.`);
  }
}

/** Write every file of a plan into `storage` (rooted at the export folder), in path order. */
export async function writeExport(plan: ExportPlan, storage: Storage, onFile?: (path: string, bytes: number) => void): Promise<{ files: number; bytes: number }> {
  let bytes = 0;
  for (const f of plan.files) checkExportPath(f.path);
  for (const f of plan.files) {
    const data = await f.read();
    await storage.write(f.path, data);
    bytes += data.length;
    onFile?.(f.path, data.length);
  }
  return { files: plan.files.length, bytes };
}
