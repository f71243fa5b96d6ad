/**
 * Errors a person can act on: each names the table and file involved and says what to do.
 */
export class IcebergError extends Error {
  /** The file (storage path or metadata location) the problem is in, when there is one. */
  readonly file?: string;
  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IcebergError';
    this.file = options.file;
  }
}

/** A commit lost the race: another writer moved the table since `base` was read. */
export class CommitConflictError extends IcebergError {
  readonly table: string;
  readonly expectedSnapshotId: bigint | null;
  readonly actualSnapshotId: bigint | null;
  constructor(table: string, detail: { expected: string | null; actual: string | null; expectedSnapshotId?: bigint | null; actualSnapshotId?: bigint | null }) {
    const exp = detail.expectedSnapshotId ?? null;
    const act = detail.actualSnapshotId ?? null;
    const snapNote = act !== null || exp !== null ? ` (current snapshot moved from ${exp ?? 'none'} to ${act ?? 'none'})` : '';
    super(`Commit conflict on table "${table}": it changed since this change was prepared: expected metadata ${detail.expected ?? '(new table)'}, found ${detail.actual ?? '(no table)'}${snapNote}. Reload the table and apply the change again (withRetry does this).`);
    this.name = 'CommitConflictError';
    this.table = table;
    this.expectedSnapshotId = exp;
    this.actualSnapshotId = act;
  }
}
