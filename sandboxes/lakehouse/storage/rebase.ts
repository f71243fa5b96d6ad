/**
 * Re-basing: map a location written by another engine onto a table directory in a Storage.
 *
 * Iceberg v1-v3 metadata stores fully qualified URIs (`s3a://bucket/wh/t/data/x.parquet`,
 * `hdfs://nn:8020/wh/t/...`, `file:/tmp/t/...`). A copied table lives elsewhere, so we find
 * the table's own location inside the path and replace it with where the table now is.
 * Scheme and authority (bucket, host:port) are compared loosely because engines disagree
 * (Impala stripped `hdfs://localhost:20500` from manifests but not from delete files).
 */

/** Strip `scheme:` and `//authority`, keeping the path part with a leading "/". */
export function stripScheme(uri: string): string {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/.exec(uri);
  if (!m || m[1].length === 1) return uri; // "C:" style or no scheme
  let rest = m[2];
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    rest = slash < 0 ? '/' : rest.slice(slash);
  }
  return rest.replace(/\/{2,}/g, '/');
}

function trimSlashes(p: string): string {
  return p.replace(/\/+$/, '');
}

function join(dir: string, rest: string): string {
  const d = trimSlashes(dir);
  const r = rest.replace(/^\/+/, '');
  return d ? (r ? `${d}/${r}` : d) : r;
}

/**
 * Map `path` (as written in metadata) to a storage path under `tableDir`, given the
 * table's `location` from its metadata. Returns null when the path is not under the table.
 */
export function rebaseLocation(path: string, tableLocation: string, tableDir: string): string | null {
  const p = stripScheme(path);
  const loc = trimSlashes(stripScheme(tableLocation));
  if (loc && (p === loc || p.startsWith(loc + '/'))) return join(tableDir, p.slice(loc.length));
  // The same location with the bucket/host kept as a path segment (s3 paths stripped by hand).
  const withAuthority = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/(.*)$/.exec(tableLocation)?.[1];
  if (withAuthority) {
    const l2 = '/' + trimSlashes(withAuthority);
    if (p === l2 || p.startsWith(l2 + '/')) return join(tableDir, p.slice(l2.length));
  }
  // A relative path (allowed from v4, written by some tools) is relative to the table.
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(path) && !path.startsWith('/')) {
    const rel = path.replace(/^\.\//, '');
    const relLoc = trimSlashes(tableLocation.replace(/^\.\//, ''));
    if (relLoc && (rel === relLoc || rel.startsWith(relLoc + '/'))) return join(tableDir, rel.slice(relLoc.length));
    return join(tableDir, rel);
  }
  // The table was moved: fall back to the last "/metadata/" or "/data/" segment.
  const idx = Math.max(p.lastIndexOf('/metadata/'), p.lastIndexOf('/data/'));
  if (idx >= 0) {
    const tail = p.slice(idx);
    if (loc.length > 0 && tail) return join(tableDir, tail);
  }
  return null;
}

/** A resolver for one table: every metadata path -> storage path, with a clear error. */
export function makeResolver(tableLocation: string, tableDir: string): (path: string) => string {
  return (path: string) => {
    const r = rebaseLocation(path, tableLocation, tableDir);
    if (r === null) {
      throw new Error(`Path "${path}" is not under the table location "${tableLocation}", so it cannot be found in "${tableDir}".`);
    }
    return r;
  };
}
