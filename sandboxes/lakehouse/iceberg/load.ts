/**
 * Finding and loading a table's metadata file.
 */
import type { Storage } from '../storage/storage.ts';
import { StorageError } from '../storage/storage.ts';
import { makeResolver } from '../storage/rebase.ts';
import type { TableMetadata } from './types.ts';
import { decodeMetadataBytes, parseMetadata } from './metadata.ts';
import { metadataVersion, type TableOperations } from './table-operations.ts';
import { IcebergError } from './errors.ts';

const join = (dir: string, name: string) => (dir ? `${dir.replace(/\/+$/, '')}/${name}` : name);

/**
 * The current metadata file of a table directory without a catalog: the version hint if
 * present (`version-hint.text`, or Impala's `version-hint.txt`), else the highest version
 * among `metadata/*.metadata.json`.
 */
export async function findCurrentMetadata(storage: Storage, tableDir: string): Promise<string> {
  const metaDir = join(tableDir, 'metadata');
  for (const hintName of ['version-hint.text', 'version-hint.txt']) {
    const hintPath = join(metaDir, hintName);
    if (await storage.exists(hintPath)) {
      const hint = new TextDecoder().decode(await storage.read(hintPath)).trim().split('\n')[0].trim();
      const candidates = /^\d+$/.test(hint) ? [join(metaDir, `v${hint}.metadata.json`), join(metaDir, `v${hint}.gz.metadata.json`)] : [join(metaDir, `${hint}.metadata.json`)];
      for (const c of candidates) if (await storage.exists(c)) return c;
    }
  }
  const files = (await storage.list(metaDir)).filter((f) => /\.metadata\.json(\.gz)?$/.test(f));
  if (!files.length) {
    throw new IcebergError(`No Iceberg table at "${tableDir}": there is no ${metaDir}/*.metadata.json. Check the path, or pass the metadata file explicitly.`, { file: metaDir });
  }
  const ranked = files
    .map((f) => ({ f, v: metadataVersion(f) ?? -1 }))
    .sort((a, b) => a.v - b.v || (a.f < b.f ? -1 : 1));
  return ranked[ranked.length - 1].f;
}

export async function readMetadataFile(storage: Storage, location: string): Promise<TableMetadata> {
  let bytes: Uint8Array;
  try {
    bytes = await storage.read(location);
  } catch (err) {
    if (err instanceof StorageError && err.code === 'not-found') {
      throw new IcebergError(`Table metadata file ${location} is missing. Point the table at an existing metadata version.`, { file: location, cause: err });
    }
    throw err;
  }
  return parseMetadata(await decodeMetadataBytes(bytes, location), location);
}

export interface LoadedMetadata {
  metadata: TableMetadata;
  metadataLocation: string;
  resolve: (path: string) => string;
}

export async function loadMetadata(storage: Storage, tableDir: string, opts: { ops?: TableOperations; metadataFile?: string } = {}): Promise<LoadedMetadata> {
  let location: string | null;
  if (opts.metadataFile) {
    const f = opts.metadataFile;
    location = (await storage.exists(f)) ? f : (await storage.exists(join(join(tableDir, 'metadata'), f))) ? join(join(tableDir, 'metadata'), f) : f;
  } else if (opts.ops) {
    location = await opts.ops.current();
    if (location === null) throw new IcebergError(`Table ${opts.ops.tableName ?? tableDir} does not exist yet; create it first.`);
  } else {
    location = await findCurrentMetadata(storage, tableDir);
  }
  const metadata = await readMetadataFile(storage, location);
  return { metadata, metadataLocation: location, resolve: makeResolver(metadata.location, tableDir) };
}
