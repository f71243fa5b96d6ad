/**
 * The catalog's vocabulary, taken from Project Nessie: a content key names a table
 * ("glucose.raw_entries"), a commit records Put/Delete operations on content keys, and
 * references (branches and tags) point at commits.
 */

/** What a content key points at: one Iceberg metadata file, as Nessie's IcebergTable does. */
export interface IcebergTableContent {
  type: 'ICEBERG_TABLE';
  /** Stable id kept across branches and merges; a drop + re-create gets a new one. */
  id: string;
  metadataLocation: string;
  /** The table's current snapshot in that metadata file, when the writer told us. */
  snapshotId?: string | null;
}

export type Content = IcebergTableContent;

export type Operation =
  | { type: 'PUT'; key: string; content: Content }
  | { type: 'DELETE'; key: string };

/** An immutable commit. Its hash is the SHA-256 of exactly these fields. */
export interface CommitObject {
  /** First parent is the branch's previous head; a merge commit adds the merged head. */
  parents: string[];
  /** Hash of the full key -> content map after this commit (see CatalogTree). */
  tree: string;
  author: string;
  message: string;
  /** ISO-8601 UTC; from the catalog's clock, so deterministic builds give stable hashes. */
  time: string;
  operations: Operation[];
}

export interface Commit extends CommitObject {
  hash: string;
}

/** Every key visible at a commit. Stored content-addressed, shared by equal states. */
export type CatalogTree = Record<string, Content>;

export type ReferenceType = 'BRANCH' | 'TAG';

export interface Reference {
  type: ReferenceType;
  name: string;
  hash: string;
}

/** One changed key between two commits; `from`/`to` absent = key absent on that side. */
export interface KeyDiff {
  key: string;
  from?: Content;
  to?: Content;
}

export interface MergeResult {
  /** 'fast-forward': target ref moved to the source head; 'merge-commit': a new commit
   * with two parents; 'up-to-date': the source was already contained in the target. */
  kind: 'fast-forward' | 'merge-commit' | 'up-to-date';
  /** Target head after the merge. */
  hash: string;
  commonAncestor: string;
  /** Keys the merge brought over from the source. */
  keys: string[];
}

export const DEFAULT_BRANCH = 'main';
