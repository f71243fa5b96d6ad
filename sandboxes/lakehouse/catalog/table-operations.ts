/**
 * Iceberg tables kept in the catalog: the table's "current metadata" pointer is the content
 * of its key on a branch. A table commit writes a new metadata file (the Iceberg core does
 * that) and then asks for a catalog commit that Puts the key to the new file, on the
 * branch, with the branch hash seen when the table was read as the expected hash. So every
 * table commit on a branch is a catalog commit, and table writes on a branch are invisible
 * on `main` until the branch is merged: that is Write-Audit-Publish.
 */
import type { TableOperations } from '../iceberg/table-operations.ts';
import { CommitConflictError } from '../iceberg/errors.ts';
import type { Catalog } from './catalog.ts';
import { ReferenceConflictError } from './errors.ts';

export interface CatalogTableOperationsOptions {
  /** Commit message for the next table commit; default describes the Iceberg snapshot. */
  message?: (base: string | null, next: string) => string | Promise<string>;
  author?: string;
}

export class CatalogTableOperations implements TableOperations {
  readonly catalog: Catalog;
  readonly key: string;
  readonly branch: string;
  readonly tableName: string;
  private readonly options: CatalogTableOperationsOptions;
  /** Branch head when `current()` last read the pointer: the expected hash of the next commit. */
  private seenHash: string | undefined;

  constructor(catalog: Catalog, key: string, branch: string, options: CatalogTableOperationsOptions = {}) {
    this.catalog = catalog;
    this.key = key;
    this.branch = branch;
    this.tableName = key;
    this.options = options;
  }

  async current(): Promise<string | null> {
    const ref = await this.catalog.reference(this.branch);
    this.seenHash = ref.hash;
    const tree = await this.catalog.readTree((await this.catalog.readCommit(ref.hash)).tree);
    return tree[this.key]?.metadataLocation ?? null;
  }

  async commit(base: string | null, next: string): Promise<void> {
    const message = this.options.message ? await this.options.message(base, next) : `${base ? 'commit' : 'create'} ${this.key}`;
    try {
      const commit = await this.catalog.commit(
        this.branch,
        [{ type: 'PUT', key: this.key, metadataLocation: next }],
        { message, author: this.options.author, expectedHash: this.seenHash, expectedContents: { [this.key]: base } },
      );
      this.seenHash = commit.hash;
    } catch (error) {
      if (error instanceof ReferenceConflictError) {
        let actual: string | null = null;
        try {
          actual = await this.current();
        } catch {
          // report what we know
        }
        throw new CommitConflictError(`${this.key} on '${this.branch}'`, { expected: base, actual });
      }
      throw error;
    }
  }

  metadataFileName(version: number, uuid: string): string {
    return `${String(version).padStart(5, '0')}-${uuid}.metadata.json`;
  }
}

/** Where a table's files live in the warehouse storage: `glucose.raw_entries` -> `glucose/raw_entries`. */
export function tableDirFor(key: string): string {
  return key.split('.').join('/');
}
