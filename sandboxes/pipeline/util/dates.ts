/**
 * Partition days are UTC calendar days written "YYYY-MM-DD". DuckDB-WASM has no ICU, so every
 * time stays in UTC; a display layer may convert to local time.
 */
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
export const DAY_MS = 86_400_000;

export function isDay(text: string): boolean {
  const m = DAY_RE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.toISOString().slice(0, 10) === text;
}

/** Epoch milliseconds of 00:00:00.000 UTC on `day`. Throws a readable error for a bad day. */
export function dayStart(day: string): number {
  if (!isDay(day)) {
    throw new Error(`"${day}" is not a calendar day: write partitions as YYYY-MM-DD, for example 2025-01-15.`);
  }
  return Date.parse(`${day}T00:00:00.000Z`);
}

export function dayOf(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  return dayOf(dayStart(day) + n * DAY_MS);
}

/** Every day from `from` to `to`, both included. */
export function dayRange(from: string, to: string): string[] {
  const a = dayStart(from);
  const b = dayStart(to);
  if (b < a) throw new Error(`The range ${from} .. ${to} ends before it starts: put the earlier day first.`);
  const out: string[] = [];
  for (let t = a; t <= b; t += DAY_MS) out.push(dayOf(t));
  return out;
}
