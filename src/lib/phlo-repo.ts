/**
 * Every link to the Phlo repository is built here, pinned to one commit, so that the
 * series never drifts with the repository's main branch. The commit is the one the
 * facts sheet (shared/phlo-facts.md) was checked against.
 */
export const PHLO_REPO = 'https://github.com/iamgp/phlo';
export const PHLO_COMMIT = '0fb5f06a382e60d31bb10b816610baf2138dbbf8';
export const PHLO_COMMIT_SHORT = PHLO_COMMIT.slice(0, 7);

export interface PhloRef {
  /** Path inside the repository, e.g. "src/phlo/ingestion/decorator.py". */
  path: string;
  /** A line or an inclusive line range to highlight on GitHub. */
  line?: number;
  lines?: readonly [number, number];
}

/** The pinned GitHub URL of a file or folder (folders end with "/"). */
export function phloUrl({ path, line, lines }: PhloRef): string {
  const clean = path.replace(/^\/+/, '');
  if (!clean || clean.includes('..')) {
    throw new Error(`PhloLink: "${path}" is not a path inside the Phlo repository`);
  }
  const kind = clean.endsWith('/') ? 'tree' : 'blob';
  const base = `${PHLO_REPO}/${kind}/${PHLO_COMMIT}/${clean.replace(/\/$/, '')}`;
  if (lines) return `${base}#L${lines[0]}-L${lines[1]}`;
  if (line) return `${base}#L${line}`;
  return base;
}
