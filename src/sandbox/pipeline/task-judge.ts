/**
 * How every kind of task check is judged, in one place for the page (ui/exercises.ts) and
 * the Node section tests (tests/unit/sections/prebuilt-section.ts): each side only says how
 * to read the learner's state (`TaskFacts`), so the browser and the tests cannot judge a
 * task differently.
 *
 * A failed check explains itself in the learner's terms: which rows differ (the first few
 * shown), what the last run did instead, what the check query found.
 */
import type * as arrow from 'apache-arrow';
import { tableToRows, type JsonValue } from '../../../sandboxes/lakehouse/sql/rows.ts';
import type { TaskCheck } from '../sections/types.ts';
import { judgeRun, type RunSummary } from './run-summary.ts';
import { scaleRunsCover, type ScaleRecord } from '../../../sandboxes/pipeline/orchestrate/scale-record.ts';
import { catalogAnswer, sameAnswer, runContract, judgeContract, type ProjectCatalog } from '../../../sandboxes/pipeline/catalog/tasks.ts';
import type { PgAnswer } from './postgres-query.ts';

export interface Outcome {
  passed: boolean;
  detail: string;
}

/** A query result as the judge compares it: column names and rows of JSON values. */
export interface QueryRows {
  columns: string[];
  rows: JsonValue[][];
  /** Rows in the whole result when known without reading `rows` (a large console result). */
  rowCount?: number;
}

export function queryRows(table: arrow.Table): QueryRows {
  const columns = table.schema.fields.map((f) => f.name);
  return { columns, rows: tableToRows(table).map((r) => columns.map((c) => r[c] ?? null)) };
}

/** How to read the learner's state; the page and the Node harness each provide one. */
export interface TaskFacts {
  query(sql: string, ref: string): Promise<QueryRows>;
  /** The learner's last result in the SQL console (null: no query run yet). */
  lastQuery(): QueryRows | null;
  refs(): Promise<{ name: string; type: 'BRANCH' | 'TAG'; hash: string }[]>;
  /** Commit hashes of a ref's history. */
  log(ref: string): Promise<string[]>;
  snapshotCount(table: string, ref: string): Promise<number>;
  lastRun(): RunSummary | null;
  scaleRuns(): Promise<ScaleRecord[]>;
  /** A Postgres query on the published marts; null when the section has no Postgres. */
  postgres(sql: string): Promise<PgAnswer> | null;
  /** Part 10: the catalog of `ref` with the learner's edited project files. */
  catalog(ref: string): Promise<ProjectCatalog>;
  /** Part 10: what the learner typed for a catalog-answer task. */
  typedAnswer(check: Extract<TaskCheck, { kind: 'catalog-answer' }>): string | null;
}

const isTrue = (v: unknown) => v === true || v === 'true' || v === 1;

/** A value as the learner would type it in a result: strings plain, numbers rounded to 12 digits. */
function canonical(v: JsonValue): JsonValue {
  return typeof v === 'number' ? Number(v.toPrecision(12)) : v;
}
const rowKey = (r: JsonValue[]) => JSON.stringify(r.map(canonical));
const cell = (v: JsonValue) => (v === null ? 'NULL' : typeof v === 'string' ? v : JSON.stringify(v));
const showRow = (r: JsonValue[]) => `(${r.map(cell).join(', ')})`;
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** Rows shown per list in an explanation. */
const SHOWN = 3;

function listRows(rows: JsonValue[][]): string {
  const shown = rows.slice(0, SHOWN).map(showRow).join(', ');
  return rows.length > SHOWN ? `${shown} and ${rows.length - SHOWN} more` : shown;
}

/**
 * Whether the learner's result holds the same rows as the expected one (order aside), and
 * if not, what differs: the column count, rows it lacks, rows it should not have, the first
 * few of each shown as values.
 */
export function compareResults(got: QueryRows, want: QueryRows): Outcome {
  if (got.columns.length !== want.columns.length) {
    return {
      passed: false,
      detail: `your last result has ${plural(got.columns.length, 'column')} (${got.columns.join(', ')}); the task asks for ${plural(want.columns.length, 'column')} (${want.columns.join(', ')})`,
    };
  }
  // Multiset difference on canonical rows: duplicates count.
  const left = new Map<string, { row: JsonValue[]; n: number }>();
  for (const r of want.rows) {
    const k = rowKey(r);
    const e = left.get(k);
    if (e) e.n++;
    else left.set(k, { row: r, n: 1 });
  }
  const extra: JsonValue[][] = [];
  for (const r of got.rows) {
    const e = left.get(rowKey(r));
    if (e && e.n > 0) e.n--;
    else extra.push(r);
  }
  const missing: JsonValue[][] = [];
  for (const e of left.values()) for (let i = 0; i < e.n; i++) missing.push(e.row);
  if (!extra.length && !missing.length) return { passed: true, detail: `your last result matches (${plural(got.rows.length, 'row')})` };
  const parts = [`your last result has ${plural(got.rows.length, 'row')}, the task expects ${plural(want.rows.length, 'row')}`];
  if (missing.length) parts.push(`missing ${listRows(missing)}`);
  if (extra.length) parts.push(`not expected ${listRows(extra)}`);
  return { passed: false, detail: `${parts.join('; ')} (columns ${want.columns.join(', ')})` };
}

export async function judgeTask(check: TaskCheck, facts: TaskFacts): Promise<Outcome> {
  switch (check.kind) {
    case 'sql': {
      const ref = check.ref ?? 'main';
      const data = await facts.query(check.sql, ref);
      if (check.expect === 'rows') return { passed: data.rows.length > 0, detail: data.rows.length ? `the check found ${plural(data.rows.length, 'row')} on ${ref}` : `the check found nothing on ${ref} yet` };
      const v = data.rows[0]?.[0] ?? null;
      return { passed: isTrue(v), detail: isTrue(v) ? `the check holds on ${ref}` : `not on ${ref} yet (the check query on ${ref} returned ${JSON.stringify(v)})` };
    }
    case 'same-result': {
      const last = facts.lastQuery();
      if (!last) return { passed: false, detail: 'run a query in the console first' };
      const want = await facts.query(check.sql, check.ref ?? 'main');
      // A result of another size cannot match: say so without reading a huge one's rows.
      if (last.rowCount !== undefined && last.rowCount !== want.rows.length) {
        return { passed: false, detail: `your last result has ${plural(last.rowCount, 'row')}; the task asks for ${plural(want.rows.length, 'row')}` };
      }
      return compareResults(last, want);
    }
    case 'ref-exists': {
      const want = check.type;
      const ref = (await facts.refs()).find((r) => r.name === check.name && (!want || r.type === (want === 'tag' ? 'TAG' : 'BRANCH')));
      if (!ref) return { passed: false, detail: `no ${want ?? 'branch or tag'} named ${check.name} yet` };
      if (check.minCommitsAhead) {
        const main = new Set(await facts.log('main'));
        const ahead = (await facts.log(check.name)).filter((c) => !main.has(c)).length;
        return { passed: ahead >= check.minCommitsAhead, detail: `${check.name} is ${plural(ahead, 'commit')} ahead of main${ahead < check.minCommitsAhead ? `; the task asks for ${check.minCommitsAhead}` : ''}` };
      }
      return { passed: true, detail: `${check.name} exists at ${ref.hash.slice(0, 8)}` };
    }
    case 'snapshot-count': {
      const ref = check.ref ?? 'main';
      const n = await facts.snapshotCount(check.table, ref);
      const ok = (check.atLeast === undefined || n >= check.atLeast) && (check.exactly === undefined || n === check.exactly);
      const want = check.exactly !== undefined ? `exactly ${check.exactly}` : `at least ${check.atLeast}`;
      return { passed: ok, detail: `${check.table} has ${plural(n, 'snapshot')} on ${ref}${ok ? '' : `; the task asks for ${want}`}` };
    }
    case 'pipeline-run':
      return judgeRun(facts.lastRun(), check);
    case 'scale-runs':
      return scaleRunsCover(await facts.scaleRuns(), check.workers, check.minDays);
    case 'postgres': {
      const pending = facts.postgres(check.sql);
      if (!pending) return { passed: false, detail: 'this section has no pipeline pane, so no Postgres to check' };
      const answer = await pending;
      if (!answer.ok) return { passed: false, detail: answer.notPublished ? 'nothing published to Postgres yet: run publish' : answer.error };
      const rows = answer.result.rows;
      if (check.expect === 'rows') return { passed: rows.length > 0, detail: `${plural(rows.length, 'row')} in Postgres` };
      const v = rows[0]?.[0] ?? null;
      return { passed: isTrue(v), detail: isTrue(v) ? 'the Postgres check holds' : `not yet (the Postgres check query returned ${JSON.stringify(v)})` };
    }
    case 'catalog-answer': {
      const given = facts.typedAnswer(check);
      if (!given?.trim()) return { passed: false, detail: 'type your answer in the box' };
      const ok = sameAnswer(given, catalogAnswer(await facts.catalog(check.ref ?? 'main'), check.question, check.target));
      return { passed: ok, detail: ok ? 'that is what the catalog says' : `"${given.trim()}" is not what the catalog says; look again` };
    }
    case 'contract':
      return judgeContract(await runContract(await facts.catalog(check.ref ?? 'main'), check.contract), check);
  }
}
