/**
 * How a table's "current metadata" pointer is read and moved: the seam between the Iceberg
 * format and a catalog. The file-based implementation here keeps the pointer in
 * `metadata/version-hint.text` (as Hadoop tables do) and moves it with
 * `storage.compareAndSwap`; the Nessie-style catalog implements the same interface.
 */
import type { Storage } from '../storage/storage.ts';
import { CommitConflictError } from './errors.ts';

export interface TableOperations {
  /** The current metadata location (a storage path), or null when the table does not exist. */
  current(): Promise<string | null>;
  /**
   * Point the table at `next` if it still points at `base` (`null` = create).
   * Throws CommitConflictError when `base` is stale. `next` has already been written.
   */
  commit(base: string | null, next: string): Promise<void>;
  /**
   * Optional: the file name for the next metadata version. Default
   * `NNNNN-<uuid>.metadata.json`, safe when several branches write the same table.
   */
  metadataFileName?(version: number, uuid: string): string;
  /** Name used in messages ("glucose.raw_entries" or a path). */
  readonly tableName?: string;
}

export const VERSION_HINT = 'version-hint.text';

/** Version number from a metadata file name: `v3.metadata.json` or `00003-uuid.metadata.json`. */
export function metadataVersion(location: string): number | null {
  const name = location.slice(location.lastIndexOf('/') + 1);
  const m = /^v(\d+)(?:\.gz)?\.metadata\.json(?:\.gz)?$/.exec(name) ?? /^(\d+)-[^/]*\.metadata\.json$/.exec(name);
  return m ? Number(m[1]) : null;
}

/**
 * A file-system table: the pointer is `<tableDir>/metadata/version-hint.text` holding the
 * version number N, and metadata files are `v<N>.metadata.json`.
 */
export class FileTableOperations implements TableOperations {
  readonly storage: Storage;
  readonly tableDir: string;
  readonly tableName: string;

  constructor(storage: Storage, tableDir: string) {
    this.storage = storage;
    this.tableDir = tableDir.replace(/\/+$/, '');
    this.tableName = this.tableDir;
  }

  private get hintPath(): string {
    return `${this.tableDir ? this.tableDir + '/' : ''}metadata/${VERSION_HINT}`;
  }

  private locationFor(version: string): string {
    return `${this.tableDir ? this.tableDir + '/' : ''}metadata/v${version}.metadata.json`;
  }

  metadataFileName(version: number): string {
    return `v${version}.metadata.json`;
  }

  private async hint(): Promise<string | null> {
    if (!(await this.storage.exists(this.hintPath))) return null;
    return new TextDecoder().decode(await this.storage.read(this.hintPath));
  }

  async current(): Promise<string | null> {
    const hint = await this.hint();
    if (hint === null) return null;
    const text = hint.trim().split('\n')[0];
    if (/^\d+$/.test(text)) return this.locationFor(text);
    // Some writers put a file stem (00001-uuid) in the hint.
    return `${this.tableDir ? this.tableDir + '/' : ''}metadata/${text}.metadata.json`;
  }

  async commit(base: string | null, next: string): Promise<void> {
    const nextVersion = metadataVersion(next);
    if (nextVersion === null) throw new Error(`FileTableOperations needs vN.metadata.json names; got ${next}`);
    const expectedHint = await this.expectedHint(base);
    const ok = await this.storage.compareAndSwap(this.hintPath, expectedHint, String(nextVersion));
    if (!ok) {
      const actual = await this.current();
      throw new CommitConflictError(this.tableName, { expected: base, actual });
    }
  }

  private async expectedHint(base: string | null): Promise<string | null> {
    if (base === null) return null;
    // Compare against the hint text as stored (it may have a trailing newline).
    const raw = await this.hint();
    if (raw !== null && (await this.current()) === base) return raw;
    const v = metadataVersion(base);
    return v === null ? base : String(v);
  }
}

/**
 * Run `attempt` (which reads the current table state and commits a change) until it commits
 * without a conflict. Each retry re-reads the base, so a change is re-applied on top of what
 * the other writer committed and no committed row is lost.
 */
export async function withRetry<T>(attempt: () => Promise<T>, options: { retries?: number; minWaitMs?: number } = {}): Promise<T> {
  const retries = options.retries ?? 4;
  const minWait = options.minWaitMs ?? 0;
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof CommitConflictError) || i >= retries) throw err;
      if (minWait) await new Promise((r) => setTimeout(r, minWait * 2 ** i));
    }
  }
}
