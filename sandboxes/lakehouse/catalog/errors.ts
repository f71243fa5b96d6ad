/**
 * Catalog failures as values a person can act on. Codes follow Nessie's error codes where
 * one fits (REFERENCE_NOT_FOUND, REFERENCE_CONFLICT, ...), so the lessons can name them.
 */

export type CatalogErrorCode =
  | 'REFERENCE_NOT_FOUND'
  | 'REFERENCE_ALREADY_EXISTS'
  | 'REFERENCE_CONFLICT'
  | 'MERGE_CONFLICT'
  | 'CONTENT_NOT_FOUND'
  | 'BAD_REQUEST'
  | 'READ_ONLY'
  | 'CORRUPT';

export class CatalogError extends Error {
  readonly code: CatalogErrorCode;
  constructor(code: CatalogErrorCode, message: string) {
    super(message);
    this.name = 'CatalogError';
    this.code = code;
  }
}

/** A reference moved since the caller looked at it (Nessie: 409 REFERENCE_CONFLICT). */
export class ReferenceConflictError extends CatalogError {
  readonly ref: string;
  readonly expectedHash: string | null;
  readonly actualHash: string | null;
  /** Keys that changed between the expected hash and the head, when that is the reason. */
  readonly keys: string[];
  constructor(ref: string, expectedHash: string | null, actualHash: string | null, keys: string[], message: string) {
    super('REFERENCE_CONFLICT', message);
    this.name = 'ReferenceConflictError';
    this.ref = ref;
    this.expectedHash = expectedHash;
    this.actualHash = actualHash;
    this.keys = keys;
  }
}

/** Both sides of a merge changed the same content keys. Nothing was written. */
export class MergeConflictError extends CatalogError {
  readonly from: string;
  readonly into: string;
  readonly keys: string[];
  readonly commonAncestor: string;
  constructor(from: string, into: string, keys: string[], commonAncestor: string) {
    super(
      'MERGE_CONFLICT',
      `cannot merge '${from}' into '${into}': both changed ${keys.map((k) => `'${k}'`).join(', ')} ` +
        `since their common ancestor ${shortHash(commonAncestor)}. Nothing was merged. ` +
        `Re-apply the change on top of '${into}' (branch again from '${into}' and rewrite those tables), ` +
        `or drop the branch if its change is no longer wanted.`,
    );
    this.name = 'MergeConflictError';
    this.from = from;
    this.into = into;
    this.keys = keys;
    this.commonAncestor = commonAncestor;
  }
}

export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}
