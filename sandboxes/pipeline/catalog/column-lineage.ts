/**
 * Column-level lineage read from a dbt model's SQL: which upstream columns each output
 * column is computed from. OpenMetadata gets the same from dbt's manifest plus its own SQL
 * parser; the miniature reads the model's final select list, which is enough for the
 * glucose project (plain selects, one CTE, window functions, aggregates).
 *
 * What it does, in order: render the model's Jinja as a full (non-incremental) build, strip
 * comments and string literals, find the outermost select list (or, for `select *` from a
 * CTE, the CTE's list), split it on top-level commas, and for every item take its output
 * name (the alias, or the column itself) and the identifiers its expression mentions.
 * The caller keeps only identifiers that are columns of the model's upstream tables.
 */
import { render, type TemplateValue } from '../transform/template.ts';

export interface DerivedColumn {
  /** Output column name. */
  name: string;
  /** Identifiers the expression mentions (lower case); not yet filtered to real columns. */
  mentions: string[];
  /** The expression as written (for display). */
  expression: string;
}

// Words of SQL's own grammar. Names that are also common column names (date, month, year,
// hour) are not here: the caller keeps only mentions that are upstream columns anyway.
const KEYWORDS = new Set(`select from where group by order having as and or not null is in case when then else end
  cast interval over partition rows between preceding following current row distinct asc desc limit with on join
  left right inner outer true false filter within nulls first last like ilike exists any all union`.split(/\s+/));

/** The model's SQL as a full build would run it, with refs and sources as bare table names. */
export function renderForLineage(name: string, file: string, raw: string): string {
  return render(raw, {
    ref: (m: string) => m,
    source: (_s: string, t: string) => t,
    config: () => {},
    var: (_n: string, d?: TemplateValue) => (d === undefined || d === null ? "''" : d),
    isIncremental: () => false,
    this: () => name,
  }, file);
}

/** Comments and string literals out (a quoted 'Flat' is not a column). */
function scrub(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, "''");
}

interface SelectBlock { depth: number; start: number; items: string[] }

/** Every `select ... from` list in the text, with its parenthesis depth. */
function selectBlocks(sql: string): SelectBlock[] {
  const blocks: SelectBlock[] = [];
  const lower = sql.toLowerCase();
  const word = /[a-z_][a-z0-9_]*/y;
  let depth = 0;
  const open: { depth: number; start: number; itemStart: number; items: string[] }[] = [];
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!;
    if (ch === '(') { depth++; continue; }
    if (ch === ')') {
      // A select inside these parentheses ends here if it had no from (e.g. a scalar list).
      const top = open.at(-1);
      if (top && top.depth === depth) {
        top.items.push(sql.slice(top.itemStart, i));
        blocks.push({ depth: top.depth, start: top.start, items: top.items });
        open.pop();
      }
      depth--;
      continue;
    }
    const top = open.at(-1);
    if (ch === ',' && top && top.depth === depth) { top.items.push(sql.slice(top.itemStart, i)); top.itemStart = i + 1; continue; }
    if (!/[a-z_]/i.test(ch) || (i > 0 && /[a-z0-9_]/i.test(sql[i - 1]!))) continue;
    word.lastIndex = i;
    const w = word.exec(lower)?.[0] ?? '';
    if (w === 'select') open.push({ depth, start: i, itemStart: i + w.length, items: [] });
    else if (w === 'from' && top && top.depth === depth) {
      top.items.push(sql.slice(top.itemStart, i));
      blocks.push({ depth: top.depth, start: top.start, items: top.items });
      open.pop();
    }
    i += Math.max(0, w.length - 1);
  }
  return blocks.sort((a, b) => a.start - b.start);
}

/** Split `expr as alias` at the last top-level AS. */
function nameOf(item: string): { name: string; expression: string } | null {
  const text = item.trim();
  let depth = 0;
  let asAt = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (depth === 0 && /\s/.test(ch!) && /^as\s/i.test(text.slice(i + 1, i + 4))) asAt = i + 1;
  }
  if (asAt >= 0) return { name: text.slice(asAt + 2).trim().replace(/"/g, ''), expression: text.slice(0, asAt).trim() };
  const bare = /^(?:[A-Za-z_][A-Za-z0-9_]*\.)?([A-Za-z_][A-Za-z0-9_]*)$/.exec(text);
  return bare ? { name: bare[1]!, expression: text } : null;
}

function mentionsOf(expression: string): string[] {
  const out = new Set<string>();
  // The target type of a cast (`cast(x as date)`) is not a column.
  const text = expression.replace(/\bas\s+[A-Za-z_][A-Za-z0-9_]*/gi, ' ');
  for (const m of text.matchAll(/([A-Za-z_][A-Za-z0-9_]*)(\s*\()?/g)) {
    const id = m[1]!.toLowerCase();
    if (m[2] || KEYWORDS.has(id)) continue;
    out.add(id);
  }
  return [...out];
}

/**
 * The output columns of a rendered model and what each one mentions. A final `select *`
 * passes through the list of the select before it (the CTE it reads); an empty result
 * means the model's columns could not be read from its SQL.
 */
export function deriveColumns(renderedSql: string): DerivedColumn[] {
  const blocks = selectBlocks(scrub(renderedSql));
  if (!blocks.length) return [];
  const minDepth = Math.min(...blocks.map((b) => b.depth));
  const outer = blocks.filter((b) => b.depth === minDepth).at(-1)!;
  let chosen = outer;
  if (outer.items.length === 1 && outer.items[0]!.trim() === '*') {
    const before = blocks.filter((b) => b.start < outer.start && !(b.items.length === 1 && b.items[0]!.trim() === '*'));
    if (!before.length) return [];
    chosen = before.at(-1)!;
  }
  const out: DerivedColumn[] = [];
  for (const item of chosen.items) {
    const named = nameOf(item);
    if (!named) continue;
    out.push({ name: named.name, expression: named.expression.replace(/\s+/g, ' '), mentions: mentionsOf(named.expression) });
  }
  return out;
}
