/**
 * Checking a commit or tree file before the catalog trusts it (issue 13, item 3).
 *
 * Commits and trees are content addressed: the file `commits/<hash>.json` must hold exactly
 * the object whose canonical JSON hashes to <hash>. A file edited by hand, half written or
 * swapped for another no longer does, and reading it anyway is how a history came to loop
 * (a commit rewritten to name a later commit as its parent) and hang `log` for good. So each
 * object is hashed on read and its shape checked with zod; anything else is CORRUPT, with
 * the file named.
 */
import { z } from 'zod';

// Zod probes `new Function` to compile faster validators; the site's CSP has no 'unsafe-eval',
// so the probe is a CSP violation in the page. Validate without it (same results).
z.config({ jitless: true });
import { CatalogError } from './errors.ts';
import { hashOf } from './hash.ts';
import type { CatalogTree, CommitObject } from './model.ts';

const hash = z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected a 64-character hash' });
const content = z.looseObject({
  type: z.literal('ICEBERG_TABLE'),
  id: z.string(),
  metadataLocation: z.string(),
  snapshotId: z.string().nullish(),
});
const commitObject = z.looseObject({
  parents: z.array(hash),
  tree: hash,
  author: z.string(),
  message: z.string(),
  time: z.string().refine((t) => !Number.isNaN(Date.parse(t)), { error: 'expected an ISO-8601 time' }),
  operations: z.array(
    z.union([
      z.looseObject({ type: z.literal('PUT'), key: z.string(), content }),
      z.looseObject({ type: z.literal('DELETE'), key: z.string() }),
    ], { error: 'expected a PUT or DELETE operation' }),
  ),
});
const catalogTree = z.record(z.string(), content);

const ARTICLE: Record<string, string> = { array: 'an array', object: 'an object', string: 'a string', record: 'an object' };

function problems(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const field = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') || '(the file)';
      const what = i.code === 'invalid_type' ? `expected ${ARTICLE[i.expected] ?? i.expected}` : i.message;
      return `${field}: ${what}`;
    })
    .join('; ');
}

async function verify<T>(schema: z.ZodType<T>, value: unknown, expectedHash: string, path: string, what: string): Promise<T> {
  const res = schema.safeParse(value);
  if (!res.success) {
    throw new CatalogError('CORRUPT', `${what} is not a valid catalog object (${path}): ${problems(res.error)}. The file was changed after it was written; restore it from a copy of the warehouse.`);
  }
  const actual = await hashOf(value);
  if (actual !== expectedHash) {
    throw new CatalogError('CORRUPT', `${what} does not match its hash (${path} hashes to ${actual.slice(0, 12)}): the file was changed after it was written. Nothing was read from it; restore it from a copy of the warehouse.`);
  }
  return res.data;
}

export function verifyCommit(value: unknown, expectedHash: string, path: string, what: string): Promise<CommitObject> {
  return verify(commitObject as unknown as z.ZodType<CommitObject>, value, expectedHash, path, what);
}

export function verifyTree(value: unknown, expectedHash: string, path: string, what: string): Promise<CatalogTree> {
  return verify(catalogTree as unknown as z.ZodType<CatalogTree>, value, expectedHash, path, what);
}
