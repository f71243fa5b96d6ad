/**
 * Reads a learner's own CGM export (Nightscout JSON, or CSV with a header row) into
 * Nightscout-shaped entries. Values are coerced the way the API would send them; anything
 * that cannot be read is reported with its line (CSV) or index (JSON) so it can be fixed,
 * and the schema check later decides what is acceptable.
 */
import type { NightscoutEntry } from './nightscout.ts';

export interface FileReadProblem { where: string; message: string }
export interface FileReadResult { entries: NightscoutEntry[]; problems: FileReadProblem[] }

const NUMERIC = new Set(['sgv', 'date', 'trend', 'utcOffset', 'rssi']);

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { out.push(cur); cur = ''; }
    else cur += ch;
  }
  out.push(cur);
  return out;
}

function normalise(raw: Record<string, unknown>, where: string, problems: FileReadProblem[]): NightscoutEntry | null {
  const value = (k: string): unknown => raw[k] ?? raw[k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())];
  const out: Record<string, unknown> = {};
  for (const key of ['_id', 'sgv', 'date', 'dateString', 'direction', 'trend', 'device', 'type', 'utcOffset', 'sysTime', 'rssi']) {
    let v = value(key);
    if (v === '' || v === undefined) v = null;
    if (v !== null && NUMERIC.has(key)) {
      const n = typeof v === 'number' ? v : Number(v);
      if (!Number.isFinite(n)) {
        problems.push({ where, message: `column "${key}" holds "${String(v)}", which is not a number` });
        return null;
      }
      v = n;
    }
    out[key] = v;
  }
  // Exports sometimes carry only one of the two time fields: derive the other.
  if (out.date === null && typeof out.dateString === 'string') {
    const t = Date.parse(out.dateString);
    if (Number.isFinite(t)) out.date = t;
  }
  if (out.dateString === null && typeof out.date === 'number') out.dateString = new Date(out.date).toISOString();
  if (out.date === null) {
    problems.push({ where, message: 'the entry has neither "date" (epoch ms) nor a readable "dateString"' });
    return null;
  }
  out.sysTime ??= out.dateString;
  out.utcOffset ??= 0;
  out.rssi ??= null;
  out._id = out._id === null ? null : String(out._id);
  return out as unknown as NightscoutEntry;
}

/** Parse a file's text; `name` decides the format (".csv" or else JSON). */
export function readEntriesFile(name: string, text: string): FileReadResult {
  const problems: FileReadProblem[] = [];
  const entries: NightscoutEntry[] = [];
  if (name.toLowerCase().endsWith('.csv')) {
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
    if (lines.length === 0) return { entries, problems: [{ where: name, message: 'the file is empty' }] };
    const header = splitCsvLine(lines[0]).map((h) => h.trim());
    for (let i = 1; i < lines.length; i++) {
      const cells = splitCsvLine(lines[i]);
      const row: Record<string, unknown> = {};
      header.forEach((h, j) => { row[h] = cells[j]; });
      const e = normalise(row, `${name} line ${i + 1}`, problems);
      if (e) entries.push(e);
    }
    return { entries, problems };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { entries, problems: [{ where: name, message: `not valid JSON (${(err as Error).message}); export the entries as a JSON array` }] };
  }
  if (!Array.isArray(parsed)) {
    return { entries, problems: [{ where: name, message: 'expected a JSON array of entries, as /api/v1/entries.json returns' }] };
  }
  parsed.forEach((item, i) => {
    if (item === null || typeof item !== 'object') {
      problems.push({ where: `${name} item ${i}`, message: 'is not an object' });
      return;
    }
    const e = normalise(item as Record<string, unknown>, `${name} item ${i}`, problems);
    if (e) entries.push(e);
  });
  return { entries, problems };
}
