/**
 * The one seam between the lakehouse and the place its bytes live.
 *
 * Every host (Node, a Web Worker, the page) gives the lakehouse a Storage; nothing else in
 * the library touches `fs`, OPFS or `fetch`. Paths are POSIX-like and relative to the
 * storage root ("glucose/raw_entries/metadata/v1.metadata.json"), never starting with "/".
 *
 * Iceberg data and metadata files are immutable: `write` refuses to replace an existing
 * file. The only mutable things are small pointer files (a catalog's reference heads, a
 * table's version hint), and those change only through `compareAndSwap`, which is what
 * makes optimistic commits safe when two writers race.
 */
export interface Storage {
  /** A short name for messages and the UI: "memory", "node-fs", "opfs", "http". */
  readonly kind: string;
  /** False for backends that cannot write (the HTTP warehouse the site ships). */
  readonly writable: boolean;

  /** The whole file. Throws StorageError with code "not-found" when it is absent. */
  read(path: string): Promise<Uint8Array>;

  /** True when a file exists at `path`. */
  exists(path: string): Promise<boolean>;

  /**
   * Create a new file. Throws StorageError "already-exists" if the path is taken: data and
   * metadata files are write-once.
   */
  write(path: string, bytes: Uint8Array): Promise<void>;

  /** Every file path under `prefix` (recursive), sorted. An absent prefix lists nothing. */
  list(prefix: string): Promise<string[]>;

  /** Remove a file; removing an absent file is not an error. */
  delete(path: string): Promise<void>;

  /**
   * Atomically replace a small pointer file's text if it still holds `expected`
   * (`null` = the file must not exist yet). Returns false, changing nothing, when another
   * writer got there first.
   */
  compareAndSwap(path: string, expected: string | null, next: string): Promise<boolean>;
}

export type StorageErrorCode = 'not-found' | 'already-exists' | 'read-only' | 'io';

/** A storage failure that names the file and says what to do about it. */
export class StorageError extends Error {
  readonly code: StorageErrorCode;
  readonly path: string;
  constructor(code: StorageErrorCode, path: string, message: string) {
    super(message);
    this.name = 'StorageError';
    this.code = code;
    this.path = path;
  }
}
