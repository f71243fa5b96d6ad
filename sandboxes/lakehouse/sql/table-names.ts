/**
 * Which catalog tables a query mentions. We do not rewrite the learner's SQL (so DuckDB's
 * error positions stay true); we only find the qualified names in it and make a view for
 * each. Besides `namespace.table`, a quoted table part may carry a selector, in the spirit
 * of Nessie's table references:
 *   glucose."raw_entries@dev"                     on branch or tag `dev`
 *   glucose."raw_entries@5738261029384756"        Iceberg snapshot id (all digits)
 *   glucose."raw_entries#2026-01-02T00:00:00Z"    the snapshot current at that time
 *   glucose."raw_entries$snapshots"               a metadata table (snapshots, history,
 *                                                 manifests, files, entries, refs, partitions),
 *                                                 also after a selector: "raw_entries@dev$files"
 */

export interface TableMention {
  /** The name as DuckDB will see it: schema and table (the table part with its selector). */
  schema: string;
  name: string;
  /** The catalog content key (`namespace.table`). */
  key: string;
  selector: { ref?: string; snapshotId?: string; asOf?: string; metadata?: string };
}

interface Token {
  kind: 'ident' | 'dot' | 'other';
  text: string;
}

function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (c === "'") {
      let j = i + 1;
      while (j < sql.length && !(sql[j] === "'" && sql[j + 1] !== "'")) j += sql[j] === "'" ? 2 : 1;
      out.push({ kind: 'other', text: sql.slice(i, j + 1) });
      i = j + 1;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      while (j < sql.length) {
        if (sql[j] === '"') {
          if (sql[j + 1] === '"') {
            text += '"';
            j += 2;
            continue;
          }
          break;
        }
        text += sql[j];
        j++;
      }
      out.push({ kind: 'ident', text });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /[A-Za-z0-9_$]/.test(sql[j]!)) j++;
      out.push({ kind: 'ident', text: sql.slice(i, j) });
      i = j;
    } else if (c === '.') {
      out.push({ kind: 'dot', text: '.' });
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else {
      out.push({ kind: 'other', text: c });
      i++;
    }
  }
  return out;
}

/** Split `raw_entries@dev` / `raw_entries#<time>` into the table and its selector. */
export function parseTablePart(part: string): { table: string; selector: TableMention['selector'] } {
  const meta = /^(.+)\$(snapshots|history|manifests|files|entries|refs|partitions)$/.exec(part);
  if (meta) {
    const inner = parseTablePart(meta[1]!);
    return { table: inner.table, selector: { ...inner.selector, metadata: meta[2]! } };
  }
  const at = part.indexOf('@');
  if (at > 0) {
    const sel = part.slice(at + 1);
    return { table: part.slice(0, at), selector: /^-?\d+$/.test(sel) ? { snapshotId: sel } : { ref: sel } };
  }
  const hash = part.indexOf('#');
  if (hash > 0) return { table: part.slice(0, hash), selector: { asOf: part.slice(hash + 1) } };
  return { table: part, selector: {} };
}

/**
 * Qualified names in `sql` that name one of `keys` (case-insensitive, as DuckDB is),
 * deduplicated, in order of first mention.
 */
export function findTableMentions(sql: string, keys: Iterable<string>): TableMention[] {
  const byLower = new Map<string, string>();
  for (const key of keys) byLower.set(key.toLowerCase(), key);
  const tokens = tokenize(sql);
  const out: TableMention[] = [];
  const seen = new Set<string>();
  for (let i = 0; i + 2 < tokens.length; i++) {
    const [a, dot, b] = [tokens[i]!, tokens[i + 1]!, tokens[i + 2]!];
    if (a.kind !== 'ident' || dot.kind !== 'dot' || b.kind !== 'ident') continue;
    if (i > 0 && tokens[i - 1]!.kind === 'dot') continue; // part of a longer dotted name
    const { table, selector } = parseTablePart(b.text);
    const key = byLower.get(`${a.text}.${table}`.toLowerCase());
    if (!key) continue;
    const id = `${a.text.toLowerCase()}.${b.text.toLowerCase()}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ schema: a.text, name: b.text, key, selector });
  }
  return out;
}
