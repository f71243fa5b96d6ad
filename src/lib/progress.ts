/**
 * The reader's progress, kept in the browser (localStorage): which parts they have read and
 * which hands-on tasks they have passed. It moves between machines as a small JSON file
 * (export, then import on the other machine: the two are merged, nothing is lost).
 *
 * Pure functions over a `ProgressStore`, so the Node tests run them without a browser.
 *
 * Every record here has no prototype (`Object.create(null)`) and only ids of the course's
 * own shape are read: a key like `__proto__` or `constructor` in stored or imported JSON is
 * refused instead of reaching `Object.prototype`. A file brought in by the reader goes
 * through the stricter, schema-checked `parseProgressFile` (progress-file.ts) first.
 */
export const PROGRESS_KEY = 'phlo-progress';
export const PROGRESS_FORMAT = 'phlo-course-progress';

export interface Progress {
  format: typeof PROGRESS_FORMAT;
  version: 1;
  /** Part number -> when it was marked read (ISO time). */
  parts: Record<string, string>;
  /** Section id -> task id -> when it first passed (ISO time). */
  tasks: Record<string, Record<string, string>>;
}

export interface KeyValue {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** A record with no prototype: an id such as `constructor` or `__proto__` is just a key. */
export const dict = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

export const emptyProgress = (): Progress => ({ format: PROGRESS_FORMAT, version: 1, parts: dict(), tasks: dict() });

/** A part number as the course writes it ("3", "13"). */
export const PART_ID = /^\d{1,2}$/;
/** A section or task id as the course writes them (lowercase words and digits joined by "-"). */
export const COURSE_ID = /^[a-z0-9][a-z0-9-]{0,99}$/;
/** A time as `Date.toISOString` writes it. */
export const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

export const isTime = (v: unknown): v is string => typeof v === 'string' && ISO_TIME.test(v) && !Number.isNaN(Date.parse(v));

const ownEntries = (o: object): [string, unknown][] => Object.keys(o).map((k) => [k, (o as Record<string, unknown>)[k]]);
const isPlainObject = (v: unknown): v is object => !!v && typeof v === 'object' && !Array.isArray(v);

/** Read a progress document, saying what is wrong with it when it is not one. */
export function parseProgress(text: string): Progress {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error('This file is not JSON. Choose a file saved with "Download my progress".');
  }
  const d = data as Partial<Progress> | null;
  if (!d || typeof d !== 'object' || d.format !== PROGRESS_FORMAT) throw new Error('This file is not a progress file of this course. Choose a file saved with "Download my progress".');
  if (d.version !== 1) throw new Error(`This progress file has version ${String(d.version)}; this site reads version 1. Update the site or use a newer export.`);
  if (d.parts !== undefined && !isPlainObject(d.parts)) throw new Error('The progress file has "parts" that is not an object of part number -> time.');
  if (d.tasks !== undefined && !isPlainObject(d.tasks)) throw new Error('The progress file has "tasks" that is not an object of section id -> task id -> time.');
  const out = emptyProgress();
  for (const [part, at] of ownEntries(d.parts ?? {})) {
    if (!PART_ID.test(part) || !isTime(at)) throw new Error(`The progress file has a bad entry for part "${part}".`);
    out.parts[part] = at;
  }
  for (const [section, tasks] of ownEntries(d.tasks ?? {})) {
    if (!COURSE_ID.test(section) || !isPlainObject(tasks)) throw new Error(`The progress file has a bad entry for section "${section}".`);
    for (const [task, at] of ownEntries(tasks)) {
      if (!COURSE_ID.test(task) || !isTime(at)) throw new Error(`The progress file has a bad entry for task "${section}/${task}".`);
      (out.tasks[section] ??= dict())[task] = at;
    }
  }
  return out;
}

export function loadProgress(store: KeyValue): Progress {
  try {
    const raw = store.getItem(PROGRESS_KEY);
    return raw ? parseProgress(raw) : emptyProgress();
  } catch {
    // A damaged entry must not break every page; the next save replaces it.
    return emptyProgress();
  }
}

export function saveProgress(store: KeyValue, p: Progress): void {
  store.setItem(PROGRESS_KEY, JSON.stringify(p));
}

/** Union of two progress documents; the earlier time wins where both have an entry. */
export function mergeProgress(a: Progress, b: Progress): Progress {
  const first = (x?: string, y?: string) => (!x ? y! : !y ? x : x < y ? x : y);
  const out = emptyProgress();
  for (const part of new Set([...Object.keys(a.parts), ...Object.keys(b.parts)])) out.parts[part] = first(a.parts[part], b.parts[part]);
  for (const section of new Set([...Object.keys(a.tasks), ...Object.keys(b.tasks)])) {
    const ta = a.tasks[section] ?? dict<string>();
    const tb = b.tasks[section] ?? dict<string>();
    out.tasks[section] = dict();
    for (const task of new Set([...Object.keys(ta), ...Object.keys(tb)])) out.tasks[section][task] = first(ta[task], tb[task]);
  }
  return out;
}

export function markPartRead(store: KeyValue, part: number, read = true, now = new Date()): Progress {
  const p = loadProgress(store);
  if (read) p.parts[String(part)] ??= now.toISOString();
  else delete p.parts[String(part)];
  saveProgress(store, p);
  return p;
}

export function markTaskPassed(store: KeyValue, section: string, task: string, now = new Date()): Progress {
  const p = loadProgress(store);
  (p.tasks[section] ??= dict())[task] ??= now.toISOString();
  saveProgress(store, p);
  return p;
}

/** Tasks passed in a section, out of the ids it has now (tasks removed since do not count). */
export function tasksPassed(p: Progress, section: string, taskIds: readonly string[]): number {
  const done = Object.hasOwn(p.tasks, section) ? p.tasks[section]! : dict<string>();
  return taskIds.filter((id) => Object.hasOwn(done, id) && isTime(done[id])).length;
}

/** The file name of an export: phlo-progress-2026-11-25.json */
export function exportFileName(now = new Date()): string {
  return `phlo-progress-${now.toISOString().slice(0, 10)}.json`;
}
